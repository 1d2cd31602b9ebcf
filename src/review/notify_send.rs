//! Delivering a notification: the terminal bell (a lone BEL byte, never
//! journal text and never the terminal title), or `notify-send` when the
//! mode asks for the desktop and the platform has it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::notify::{Notification, NotificationMode};

/// How a notification was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    Bell,
    Desktop,
    Nothing,
}

/// Delivers `notification` as `mode` says; the desktop falls back to the
/// bell when `notify-send` is not on `PATH` or fails to start. `bell` is
/// where the BEL goes (the dashboard's terminal).
pub fn deliver(
    mode: NotificationMode,
    notification: &Notification,
    bell: &mut dyn Write,
) -> Delivered {
    match mode {
        NotificationMode::None => Delivered::Nothing,
        NotificationMode::Desktop => match find_on_path("notify-send") {
            Some(program) if spawn_notify_send(&program, notification) => Delivered::Desktop,
            _ => ring(bell),
        },
        NotificationMode::Bell => ring(bell),
    }
}

fn ring(out: &mut dyn Write) -> Delivered {
    // A bell that cannot be written is not worth failing over.
    let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    Delivered::Bell
}

/// Starts `notify-send` without waiting for it (it must never block the
/// dashboard); its output is discarded.
fn spawn_notify_send(program: &Path, notification: &Notification) -> bool {
    Command::new(program)
        .arg("--app-name=Switchboard")
        .arg("--")
        .arg(&notification.summary)
        .arg(&notification.body)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

/// The first executable `name` in `$PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note() -> Notification {
        Notification {
            summary: "Switchboard: 1 new request".into(),
            body: "sesn_a wants bash (tool)".into(),
        }
    }

    #[test]
    fn bell_writes_only_a_bel_byte() {
        let mut out = Vec::new();
        assert_eq!(
            deliver(NotificationMode::Bell, &note(), &mut out),
            Delivered::Bell
        );
        assert_eq!(out, b"\x07");
        let mut out = Vec::new();
        assert_eq!(
            deliver(NotificationMode::None, &note(), &mut out),
            Delivered::Nothing
        );
        assert!(out.is_empty());
    }

    #[test]
    fn finds_executables_on_path_only() {
        assert!(find_on_path("sh").is_some());
        assert!(find_on_path("surely-no-such-program-here").is_none());
    }
}
