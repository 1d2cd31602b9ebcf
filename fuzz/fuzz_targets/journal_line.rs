//! The journal line parser and the summary fold, on arbitrary bytes: never
//! panic, and the head decoder agrees with the full decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::model::line::{LineParse, parse_head, parse_line};
use switchboard::model::plan::PlanTools;
use switchboard::model::summary::JournalSummary;
use switchboard::store::session_snapshot::fold_line;

fuzz_target!(|data: &[u8]| {
    let mut summary = JournalSummary::new("s", PlanTools::default());
    for line in data.split(|b| *b == b'\n') {
        let parsed = parse_line(line);
        if let Some(head) = parse_head(line) {
            match &parsed {
                LineParse::Event(event) => assert_eq!(head.to_head(head.kind()), event.head()),
                other => panic!("head decoded but the full parse says {other:?}"),
            }
        }
        if let LineParse::Event(event) = &parsed {
            let _ = event.summary();
        }
        fold_line(&mut summary, line);
    }
    let _ = summary.pending();
});
