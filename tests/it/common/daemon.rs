//! A real `switchboard daemon` on a temp socket, and a raw line-protocol
//! client to talk to it (raw on purpose: the tests check the wire).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{FIXTURE_NOW, Root};

/// How long a test waits for something that should happen promptly before
/// failing with a message (a guard against hangs, not a timing assert).
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Daemon {
    pub child: Option<Child>,
    pub socket: PathBuf,
    pub log: PathBuf,
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub audit: PathBuf,
    /// More `daemon` arguments and environment, for `start_full`.
    pub extra_args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Daemon {
    pub fn start(root: &Root) -> Self {
        Self::start_with(root, None)
    }

    /// Starts a daemon on `<tmp>/s/daemon.sock` serving `root`, with an
    /// optional config file body.
    pub fn start_with(root: &Root, config: Option<&str>) -> Self {
        Self::start_full(root, config, &[], &[])
    }

    /// `start_with`, plus `daemon` arguments and environment variables.
    pub fn start_full(
        root: &Root,
        config: Option<&str>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("s/daemon.sock");
        let log = dir.path().join("daemon.log");
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, config.unwrap_or("")).unwrap();
        let mut daemon = Self {
            child: None,
            socket,
            log,
            root: root.path().to_path_buf(),
            audit: root.audit.clone(),
            dir,
            extra_args: args.iter().map(|a| a.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let child = daemon.spawn().spawn().unwrap();
        daemon.child = Some(child);
        daemon.wait_ready();
        daemon
    }

    /// The command that starts a daemon like this one (on the same socket).
    pub fn spawn(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        cmd.arg("--root")
            .arg(&self.root)
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("daemon")
            .arg("--socket")
            .arg(&self.socket)
            .arg("--log")
            .arg(&self.log)
            .args(&self.extra_args)
            .env("SWITCHBOARD_AUDIT_LOG", &self.audit)
            .env("SWITCHBOARD_LOG", "debug")
            .env_remove("SWITCHBOARD_ROOT")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub fn wait_ready(&mut self) {
        let start = Instant::now();
        while UnixStream::connect(&self.socket).is_err() {
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "the daemon exited early ({status}); log: {}",
                    self.log_text()
                );
            }
            assert!(start.elapsed() < PATIENCE, "the daemon never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn client(&self) -> Raw {
        Raw::connect(&self.socket)
    }

    /// The CLI with `--connect` to this daemon (and any extra sources).
    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_command(args).output().unwrap()
    }

    pub fn cli_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        cmd.arg("--connect")
            .arg(&self.socket)
            .args(args)
            .env("SWITCHBOARD_NOW", FIXTURE_NOW)
            .env("SWITCHBOARD_CONFIG_DIR", "/nonexistent-switchboard-config")
            .env("SWITCHBOARD_AUDIT_LOG", &self.audit)
            .env_remove("SWITCHBOARD_ROOT")
            .env("NO_COLOR", "1");
        cmd
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        // SAFETY: kill with a pid we spawned.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        wait_with_patience(&mut child)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn wait_with_patience(child: &mut Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(start.elapsed() < PATIENCE, "the process did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A line-protocol client that keeps notifications aside while it waits
/// for a response.
pub struct Raw {
    pub writer: UnixStream,
    reader: BufReader<UnixStream>,
    next_id: u64,
    pub notes: VecDeque<Value>,
}

impl Raw {
    pub fn connect(socket: &Path) -> Self {
        let writer = UnixStream::connect(socket).unwrap();
        let reader = writer.try_clone().unwrap();
        reader.set_read_timeout(Some(PATIENCE)).unwrap();
        Self {
            writer,
            reader: BufReader::new(reader),
            next_id: 0,
            notes: VecDeque::new(),
        }
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    /// The next message, or None at end of stream.
    pub fn recv_opt(&mut self) -> Option<Value> {
        let mut line = String::new();
        let n = self
            .reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("no message from the daemon: {e}"));
        if n == 0 {
            return None;
        }
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad frame {line:?}: {e}")))
    }

    pub fn recv(&mut self) -> Value {
        self.recv_opt().expect("the daemon closed the connection")
    }

    /// Sends a request; returns the whole response object.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_bytes(format!("{request}\n").as_bytes());
        self.response_to(id)
    }

    pub fn response_to(&mut self, id: u64) -> Value {
        loop {
            let message = self.recv();
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
            if message.get("method").is_some() {
                self.notes.push_back(message);
            } else {
                panic!("an unexpected response: {message}");
            }
        }
    }

    /// The result of a call that must succeed.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next notification.
    pub fn note(&mut self) -> Value {
        if let Some(note) = self.notes.pop_front() {
            return note;
        }
        loop {
            let message = self.recv();
            if message.get("method").is_some() {
                return message;
            }
        }
    }

    /// Skips notifications until one satisfies `wanted`.
    pub fn note_where(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let note = self.note();
            if wanted(&note) {
                return note;
            }
        }
    }
}

/// Appends lines to a session's journal the way a runtime does.
pub fn append(root: &Path, session: &str, lines: &[String]) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(root.join(session).join("events.jsonl"))
        .unwrap();
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    file.write_all(text.as_bytes()).unwrap();
}

/// A syntactically valid event line with an id and padding.
pub fn event_line(id: &str, pad: usize) -> String {
    json!({"id": id, "type": "agent.message", "created_at": "2026-11-21T10:00:00Z",
           "content": [{"type": "text", "text": "x".repeat(pad)}]})
    .to_string()
}

/// Waits (with patience) until `done` holds; for effects another process
/// makes asynchronously, like a log line.
pub fn eventually(done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "it never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
}
