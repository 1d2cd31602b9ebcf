//! The Claude Code approval bridge run as Claude Code runs it: the real
//! binary with the hook's JSON on stdin, decided through the real CLI.

use crate::common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{Root, code, empty_root, json, stderr, stdout};

fn hook_input(tool_use_id: &str) -> String {
    json!({
        "session_id": "5f0c2a1e-1111-4222-8333-444455556666",
        "transcript_path": "/home/alice/.claude/projects/-home-alice-shop/5f0c2a1e.jsonl",
        "cwd": "/home/alice/shop",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "git push origin fix/login", "description": "Push"},
        "tool_use_id": tool_use_id,
    })
    .to_string()
}

const SESSION: &str = "cc-5f0c2a1e-1111-4222-8333-444455556666";

/// Starts `hook claude-code` with `input` on stdin (closed after).
fn start_hook(root: &Root, input: &str, timeout: &str) -> Child {
    let mut cmd = root.command(&["hook", "claude-code", "--timeout", timeout]);
    cmd.env_remove("SWITCHBOARD_NOW");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child
}

/// Waits (bounded, never asserted on) until the request shows in `pending`.
fn fingerprint_when_pending(root: &Root, event: &str) -> String {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let out = root.run(&["pending", "--json"]);
        if code(&out) == 0
            && let Some(row) = json(&out)
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["session_id"] == SESSION && p["event_id"] == event)
        {
            return row["fingerprint"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < give_up, "the request never became pending");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn answer(child: Child) -> Value {
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "the hook always exits 0: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&out)))
}

fn decision(answer: &Value) -> (&str, &str) {
    let out = &answer["hookSpecificOutput"];
    assert_eq!(out["hookEventName"], "PreToolUse");
    (
        out["permissionDecision"].as_str().unwrap(),
        out["permissionDecisionReason"].as_str().unwrap_or(""),
    )
}

/// The bridge's notes in the mirrored journal.
fn hook_notes(root: &Root) -> Vec<Value> {
    root.journal(SESSION)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["type"] == "system.message" && e.get("hook").is_some())
        .collect()
}

#[test]
fn approve_through_the_cli_allows() {
    let root = empty_root();
    let hook = start_hook(&root, &hook_input("toolu_01Push"), "60");
    let fp = fingerprint_when_pending(&root, "toolu_01Push");
    let ls = json(&root.run(&["ls", "--json"]));
    assert_eq!(ls[0]["status"], "requires_action");
    let out = root.run(&["approve", SESSION, "toolu_01Push", "--fingerprint", &fp]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer = answer(hook);
    let (permission, reason) = decision(&answer);
    assert_eq!(permission, "allow");
    assert!(reason.contains("Approved"), "{reason}");
    let notes = hook_notes(&root);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["hook"]["outcome"], "allow");
    let ls = json(&root.run(&["ls", "--json"]));
    assert_eq!(ls[0]["status"], "running");
    assert_eq!(ls[0]["pending"], 0);
}

#[test]
fn deny_gives_the_reviewers_message_as_the_reason() {
    let root = empty_root();
    let hook = start_hook(&root, &hook_input("toolu_02"), "60");
    let fp = fingerprint_when_pending(&root, "toolu_02");
    let out = root.run(&[
        "deny",
        SESSION,
        "toolu_02",
        "--fingerprint",
        &fp,
        "--message",
        "Not to main's remote; open a PR instead.",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer = answer(hook);
    assert_eq!(
        decision(&answer),
        ("deny", "Not to main's remote; open a PR instead.")
    );
    assert_eq!(hook_notes(&root)[0]["hook"]["outcome"], "deny");
}

#[test]
fn redirect_is_a_deny_carrying_the_new_direction() {
    let root = empty_root();
    let hook = start_hook(&root, &hook_input("toolu_03"), "60");
    let fp = fingerprint_when_pending(&root, "toolu_03");
    let out = root.run(&[
        "redirect",
        SESSION,
        "toolu_03",
        "--fingerprint",
        &fp,
        "--message",
        "Run the tests first, then push.",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer = answer(hook);
    assert_eq!(
        decision(&answer),
        ("deny", "Run the tests first, then push.")
    );
    assert_eq!(hook_notes(&root)[0]["hook"]["outcome"], "redirect");
}

#[test]
fn timeout_answers_ask_and_a_late_decision_is_refused() {
    let root = empty_root();
    let hook = start_hook(&root, &hook_input("toolu_04"), "1");
    let answer = answer(hook);
    let (permission, reason) = decision(&answer);
    assert_eq!(permission, "ask");
    assert!(reason.contains("within 1 s"), "{reason}");
    let notes = hook_notes(&root);
    assert_eq!(notes[0]["hook"]["outcome"], "timeout");
    assert!(
        json(&root.run(&["pending", "--json"]))
            .as_array()
            .unwrap()
            .is_empty()
    );
    let ls = json(&root.run(&["ls", "--json"]));
    assert_eq!(ls[0]["status"], "idle");
    // The request was withdrawn: approving it now is "already decided".
    let journal = root.journal(SESSION);
    let request: Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    let fp = request["fingerprint"].as_str().unwrap();
    let out = root.run(&["approve", SESSION, "toolu_04", "--fingerprint", fp]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
}

#[test]
fn a_stale_fingerprint_is_not_honoured() {
    let root = empty_root();
    let hook = start_hook(&root, &hook_input("toolu_05"), "60");
    fingerprint_when_pending(&root, "toolu_05");
    // A decision written straight into the journal, for another request content.
    let stale = json!({"id": "sevt_stale", "type": "user.tool_confirmation",
        "created_at": "2026-01-15T09:00:00Z", "processed_at": null,
        "tool_use_id": "toolu_05", "result": "allow",
        "fingerprint": format!("sha256:{}", "0".repeat(64)), "decided_by": "human:mallory@x"});
    let mut journal = switchboard::store::append::LockedJournal::open(
        &root.session(SESSION).join("events.jsonl"),
        false,
    )
    .unwrap();
    journal.append_event(&stale).unwrap();
    drop(journal);
    let answer = answer(hook);
    let (permission, reason) = decision(&answer);
    assert_eq!(permission, "ask", "never allow on a stale decision");
    assert!(reason.contains("stale"), "{reason}");
    let notes = hook_notes(&root);
    assert_eq!(notes[0]["hook"]["outcome"], "invalid_decision");
    assert_eq!(notes[0]["hook"]["answer_id"], "sevt_stale");
}

#[test]
fn malformed_input_answers_ask_and_says_why() {
    let root = empty_root();
    for input in [
        "",
        "not json",
        "[1,2]",
        r#"{"hook_event_name":"PreToolUse"}"#,
    ] {
        let child = start_hook(&root, input, "60");
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0);
        let value: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(value["hookSpecificOutput"]["permissionDecision"], "ask");
        assert!(
            stderr(&out).contains("Claude Code will ask you instead"),
            "{}",
            stderr(&out)
        );
    }
}

fn run_plain(args: &[&str], home: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env("HOME", home)
        .env("SWITCHBOARD_CONFIG_DIR", home.join("no-config"))
        .output()
        .unwrap()
}

#[test]
fn install_backs_up_is_idempotent_and_uninstall_removes_only_ours() {
    let home = tempfile::tempdir().unwrap();
    let settings = home.path().join("settings.json");
    let original = "{\n  \"model\": \"opus\",\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"lint.sh\"}]}\n    ]\n  }\n}\n";
    std::fs::write(&settings, original).unwrap();
    let path = settings.to_str().unwrap();

    let dry = run_plain(
        &[
            "hook",
            "install",
            "claude-code",
            "--settings",
            path,
            "--dry-run",
        ],
        home.path(),
    );
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("+") && stdout(&dry).contains("hook claude-code"),
        "{}",
        stdout(&dry)
    );
    assert_eq!(
        std::fs::read_to_string(&settings).unwrap(),
        original,
        "dry run writes nothing"
    );

    let out = run_plain(
        &["hook", "install", "claude-code", "--settings", path],
        home.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let backups = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("settings.json.bak-")
            })
            .count()
    };
    assert_eq!(backups(home.path()), 1);
    let installed: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    let groups = installed["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[1]["matcher"], "*");
    assert_eq!(groups[1]["hooks"][0]["type"], "command");
    assert_eq!(groups[1]["hooks"][0]["timeout"], 60);
    assert_eq!(installed["model"], "opus");

    let again = run_plain(
        &["hook", "install", "claude-code", "--settings", path],
        home.path(),
    );
    assert!(
        stdout(&again).contains("already installed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(backups(home.path()), 1, "no change, no backup");

    let out = run_plain(
        &["hook", "uninstall", "claude-code", "--settings", path],
        home.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let removed: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    let original: Value = serde_json::from_str(original).unwrap();
    assert_eq!(removed, original, "only our entry is removed");
}

#[test]
fn install_refuses_a_broken_settings_file() {
    let home = tempfile::tempdir().unwrap();
    let settings = home.path().join("settings.json");
    std::fs::write(&settings, "{ oops").unwrap();
    let out = run_plain(
        &[
            "hook",
            "install",
            "claude-code",
            "--settings",
            settings.to_str().unwrap(),
        ],
        home.path(),
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), "{ oops");
}
