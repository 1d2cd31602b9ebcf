//! The real binary in a real terminal: a tmux server of the test's own,
//! the dashboard started in one pane, and what the pane shows.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::FIXTURE_NOW;

/// A tmux server of our own (its own socket), killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Self {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is needed for this test (.ci/run installs it)"
        );
        Self {
            socket: format!("switchboard-test-{name}-{}", std::process::id()),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs the binary with `args` in pane `dash` (160×48), the time pinned
    /// to FIXTURE_NOW, no user config, and `env` (`NAME=value`) set.
    pub fn start(&self, args: &[&str], env: &[String]) {
        let mut command: Vec<String> = [
            "new-session",
            "-d",
            "-s",
            "dash",
            "-x",
            "160",
            "-y",
            "48",
            "-e",
            "TERM=xterm-256color",
        ]
        .map(String::from)
        .to_vec();
        let mut env = env.to_vec();
        env.push(format!("SWITCHBOARD_NOW={FIXTURE_NOW}"));
        for var in env {
            command.push("-e".into());
            command.push(var);
        }
        command.push(env!("CARGO_BIN_EXE_switchboard").into());
        command.extend(args.iter().map(|a| a.to_string()));
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        let started = self.cmd(&command);
        assert!(started.status.success(), "{started:?}");
        self.cmd(&["set-option", "-g", "remain-on-exit", "on"]);
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.cmd(&["send-keys", "-t", "dash", key]);
        }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "dash"]).stdout)
            .into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", "dash", format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Polls until `ready` holds; fails with the last screen after 60 s
    /// (a guard against hangs on a loaded machine, not a timing assert).
    pub fn wait_for(&self, what: &str, ready: impl Fn(&Tmux) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
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

    /// Presses `q` and waits for the dashboard to exit with status 0.
    pub fn quit(&self) {
        self.keys(&["q"]);
        self.wait_for("the dashboard to exit", |t| t.exit_status().is_some());
        assert_eq!(
            self.exit_status(),
            Some(0),
            "it exited cleanly; the screen:\n{}",
            self.screen()
        );
    }

    /// The pane's exit status once its process has exited. tmux sometimes
    /// misses the child's exit under load and leaves it a zombie without a
    /// status; the kernel still has it in /proc/PID/stat (field 52).
    fn exit_status(&self) -> Option<i32> {
        if self.display("#{pane_dead}") != "1" {
            return None;
        }
        if let Ok(status) = self.display("#{pane_dead_status}").parse() {
            return Some(status);
        }
        let pid = self.display("#{pane_pid}");
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces) start at 3.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let zombie = fields.first() == Some(&"Z");
        let code: i32 = fields.get(49)?.parse().ok()?;
        zombie.then_some((code >> 8) & 0xff)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}
