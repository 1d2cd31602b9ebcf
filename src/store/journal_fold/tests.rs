use std::io::Write;

use super::*;
use crate::model::fold_steps::{fold_decoded_line, fold_each_line, fold_line};
use crate::model::plan::PlanTools;

fn journal() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..400 {
        let line = match i % 9 {
            0 => format!(r#"{{"id":"u{i}","type":"user.message","processed_at":null}}"#),
            1 => format!(
                r#"{{"id":"t{i}","type":"agent.tool_use","name":"bash","input":{{"command":"echo {i}"}}}}"#
            ),
            2 => format!(
                r#"{{"id":"s{i}","type":"session.status_idle","stop_reason":{{"type":"requires_action","event_ids":["t{}"]}}}}"#,
                i - 1
            ),
            3 if i % 2 == 0 => "torn {\"id\":".to_string(),
            4 => format!(
                r#"{{"id":"c{i}","type":"user.tool_confirmation","tool_use_id":"t{}","result":"allow"}}"#,
                i - 3
            ),
            5 => format!(
                r#"{{"id":"m{i}","type":"agent.message","content":"{}"}}"#,
                "x".repeat(i % 200)
            ),
            // Plan revisions are numbered in journal order, listed or not.
            7 => format!(
                r#"{{"id":"p{i}","type":"agent.custom_tool_use","name":"submit_plan","input":{{"plan":"step {i}","plan_id":"plan_{}"}}}}"#,
                i % 2
            ),
            8 if i % 4 == 0 => format!(
                r#"{{"id":"s{i}","type":"session.status_idle","stop_reason":{{"type":"requires_action","event_ids":["p{}"]}}}}"#,
                i - 1
            ),
            _ => format!(r#"{{"id":"a{i}","type":"agent.thinking"}}"#),
        };
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(if i % 13 == 0 { b"\r\n" } else { b"\n" });
    }
    out
}

fn reference(bytes: &[u8]) -> JournalSummary {
    let mut summary = JournalSummary::new("s", PlanTools::default());
    fold_each_line(&mut summary, bytes, fold_line);
    let mut decoded = JournalSummary::new("s", PlanTools::default());
    fold_each_line(&mut decoded, bytes, fold_decoded_line);
    assert_eq!(
        summary, decoded,
        "the fast fold reads lines as decoding does"
    );
    summary
}

fn file_with(bytes: &[u8]) -> (tempfile::NamedTempFile, File) {
    let mut temp = tempfile::NamedTempFile::new().unwrap();
    temp.write_all(bytes).unwrap();
    let file = File::open(temp.path()).unwrap();
    (temp, file)
}

#[test]
fn blocks_on_several_workers_fold_like_line_by_line() {
    let bytes = journal();
    let expected = reference(&bytes);
    let (_temp, file) = file_with(&bytes);
    for (block, piece, workers) in [
        (1, 1, 1),
        (1, 5, 3),
        (64, 7, 2),
        (500, 64, 4),
        (4096, 300, 2),
        (4096, 1 << 20, 1),
        (1 << 20, 1000, 2),
        (1 << 20, PIECE, 2),
    ] {
        let mut summary = JournalSummary::new("s", PlanTools::default());
        let sizes = Sizes { block, piece };
        let end = fold_in_blocks(&file, 0, &mut summary, sizes, workers).unwrap();
        assert_eq!(end, bytes.len() as u64);
        assert_eq!(summary, expected, "{sizes:?} on {workers} workers");
        assert_eq!(summary.pending(), expected.pending());
    }
    let plans: Vec<_> = expected
        .pending()
        .into_iter()
        .filter_map(|p| p.request.plan)
        .collect();
    assert!(plans.iter().any(|plan| plan.revision > 1), "{plans:?}");
}

#[test]
fn a_last_line_without_its_newline_waits() {
    let complete = journal();
    let mut bytes = complete.clone();
    bytes.extend_from_slice(br#"{"id":"late","type":"agent.message""#);
    let (_temp, file) = file_with(&bytes);
    for (block, piece, workers) in [(256, 100, 2), (1 << 30, 1000, 1)] {
        let mut summary = JournalSummary::new("s", PlanTools::default());
        let sizes = Sizes { block, piece };
        let end = fold_in_blocks(&file, 0, &mut summary, sizes, workers).unwrap();
        assert_eq!(end, complete.len() as u64);
        assert_eq!(summary, reference(&complete));
    }
}

#[test]
fn a_resumed_fold_matches_one_fold_of_the_whole() {
    let bytes = journal();
    let whole = reference(&bytes);
    let cut = memchr::memchr(b'\n', &bytes[bytes.len() / 3..]).unwrap() + bytes.len() / 3 + 1;
    let (_temp, file) = file_with(&bytes);
    let mut summary = JournalSummary::new("s", PlanTools::default());
    let mut first_part = reference(&bytes[..cut]);
    assert_ne!(first_part, whole);
    let sizes = Sizes {
        block: 128,
        piece: 50,
    };
    let end = fold_in_blocks(&file, cut as u64, &mut first_part, sizes, 2).unwrap();
    assert_eq!(end, bytes.len() as u64);
    assert_eq!(first_part, whole);
    // Starting past the end (a journal that shrank) folds nothing.
    assert_eq!(
        fold_in_blocks(&file, end + 10, &mut summary, sizes, 2).unwrap(),
        end + 10
    );
    assert_eq!(summary.event_count, 0);
}

#[test]
fn a_line_longer_than_many_blocks_stays_whole() {
    let long = format!(
        r#"{{"id":"big","type":"agent.message","content":"{}"}}"#,
        "y".repeat(10_000)
    );
    let bytes = format!("{long}\n{long}\nnot json\n").into_bytes();
    let (_temp, file) = file_with(&bytes);
    for (block, piece) in [(100, 100), (100, 1 << 20), (1 << 20, 64)] {
        let mut summary = JournalSummary::new("s", PlanTools::default());
        fold_in_blocks(&file, 0, &mut summary, Sizes { block, piece }, 3).unwrap();
        assert_eq!(summary, reference(&bytes), "{block} {piece}");
    }
    let mut summary = JournalSummary::new("s", PlanTools::default());
    fold_in_blocks(
        &file,
        0,
        &mut summary,
        Sizes {
            block: 100,
            piece: 64,
        },
        3,
    )
    .unwrap();
    assert_eq!(summary.event_count, 2);
    assert_eq!(summary.malformed_lines, 1);
}

#[test]
fn a_fold_until_a_line_boundary_stops_there() {
    let bytes = journal();
    let cut = memchr::memchr(b'\n', &bytes[bytes.len() / 2..]).unwrap() + bytes.len() / 2 + 1;
    let (_temp, file) = file_with(&bytes);
    let mut summary = JournalSummary::new("s", PlanTools::default());
    let end = fold_journal_until(&file, 0, cut as u64, &mut summary).unwrap();
    assert_eq!(end, cut as u64);
    assert_eq!(summary, reference(&bytes[..cut]));
    // The rest, from there, makes the whole.
    let end = fold_journal_until(&file, end, u64::MAX, &mut summary).unwrap();
    assert_eq!(end, bytes.len() as u64);
    assert_eq!(summary, reference(&bytes));
}
