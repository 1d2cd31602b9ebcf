//! The agreements the journal decoders promise each other, checked on
//! arbitrary bytes: the head decoder with the full decoder, the scanner with
//! serde, and the fold's fast paths with folding fully decoded events. The
//! fuzz target runs this on every input, and `fuzz_regressions` on every
//! input the fuzzers once found, so both check the same things.

use super::fold_steps::{fold_decoded_line, fold_line};
use super::line::{LineParse, RawHead, parse_head, parse_head_with_serde, parse_line};
use super::line_scan::scan_head;
use super::plan::PlanTools;
use super::summary::JournalSummary;

/// Panics, naming what disagreed, if any of the promises breaks for the
/// lines of `data`.
#[doc(hidden)]
pub fn check_journal_bytes(data: &[u8]) {
    let mut summary = JournalSummary::new("s", PlanTools::default());
    let mut decoded = JournalSummary::new("s", PlanTools::default());
    for line in data.split(|b| *b == b'\n') {
        let parsed = parse_line(line);
        if let Some(head) = parse_head(line) {
            match &parsed {
                LineParse::Event(event) => assert_eq!(head.to_head(head.kind()), event.head()),
                other => panic!("head decoded but the full parse says {other:?}"),
            }
        }
        if let Ok(text) = std::str::from_utf8(line)
            && let Some(scanned) = scan_head(text)
        {
            assert_eq!(Some(RawHead::from(scanned)), parse_head_with_serde(text));
        }
        if let LineParse::Event(event) = &parsed {
            let _ = event.summary();
        }
        fold_decoded_line(&mut decoded, line);
        fold_line(&mut summary, line);
    }
    assert_eq!(
        summary, decoded,
        "the fold's fast paths read lines as decoding does"
    );
    let _ = summary.pending();
}
