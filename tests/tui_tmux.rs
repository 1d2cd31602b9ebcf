//! The real binary in a real terminal: tmux runs the dashboard on a fixture
//! root (directly, through a daemon with `--connect`, or on Claude Code
//! transcripts) while the test appends events, adds a session, injects a
//! title escape, and quits with `q`.

mod common;

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
    tmux.start(&["--root", root.path().to_str().unwrap()], &env_for(root));
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
        !screen.contains("pwned"),
        "the OSC payload was removed: {screen}"
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
        t.screen().contains("Interrupt sesn_silent?")
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

    tmux.quit();
}
