//! Where things live: the default root, a session's files, the audit log.

use std::path::{Path, PathBuf};

pub const SESSION_FILE: &str = "session.json";
pub const JOURNAL_FILE: &str = "events.jsonl";
pub const WAKE_FILE: &str = "wake-queue.jsonl";
pub const HEARTBEAT_FILE: &str = "runtime/heartbeat";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "switchboard", "switchboard")
}

/// `$SWITCHBOARD_ROOT`, else `<platform data dir>/sessions`.
pub fn default_root() -> PathBuf {
    if let Some(root) = std::env::var_os("SWITCHBOARD_ROOT").filter(|r| !r.is_empty()) {
        return PathBuf::from(root);
    }
    data_dir().join("sessions")
}

/// The platform data dir (`~/.local/share/switchboard` on Linux).
pub fn data_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".switchboard"))
}

/// The platform config dir (`~/.config/switchboard` on Linux), or
/// `$SWITCHBOARD_CONFIG_DIR`.
pub fn config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWITCHBOARD_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    project_dirs()
        .map(|d| d.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".switchboard"))
}

/// The platform cache dir (`~/.cache/switchboard` on Linux), or
/// `$SWITCHBOARD_CACHE_DIR`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWITCHBOARD_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    project_dirs()
        .map(|d| d.cache_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("switchboard"))
}

/// The runtime dir (`$XDG_RUNTIME_DIR/switchboard`), else a per-user temp dir.
pub fn runtime_dir() -> PathBuf {
    project_dirs()
        .and_then(|d| d.runtime_dir().map(Path::to_path_buf))
        .unwrap_or_else(|| {
            // SAFETY: getuid has no preconditions and cannot fail.
            let uid = unsafe { libc::getuid() };
            std::env::temp_dir().join(format!("switchboard-{uid}"))
        })
}

/// The daemon's default socket: `<runtime dir>/daemon.sock`.
pub fn default_socket() -> PathBuf {
    runtime_dir().join("daemon.sock")
}

/// The platform state dir (`~/.local/state/switchboard` on Linux), else the
/// data dir: where the daemon's log goes.
pub fn state_dir() -> PathBuf {
    project_dirs()
        .and_then(|d| d.state_dir().map(Path::to_path_buf))
        .unwrap_or_else(data_dir)
}

/// `$SWITCHBOARD_AUDIT_LOG`, else `<data dir>/audit.jsonl`.
pub fn audit_log() -> PathBuf {
    if let Some(path) = std::env::var_os("SWITCHBOARD_AUDIT_LOG").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    data_dir().join("audit.jsonl")
}

pub fn journal(session_dir: &Path) -> PathBuf {
    session_dir.join(JOURNAL_FILE)
}

pub fn session_file(session_dir: &Path) -> PathBuf {
    session_dir.join(SESSION_FILE)
}

pub fn wake_queue(session_dir: &Path) -> PathBuf {
    session_dir.join(WAKE_FILE)
}

/// A session id is a folder name: no separators, not `.`/`..`, not hidden.
pub fn is_valid_session_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && !id.contains('/')
        && !id.contains('\\')
        && !id.contains('\0')
}
