//! The inotify watches of one root: the root itself and up to a budget of
//! session folders. Counts what it holds so an injected limit fails exactly
//! where the kernel's would.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::hints::HintSink;

/// Why a watch could not be added.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("inotify watch limit reached (fs.inotify.max_user_watches)")]
    Limit,
    #[error("{0} vanished")]
    Gone(PathBuf),
    #[error("cannot watch {path}: {message}")]
    Other { path: PathBuf, message: String },
}

impl WatchError {
    fn from_notify(path: &Path, error: notify::Error) -> Self {
        match error.kind {
            notify::ErrorKind::MaxFilesWatch => Self::Limit,
            notify::ErrorKind::PathNotFound => Self::Gone(path.to_path_buf()),
            notify::ErrorKind::Io(e) if e.raw_os_error() == Some(libc::ENOSPC) => Self::Limit,
            notify::ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::Gone(path.to_path_buf())
            }
            kind => Self::Other {
                path: path.to_path_buf(),
                message: format!("{kind:?}"),
            },
        }
    }
}

pub struct WatchSet {
    watcher: RecommendedWatcher,
    root: PathBuf,
    sessions: HashSet<String>,
    /// Session folders we may watch.
    budget: usize,
    /// Watches (root included) the kernel is pretended to allow.
    limit: Option<usize>,
}

impl WatchSet {
    /// Starts a watcher and watches `root` (not recursively).
    pub fn start(
        root: &Path,
        sink: HintSink,
        budget: usize,
        limit: Option<usize>,
    ) -> Result<Self, WatchError> {
        let watcher =
            RecommendedWatcher::new(sink, notify::Config::default()).map_err(|e| match e.kind {
                notify::ErrorKind::Io(ref io) if io.raw_os_error() == Some(libc::EMFILE) => {
                    WatchError::Other {
                        path: root.to_path_buf(),
                        message: "inotify instance limit reached (fs.inotify.max_user_instances)"
                            .into(),
                    }
                }
                _ => WatchError::from_notify(root, e),
            })?;
        let mut set = Self {
            watcher,
            root: root.to_path_buf(),
            sessions: HashSet::new(),
            budget: budget.min(kernel_share()),
            limit,
        };
        set.add(root)?;
        Ok(set)
    }

    fn count(&self) -> usize {
        self.sessions.len() + 1
    }

    fn add(&mut self, path: &Path) -> Result<(), WatchError> {
        if self.limit.is_some_and(|limit| self.count() >= limit) {
            // The same error the kernel gives (ENOSPC → MaxFilesWatch).
            let error = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
            return Err(WatchError::from_notify(path, error));
        }
        self.watcher
            .watch(path, RecursiveMode::NonRecursive)
            .map_err(|e| WatchError::from_notify(path, e))
    }

    pub fn is_watched(&self, id: &str) -> bool {
        self.sessions.contains(id)
    }

    pub fn watched(&self) -> usize {
        self.sessions.len()
    }

    pub fn has_room(&self) -> bool {
        self.sessions.len() < self.budget
    }

    pub fn watched_ids(&self) -> impl Iterator<Item = &str> {
        self.sessions.iter().map(String::as_str)
    }

    /// Watches a session folder. On reaching the kernel's limit the budget
    /// shrinks to what we hold, so we stop asking.
    pub fn watch_session(&mut self, id: &str) -> Result<(), WatchError> {
        let path = self.root.join(id);
        match self.add(&path) {
            Ok(()) => {
                self.sessions.insert(id.to_string());
                Ok(())
            }
            Err(WatchError::Limit) => {
                self.budget = self.sessions.len();
                Err(WatchError::Limit)
            }
            Err(e) => Err(e),
        }
    }

    /// Stops watching a folder (it may already be gone with its watch).
    pub fn unwatch_session(&mut self, id: &str) {
        if self.sessions.remove(id) {
            let _ = self.watcher.unwatch(&self.root.join(id));
        }
    }

    /// Watches a watched folder again: it may have been deleted and made
    /// anew, which drops the old watch with the old folder.
    pub fn rewatch_session(&mut self, id: &str) -> Result<(), WatchError> {
        if !self.sessions.contains(id) {
            return Ok(());
        }
        let path = self.root.join(id);
        self.watcher
            .watch(&path, RecursiveMode::NonRecursive)
            .map_err(|e| WatchError::from_notify(&path, e))
            .inspect_err(|_| {
                self.sessions.remove(id);
            })
    }
}

/// A quarter of the per-user inotify watch limit: other programs (editors,
/// build tools) need theirs too.
fn kernel_share() -> usize {
    std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches")
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .map_or(usize::MAX, |max| max / 4)
}
