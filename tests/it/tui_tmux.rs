//! The real binary in a real terminal: tmux runs the dashboard on a fixture
//! root (directly, through a daemon with `--connect`, or on Claude Code
//! transcripts) while the test appends events, adds a session, injects a
//! title escape, and quits with `q`.

use crate::common;

use std::io::Write;
use std::path::Path;

use common::daemon::Daemon;
use common::tmux::Tmux;
use common::{Root, fixture_root};

fn append(path: &Path, line: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(line.as_bytes()).unwrap();
    f.write_all(b"\n").unwrap();
}

/// The environment the dashboard runs with on `root`: no user config, the
/// fixture's audit log.
fn env_for(root: &Root) -> Vec<String> {
    vec![
        format!(
            "SWITCHBOARD_CONFIG_DIR={}",
            root.path().join(".no-config").display()
        ),
        format!("SWITCHBOARD_AUDIT_LOG={}", root.audit.display()),
    ]
}

/// Starts the real binary on `root` in a tmux pane of its own.
fn start(tmux: &Tmux, root: &Root) {
    start_with(tmux, root, &env_for(root));
}

fn start_with(tmux: &Tmux, root: &Root, env: &[String]) {
    tmux.start(&["--root", root.path().to_str().unwrap()], env);
}

/// What a user sees of a live fleet on the contract fixture, however the
/// dashboard reads it: the fleet, the top session's stream following an
/// append, a session created meanwhile, a title escape that changes
/// nothing, and `q` restoring the terminal.
fn live_fleet_scenario(tmux: &Tmux, root: &Root) {
    tmux.wait_for("the fleet", |t| {
        let s = t.screen();
        s.contains("Fix login timeout") && s.contains("requires_action")
    });
    let title_before = tmux.display("#{pane_title}");
    assert_eq!(
        tmux.display("alt=#{alternate_on} mouse=#{mouse_any_flag}"),
        "alt=1 mouse=1",
        "the dashboard uses the alternate screen and the mouse"
    );
    // The top session (most urgent) has its stream open and followed.
    tmux.wait_for("the top session's stream", |t| {
        t.screen().contains("git push origin fix/login")
    });

    let journal = root.session("sesn_awaiting").join("events.jsonl");
    append(
        &journal,
        r#"{"id":"e2e_1","type":"agent.message","created_at":"2026-11-21T09:59:30Z","content":[{"type":"text","text":"hello from the e2e test"}]}"#,
    );
    tmux.wait_for("the appended event", |t| {
        t.screen().contains("hello from the e2e test")
    });

    let dir = root.path().join("sesn_e2e");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("events.jsonl"), "").unwrap();
    std::fs::write(
        dir.join("session.json"),
        r#"{"id":"sesn_e2e","title":"Created while watching","status":"running","updated_at":"2026-11-21T09:59:00Z"}"#,
    )
    .unwrap();
    tmux.wait_for("the new session", |t| {
        t.screen().contains("Created while watching")
    });

    append(
        &journal,
        "{\"id\":\"e2e_2\",\"type\":\"agent.message\",\"content\":[{\"type\":\"text\",\"text\":\"before \\u001b]0;pwned\\u0007 after the title escape\"}]}",
    );
    tmux.wait_for("the escape event", |t| {
        t.screen().contains("after the title escape")
    });
    let screen = tmux.screen();
    assert!(
        screen.contains("before ␛]0;pwned\\x07 after"),
        "the OSC is shown escaped, its payload kept: {screen}"
    );
    assert_eq!(
        tmux.display("#{pane_title}"),
        title_before,
        "the title did not change"
    );
    assert_ne!(tmux.display("#{pane_title}"), "pwned");

    tmux.quit();
    assert_eq!(
        tmux.display("alt=#{alternate_on} mouse=#{mouse_any_flag}#{mouse_button_flag}"),
        "alt=0 mouse=00",
        "the terminal was restored"
    );
}

#[test]
fn dashboard_runs_live_in_a_real_terminal() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("live");
    start(&tmux, &root);
    live_fleet_scenario(&tmux, &root);
}

#[test]
fn dashboard_runs_live_through_a_daemon_with_connect() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let tmux = Tmux::new("connect");
    tmux.start(
        &["--connect", daemon.socket.to_str().unwrap()],
        &env_for(&root),
    );
    live_fleet_scenario(&tmux, &root);
    drop(daemon);
}

/// `SWITCHBOARD_FRAME_LOG` in the real binary: a line per frame, and the
/// first frame after a key press counts it and says when it was read.
#[test]
fn frame_log_records_each_frame_and_the_keys_it_answers() {
    let root = fixture_root("contract");
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("frames.log");
    let mut env = env_for(&root);
    env.push(format!("SWITCHBOARD_FRAME_LOG={}", log.display()));
    let tmux = Tmux::new("framelog");
    start_with(&tmux, &root, &env);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));
    let frames = || -> Vec<(u64, u64, u64)> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|line| {
                let f: Vec<&str> = line.split(' ').collect();
                assert_eq!((f.len(), f[0]), (4, "frame"), "{line:?}");
                let num = |s: &str, p: &str| s.strip_prefix(p).unwrap().parse::<u64>().unwrap();
                (num(f[1], ""), num(f[2], "keys="), num(f[3], "last_key_at="))
            })
            .collect()
    };
    // The screen can show before the frame is logged: wait for the log.
    tmux.wait_for("a logged frame", |_| !frames().is_empty());
    assert!(
        frames().iter().all(|&(_, keys, at)| keys == 0 && at == 0),
        "no key yet: {:?}",
        frames()
    );
    tmux.keys(&["j"]);
    tmux.wait_for("a frame after the key", |_| {
        frames().iter().any(|&(_, keys, _)| keys >= 1)
    });
    let (drawn, _, read_at) = *frames().iter().find(|f| f.1 >= 1).unwrap();
    assert!(read_at > 0 && drawn >= read_at, "{drawn} >= {read_at}");
    tmux.quit();
}

/// The transcript file of Claude Code session `id` in the fixture copy.
fn transcript_of(root: &Root, id: &str) -> std::path::PathBuf {
    let project = root.path().join("-home-alice-shop");
    let rest = id.strip_prefix("cc-").unwrap();
    let direct = project.join(format!("{rest}.jsonl"));
    if direct.is_file() {
        return direct;
    }
    // A subagent: cc-<session>-<file stem>, under <session>/subagents/.
    let (session, stem) = rest.split_at(36);
    project
        .join(session)
        .join("subagents")
        .join(format!("{}.jsonl", stem.trim_start_matches('-')))
}

#[test]
fn dashboard_follows_a_claude_code_transcript_as_it_grows() {
    let root = fixture_root("claude-code");
    let tmux = Tmux::new("claude");
    tmux.start(
        &["--claude-code", root.path().to_str().unwrap()],
        &env_for(&root),
    );
    tmux.wait_for("the transcripts and a stream", |t| {
        let s = t.screen();
        s.contains("Fix login timeout") && s.contains("Events · cc-")
    });
    let screen = tmux.screen();
    let id: String = screen[screen.find("Events · ").unwrap() + "Events · ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let transcript = transcript_of(&root, &id);
    assert!(transcript.is_file(), "{}", transcript.display());
    // The fixtures end on a torn record: end it (as the writer would have)
    // before the new one.
    append(&transcript, "");
    append(
        &transcript,
        r#"{"type":"assistant","uuid":"e2e-cc-1","sessionId":"e2e","timestamp":"2026-11-21T09:59:59Z","message":{"id":"msg_e2e","type":"message","role":"assistant","content":[{"type":"text","text":"zebra-quartz from the live transcript"}]}}"#,
    );
    tmux.wait_for("the appended record in the event stream", |t| {
        let s = t.screen();
        s.contains("zebra-quartz from the live transcript") && s.contains(&format!("Events · {id}"))
    });
    tmux.quit();
}

#[test]
fn on_call_in_a_real_terminal_stuck_view_and_an_interrupt() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("oncall");
    start(&tmux, &root);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));
    tmux.wait_for("the stuck alert", |t| t.screen().contains("⚠ 8 stuck"));

    tmux.keys(&[":", "stuck", "Enter"]);
    tmux.wait_for("the stuck view", |t| t.screen().contains("Why stuck"));
    let screen = tmux.screen();
    for (rule, reason) in [
        ("awaiting_human", "Waiting 23 min for approval of `bash`."),
        (
            "orphaned",
            "Parent sesn_orch is terminated but this session is not.",
        ),
        ("silent_running", "Running but silent for 31 min."),
        ("reschedule_loop", "Rescheduled 5 times in the last 10 min."),
        ("wake_overdue", "Wake wake_1 due 12 min ago, not consumed"),
        ("error_loop", "3 errors in the last 10 min"),
        (
            "queue_stalled",
            "user.message sevt_0003 queued for 5 min and not processed.",
        ),
        ("error_loop", "Stopped with retries_exhausted."),
    ] {
        assert!(screen.contains(rule), "{rule} on screen:\n{screen}");
        assert!(screen.contains(reason), "{reason} on screen:\n{screen}");
    }
    assert!(
        screen.contains("thresholds: awaiting_human>10 min"),
        "{screen}"
    );
    // The selected session's evidence, decoded from its journal.
    assert!(screen.contains("L3 09:36:00 agent.tool_use"), "{screen}");

    // Select the silent session, interrupt it, confirm with y.
    tmux.keys(&["j", "j"]);
    tmux.wait_for("the silent session", |t| {
        t.screen().contains("Why stuck · sesn_silent")
    });
    tmux.keys(&["i"]);
    tmux.wait_for("the confirm dialog", |t| {
        t.screen()
            .contains("Interrupt sesn_silent “Refactor billing”?")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("the result", |t| {
        t.screen().contains("Interrupted sesn_silent")
    });
    let journal = root.journal("sesn_silent");
    let last: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "user.interrupt");
    let audit = std::fs::read_to_string(&root.audit).unwrap();
    assert!(audit.contains("\"action\":\"interrupt\""), "{audit}");

    // Enter jumps to the evidence in the stream.
    tmux.keys(&["Enter"]);
    tmux.wait_for("the stream at the evidence", |t| {
        t.screen().contains("At the first evidence event")
    });

    // q goes back to the fleet, as it does from every view; there it quits.
    tmux.keys(&["q"]);
    tmux.wait_for("the fleet again", |t| t.screen().contains("q  quit"));
    tmux.quit();
}

/// Esc from a review, then from the inbox, each seen before the next (two
/// escapes sent at once can reach the dashboard as one alt+esc).
fn close_review_and_inbox(tmux: &Tmux) {
    tmux.keys(&["Escape"]);
    tmux.wait_for("the inbox", |t| {
        let s = t.screen();
        s.contains("Review inbox") && !s.contains("┌ Review sevt")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the fleet", |t| !t.screen().contains("Review inbox"));
}

#[test]
fn review_in_a_real_terminal_approve_a_plan_once() {
    let root = fixture_root("contract");
    let fingerprint = common::pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    let tmux = Tmux::new("review");
    start(&tmux, &root);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));

    tmux.keys(&[":", "pending", "Enter"]);
    tmux.wait_for("the inbox", |t| {
        t.screen().contains("Review inbox · 5 pending")
    });
    // Oldest first: sesn_awaiting, sesn_tampered, then the plan.
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("the plan", |t| {
        let s = t.screen();
        s.contains("Review sevt_0005 in sesn_plan") && s.contains("1. Add a failing test")
    });
    tmux.keys(&["D"]);
    tmux.wait_for("the diff", |t| {
        t.screen().contains("+ 1. Add a failing test")
    });
    tmux.keys(&["a"]);
    tmux.wait_for("the confirmation", |t| t.screen().contains(&fingerprint));
    tmux.keys(&["y"]);
    // What became of it, and the next request waiting opens by itself.
    tmux.wait_for("the result and the next request", |t| {
        let s = t.screen();
        s.contains("✓ Approved submit_plan sevt_0005 (plan r2) in sesn_plan.")
            && s.contains("Review sevt_0006 in sesn_plan · custom request (pending)")
    });
    let answers = root.answers_to("sesn_plan", "sevt_0005");
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["type"], "user.custom_tool_result");
    assert_eq!(answers[0]["result"], "allow");
    assert_eq!(answers[0]["fingerprint"], fingerprint.as_str());

    // a on the next request does not touch the approved plan again.
    tmux.keys(&["a"]);
    tmux.wait_for("the refusal", |t| {
        t.screen().contains("answered with respond (R)")
    });
    let again = root
        .journal("sesn_plan")
        .lines()
        .filter(|l| {
            l.contains("\"custom_tool_use_id\":\"sevt_0005\"")
                || l.contains("\"custom_tool_use_id\": \"sevt_0005\"")
        })
        .count();
    assert_eq!(again, 1);

    // The inbox no longer lists the plan, its cursor on the one reviewed.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the inbox without the plan", |t| {
        let s = t.screen();
        s.contains("Review inbox · 4 pending") && !s.contains("plan r2")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the fleet", |t| !t.screen().contains("Review inbox"));
    tmux.quit();
}

#[test]
fn review_in_a_real_terminal_a_redirect_shows_the_new_revision() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("redirect");
    start(&tmux, &root);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));
    tmux.keys(&["2"]);
    tmux.wait_for("the inbox", |t| {
        t.screen().contains("Review inbox · 5 pending")
    });
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("the plan", |t| {
        t.screen()
            .contains("Review sevt_0005 in sesn_plan · plan r2 (pending)")
    });
    tmux.keys(&["r"]);
    tmux.wait_for("the editor", |t| {
        t.screen().contains("the new direction for the agent")
    });
    tmux.keys(&["Ship to 5% first"]);
    tmux.keys(&["C-s"]);
    tmux.wait_for("the confirmation", |t| t.screen().contains("y confirm"));
    tmux.keys(&["y"]);
    tmux.wait_for("the redirect, waiting for r3", |t| {
        t.screen().contains("plan r2 (redirected) · awaiting r3")
    });
    let answers = root.answers_to("sesn_plan", "sevt_0005");
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["redirect"], true);
    // The agent comes back with revision 3.
    let journal = root.session("sesn_plan").join("events.jsonl");
    append(
        &journal,
        r##"{"id": "sevt_0100", "type": "agent.custom_tool_use", "created_at": "2026-11-21T09:59:00Z", "processed_at": "2026-11-21T09:59:00Z", "name": "submit_plan", "input": {"plan": "# Plan\n\n1. Add a failing test\n2. Rewrite auth\n3. Ship to 5% first", "plan_id": "plan_auth"}}"##,
    );
    append(
        &journal,
        r##"{"id": "sevt_0101", "type": "session.status_idle", "created_at": "2026-11-21T09:59:00Z", "processed_at": "2026-11-21T09:59:00Z", "stop_reason": {"type": "requires_action", "event_ids": ["sevt_0100"]}}"##,
    );
    tmux.wait_for("revision 3 in the review", |t| {
        let s = t.screen();
        s.contains("Review sevt_0100 in sesn_plan · plan r3 (pending)")
            && s.contains("3. Ship to 5% first")
            && s.contains("r2 redirected")
    });
    close_review_and_inbox(&tmux);
    tmux.quit();
}

#[test]
fn the_cursor_stays_on_its_session_while_fifty_are_added_above_it() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("cursor");
    start(&tmux, &root);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));
    // Down to "Open the PR" (sesn_mcp), the second row.
    tmux.keys(&["j"]);
    tmux.wait_for("sesn_mcp selected", |t| {
        t.screen().contains("Session · sesn_mcp")
    });
    let from = root.session("sesn_mcp");
    let doc = std::fs::read_to_string(from.join("session.json")).unwrap();
    let events = std::fs::read_to_string(from.join("events.jsonl")).unwrap();
    for n in 0..50 {
        // Newer activity than every fixture session: they sort above it.
        let id = format!("sesn_new{n:02}");
        let dir = root.session(&id);
        std::fs::create_dir(&dir).unwrap();
        let newer = doc
            .replace("sesn_other_name", &id)
            .replace("Open the PR", &format!("Added {n:02}"));
        std::fs::write(dir.join("session.json"), newer).unwrap();
        let events = events.replace("09:58:00", "09:59:30");
        std::fs::write(dir.join("events.jsonl"), events).unwrap();
    }
    tmux.wait_for("the fifty new sessions", |t| {
        t.screen().contains("Sessions 65/65")
    });
    let screen = tmux.screen();
    assert!(screen.contains("Session · sesn_mcp"), "{screen}");
    assert!(screen.contains("Events · sesn_mcp"), "{screen}");
    // Enter opens the session chosen, not the row now at its place.
    tmux.keys(&["Enter"]);
    tmux.wait_for("its stream focused", |t| {
        t.screen().contains("Events · sesn_mcp")
    });
    tmux.keys(&["Escape"]);
    tmux.quit();
}
#[test]
fn review_in_a_real_terminal_deny_with_a_message_from_the_external_editor() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("editor");
    // An "editor" that writes the message and exits, as a person would.
    let script = root.path().join(".editor.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'Open a PR instead of pushing.' > \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let editor = format!("EDITOR={}", script.display());
    let mut env = env_for(&root);
    env.extend([editor, "VISUAL=".to_string()]);
    start_with(&tmux, &root, &env);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));
    tmux.keys(&["2"]);
    tmux.wait_for("the inbox", |t| t.screen().contains("Review inbox"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the bash request", |t| {
        t.screen().contains("git push origin fix/login")
    });
    tmux.keys(&["d"]);
    tmux.wait_for("the editor", |t| t.screen().contains("why it is denied"));
    tmux.keys(&["C-e"]);
    tmux.wait_for("the message back", |t| {
        t.screen().contains("Open a PR instead of pushing.")
    });
    tmux.keys(&["C-s"]);
    tmux.wait_for("the confirmation", |t| t.screen().contains("y confirm"));
    tmux.keys(&["y"]);
    tmux.wait_for("the result", |t| t.screen().contains("Denied bash"));
    let journal = root.journal("sesn_awaiting");
    let last: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(last["tool_use_id"], "sevt_0003");
    assert_eq!(last["deny_message"], "Open a PR instead of pushing.");
    close_review_and_inbox(&tmux);
    tmux.quit();
}
