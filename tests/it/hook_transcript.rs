//! The Claude Code hook installed into a scratch settings file and run as
//! Claude Code runs it, with the session's real transcript present: the
//! hook's request and the transcript are one session in `ls`, `show`,
//! `agents` and `doctor`, and the hook prints exactly the documented shape.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{Root, code, empty_root, json, stderr, stdout};

const CLAUDE_SESSION: &str = "55604662-cf2a-4331-851a-ec234028f8ca";
const SESSION: &str = "cc-55604662-cf2a-4331-851a-ec234028f8ca";
const TOOL_USE: &str = "toolu_0116Hyi5v8ut7Ffb7d8qV1Sc";
const PROJECT: &str = "-home-marco-projects-spotter";

/// A `~/.claude/projects` holding the vendored Claude Code 2.1 session
/// (marot/spotter's `short.jsonl`) as Claude Code had written it when it
/// asked for its first Bash call: the first 9 records, up to that tool use
/// and the PreToolUse hook's progress record.
fn projects_with_transcript() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/external/claude-code-2/short.jsonl"
    ))
    .unwrap();
    let head: String = real.lines().take(9).map(|l| format!("{l}\n")).collect();
    assert!(head.contains(TOOL_USE), "the cut ends at the Bash call");
    let project = dir.path().join(PROJECT);
    std::fs::create_dir_all(&project).unwrap();
    let transcript = project.join(format!("{CLAUDE_SESSION}.jsonl"));
    std::fs::write(&transcript, head).unwrap();
    (dir, transcript)
}

/// What Claude Code writes on the hook's stdin for this call (the hooks
/// reference's PreToolUse / PermissionRequest input).
fn stdin_for(event: &str, transcript: &Path) -> String {
    let mut input = json!({
        "session_id": CLAUDE_SESSION,
        "transcript_path": transcript,
        "cwd": "/home/marco/projects/spotter",
        "permission_mode": "default",
        "hook_event_name": event,
        "tool_name": "Bash",
        "tool_input": {"command": "mix phx.server 2>&1 | head -80", "timeout": 30000},
    });
    if event != "PermissionRequest" {
        input["tool_use_id"] = json!(TOOL_USE);
    }
    input.to_string()
}

/// Installs the hook into a scratch settings file and returns the command
/// Claude Code would run for `event`.
fn installed_command(root: &Root) -> String {
    let settings = root.path().join(".claude-settings.json");
    let out = root.run(&[
        "hook",
        "install",
        "claude-code",
        "--settings",
        settings.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let installed: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    let entry = &installed["hooks"]["PreToolUse"][0]["hooks"][0];
    assert_eq!(entry["type"], "command");
    let command = entry["command"].as_str().unwrap().to_string();
    assert!(command.contains(root.path().to_str().unwrap()), "{command}");
    command
}

/// Runs the installed command through the shell, as Claude Code does.
fn run_hook(root: &Root, command: &str, input: &str) -> Child {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("SWITCHBOARD_CONFIG_DIR", root.path().join(".no-config"))
        .env("SWITCHBOARD_AUDIT_LOG", &root.audit)
        .env_remove("SWITCHBOARD_NOW")
        .env_remove("SWITCHBOARD_ROOT")
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

fn with_transcripts<'a>(projects: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--claude-code", projects.to_str().unwrap()];
    all.extend_from_slice(args);
    all
}

/// The request's fingerprint once `pending` lists it (bounded wait).
fn pending_fingerprint(root: &Root, projects: &Path, event: &str) -> String {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let out = root.run(&with_transcripts(projects, &["pending", "--json"]));
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

fn printed(child: Child) -> Value {
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "the hook always exits 0: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", stdout(&out)))
}

fn events_of(show: &Value) -> Vec<(String, String)> {
    show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or("").to_string(),
                e["id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn one_row(root: &Root, projects: &Path) -> Value {
    let ls = json(&root.run(&with_transcripts(projects, &["ls", "--json"])));
    let rows: Vec<&Value> = ls
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == SESSION)
        .collect();
    assert_eq!(rows.len(), 1, "one session is one row: {ls:#}");
    rows[0].clone()
}

#[test]
fn a_bash_call_with_its_transcript_is_one_session_until_and_after_approval() {
    let root = empty_root();
    let (projects_dir, transcript) = projects_with_transcript();
    let projects = projects_dir.path();
    let command = installed_command(&root);
    let hook = run_hook(&root, &command, &stdin_for("PreToolUse", &transcript));
    let fp = pending_fingerprint(&root, projects, TOOL_USE);

    // Pending: one row, requires_action, the request under it, both sources.
    let row = one_row(&root, projects);
    assert_eq!(row["status"], "requires_action");
    assert_eq!(row["pending"], 1);
    assert_eq!(row["stop_reason"]["event_ids"], json!([TOOL_USE]));
    let sources = row["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{row:#}");
    assert!(
        sources[0]
            .as_str()
            .unwrap()
            .starts_with("claude-code-hook:")
    );
    assert_eq!(
        sources[1].as_str().unwrap(),
        format!("claude-code:{}", transcript.display())
    );
    // The transcript's one assistant message so far, counted once.
    assert_eq!(
        row["usage"],
        json!({"input_tokens": 3, "output_tokens": 13,
            "cache_creation_input_tokens": 13835, "cache_read_input_tokens": 11515})
    );
    let human = stdout(&root.run(&with_transcripts(projects, &["ls"])));
    assert_eq!(human.matches(SESSION).count(), 1, "{human}");
    let agents = json(&root.run(&with_transcripts(projects, &["agents", "--json"])));
    assert_eq!(agents[0]["agent_id"], "claude-code");
    assert_eq!(agents[0]["sessions"], 1, "{agents:#}");

    // `show`: the transcript's events and the request, once, in time order.
    let show = json(&root.run(&with_transcripts(projects, &["show", SESSION, "--json"])));
    let events = events_of(&show);
    let at = |kind: &str, id: &str| {
        events
            .iter()
            .position(|(t, i)| t == kind && i == id)
            .unwrap_or_else(|| panic!("no {kind} {id} in {events:?}"))
    };
    let asked = at("user.message", "7d48cbd2-6615-4dd8-87f6-38f12b8167d6:0");
    assert!(asked < at("agent.tool_use", TOOL_USE), "time order");
    let requests: Vec<&Value> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "agent.tool_use" && e["id"] == TOOL_USE)
        .collect();
    assert_eq!(requests.len(), 1, "the call shows once");
    assert_eq!(requests[0]["fingerprint"], json!(fp), "the hook's request");
    assert_eq!(
        events.last().unwrap().0,
        "session.status_idle",
        "the hook's lines come after the transcript's"
    );

    let out = root.run(&with_transcripts(
        projects,
        &["approve", SESSION, TOOL_USE, "--fingerprint", &fp],
    ));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer = printed(hook);
    let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.starts_with("Approved in Switchboard by "),
        "{reason}"
    );
    assert_eq!(
        answer,
        json!({"hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "permissionDecisionReason": reason,
        }}),
        "exactly the documented PreToolUse shape"
    );

    // Decided: still one row, nothing pending, the decision in the journal.
    let row = one_row(&root, projects);
    assert_eq!(row["pending"], 0);
    assert_eq!(row["status"], "running", "the allowed call runs");
    let show = json(&root.run(&with_transcripts(projects, &["show", SESSION, "--json"])));
    let events = events_of(&show);
    assert!(events.iter().any(|(t, _)| t == "user.tool_confirmation"));
    assert!(
        events.iter().any(|(t, _)| t == "agent.thinking"),
        "{events:?}"
    );
    // `doctor` reads the same one session: a rule fires once for it, if at all.
    let doctor = json(&root.run(&with_transcripts(projects, &["doctor", "--json"])));
    let mut rules: Vec<&str> = doctor
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["session_id"] == SESSION)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let all = rules.len();
    rules.dedup();
    assert_eq!(rules.len(), all, "{doctor:#}");
}

#[test]
fn a_permission_request_is_answered_in_its_own_shape() {
    let root = empty_root();
    let (projects_dir, transcript) = projects_with_transcript();
    let projects = projects_dir.path();
    let command = installed_command(&root);
    let hook = run_hook(
        &root,
        &command,
        &stdin_for("PermissionRequest", &transcript),
    );
    let give_up = Instant::now() + Duration::from_secs(60);
    let (event, fp) = loop {
        let out = root.run(&with_transcripts(projects, &["pending", "--json"]));
        if let Some(row) = json(&out).as_array().unwrap().first() {
            break (
                row["event_id"].as_str().unwrap().to_string(),
                row["fingerprint"].as_str().unwrap().to_string(),
            );
        }
        assert!(Instant::now() < give_up, "never pending");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(one_row(&root, projects)["status"], "requires_action");
    let out = root.run(&with_transcripts(
        projects,
        &[
            "deny",
            SESSION,
            &event,
            "--fingerprint",
            &fp,
            "--message",
            "Not the dev server; run the tests.",
        ],
    ));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        printed(hook),
        json!({"hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "deny", "message": "Not the dev server; run the tests."},
        }})
    );
}

#[test]
fn a_post_tool_use_is_answered_as_post_tool_use_and_mirrors_nothing() {
    let root = empty_root();
    let (_projects, transcript) = projects_with_transcript();
    let command = installed_command(&root);
    let hook = run_hook(&root, &command, &stdin_for("PostToolUse", &transcript));
    assert_eq!(
        printed(hook),
        json!({"hookSpecificOutput": {"hookEventName": "PostToolUse"}})
    );
    assert!(!root.session(SESSION).exists());
}

#[test]
fn two_different_sessions_with_one_id_are_both_reachable_and_never_picked_silently() {
    let root = empty_root();
    let (projects_dir, _transcript) = projects_with_transcript();
    let projects = projects_dir.path();
    // A native session that happens to have the transcript's id.
    let dir = root.session(SESSION);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("session.json"),
        json!({"id": SESSION, "type": "session", "title": "someone else's",
            "status": "idle", "agent": {"id": "other"}})
        .to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("events.jsonl"), "").unwrap();
    let ls = json(&root.run(&with_transcripts(projects, &["ls", "--json"])));
    assert_eq!(
        ls.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == SESSION)
            .count(),
        2,
        "{ls:#}"
    );
    let out = root.run(&with_transcripts(projects, &["show", SESSION]));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let why = stderr(&out);
    assert!(
        why.contains("claude-code:") && why.contains(&format!("show SOURCE:{SESSION}")),
        "{why}"
    );
    let by_prefix = root.run(&with_transcripts(
        projects,
        &["show", &format!("claude-code:{SESSION}"), "--json"],
    ));
    assert_eq!(code(&by_prefix), 0, "{}", stderr(&by_prefix));
    assert_eq!(json(&by_prefix)["session"]["agent_id"], "claude-code");
    let by_flag = root.run(&with_transcripts(
        projects,
        &["show", SESSION, "--source", "root", "--json"],
    ));
    assert_eq!(code(&by_flag), 0, "{}", stderr(&by_flag));
    assert_eq!(json(&by_flag)["session"]["title"], "someone else's");
}

/// Codex answers through the same bridge: its `PermissionRequest` hook
/// (installed into a scratch `hooks.json`) for a shell call in a real
/// rollout, approved through the CLI.
#[test]
fn a_codex_permission_request_with_its_rollout_is_one_session() {
    const ROLLOUT: &str = "rollout-2026-01-02T18-39-45-019b7f94-51b4-7593-922e-ba12b5b73b52.jsonl";
    const CODEX_SESSION: &str = "019b7f94-51b4-7593-922e-ba12b5b73b52";
    let id = format!("codex-{CODEX_SESSION}");
    let root = empty_root();
    let home = tempfile::tempdir().unwrap();
    let sessions = home.path().join("sessions/2026/01/02");
    std::fs::create_dir_all(&sessions).unwrap();
    let real = std::fs::read_to_string(format!(
        "{}/tests/fixtures/external/codex/sessions/{ROLLOUT}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // The rollout as Codex had written it when it asked to run `ls`: up to
    // that call and the token count after it.
    let head: String = real.lines().take(11).map(|l| format!("{l}\n")).collect();
    let rollout = sessions.join(ROLLOUT);
    std::fs::write(&rollout, head).unwrap();
    let hooks = home.path().join("hooks.json");
    let out = root.run(&[
        "hook",
        "install",
        "codex",
        "--settings",
        hooks.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let installed: Value = serde_json::from_str(&std::fs::read_to_string(&hooks).unwrap()).unwrap();
    let command = installed["hooks"]["PermissionRequest"][0]["hooks"][0]["command"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(command.contains(" hook codex "), "{command}");
    let stdin = json!({
        "session_id": CODEX_SESSION,
        "turn_id": "019b7f94-turn-1",
        "transcript_path": rollout,
        "cwd": "/Users/Nikita_Levyankov/repos/EPMCDME/codemie-ai/codemie-code",
        "hook_event_name": "PermissionRequest",
        "model": "gpt-5-1-codex-2025-11-13",
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_input": {"command": "ls"},
    })
    .to_string();
    let hook = run_hook(&root, &command, &stdin);
    let codex_dir = home.path().to_str().unwrap();
    let give_up = Instant::now() + Duration::from_secs(60);
    let (event, fp) = loop {
        let out = root.run(&["pending", "--json", "--codex", codex_dir]);
        if let Some(row) = json(&out).as_array().unwrap().first() {
            break (
                row["event_id"].as_str().unwrap().to_string(),
                row["fingerprint"].as_str().unwrap().to_string(),
            );
        }
        assert!(Instant::now() < give_up, "never pending");
        std::thread::sleep(Duration::from_millis(50));
    };
    let ls = json(&root.run(&["ls", "--json", "--codex", codex_dir]));
    let rows: Vec<&Value> = ls
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .collect();
    assert_eq!(rows.len(), 1, "{ls:#}");
    assert_eq!(rows[0]["status"], "requires_action");
    assert_eq!(rows[0]["agent_id"], "codex");
    assert_eq!(rows[0]["sources"].as_array().unwrap().len(), 2);
    assert_eq!(
        rows[0]["usage"]["input_tokens"], 7266,
        "the rollout's tokens so far"
    );
    let out = root.run(&[
        "approve",
        &id,
        &event,
        "--fingerprint",
        &fp,
        "--codex",
        codex_dir,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        printed(hook),
        json!({"hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }})
    );
    let show = json(&root.run(&["show", &id, "--json", "--codex", codex_dir]));
    let kinds: Vec<&str> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"user.message") && kinds.contains(&"user.tool_confirmation"));
}

/// The daemon serves the same one session: its row over the socket is the
/// local one (status, pending, tokens, both sources).
#[test]
fn the_daemon_serves_the_merged_session_as_the_cli_reads_it() {
    let root = empty_root();
    let (projects_dir, transcript) = projects_with_transcript();
    let projects = projects_dir.path();
    let command = installed_command(&root);
    let hook = run_hook(&root, &command, &stdin_for("PreToolUse", &transcript));
    let fp = pending_fingerprint(&root, projects, TOOL_USE);
    let local = one_row(&root, projects);
    let daemon = common::daemon::Daemon::start(&root);
    let served = json(&daemon.cli(&["ls", "--json"]));
    let served: Vec<&Value> = served
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == SESSION)
        .collect();
    assert_eq!(served.len(), 1);
    for key in [
        "status",
        "pending",
        "usage",
        "total_tokens",
        "sources",
        "event_count",
    ] {
        assert_eq!(served[0][key], local[key], "{key}");
    }
    // With the transcripts too, the daemon's session is still one row.
    let both = json(&daemon.cli(&with_transcripts(projects, &["ls", "--json"])));
    let ids: Vec<&Value> = both
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == SESSION)
        .collect();
    assert_eq!(ids.len(), 1, "{both:#}");
    let shown = json(&daemon.cli(&["show", SESSION, "--json"]));
    let local_show = json(&root.run(&with_transcripts(projects, &["show", SESSION, "--json"])));
    assert_eq!(
        shown["events"], local_show["events"],
        "the same merged journal"
    );
    let out = daemon.cli(&["approve", SESSION, TOOL_USE, "--fingerprint", &fp]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        printed(hook)["hookSpecificOutput"]["permissionDecision"],
        "allow"
    );
}

/// The dashboard, fed by the root's feed and the transcript source's (as
/// `switchboard --root R --claude-code DIR` runs it), shows the bridged
/// session once, pending, and its stream holds the transcript's events and
/// the hook's request.
#[test]
fn the_dashboard_shows_the_bridged_session_once_with_both_sources_in_its_stream() {
    use switchboard::adapters::{AdapterKind, AdapterSource};
    use switchboard::config::Config;
    use switchboard::feed::{AdapterPoller, RootPoller};
    use switchboard::tui::headless::Headless;
    use switchboard::tui::journal::JournalOrigin;
    use switchboard::tui::msg::Msg;

    let root = empty_root();
    let (projects_dir, transcript) = projects_with_transcript();
    let command = installed_command(&root);
    let hook = run_hook(&root, &command, &stdin_for("PreToolUse", &transcript));
    let fp = pending_fingerprint(&root, projects_dir.path(), TOOL_USE);

    let mut source = AdapterSource::new(
        AdapterKind::ClaudeCode,
        Some(projects_dir.path().to_path_buf()),
    );
    source.bridged_roots = vec![root.path().to_path_buf()];
    let config = Config::default();
    let now = switchboard::model::time::parse_rfc3339(common::FIXTURE_NOW).unwrap();
    let mut roots = RootPoller::new(root.path(), 0, config.plan_tools());
    let mut transcripts = AdapterPoller::new(source.clone(), 1, config.plan_tools());
    let themes = switchboard::tui::theme::Themes::embedded(true);
    let labels = vec![root.path().display().to_string(), source.label()];
    let state = switchboard::tui::initial_state(&config, labels, &themes, now, (160, 40)).unwrap();
    let mut dash = Headless::new(state).with_origins(vec![
        JournalOrigin::Files,
        JournalOrigin::Transcripts(source),
    ]);
    let mut updates = roots.poll_all();
    updates.extend(transcripts.poll_all(now));
    dash.send_all(updates.into_iter().map(Msg::Feed).collect());

    let rows: Vec<_> = dash
        .state
        .sessions
        .values()
        .filter(|e| e.id == SESSION)
        .collect();
    assert_eq!(rows.len(), 1, "one session, one row");
    assert_eq!(rows[0].pending, 1);
    assert_eq!(rows[0].key.source, 0, "the root's row: decisions go there");
    let stream: Vec<String> = dash
        .state
        .stream
        .rows
        .iter()
        .map(|r| format!("{} {}", r.kind, r.summary))
        .collect();
    assert!(
        stream
            .iter()
            .any(|r| r.starts_with("user.message mix phx.server")),
        "{stream:#?}"
    );
    assert!(
        stream.iter().any(|r| r.starts_with("agent.tool_use")),
        "{stream:#?}"
    );

    let out = root.run(&["approve", SESSION, TOOL_USE, "--fingerprint", &fp]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        printed(hook)["hookSpecificOutput"]["permissionDecision"],
        "allow"
    );
}
