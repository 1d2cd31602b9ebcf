//! Shared helpers for integration tests: fixture roots copied to temp dirs
//! with pinned times, and the real binary run against them.

#![allow(dead_code)]

pub mod daemon;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The time the fixtures were generated relative to (see tests/fixtures/generate.py).
pub const FIXTURE_NOW: &str = "2026-11-21T10:00:00Z";

pub struct Root {
    pub dir: tempfile::TempDir,
    pub audit: PathBuf,
}

impl Root {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn session(&self, id: &str) -> PathBuf {
        self.dir.path().join(id)
    }

    pub fn journal(&self, id: &str) -> String {
        std::fs::read_to_string(self.session(id).join("events.jsonl")).unwrap()
    }

    /// The journal's answers to request `event`, of either answer type.
    pub fn answers_to(&self, session: &str, event: &str) -> Vec<serde_json::Value> {
        self.journal(session)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e["tool_use_id"] == event || e["custom_tool_use_id"] == event)
            .collect()
    }

    /// Runs the binary on this root with the time pinned to FIXTURE_NOW.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        cmd.arg("--root")
            .arg(self.path())
            .args(args)
            .env("SWITCHBOARD_NOW", FIXTURE_NOW)
            .env("SWITCHBOARD_CONFIG_DIR", self.path().join(".no-config"))
            .env("SWITCHBOARD_AUDIT_LOG", &self.audit)
            .env("SWITCHBOARD_CACHE_DIR", self.path().join(".cache"))
            .env_remove("SWITCHBOARD_ROOT")
            .env("NO_COLOR", "1");
        cmd
    }
}

/// A process that takes `path`'s lock, says so, holds it for a second,
/// then appends `line`; returned once it holds the lock.
pub fn hold_lock_then_append(path: &Path, line: &str) -> std::process::Child {
    let mut holder = Command::new("python3")
        .args(["-c", "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_WRONLY|os.O_APPEND|os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(1.0); os.write(fd, sys.argv[2].encode() + b'\\n'); fcntl.flock(fd, fcntl.LOCK_UN)"])
        .arg(path)
        .arg(line)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut said,
    )
    .unwrap();
    assert_eq!(said.trim(), "locked");
    holder
}

/// Copies `tests/fixtures/<name>` into a temp dir and ages every file's
/// mtime, so only the times written inside the files count.
pub fn fixture_root(name: &str) -> Root {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    copy_tree(&source, dir.path());
    let audit = dir.path().join(".audit/audit.jsonl");
    Root { dir, audit }
}

impl Root {
    /// The binary on this root at the real time (for roots written live,
    /// such as the simulator's).
    pub fn live(&self, args: &[&str]) -> Output {
        self.live_command(args).output().unwrap()
    }

    pub fn live_command(&self, args: &[&str]) -> Command {
        let mut cmd = self.command(args);
        cmd.env_remove("SWITCHBOARD_NOW");
        cmd
    }
}

pub fn empty_root() -> Root {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join(".audit/audit.jsonl");
    Root { dir, audit }
}

fn copy_tree(from: &Path, to: &Path) {
    let old = filetime::FileTime::from_unix_time(1_767_225_600, 0); // 2026-01-01
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            filetime::set_file_mtime(&target, old).unwrap();
        }
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", stdout(output)))
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// The fingerprint `pending --json` reports for a request.
pub fn pending_fingerprint(root: &Root, session: &str, event: &str) -> String {
    let pending = json(&root.run(&["pending", "--json"]));
    pending
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["session_id"] == session && p["event_id"] == event)
        .unwrap_or_else(|| panic!("{session}/{event} is not pending"))["fingerprint"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The dashboard on this root without a terminal, time pinned to
/// FIXTURE_NOW, sessions loaded by the same poller the live feed uses.
pub fn dashboard(root: &Root) -> switchboard::tui::headless::Headless {
    live_dashboard(root).0
}

/// `dashboard`, with the poller that loaded it: poll it again after
/// changing the root to feed the dashboard what changed.
pub fn live_dashboard(
    root: &Root,
) -> (
    switchboard::tui::headless::Headless,
    switchboard::feed::RootPoller,
) {
    live_dashboard_at(
        root,
        switchboard::model::time::parse_rfc3339(FIXTURE_NOW).unwrap(),
    )
}

/// `live_dashboard` with its clock at `now` (a root the simulator wrote
/// lives in real time).
pub fn live_dashboard_at(
    root: &Root,
    now: switchboard::model::time::Timestamp,
) -> (
    switchboard::tui::headless::Headless,
    switchboard::feed::RootPoller,
) {
    use switchboard::feed::{FeedHealth, Update};
    use switchboard::tui::msg::Msg;
    let config = switchboard::config::Config::default();
    let themes = switchboard::tui::theme::Themes::embedded(true);
    let state = switchboard::tui::initial_state(
        &config,
        vec![root.path().display().to_string()],
        &themes,
        now,
        (80, 24),
    )
    .unwrap();
    let mut dash = switchboard::tui::headless::Headless::new(state);
    // Actions are recorded in the fixture's audit log, never the user's.
    dash.set_audit_log(root.audit.clone());
    dash.send(Msg::Feed(Update::Health {
        source: 0,
        health: FeedHealth::Polling {
            interval_ms: 1000,
            reason: "test".into(),
        },
    }));
    let mut poller = switchboard::feed::RootPoller::new(root.path(), 0, config.plan_tools());
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    (dash, poller)
}

/// The theme snapshots are drawn with (text only; colours do not show).
pub fn snapshot_theme() -> switchboard::tui::theme::Theme {
    switchboard::tui::theme::Themes::embedded(true).get("dark")
}
