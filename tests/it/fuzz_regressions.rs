//! Inputs the fuzzers found, kept as regression tests: for the journal line
//! parser, the head-only decoder must agree with the full decoder.

use switchboard::model::line::{LineParse, parse_head, parse_line};

#[test]
fn journal_line_crashes_found_by_fuzzing_stay_fixed() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("journal_line-")
        {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        for line in data.split(|b| *b == b'\n') {
            let parsed = parse_line(line);
            if let Some(head) = parse_head(line) {
                match &parsed {
                    LineParse::Event(event) => assert_eq!(head.to_head(head.kind()), event.head()),
                    other => panic!(
                        "{}: head decoded but the full parse says {other:?}",
                        path.display()
                    ),
                }
            }
        }
        checked += 1;
    }
    assert!(
        checked > 0,
        "no regression inputs found in {}",
        dir.display()
    );
}
