//! `switchboard watch` end to end: the real binary following a real root,
//! its stdout read line by line as it arrives. No timing asserts: every wait
//! is a generous timeout.

use crate::common;

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use common::{Root, empty_root};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Watch {
    child: Child,
    stdout: Option<Receiver<String>>,
    stderr: Receiver<String>,
    /// Everything read from stderr so far.
    notes: Vec<String>,
}

fn lines_of(pipe: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Watch {
    fn start(root: &Root, args: &[&str]) -> Self {
        Self::spawn(root.command(args))
    }

    fn spawn(mut command: std::process::Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        let mut watch = Self {
            child,
            stdout: Some(stdout),
            stderr,
            notes: Vec::new(),
        };
        // The first status line says the initial pass is over.
        watch.note_containing(": ");
        watch
    }

    /// The next stdout line.
    fn line(&mut self) -> String {
        let rx = self.stdout.as_ref().unwrap();
        match rx.recv_timeout(TIMEOUT) {
            Ok(line) => line,
            Err(e) => panic!("no output line ({e:?}); stderr so far: {:?}", self.notes),
        }
    }

    /// Reads stderr until a line contains `needle`.
    fn note_containing(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        if let Some(found) = self.notes.iter().find(|n| n.contains(needle)) {
            return found.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    self.notes.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    panic!("no stderr line with {needle:?}; got {:?}", self.notes)
                }
            }
        }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0);
    }

    /// Waits for the process to exit by itself.
    fn exit_status(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "watch did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr_rest(&mut self) -> Vec<String> {
        while let Ok(line) = self.stderr.recv_timeout(TIMEOUT) {
            self.notes.push(line);
        }
        self.notes.clone()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn session(root: &Path, id: &str, journal: &str) {
    let dir = root.join(id);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("events.jsonl"), journal).unwrap();
    fs::write(dir.join("session.json"), b"{\"status\":\"running\"}").unwrap();
}

fn append(root: &Path, id: &str, text: &str) {
    OpenOptions::new()
        .append(true)
        .open(root.join(id).join("events.jsonl"))
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

const E1: &str = r#"{"id":"e1","type":"user.message","content":"old"}"#;

#[test]
fn json_prints_each_appended_event_as_written_and_new_sessions() {
    let root = empty_root();
    session(root.path(), "a", &format!("{E1}\n"));
    let mut watch = Watch::start(&root, &["watch", "--json"]);

    // Odd spacing and key order survive: the event is copied, not re-encoded.
    let e2 = r#"{ "type" : "agent.message", "id":"e2","content":[{"type":"text","text":"hi"}] }"#;
    append(root.path(), "a", &format!("{e2}\n"));
    assert_eq!(
        watch.line(),
        format!(r#"{{"session_id":"a","event":{}}}"#, e2.trim())
    );

    // A torn line is printed only once it is complete.
    append(root.path(), "a", r#"{"id":"e3","type":"agent.mes"#);
    append(root.path(), "a", "sage\"}\nnot json\n");
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["event"]["id"], "e3");
    watch.note_containing("malformed line");

    session(
        root.path(),
        "b",
        "{\"id\":\"b1\",\"type\":\"user.message\"}\n",
    );
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["session_id"], "b");
    assert_eq!(line["event"]["id"], "b1");

    watch.signal(libc::SIGTERM);
    assert!(watch.exit_status().success());
}

#[test]
fn from_start_prints_what_is_there_first() {
    let root = empty_root();
    session(root.path(), "a", &format!("{E1}\n"));
    let mut watch = Watch::start(&root, &["watch", "--json", "--from-start"]);
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["event"]["id"], "e1");
    append(
        root.path(),
        "a",
        "{\"id\":\"e2\",\"type\":\"user.message\"}\n",
    );
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["event"]["id"], "e2");
    watch.signal(libc::SIGINT);
    assert!(watch.exit_status().success());
}

#[test]
fn human_lines_are_sanitised_and_malformed_lines_shown() {
    let root = empty_root();
    session(root.path(), "a", "");
    let mut watch = Watch::start(&root, &["watch"]);
    append(
        root.path(),
        "a",
        "{\"id\":\"e1\",\"type\":\"agent.message\",\"created_at\":\"2026-11-21T10:00:00Z\",\"content\":\"red \\u001b[31mtext\\u001b]0;title\\u0007 done\"}\n",
    );
    let line = watch.line();
    assert!(!line.contains('\u{1b}'), "{line:?}");
    assert!(line.starts_with("2026-11-21T10:00:00Z"), "{line:?}");
    assert!(
        line.contains(" a ")
            && line.contains("agent.message")
            && line.contains("red ␛text␛]0;title\\x07 done"),
        "{line:?}"
    );
    append(root.path(), "a", "{broken\n");
    let line = watch.line();
    assert!(
        line.contains("MALFORMED") && line.contains("{broken"),
        "{line:?}"
    );
}

#[test]
fn a_replaced_journal_is_announced_and_printed_again() {
    let root = empty_root();
    session(root.path(), "a", &format!("{E1}\n"));
    let mut watch = Watch::start(&root, &["watch", "--json"]);
    let journal = root.path().join("a/events.jsonl");
    let fresh = root.path().join("a/fresh.jsonl");
    fs::write(&fresh, "{\"id\":\"n1\",\"type\":\"user.message\"}\n").unwrap();
    fs::rename(&fresh, &journal).unwrap();
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["event"]["id"], "n1");
    watch.note_containing("journal was truncated or replaced");
}

#[test]
fn a_closed_stdout_ends_the_command_cleanly() {
    let root = empty_root();
    session(root.path(), "a", "");
    let mut watch = Watch::start(&root, &["watch", "--json"]);
    append(
        root.path(),
        "a",
        "{\"id\":\"e1\",\"type\":\"user.message\"}\n",
    );
    watch.line();
    // Like `| head -1`: the reader goes away.
    watch.stdout = None;
    let mut n = 0;
    while watch.child.try_wait().unwrap().is_none() {
        n += 1;
        append(
            root.path(),
            "a",
            &format!("{{\"id\":\"x{n}\",\"type\":\"user.message\"}}\n"),
        );
        std::thread::sleep(Duration::from_millis(50));
        assert!(n < 1200, "watch kept running with its stdout closed");
    }
    assert!(watch.exit_status().success());
    let notes = watch.stderr_rest();
    assert!(!notes.iter().any(|n| n.contains("panicked")), "{notes:?}");
}

#[test]
fn polling_when_watching_is_off_still_prints_events_and_says_so() {
    let root = empty_root();
    let config = root.path().join(".config.toml");
    fs::write(
        &config,
        "[feed]\nwatch_budget = 0\npoll_interval_ms = 50\nidle_poll_interval_ms = 200\n",
    )
    .unwrap();
    session(root.path(), "a", "");
    let config = config.to_string_lossy().into_owned();
    let mut watch = Watch::start(&root, &["--config", &config, "watch", "--json"]);
    watch.note_containing("polling 50ms (watching is off (feed.watch_budget = 0))");
    append(
        root.path(),
        "a",
        "{\"id\":\"e1\",\"type\":\"user.message\"}\n",
    );
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["event"]["id"], "e1");
}

#[test]
fn the_root_deleted_and_made_again() {
    let parent = empty_root();
    let root_dir = parent.path().join("root");
    fs::create_dir(&root_dir).unwrap();
    session(&root_dir, "a", "");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .arg("--root")
        .arg(&root_dir)
        .args(["watch", "--json"])
        .env("SWITCHBOARD_CONFIG_DIR", parent.path().join(".no-config"));
    let mut watch = Watch::spawn(command);
    watch.note_containing("watching 1");
    fs::remove_dir_all(&root_dir).unwrap();
    watch.note_containing("unavailable");
    watch.note_containing("session a: session removed");
    fs::create_dir(&root_dir).unwrap();
    session(
        &root_dir,
        "b",
        "{\"id\":\"b1\",\"type\":\"user.message\"}\n",
    );
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["session_id"], "b");
    append(
        &root_dir,
        "b",
        "{\"id\":\"b2\",\"type\":\"user.message\"}\n",
    );
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(line["event"]["id"], "b2");
}

#[test]
fn json_prints_a_claude_code_transcripts_new_record_converted() {
    let transcripts = common::fixture_root("claude-code");
    // Only the transcripts: no --root.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .args(["watch", "--json", "--claude-code"])
        .arg(transcripts.path())
        .env("SWITCHBOARD_NOW", common::FIXTURE_NOW)
        .env(
            "SWITCHBOARD_CONFIG_DIR",
            transcripts.path().join(".no-config"),
        )
        .env_remove("SWITCHBOARD_ROOT")
        .env("NO_COLOR", "1");
    let mut watch = Watch::spawn(command);
    watch.note_containing("cc-22222222-2222-4222-8222-222222222222: new session");
    let transcript = transcripts
        .path()
        .join("-home-alice-shop/22222222-2222-4222-8222-222222222222.jsonl");
    let record = r#"{"type":"assistant","uuid":"w-1","sessionId":"22222222-2222-4222-8222-222222222222","timestamp":"2026-11-21T09:59:59Z","message":{"id":"msg_w","type":"message","role":"assistant","content":[{"type":"text","text":"okapi from a live transcript"}]}}"#;
    OpenOptions::new()
        .append(true)
        .open(&transcript)
        .unwrap()
        .write_all(format!("{record}\n").as_bytes())
        .unwrap();
    let line: serde_json::Value = serde_json::from_str(&watch.line()).unwrap();
    assert_eq!(
        line["session_id"],
        "cc-22222222-2222-4222-8222-222222222222"
    );
    assert_eq!(line["event"]["type"], "agent.message");
    assert_eq!(
        line["event"]["content"][0]["text"],
        "okapi from a live transcript"
    );
    assert_eq!(line["event"]["created_at"], "2026-11-21T09:59:59Z");
}
