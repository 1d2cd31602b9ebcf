//! The fault and bad-input suite (docs/reliability.md lists each case and
//! the promise it checks). Journal faults, concurrent writers, atomic state
//! and decisions, through the real binary and the store.

use crate::common;

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::*;
use switchboard::feed::{RootPoller, Update};
use switchboard::model::plan::PlanTools;
use switchboard::store::journal_tail::JournalFollower;

fn write_session(root: &Path, id: &str, journal: &[u8]) {
    let dir = root.join(id);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("session.json"),
        format!(r#"{{"id":"{id}","status":"idle"}}"#),
    )
    .unwrap();
    fs::write(dir.join("events.jsonl"), journal).unwrap();
}

fn append(path: &Path, bytes: &[u8]) {
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

fn ev(id: &str) -> String {
    format!("{{\"id\":\"{id}\",\"type\":\"agent.message\",\"content\":\"{id}\"}}\n")
}

fn kinds(updates: &[Update]) -> Vec<&'static str> {
    updates
        .iter()
        .map(|u| match u {
            Update::Loaded { replaced: true, .. } => "replaced",
            Update::Loaded { .. } => "loaded",
            Update::Meta { .. } => "meta",
            Update::Appended { .. } => "appended",
            Update::Removed { .. } => "removed",
            Update::Health { .. } => "health",
            Update::Telemetry { .. } => "telemetry",
        })
        .collect()
}

fn event_count(updates: &[Update]) -> u64 {
    updates
        .iter()
        .find_map(|u| match u {
            Update::Loaded { snapshot, .. } => Some(snapshot.summary.event_count),
            _ => None,
        })
        .unwrap_or(0)
}

// ---- journals ---------------------------------------------------------------

#[test]
fn journal_torn_last_line_at_open_and_while_tailing() {
    let root = empty_root();
    write_session(
        root.path(),
        "s",
        format!("{}{{\"id\":\"half", ev("a")).as_bytes(),
    );
    let shown = json(&root.run(&["show", "s", "--json"]));
    assert_eq!(shown["session"]["event_count"], 1);
    assert_eq!(
        shown["session"]["malformed_lines"], 0,
        "a torn last line is not malformed, just not yet written"
    );
    let mut poller = RootPoller::new(root.path(), 0, PlanTools::default());
    assert_eq!(event_count(&poller.poll_all()), 1);
    append(
        &root.session("s").join("events.jsonl"),
        b"\",\"type\":\"agent.message\"}\n",
    );
    let updates = poller.poll_all();
    let lines: Vec<&Vec<u8>> = updates
        .iter()
        .filter_map(|u| match u {
            Update::Appended { lines, .. } => {
                Some(lines.iter().map(|(_, l)| l).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(
        lines,
        vec![&b"{\"id\":\"half\",\"type\":\"agent.message\"}".to_vec()]
    );
}

#[test]
fn journal_writer_killed_mid_record_then_decision() {
    let root = fixture_root("contract");
    let journal = root.session("sesn_awaiting").join("events.jsonl");
    // A writer process dies half-way through a record.
    let status = Command::new("python3")
        .args(["-c", "import os,sys; fd=os.open(sys.argv[1], os.O_WRONLY|os.O_APPEND); os.write(fd, b'{\"id\":\"dying\",\"type\":\"agent.mes'); os.kill(os.getpid(), 9)"])
        .arg(&journal)
        .status()
        .unwrap();
    assert!(!status.success(), "the writer was killed");
    let fp = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let out = root.run(&[
        "approve",
        "sesn_awaiting",
        "sevt_0003",
        "--fingerprint",
        &fp,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = root.journal("sesn_awaiting");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[lines.len() - 2],
        "{\"id\":\"dying\",\"type\":\"agent.mes"
    );
    let decision: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    assert_eq!(decision["tool_use_id"], "sevt_0003");
    let shown = json(&root.run(&["show", "sesn_awaiting", "--json"]));
    assert_eq!(
        shown["session"]["malformed_lines"], 1,
        "the fragment became one malformed line"
    );
}

#[test]
fn journal_truncation_shrink_rewrite_rename_and_unlink() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    fs::write(&path, format!("{}{}{}", ev("a"), ev("b"), ev("c"))).unwrap();
    let mut follower = JournalFollower::new(&path);
    assert_eq!(follower.poll().unwrap().lines.len(), 3);

    // Truncation to zero.
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    let read = follower.poll().unwrap();
    assert!(read.replaced && read.lines.is_empty());
    append(&path, ev("d").as_bytes());
    assert_eq!(follower.poll().unwrap().lines.len(), 1);

    // A shrink (shorter than our offset, not empty).
    append(&path, format!("{}{}", ev("e"), ev("f")).as_bytes());
    follower.poll().unwrap();
    fs::write(&path, ev("g")).unwrap();
    let read = follower.poll().unwrap();
    assert!(read.replaced);
    assert_eq!(read.lines.len(), 1);

    // An in-place rewrite that ends exactly at our offset, and one past it.
    let same_len = ev("G");
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .write_all(same_len.as_bytes())
        .unwrap();
    let read = follower.poll().unwrap();
    assert!(read.replaced, "rewrite ending at our offset");
    let mut f = fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.write_all(format!("{}{}", ev("h"), ev("i")).as_bytes())
        .unwrap();
    let read = follower.poll().unwrap();
    assert!(read.replaced, "rewrite ending past our offset");
    assert_eq!(read.lines.len(), 2);

    // Rename away and recreate.
    fs::rename(&path, dir.path().join("old.jsonl")).unwrap();
    fs::write(&path, ev("j")).unwrap();
    let read = follower.poll().unwrap();
    assert!(read.replaced);
    assert_eq!(read.lines.len(), 1);

    // Unlink while open: reported missing, then a new file is read from its start.
    let held_open = fs::File::open(&path).unwrap();
    fs::remove_file(&path).unwrap();
    let read = follower.poll().unwrap();
    assert!(read.missing && read.replaced);
    drop(held_open);
    fs::write(&path, format!("{}{}", ev("k"), ev("l"))).unwrap();
    assert_eq!(follower.poll().unwrap().lines.len(), 2);
}

#[test]
fn journal_session_folder_deleted_and_recreated() {
    let root = empty_root();
    write_session(
        root.path(),
        "s",
        format!("{}{}", ev("a"), ev("b")).as_bytes(),
    );
    let mut poller = RootPoller::new(root.path(), 0, PlanTools::default());
    assert_eq!(kinds(&poller.poll_all()), ["loaded"]);
    fs::remove_dir_all(root.session("s")).unwrap();
    assert_eq!(kinds(&poller.poll_all()), ["removed"]);
    write_session(root.path(), "s", ev("z").as_bytes());
    let updates = poller.poll_all();
    assert_eq!(kinds(&updates), ["loaded"]);
    assert_eq!(
        event_count(&updates),
        1,
        "the new folder is read from scratch"
    );
}

#[test]
fn journal_with_a_single_100_mb_line() {
    let root = empty_root();
    let mut journal = ev("before").into_bytes();
    journal.extend_from_slice(b"{\"id\":\"huge\",\"type\":\"agent.message\",\"content\":\"");
    journal.extend(std::iter::repeat_n(b'x', 100 * 1024 * 1024));
    journal.extend_from_slice(b"\"}\n");
    journal.extend_from_slice(ev("after").as_bytes());
    write_session(root.path(), "s", &journal);
    drop(journal);
    let out = root.run(&["show", "s", "--tail", "1", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = json(&out);
    assert_eq!(shown["session"]["event_count"], 3);
    assert_eq!(shown["events"][0]["id"], "after");
    let human = root.run(&["show", "s"]);
    assert_eq!(code(&human), 0);
    assert!(
        stdout(&human).lines().all(|l| l.len() < 4096),
        "rows are summarised, not dumped"
    );
}

#[test]
fn journal_bad_bytes_are_counted_and_never_fatal() {
    let root = empty_root();
    let deep = format!(
        "{{\"id\":\"deep\",\"type\":\"x\",\"v\":{}{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let lines: Vec<Vec<u8>> = vec![
        b"\xff\xfe\xfd invalid utf-8\n".to_vec(),
        b"{\"id\":\"nul\",\"type\":\"agent.message\",\"content\":\"a\\u0000b\"}\n".to_vec(),
        b"{\"id\":\"raw-nul\0\",\"type\":\"x\"}\n".to_vec(),
        b"{not json}\n".to_vec(),
        deep.into_bytes(),
        b"{\"id\":\"dup\",\"type\":\"agent.message\",\"type\":\"agent.thinking\"}\n".to_vec(),
        b"{\"id\":\"bignum\",\"type\":\"x\",\"n\":1e400}\n".to_vec(),
        b"{\"id\":\"wide\",\"type\":\"x\",\"n\":123456789012345678901234567890}\n".to_vec(),
        b"{\"id\":\"late\",\"type\":\"agent.message\",\"created_at\":\"2026-11-21T10:00:00Z\"}\n"
            .to_vec(),
        b"{\"id\":\"early\",\"type\":\"agent.message\",\"created_at\":\"2020-01-01T00:00:00Z\"}\n"
            .to_vec(),
    ];
    write_session(root.path(), "s", &lines.concat());
    let old = filetime::FileTime::from_unix_time(1_767_225_600, 0); // 2026-01-01
    filetime::set_file_mtime(root.session("s").join("events.jsonl"), old).unwrap();
    let out = root.run(&["show", "s", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = json(&out);
    let ids: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    // Nesting past the decoder's limit and a number out of its range are
    // still well-formed events (shown, flagged undecodable), not malformed.
    assert_eq!(
        ids,
        ["nul", "deep", "dup", "bignum", "wide", "late", "early"]
    );
    // invalid UTF-8, a raw NUL inside a string, not JSON
    assert_eq!(shown["session"]["malformed_lines"], 3);
    assert!(stdout(&root.run(&["show", "s"])).contains("body not decodable"));
    // Out-of-order times: the *last* event (2020) counts, not the latest-dated
    // one (10:00); the journal's mtime (2026-01-01) is newer than both.
    assert_eq!(shown["session"]["last_activity_at"], "2026-01-01T00:00:00Z");
    let human = stdout(&root.run(&["show", "s"]));
    assert!(!human.contains('\0'));
}

// ---- concurrency ------------------------------------------------------------

const PY_SIZED_WRITER: &str = r#"
import fcntl, json, os, sys
path, writer, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fd = os.open(path, os.O_WRONLY | os.O_APPEND)
for i in range(count):
    base = {"id": f"{writer}-{i}", "type": "agent.message", "content": ""}
    pad = size - len(json.dumps(base)) - 1
    base["content"] = "x" * max(pad, 0)
    line = (json.dumps(base) + "\n").encode()
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, line)
    fcntl.flock(fd, fcntl.LOCK_UN)
"#;

#[test]
fn concurrency_eight_writers_with_100b_4k_64k_records_plus_decisions() {
    let root = empty_root();
    let requests = 24;
    let mut journal = String::new();
    let ids: Vec<String> = (0..requests).map(|i| format!("t{i}")).collect();
    for id in &ids {
        journal.push_str(&format!("{{\"id\":\"{id}\",\"type\":\"agent.tool_use\",\"name\":\"bash\",\"input\":{{\"command\":\"echo {id}\"}}}}\n"));
    }
    journal.push_str(&format!(
        "{{\"id\":\"idle\",\"type\":\"session.status_idle\",\"stop_reason\":{{\"type\":\"requires_action\",\"event_ids\":{}}}}}\n",
        serde_json::to_string(&ids).unwrap()
    ));
    write_session(root.path(), "busy", journal.as_bytes());
    let pending = json(&root.run(&["pending", "--json"]));
    let path = root.session("busy").join("events.jsonl");
    let sizes = [100usize, 4096, 65536];
    let per_writer = 150;
    let writers: Vec<_> = (0..8)
        .map(|w| {
            Command::new("python3")
                .args(["-c", PY_SIZED_WRITER])
                .arg(&path)
                .arg(format!("w{w}"))
                .arg(per_writer.to_string())
                .arg(sizes[w % 3].to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for p in pending.as_array().unwrap() {
        let out = root.run(&[
            "approve",
            "busy",
            p["event_id"].as_str().unwrap(),
            "--fingerprint",
            p["fingerprint"].as_str().unwrap(),
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    for mut w in writers {
        assert!(w.wait().unwrap().success());
    }
    let text = fs::read_to_string(&path).unwrap();
    let mut seen = HashSet::new();
    let mut decisions = HashSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("torn line ({e}), {} bytes", line.len()));
        assert!(seen.insert(v["id"].as_str().unwrap().to_string()));
        if v["type"] == "user.tool_confirmation" {
            assert!(
                decisions.insert(v["tool_use_id"].as_str().unwrap().to_string()),
                "decided twice"
            );
        }
    }
    for w in 0..8 {
        for i in 0..per_writer {
            assert!(seen.contains(&format!("w{w}-{i}")), "lost w{w}-{i}");
        }
    }
    assert_eq!(decisions.len(), requests);
}

// ---- atomic state -----------------------------------------------------------

#[test]
fn atomic_session_json_writer_killed_at_every_step() {
    for (step, expect_new) in [
        ("temp_written", false),
        ("temp_synced", false),
        ("renamed", true),
    ] {
        let root = fixture_root("hygiene");
        let out = root
            .command(&["archive", "sesn_young"])
            .env("SWITCHBOARD_FAILPOINT", format!("atomic:{step}"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{step}: the writer was killed");
        let text = fs::read_to_string(root.session("sesn_young").join("session.json")).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{step}: torn session.json: {e}"));
        assert_eq!(
            !doc["archived_at"].is_null(),
            expect_new,
            "{step}: old or new, never in between"
        );
        let leftovers: Vec<_> = fs::read_dir(root.session("sesn_young"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".session.json.tmp-")
            })
            .map(|e| e.path())
            .collect();
        assert_eq!(leftovers.len(), usize::from(!expect_new), "{step}");
        // Readers ignore the leftover.
        let ls = json(&root.run(&["ls", "--json"]));
        assert!(
            ls.as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == "sesn_young")
        );
        // The next writer cleans leftovers once they are clearly stale.
        let old = filetime::FileTime::from_unix_time(1_767_225_600, 0);
        for leftover in &leftovers {
            filetime::set_file_mtime(leftover, old).unwrap();
        }
        let again = root.run(&["archive", "sesn_young"]);
        assert_eq!(code(&again), 0, "{}", stderr(&again));
        assert!(
            leftovers.iter().all(|l| !l.exists()),
            "{step}: stale temp file cleaned"
        );
    }
}

#[test]
fn atomic_readers_only_ever_see_the_old_or_the_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = serde_json::json!({"id": "s", "status": "running", "pad": "a".repeat(50_000)});
    let b = serde_json::json!({"id": "s", "status": "idle", "pad": "b".repeat(70_000)});
    switchboard::store::atomic::write_session_doc(dir.path(), &a).unwrap();
    let path = dir.path().join("session.json");
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 0..200 {
                let doc = if i % 2 == 0 { &b } else { &a };
                switchboard::store::atomic::write_session_doc(dir.path(), doc).unwrap();
            }
        });
        let mut reads = 0;
        while !writer.is_finished() || reads < 100 {
            let text = fs::read(&path).unwrap();
            let doc: serde_json::Value =
                serde_json::from_slice(&text).expect("a reader saw a partial session.json");
            assert!(doc == a || doc == b);
            reads += 1;
        }
    });
}

// ---- decisions ----------------------------------------------------------------

#[test]
fn decisions_refused_with_the_right_code_and_nothing_written() {
    let root = fixture_root("contract");
    let fp = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let tampered_fp = pending_fingerprint(&root, "sesn_tampered", "sevt_0001");
    let other_session_fp = pending_fingerprint(&root, "sesn_mcp", "sevt_0002");
    let journals = || -> Vec<String> {
        [
            "sesn_awaiting",
            "sesn_tampered",
            "sesn_mcp",
            "sesn_answered",
        ]
        .iter()
        .map(|s| root.journal(s))
        .collect()
    };
    let before = journals();
    let cases: Vec<(&str, Vec<&str>, i32)> = vec![
        (
            "stale",
            vec![
                "approve",
                "sesn_awaiting",
                "sevt_0003",
                "--fingerprint",
                &other_session_fp,
            ],
            3,
        ),
        (
            "tampered",
            vec![
                "approve",
                "sesn_tampered",
                "sevt_0001",
                "--fingerprint",
                &tampered_fp,
            ],
            3,
        ),
        (
            "unknown request",
            vec![
                "approve",
                "sesn_awaiting",
                "sevt_9999",
                "--fingerprint",
                &fp,
            ],
            5,
        ),
        (
            "malformed fingerprint",
            vec![
                "approve",
                "sesn_awaiting",
                "sevt_0003",
                "--fingerprint",
                "not-a-fingerprint",
            ],
            2,
        ),
        (
            "request of another session",
            vec!["approve", "sesn_mcp", "sevt_0003", "--fingerprint", &fp],
            5,
        ),
        (
            "already answered",
            vec![
                "deny",
                "sesn_answered",
                "sevt_0001",
                "--fingerprint",
                &fp,
                "--message",
                "no",
            ],
            4,
        ),
    ];
    for (name, args, expected) in &cases {
        let out = root.run(args);
        assert_eq!(code(&out), *expected, "{name}: {}", stderr(&out));
    }
    let after = journals();
    assert_eq!(before, after, "nothing written by any refusal");
    // Replayed: the first use succeeds, the replay is refused.
    assert_eq!(
        code(&root.run(&[
            "approve",
            "sesn_awaiting",
            "sevt_0003",
            "--fingerprint",
            &fp
        ])),
        0
    );
    assert_eq!(
        code(&root.run(&[
            "approve",
            "sesn_awaiting",
            "sevt_0003",
            "--fingerprint",
            &fp
        ])),
        4
    );
}
