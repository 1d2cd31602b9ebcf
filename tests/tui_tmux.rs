//! The real binary in a real terminal: tmux runs the dashboard on a fixture
//! root while the test appends events, adds a session, injects a title
//! escape, and quits with `q`.

mod common;

use std::io::Write;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{FIXTURE_NOW, fixture_root};

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Self {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is needed for this test (.ci/run installs it)"
        );
        Self {
            socket: format!("switchboard-test-{name}-{}", std::process::id()),
        }
    }

    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "dash"]).stdout)
            .into_owned()
    }

    fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", "dash", format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Polls until `ready` holds; fails with the last screen after 30 s.
    fn wait_for(&self, what: &str, ready: impl Fn(&Tmux) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if ready(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "timed out waiting for {what}; the screen:\n{}",
            self.screen()
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn append(path: &std::path::Path, line: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(line.as_bytes()).unwrap();
    f.write_all(b"\n").unwrap();
}

#[test]
fn dashboard_runs_live_in_a_real_terminal() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("live");
    let config_dir = root.path().join(".no-config");
    let bin = env!("CARGO_BIN_EXE_switchboard");
    let root_arg = root.path().to_str().unwrap().to_string();
    let env_now = format!("SWITCHBOARD_NOW={FIXTURE_NOW}");
    let env_config = format!("SWITCHBOARD_CONFIG_DIR={}", config_dir.display());
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "dash",
        "-x",
        "160",
        "-y",
        "48",
        "-e",
        &env_now,
        "-e",
        &env_config,
        "-e",
        "TERM=xterm-256color",
        bin,
        "--root",
        &root_arg,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.cmd(&["set-option", "-g", "remain-on-exit", "on"]);
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

    tmux.cmd(&["send-keys", "-t", "dash", "q"]);
    // pane_dead_status is filled in just after pane_dead.
    tmux.wait_for("the dashboard to exit", |t| {
        t.display("#{pane_dead}") == "1"
            && !t
                .display("#{pane_dead_status}#{pane_dead_signal}")
                .is_empty()
    });
    let status = tmux.display("status=#{pane_dead_status} signal=#{pane_dead_signal}");
    assert_eq!(
        status,
        "status=0 signal=",
        "it exited cleanly; the screen:\n{}",
        tmux.screen()
    );
    assert_eq!(
        tmux.display("alt=#{alternate_on} mouse=#{mouse_any_flag}#{mouse_button_flag}"),
        "alt=0 mouse=00",
        "the terminal was restored"
    );
}

/// Starts the real binary on `root` in a tmux pane of its own.
fn start(tmux: &Tmux, root: &common::Root) {
    let config_dir = root.path().join(".no-config");
    let env_now = format!("SWITCHBOARD_NOW={FIXTURE_NOW}");
    let env_config = format!("SWITCHBOARD_CONFIG_DIR={}", config_dir.display());
    let env_audit = format!("SWITCHBOARD_AUDIT_LOG={}", root.audit.display());
    let root_arg = root.path().to_str().unwrap().to_string();
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "dash",
        "-x",
        "160",
        "-y",
        "48",
        "-e",
        &env_now,
        "-e",
        &env_config,
        "-e",
        &env_audit,
        "-e",
        "TERM=xterm-256color",
        env!("CARGO_BIN_EXE_switchboard"),
        "--root",
        &root_arg,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.cmd(&["set-option", "-g", "remain-on-exit", "on"]);
}

fn keys(tmux: &Tmux, keys: &[&str]) {
    for key in keys {
        tmux.cmd(&["send-keys", "-t", "dash", key]);
    }
}

#[test]
fn on_call_in_a_real_terminal_stuck_view_and_an_interrupt() {
    let root = fixture_root("contract");
    let tmux = Tmux::new("oncall");
    start(&tmux, &root);
    tmux.wait_for("the fleet", |t| t.screen().contains("Fix login timeout"));
    tmux.wait_for("the stuck alert", |t| t.screen().contains("⚠ 8 stuck"));

    keys(&tmux, &[":", "stuck", "Enter"]);
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
    keys(&tmux, &["j", "j"]);
    tmux.wait_for("the silent session", |t| {
        t.screen().contains("Why stuck · sesn_silent")
    });
    keys(&tmux, &["i"]);
    tmux.wait_for("the confirm dialog", |t| {
        t.screen().contains("Interrupt sesn_silent?")
    });
    keys(&tmux, &["y"]);
    tmux.wait_for("the result", |t| {
        t.screen().contains("Interrupted sesn_silent")
    });
    let journal = root.journal("sesn_silent");
    let last: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "user.interrupt");
    let audit = std::fs::read_to_string(&root.audit).unwrap();
    assert!(audit.contains("\"action\":\"interrupt\""), "{audit}");

    // Enter jumps to the evidence in the stream.
    keys(&tmux, &["Enter"]);
    tmux.wait_for("the stream at the evidence", |t| {
        t.screen().contains("At the first evidence event")
    });

    keys(&tmux, &["q"]);
    tmux.wait_for("the dashboard to exit", |t| {
        t.display("#{pane_dead}") == "1"
            && !t
                .display("#{pane_dead_status}#{pane_dead_signal}")
                .is_empty()
    });
    assert_eq!(
        tmux.display("status=#{pane_dead_status} signal=#{pane_dead_signal}"),
        "status=0 signal="
    );
}
