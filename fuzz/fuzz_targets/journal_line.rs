//! The journal line parser and the summary fold, on arbitrary bytes: never
//! panic; the head decoder agrees with the full decoder, the scanner with
//! serde, and the fold's fast paths with folding fully decoded events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::model::line::{LineParse, RawHead, parse_head, parse_head_with_serde, parse_line};
use switchboard::model::line_scan::scan_head;
use switchboard::model::plan::PlanTools;
use switchboard::model::summary::JournalSummary;
use switchboard::store::session_snapshot::fold_line;

fuzz_target!(|data: &[u8]| {
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
        if let Ok(text) = std::str::from_utf8(line) {
            if let Some(scanned) = scan_head(text) {
                assert_eq!(Some(RawHead::from(scanned)), parse_head_with_serde(text));
            }
        }
        match &parsed {
            LineParse::Event(event) => {
                let _ = event.summary();
                decoded.apply(event);
            }
            LineParse::Malformed(_) => decoded.note_malformed(),
            LineParse::Blank => {}
        }
        fold_line(&mut summary, line);
    }
    assert_eq!(summary, decoded);
    let _ = summary.pending();
});
