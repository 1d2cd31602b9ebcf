//! Claude Code and Codex transcripts read as sessions: fixture transcripts
//! (written from the tools' documented record formats, with unknown record
//! types and a torn last line) into events and inferred statuses; real-world
//! samples for robustness; live appends through the feed.

use crate::common;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use switchboard::adapters::source::{AdapterKind, AdapterSource, ConvertedTranscript};
use switchboard::feed::{AdapterPoller, Update};
use switchboard::model::line::{LineParse, parse_line};
use switchboard::model::plan::PlanTools;
use switchboard::model::time::parse_rfc3339;

use common::{code, json, stderr};

const CC: &str = "tests/fixtures/claude-code";
const CODEX: &str = "tests/fixtures/codex";
const NOW: &str = "2026-01-15T09:02:30Z";
const MAIN: &str = "cc-11111111-1111-4111-8111-111111111111";
const FORK: &str = "codex-0199c0de-0000-7000-8000-000000000002";

fn run(args: &[&str]) -> std::process::Output {
    let empty = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("SWITCHBOARD_NOW", NOW)
        .env("SWITCHBOARD_CONFIG_DIR", empty.path().join("no-config"))
        .env("SWITCHBOARD_ROOT", empty.path().join("no-root"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The file times depend on the checkout; only the times inside count here.
fn without_mtimes(mut value: Value) -> Value {
    if let Some(rows) = value.as_array_mut() {
        for row in rows {
            row["last_activity_at"] = Value::Null;
        }
    }
    value
}

#[test]
fn ls_shows_transcripts_with_inferred_statuses_and_their_source() {
    let out = run(&["ls", "--json", "--claude-code", CC, "--codex", CODEX]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let value = without_mtimes(json(&out));
    let status = |id: &str| {
        value
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // A tool use with no result and nothing newer looks like waiting.
    assert_eq!(status(MAIN), "requires_action");
    assert_eq!(status(FORK), "requires_action");
    assert_eq!(status("cc-22222222-2222-4222-8222-222222222222"), "idle");
    insta::assert_json_snapshot!(value);
}

#[test]
fn claude_code_transcript_becomes_the_expected_events() {
    let out = run(&["show", MAIN, "--json", "--claude-code", CC]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let value = json(&out);
    assert_eq!(value["session"]["source"], format!("claude-code:{CC}"));
    assert_eq!(value["session"]["title"], "Fix login timeout");
    assert_eq!(value["session"]["parent_id"], Value::Null);
    insta::assert_json_snapshot!(value["events"]);
}

#[test]
fn claude_code_subagents_and_odd_lines() {
    let out = run(&["ls", "--json", "--claude-code", CC]);
    let value = json(&out);
    let rows = value.as_array().unwrap();
    let sub = rows
        .iter()
        .find(|r| r["id"] == format!("{MAIN}-agent-a1b2c3d4"))
        .unwrap();
    assert_eq!(sub["parent_id"], MAIN);
    assert_eq!(sub["title"], "Find every caller of TIMEOUT");
    let done = rows
        .iter()
        .find(|r| r["id"] == "cc-22222222-2222-4222-8222-222222222222")
        .unwrap();
    assert_eq!(done["title"], "Update the README badges");
    // One JSON string and one line that is not JSON: shown as malformed.
    assert_eq!(done["malformed_lines"], 2);
    let show = json(&run(&[
        "show",
        "cc-22222222-2222-4222-8222-222222222222",
        "--json",
        "--claude-code",
        CC,
    ]));
    let kinds: Vec<&str> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "session.updated",
            "user.message",
            "agent.message",
            "claude_code.user"
        ]
    );
}

#[test]
fn codex_rollout_becomes_the_expected_events() {
    let out = run(&[
        "show",
        "codex-0199c0de-0000-7000-8000-000000000001",
        "--json",
        "--codex",
        CODEX,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let value = json(&out);
    assert_eq!(value["session"]["status"], "idle");
    insta::assert_json_snapshot!(value["events"]);
    let fork = json(&run(&["show", FORK, "--json", "--codex", CODEX]));
    assert_eq!(
        fork["session"]["parent_id"],
        "codex-0199c0de-0000-7000-8000-000000000001"
    );
    assert_eq!(fork["session"]["malformed_lines"], 1);
}

#[test]
fn a_missing_transcript_dir_is_one_clear_error() {
    let out = run(&["ls", "--claude-code", "/nonexistent/claude"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("/nonexistent/claude") && err.contains("--claude-code"),
        "{err}"
    );
}

/// The real-world Claude Code samples, vendored from the shared fixtures
/// (see `tests/fixtures/external/README.md`).
fn external_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/external/claude-code")
}

#[test]
fn real_world_claude_code_samples_never_lose_a_line() {
    let dir = external_dir();
    let source = AdapterSource::new(AdapterKind::ClaudeCode, Some(dir.clone()));
    let files = source.discover().unwrap();
    assert!(files.len() >= 4, "found {files:?}");
    let now = parse_rfc3339(NOW).unwrap();
    for file in files {
        let text = std::fs::read(&file.path).unwrap();
        let complete = match text.iter().rposition(|b| *b == b'\n') {
            Some(end) => &text[..=end],
            None => &text[..0],
        };
        let lines: Vec<&[u8]> = complete
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .collect();
        let objects = lines
            .iter()
            .filter(|l| serde_json::from_slice::<Value>(l).is_ok_and(|v| v.is_object()))
            .count() as u64;
        let converted = ConvertedTranscript::read(&file, &PlanTools::default(), now, true).unwrap();
        let summary = &converted.snapshot.summary;
        assert_eq!(
            summary.malformed_lines,
            lines.len() as u64 - objects,
            "{}: every line that is not an object is shown as malformed",
            file.path.display()
        );
        assert!(
            summary.event_count >= objects,
            "{}: every record becomes at least one event",
            file.path.display()
        );
        let mut ids = HashSet::new();
        for line in &converted.lines {
            if let LineParse::Event(event) = parse_line(line) {
                assert!(ids.insert(event.id.clone()), "duplicate id {}", event.id);
            }
        }
        assert_eq!(
            converted.snapshot.doc.metadata["inferred_status"],
            Value::Bool(true)
        );
    }
}

/// These samples end without a final `\n`: their last record (a summary)
/// is an append in progress until the newline arrives, as in any journal.
#[test]
fn real_world_last_lines_wait_for_their_newline() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("todowrite_examples.jsonl");
    std::fs::copy(external_dir().join("todowrite_examples.jsonl"), &copy).unwrap();
    let source = AdapterSource::new(AdapterKind::ClaudeCode, Some(dir.path().to_path_buf()));
    let now = parse_rfc3339(NOW).unwrap();
    let fleet = source.load_fleet(&PlanTools::default(), now).unwrap();
    let todo = fleet.get("cc-todowrite_examples").unwrap();
    assert_eq!(
        todo.doc.title.as_deref(),
        Some("/tmp"),
        "no summary yet: the cwd"
    );
    std::fs::OpenOptions::new()
        .append(true)
        .open(&copy)
        .unwrap()
        .write_all(b"\n")
        .unwrap();
    let fleet = source.load_fleet(&PlanTools::default(), now).unwrap();
    let todo = fleet.get("cc-todowrite_examples").unwrap();
    assert_eq!(
        todo.doc.title.as_deref(),
        Some("Feature Implementation with Task Management")
    );
    assert!(fleet.errors.is_empty(), "{:?}", fleet.errors);
}

fn copy_fixture(from: &str, to: &Path) {
    for entry in walk(Path::new(env!("CARGO_MANIFEST_DIR")).join(from)) {
        let rel = entry
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join(from))
            .unwrap();
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, to.join(rel)).unwrap();
    }
}

fn walk(dir: PathBuf) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(path));
        } else {
            out.push(path);
        }
    }
    out
}

fn events_of(lines: &[(u64, Vec<u8>)]) -> Vec<Value> {
    lines
        .iter()
        .map(|(_, l)| serde_json::from_slice(l).unwrap())
        .collect()
}

/// The feed that `watch --json` and the dashboard consume: appending to a
/// transcript (here finishing its torn last line, then a new record) sends
/// the converted events as `Appended`, and the new inferred status as `Meta`.
#[test]
fn live_append_shows_in_the_feed_for_watch_and_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(CC, dir.path());
    let transcript = dir
        .path()
        .join(format!("-home-alice-shop/{}.jsonl", &MAIN[3..]));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let feed = switchboard::feed::spawn_adapter_feed(
        switchboard::adapters::AdapterSource::new(
            switchboard::adapters::AdapterKind::ClaudeCode,
            Some(dir.path().to_path_buf()),
        ),
        3,
        PlanTools::default(),
        std::time::Duration::from_millis(20),
        tx,
    )
    .unwrap();
    let mut next = || rx.blocking_recv().expect("the feed stopped");
    // Loaded for every session, the main one waiting on its push.
    let mut loaded = 0;
    while loaded < 3 {
        if let Update::Loaded { key, snapshot, .. } = next() {
            assert_eq!(key.source, 3);
            if key.id == MAIN {
                assert_eq!(
                    snapshot.summary.event_count, 15,
                    "the torn line is not an event yet"
                );
            }
            loaded += 1;
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&transcript)
        .unwrap();
    file.write_all(
        br#"0.000Z","message":{"id":"msg_01E","role":"assistant","content":[{"type":"text","text":"Waiting for approval."}]}}
{"type":"user","uuid":"u-0013","timestamp":"2026-01-15T09:01:50.000Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01Push","content":"pushed"}]}}
"#,
    )
    .unwrap();
    let (appended, meta) = loop {
        if let Update::Appended { key, lines, end } = next() {
            assert_eq!(key.id, MAIN);
            assert!(end > 0);
            let meta = loop {
                if let Update::Meta { key, doc, .. } = next()
                    && key.id == MAIN
                {
                    break doc;
                }
            };
            break (events_of(&lines), meta);
        }
    };
    let kinds: Vec<&str> = appended
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["agent.message", "agent.tool_result"]);
    assert_eq!(appended[0]["id"], "a-0012:0");
    assert_eq!(appended[1]["tool_use_id"], "toolu_01Push");
    assert_eq!(meta.metadata["inferred_status"], Value::Bool(true));
    feed.stop();
}

/// What the feed thread runs, at a pinned time: the inferred status moves
/// from waiting to running when the tool's result is appended.
#[test]
fn appended_results_change_the_inferred_status() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(CC, dir.path());
    let transcript = dir
        .path()
        .join(format!("-home-alice-shop/{}.jsonl", &MAIN[3..]));
    let now = parse_rfc3339(NOW).unwrap();
    let mut poller = AdapterPoller::new(
        AdapterSource::new(AdapterKind::ClaudeCode, Some(dir.path().to_path_buf())),
        0,
        PlanTools::default(),
    );
    let loaded = poller.poll_all(now);
    let main = loaded
        .iter()
        .find_map(|u| match u {
            Update::Loaded { key, snapshot, .. } if key.id == MAIN => Some(snapshot),
            _ => None,
        })
        .unwrap();
    assert_eq!(main.status().as_str(), "requires_action");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&transcript)
        .unwrap()
        .write_all(b"0.000Z\"}\n{\"type\":\"user\",\"uuid\":\"u-0013\",\"timestamp\":\"2026-01-15T09:01:50.000Z\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01Push\",\"content\":\"pushed\"}]}}\n")
        .unwrap();
    let updates = poller.poll_all(now);
    let kinds: Vec<String> = updates
        .iter()
        .flat_map(|u| match u {
            Update::Appended { lines, .. } => events_of(lines)
                .iter()
                .map(|e| e["type"].as_str().unwrap().to_string())
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    // The completed torn line has no message: it is kept raw.
    assert_eq!(kinds, ["claude_code.assistant", "agent.tool_result"]);
    let doc = updates
        .iter()
        .find_map(|u| match u {
            Update::Meta { doc, .. } => Some(doc),
            _ => None,
        })
        .unwrap();
    assert_eq!(doc.status.as_deref(), Some("running"));
    // Half an hour later with nothing new, it is shown idle.
    let later = parse_rfc3339("2026-01-15T10:00:00Z").unwrap();
    let quiet = poller.poll_all(later);
    let main_doc = quiet
        .iter()
        .find_map(|u| match u {
            Update::Meta { key, doc, .. } if key.id == MAIN => Some(doc),
            _ => None,
        })
        .unwrap();
    assert_eq!(main_doc.status.as_deref(), Some("idle"));
    assert!(
        quiet.iter().all(|u| matches!(u, Update::Meta { .. })),
        "{quiet:?}"
    );
}

#[test]
fn the_poller_reads_a_replaced_transcript_again() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(CODEX, dir.path());
    let now = parse_rfc3339(NOW).unwrap();
    let mut poller = AdapterPoller::new(
        AdapterSource::new(AdapterKind::Codex, Some(dir.path().to_path_buf())),
        0,
        PlanTools::default(),
    );
    let first = poller.poll_all(now);
    assert_eq!(first.len(), 2);
    assert!(
        poller.poll_all(now).is_empty(),
        "nothing changed, nothing sent"
    );
    let fork = walk(dir.path().to_path_buf())
        .into_iter()
        .find(|p| p.to_string_lossy().contains("000000000002"))
        .unwrap();
    std::fs::write(
        &fork,
        "{\"timestamp\":\"2026-01-15T09:02:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"x\"}}\n",
    )
    .unwrap();
    let again = poller.poll_all(now);
    assert!(
        matches!(&again[..], [Update::Loaded { replaced: true, snapshot, .. }] if snapshot.summary.event_count == 1),
        "{again:?}"
    );
    std::fs::remove_file(&fork).unwrap();
    assert!(matches!(
        &poller.poll_all(now)[..],
        [Update::Removed { .. }]
    ));
}

/// `--claude-code` and `--codex` without a value read the default places.
#[test]
fn flags_without_a_value_read_the_default_places() {
    let home = tempfile::tempdir().unwrap();
    copy_fixture(CC, &home.path().join(".claude/projects"));
    copy_fixture(CODEX, &home.path().join(".codex"));
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["ls", "--claude-code", "--codex", "--json"])
        .env("HOME", home.path())
        .env_remove("CODEX_HOME")
        .env("SWITCHBOARD_NOW", NOW)
        .env("SWITCHBOARD_CONFIG_DIR", home.path().join("no-config"))
        .env("SWITCHBOARD_ROOT", home.path().join("no-root"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    let sources: HashSet<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert_eq!(sources, HashSet::from(["claude-code", "codex"]));
    assert_eq!(rows.as_array().unwrap().len(), 5);
}

/// Copies `tests/fixtures/external/<from>` to a fresh folder: every file's
/// modification time is now, as for a transcript copied today.
fn copied_today(from: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/external")
            .join(from),
        dir.path(),
    );
    dir
}

/// (id, events, title, last activity, [input, output, cache read, cache
/// creation], total, cost in dollars)
type Expected = (
    &'static str,
    u64,
    &'static str,
    &'static str,
    [u64; 4],
    u64,
    f64,
);

/// Real Claude Code 2.1 sessions and Codex rollouts written by other
/// projects: event counts, titles, the four token counts (each message's
/// usage once), cost, and last activity from the newest record even though
/// the files were copied just now.
#[test]
fn real_claude_code_2_sessions_and_codex_rollouts_read_right() {
    let claude = copied_today("claude-code-2");
    let codex = copied_today("codex");
    let (cc, cx) = (
        claude.path().to_str().unwrap(),
        codex.path().to_str().unwrap(),
    );
    let out = run(&["ls", "--json", "--claude-code", cc, "--codex", cx]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    let expected: [Expected; 4] = [
        (
            "cc-short",
            15,
            "/home/marco/projects/spotter",
            "2026-02-10T21:16:12.381Z",
            [3, 13, 11_515, 13_835],
            25_366,
            0.092_566_25,
        ),
        (
            "cc-tool_heavy",
            39,
            "/home/marco/projects/spotter",
            "2026-02-10T22:59:46.748Z",
            [54, 212, 88_231, 17_696],
            106_193,
            0.160_285_5,
        ),
        (
            "codex-019b7f94-51b4-7593-922e-ba12b5b73b52",
            22,
            "/Users/Nikita_Levyankov/repos/EPMCDME/codemie-ai/codemie-code",
            "2026-01-02T16:39:58.808Z",
            [22_474, 300, 14_848, 0],
            22_774,
            0.014_388_5,
        ),
        (
            "codex-019e1625-789d-76c0-80ab-3724b5ddb799",
            346,
            "/Users/Sample_User/repos/codemie-ai/codemie-code",
            "2026-05-11T08:44:58.544Z",
            [6_055_836, 9_118, 4_929_536, 0],
            6_064_954,
            8.369_808,
        ),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for (row, (id, events, title, last, usage, total, cost)) in rows.iter().zip(expected) {
        assert_eq!(row["id"], id);
        assert_eq!(row["event_count"], events, "{id}");
        assert_eq!(row["malformed_lines"], 0, "{id}");
        assert_eq!(row["title"], title, "{id}");
        assert_eq!(
            row["last_activity_at"], last,
            "{id}: the newest record, not the copy"
        );
        let counts = [
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ]
        .map(|key| row["usage"][key].as_u64().unwrap());
        assert_eq!(counts, usage, "{id}");
        assert_eq!(row["total_tokens"], total, "{id}");
        let dollars = row["cost_usd"].as_f64().unwrap();
        assert!((dollars - cost).abs() < 1e-9, "{id}: {dollars} != {cost}");
    }
    let empty = tempfile::tempdir().unwrap();
    let later = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["ls", "--claude-code", cc, "--codex", cx])
        .env("SWITCHBOARD_NOW", "2026-12-04T12:00:00Z")
        .env("SWITCHBOARD_CONFIG_DIR", empty.path().join("no-config"))
        .env("SWITCHBOARD_ROOT", empty.path().join("no-root"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&later.stdout).into_owned();
    let ages: Vec<&str> = human
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().find(|w| w.ends_with('d')))
        .collect();
    assert_eq!(ages, ["296d", "296d", "335d", "207d"], "{human}");

    let agents = json(&run(&[
        "agents",
        "--json",
        "--claude-code",
        cc,
        "--codex",
        cx,
    ]));
    let totals: Vec<(String, u64, u64)> = agents
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent_id"].as_str().unwrap().to_string(),
                a["sessions"].as_u64().unwrap(),
                a["tokens"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("claude-code".to_string(), 2, 25_366 + 106_193),
            ("codex".to_string(), 2, 22_774 + 6_064_954)
        ]
    );
    let projects = json(&run(&[
        "agents",
        "--projects",
        "--json",
        "--claude-code",
        cc,
        "--codex",
        cx,
    ]));
    let claude_project = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["agent_id"] == "claude-code")
        .unwrap();
    assert_eq!(
        claude_project["project"],
        claude.path().file_name().unwrap().to_str().unwrap(),
        "Claude Code's project is the folder its transcripts are in"
    );
    assert_eq!(claude_project["sessions"], 2);
}
