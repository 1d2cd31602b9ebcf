//! Inputs the fuzzers found, kept as regression tests: each is checked as
//! the fuzz target checks it (`decoder_agreement::check_journal_bytes`).

use switchboard::model::decoder_agreement::check_journal_bytes;

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
        // A panic names what disagreed; the input's path is in the report.
        eprintln!("replaying {}", path.display());
        check_journal_bytes(&data);
        checked += 1;
    }
    assert!(
        checked > 0,
        "no regression inputs found in {}",
        dir.display()
    );
}
