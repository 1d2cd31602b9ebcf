//! The real binary against `tests/fixtures/contract`, one session per case of
//! the contract; `--json` output is compared with reviewed snapshots.

use crate::common;

use common::*;

#[test]
fn ls_json_matches_the_contract() {
    let root = fixture_root("contract");
    let out = root.run(&["ls", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let value = json(&out);
    let ids: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&"not_a_session"),
        "a folder without session.json is not a session"
    );
    insta::assert_json_snapshot!(value);
}

#[test]
fn pending_json_matches_the_contract() {
    let root = fixture_root("contract");
    let out = root.run(&["pending", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_json_snapshot!(json(&out));
}

#[test]
fn doctor_json_names_every_rule() {
    let root = fixture_root("contract");
    let out = root.run(&["doctor", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let value = json(&out);
    let mut rules: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "awaiting_human",
            "error_loop",
            "orphaned",
            "queue_stalled",
            "reschedule_loop",
            "silent_running",
            "wake_overdue"
        ]
    );
    insta::assert_json_snapshot!(value);
}

#[test]
fn show_json_prints_events_as_written() {
    let root = fixture_root("contract");
    let out = root.run(&["show", "sesn_torn", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let value = json(&out);
    assert_eq!(value["session"]["malformed_lines"], 5);
    assert_eq!(value["session"]["event_count"], 2);
    let ids: Vec<&str> = value["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["sevt_0001", "sevt_0002"],
        "the torn last line is not an event yet"
    );
    let raw = stdout(&out);
    assert!(
        raw.contains(r#"{"id": "sevt_0001", "type": "user.message""#),
        "events keep their bytes: {raw}"
    );
}

#[test]
fn show_tail_and_from() {
    let root = fixture_root("contract");
    let tail = json(&root.run(&["show", "sesn_plan", "--tail", "2", "--json"]));
    let ids: Vec<&str> = tail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sevt_0006", "sevt_0007"]);
    assert_eq!(tail["session"]["event_count"], 7);
    let from = json(&root.run(&["show", "sesn_plan", "--from", "sevt_0005", "--json"]));
    assert_eq!(from["events"].as_array().unwrap().len(), 3);
    let missing = root.run(&["show", "sesn_plan", "--from", "nope"]);
    assert_eq!(code(&missing), 5);
    let unknown = root.run(&["show", "sesn_nope"]);
    assert_eq!(code(&unknown), 5);
    assert!(
        stderr(&unknown).contains("not found"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn show_human_marks_malformed_lines_and_sanitises() {
    let root = fixture_root("contract");
    let out = root.run(&["show", "sesn_torn"]);
    let text = stdout(&out);
    assert_eq!(text.matches("MALFORMED").count(), 5, "{text}");
    assert!(!text.contains('\u{fffd}') || !text.contains('\x1b'));
    let mcp = stdout(&root.run(&["show", "sesn_mcp"]));
    assert!(mcp.contains("warning"), "id mismatch is reported: {mcp}");
    assert!(
        mcp.contains("agent.future_event"),
        "unknown types are shown: {mcp}"
    );
}

#[test]
fn approve_then_already_decided() {
    let root = fixture_root("contract");
    let fp = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let out = root.run(&[
        "approve",
        "sesn_awaiting",
        "sevt_0003",
        "--fingerprint",
        &fp,
        "--as",
        "orchestrator:test",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written = json(&out);
    assert_eq!(written["type"], "user.tool_confirmation");
    assert_eq!(written["tool_use_id"], "sevt_0003");
    assert_eq!(written["fingerprint"], fp.as_str());
    assert_eq!(written["decided_by"], "orchestrator:test");
    let journal = root.journal("sesn_awaiting");
    assert_eq!(
        journal.lines().last().unwrap(),
        serde_json::to_string(&written).unwrap()
    );

    let again = root.run(&[
        "approve",
        "sesn_awaiting",
        "sevt_0003",
        "--fingerprint",
        &fp,
    ]);
    assert_eq!(code(&again), 4, "{}", stderr(&again));
    assert!(stderr(&again).contains("already decided"));
    assert!(stdout(&again).is_empty());
    assert_eq!(root.journal("sesn_awaiting"), journal, "nothing written");

    let audit = std::fs::read_to_string(&root.audit).unwrap();
    assert_eq!(audit.lines().count(), 1);
    assert!(audit.contains("sevt_0003") && audit.contains(&fp));
}

#[test]
fn refusals_have_their_exit_codes_and_write_nothing() {
    let root = fixture_root("contract");
    let before = root.journal("sesn_awaiting");
    let fp = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let cases: &[(&[&str], i32)] = &[
        (
            &[
                "approve",
                "sesn_awaiting",
                "sevt_0003",
                "--fingerprint",
                "sha256:0000",
            ],
            3,
        ),
        (
            &[
                "approve",
                "sesn_awaiting",
                "sevt_9999",
                "--fingerprint",
                &fp,
            ],
            5,
        ),
        (
            &["approve", "sesn_missing", "sevt_0003", "--fingerprint", &fp],
            5,
        ),
        (
            &["approve", "sesn_done", "sevt_0003", "--fingerprint", &fp],
            5,
        ),
        (
            &["deny", "sesn_awaiting", "sevt_0003", "--fingerprint", &fp],
            2,
        ),
        (&["approve", "sesn_awaiting"], 2),
        (
            &[
                "respond",
                "sesn_awaiting",
                "sevt_0003",
                "--fingerprint",
                &fp,
                "--text",
                "x",
            ],
            2,
        ),
    ];
    for (args, expected) in cases {
        let out = root.run(args);
        assert_eq!(code(&out), *expected, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).trim().is_empty(), "{args:?} explains itself");
    }
    assert_eq!(root.journal("sesn_awaiting"), before);
    assert!(
        !root.audit.exists(),
        "refusals are not audited as decisions"
    );
}

#[test]
fn tampered_and_answered_requests_are_refused() {
    let root = fixture_root("contract");
    let fp = pending_fingerprint(&root, "sesn_tampered", "sevt_0001");
    let out = root.run(&[
        "approve",
        "sesn_tampered",
        "sevt_0001",
        "--fingerprint",
        &fp,
    ]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("tampered"), "{}", stderr(&out));

    let answered = root.run(&[
        "approve",
        "sesn_answered",
        "sevt_0001",
        "--fingerprint",
        "sha256:00",
    ]);
    assert_eq!(
        code(&answered),
        4,
        "already decided is checked before the fingerprint"
    );
}

#[test]
fn redirect_a_plan_and_respond_to_a_custom_tool() {
    let root = fixture_root("contract");
    let plan_fp = pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    let out = root.run(&[
        "redirect",
        "sesn_plan",
        "sevt_0005",
        "--fingerprint",
        &plan_fp,
        "--message",
        "Also update the docs",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written = json(&out);
    assert_eq!(written["type"], "user.custom_tool_result");
    assert_eq!(written["custom_tool_use_id"], "sevt_0005");
    assert_eq!(written["result"], "deny");
    assert_eq!(written["redirect"], true);
    assert_eq!(written["deny_message"], "Also update the docs");

    let lookup_fp = pending_fingerprint(&root, "sesn_plan", "sevt_0006");
    let out = root.run(&[
        "respond",
        "sesn_plan",
        "sevt_0006",
        "--fingerprint",
        &lookup_fp,
        "--text",
        "shipped",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let pending = json(&root.run(&["pending", "--json"]));
    assert!(
        pending
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["session_id"] != "sesn_plan")
    );
}

#[test]
fn human_tables_render() {
    let root = fixture_root("contract");
    let ls = stdout(&root.run(&["ls"]));
    assert!(ls.starts_with("ID "), "{ls}");
    assert!(ls.contains("requires_action"));
    let doctor = stdout(&root.run(&["doctor"]));
    assert!(
        doctor.contains("Waiting 23 min for approval of `bash`."),
        "{doctor}"
    );
    let pending = stdout(&root.run(&["pending"]));
    assert!(pending.contains("TAMPERED"), "{pending}");
    assert!(pending.contains("plan r2"), "{pending}");
}

#[test]
fn missing_root_is_one_clear_sentence() {
    let root = empty_root();
    let out = root
        .command(&["ls"])
        .args(["--root", "/nonexistent/switchboard-root"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("/nonexistent/switchboard-root") && err.contains("--root"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn several_roots_merge_with_their_source() {
    let a = fixture_root("contract");
    let b = fixture_root("contract");
    let mut cmd = a.command(&["--root", b.path().to_str().unwrap(), "ls", "--json"]);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 30);
    assert!(rows.iter().all(|r| r["source"].is_string()));
    assert_eq!(
        rows[0]["id"], rows[1]["id"],
        "equal ids from two sources stay distinct"
    );
    assert_ne!(rows[0]["source"], rows[1]["source"]);
}
