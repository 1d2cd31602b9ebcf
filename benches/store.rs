//! Store and model benchmarks: the line index, lazy decode of a window,
//! fingerprinting, the summary fold, and stuck evaluation over 10k sessions.
//! Run: cargo bench --bench store

use std::hint::black_box;
use std::io::Write;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use switchboard::model::fingerprint::fingerprint_parts;
use switchboard::model::line::parse_line;
use switchboard::model::plan::PlanTools;
use switchboard::model::session::SessionDoc;
use switchboard::model::stuck::{StuckInput, StuckThresholds, evaluate};
use switchboard::model::summary::JournalSummary;
use switchboard::model::time::parse_rfc3339;
use switchboard::model::wake::WakeQueue;
use switchboard::store::JournalIndex;
use switchboard::store::journal_lines::read_range;
use switchboard::store::session_snapshot::fold_line;

fn journal_bytes(lines: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..lines {
        let line = match i % 8 {
            0 => format!(
                r#"{{"id":"sevt_{i}","type":"agent.tool_use","created_at":"2026-11-21T09:00:00Z","processed_at":"2026-11-21T09:00:00Z","name":"bash","input":{{"command":"pytest -q tests/test_{i}.py"}}}}"#
            ),
            1 => format!(
                r#"{{"id":"sevt_{i}","type":"agent.tool_result","created_at":"2026-11-21T09:00:00Z","processed_at":"2026-11-21T09:00:00Z","tool_use_id":"sevt_{}","content":[{{"type":"text","text":"3 passed"}}]}}"#,
                i - 1
            ),
            2 => format!(
                r#"{{"id":"sevt_{i}","type":"agent.thinking","created_at":"2026-11-21T09:00:00Z","processed_at":"2026-11-21T09:00:00Z","content":[{{"type":"text","text":"{}"}}]}}"#,
                "considering the retry budget ".repeat(6)
            ),
            _ => format!(
                r#"{{"id":"sevt_{i}","type":"agent.message","created_at":"2026-11-21T09:00:00Z","processed_at":"2026-11-21T09:00:00Z","content":[{{"type":"text","text":"{}"}}]}}"#,
                "looking at the auth module timeout ".repeat(4)
            ),
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

fn bench_index(c: &mut Criterion) {
    let bytes = journal_bytes(200_000);
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(&bytes).unwrap();
    let mut group = c.benchmark_group("line_index");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("build_from_file", |b| {
        b.iter(|| black_box(JournalIndex::build(&file).unwrap().len()))
    });
    group.bench_function("build_from_memory", |b| {
        b.iter(|| {
            let mut index = JournalIndex::default();
            index.extend_from_bytes(0, black_box(&bytes));
            black_box(index.len())
        })
    });
    group.finish();

    let index = JournalIndex::build(&file).unwrap();
    let mut group = c.benchmark_group("lazy_decode");
    for window in [50usize, 200] {
        group.bench_with_input(
            BenchmarkId::new("visible_window", window),
            &window,
            |b, &window| {
                let start = index.len() / 2;
                b.iter(|| {
                    let span = index.span(start..start + window).unwrap();
                    let bytes = read_range(&file, span.start, span.end).unwrap();
                    let mut summaries = 0usize;
                    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                        if let switchboard::model::line::LineParse::Event(e) = parse_line(line) {
                            summaries += e.summary().len();
                        }
                    }
                    black_box(summaries)
                })
            },
        );
    }
    group.finish();

    let mut group = c.benchmark_group("summary_fold");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("fold_200k_lines", |b| {
        b.iter(|| {
            let mut summary = JournalSummary::new("s", PlanTools::default());
            for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                fold_line(&mut summary, line);
            }
            black_box(summary.event_count)
        })
    });
    group.finish();
}

fn bench_fingerprint(c: &mut Criterion) {
    let name = serde_json::json!("edit_file");
    let input = serde_json::json!({
        "path": "api/auth.py",
        "diff": "--- a/api/auth.py\n+++ b/api/auth.py\n@@ -1,3 +1,3 @@\n-TIMEOUT = 5\n+TIMEOUT = 30\n",
        "options": {"dry_run": false, "retries": 3, "ratio": 0.25, "tags": ["auth", "timeout", "ü"]}
    });
    c.bench_function("fingerprint/edit_file_request", |b| {
        b.iter(|| {
            black_box(fingerprint_parts(
                "sesn_01HV7M2K9",
                "sevt_0007",
                "agent.tool_use",
                &name,
                &input,
            ))
        })
    });
}

fn bench_stuck(c: &mut Criterion) {
    let now = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
    let sessions: Vec<(SessionDoc, JournalSummary)> = (0..10_000)
        .map(|i| {
            let status = ["running", "idle", "rescheduling", "terminated"][i % 4];
            let doc = SessionDoc::from_json_bytes(
                format!(r#"{{"status":"{status}","updated_at":"2026-11-21T09:5{}:00Z"}}"#, i % 10).as_bytes(),
            )
            .unwrap();
            let mut summary = JournalSummary::new(format!("s{i}"), PlanTools::default());
            for line in [
                format!(r#"{{"id":"t{i}","type":"agent.tool_use","created_at":"2026-11-21T09:40:00Z","name":"bash","input":{{"command":"ls"}}}}"#),
                format!(r#"{{"id":"i{i}","type":"session.status_idle","created_at":"2026-11-21T09:40:01Z","stop_reason":{{"type":"requires_action","event_ids":["t{i}"]}}}}"#),
                r#"{"id":"e1","type":"session.error","created_at":"2026-11-21T09:58:00Z","error":{"type":"rate_limit_error"}}"#.to_string(),
            ] {
                fold_line(&mut summary, line.as_bytes());
            }
            (doc, summary)
        })
        .collect();
    let wake = WakeQueue::default();
    let thresholds = StuckThresholds::default();
    c.bench_function("stuck/evaluate_10k_sessions", |b| {
        b.iter(|| {
            let mut fired = 0usize;
            for (doc, summary) in &sessions {
                let input = StuckInput {
                    doc,
                    summary,
                    wake: &wake,
                    last_activity: doc.updated_at,
                    parent: None,
                };
                fired += evaluate(&input, &thresholds, now).len();
            }
            black_box(fired)
        })
    });
}

criterion_group!(benches, bench_index, bench_fingerprint, bench_stuck);
criterion_main!(benches);
