//! Notifications turned into hints. The notify thread calls the sink for
//! every event; the sink only records *which* session may have changed (a
//! set, so a burst of 50,000 appends to one journal is one entry) and wakes
//! the feed thread, which then looks for itself.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use notify::event::{Event, EventKind};

use crate::store::paths::is_valid_session_id;

/// What the notifications since the last drain point at.
#[derive(Debug, Default)]
pub struct Hints {
    /// Entries of the root that were created, deleted or renamed: the folder
    /// itself may have appeared or gone.
    pub entries: HashSet<String>,
    /// Sessions whose files changed.
    pub sessions: HashSet<String>,
    /// The root itself was deleted or moved.
    pub root: bool,
    /// Notifications were lost (queue overflow): everything must be looked at.
    pub rescan: bool,
    /// The watcher reported an error; watching cannot be trusted.
    pub errors: Vec<String>,
    pub stop: bool,
}

impl Hints {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.sessions.is_empty()
            && !self.root
            && !self.rescan
            && self.errors.is_empty()
            && !self.stop
    }
}

struct Shared {
    hints: Mutex<Hints>,
    wake: Condvar,
    /// Also seen while the feed thread waits to send, not only in `wait`.
    stopped: AtomicBool,
}

/// The notify event handler, shared with the feed thread that drains it.
#[derive(Clone)]
pub struct HintSink {
    root: PathBuf,
    shared: Arc<Shared>,
}

impl HintSink {
    /// `root` must be the absolute path the watches are added under.
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            shared: Arc::new(Shared {
                hints: Mutex::new(Hints::default()),
                wake: Condvar::new(),
                stopped: AtomicBool::new(false),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Hints> {
        // A panic elsewhere while holding the lock leaves plain data behind.
        self.shared
            .hints
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records one notification (or a watcher error).
    pub fn record(&self, event: notify::Result<Event>) {
        let mut hints = self.lock();
        let was_empty = hints.is_empty();
        match event {
            Err(e) => hints.errors.push(e.to_string()),
            Ok(event) if event.need_rescan() => hints.rescan = true,
            // Opens and closes, our own reads included, change nothing.
            Ok(Event {
                kind: EventKind::Access(_),
                ..
            }) => {}
            Ok(event) => {
                for path in &event.paths {
                    classify(&self.root, path, &mut hints);
                }
            }
        }
        if was_empty && !hints.is_empty() {
            self.shared.wake.notify_one();
        }
    }

    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::Relaxed);
        self.lock().stop = true;
        self.shared.wake.notify_one();
    }

    pub fn is_stopped(&self) -> bool {
        self.shared.stopped.load(Ordering::Relaxed)
    }

    /// Takes the hints gathered so far, waiting until there are some or
    /// `deadline` passes.
    pub fn wait(&self, deadline: Instant) -> Hints {
        let mut hints = self.lock();
        while hints.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            hints = match self.shared.wake.wait_timeout(hints, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        std::mem::take(&mut *hints)
    }
}

impl notify::EventHandler for HintSink {
    fn handle_event(&mut self, event: notify::Result<Event>) {
        self.record(event);
    }
}

fn classify(root: &Path, path: &Path, hints: &mut Hints) {
    let Ok(relative) = path.strip_prefix(root) else {
        return;
    };
    let mut parts = relative.components();
    let id = match parts.next() {
        None => {
            hints.root = true;
            return;
        }
        Some(Component::Normal(name)) => name.to_string_lossy(),
        Some(_) => return,
    };
    if !is_valid_session_id(&id) {
        return;
    }
    let set = if parts.next().is_none() {
        &mut hints.entries
    } else {
        &mut hints.sessions
    };
    if !set.contains(id.as_ref()) {
        set.insert(id.into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, Flag, ModifyKind};
    use std::time::Duration;

    fn event(kind: EventKind, path: &str) -> notify::Result<Event> {
        Ok(Event::new(kind).add_path(PathBuf::from(path)))
    }

    #[test]
    fn classifies_and_dedupes() {
        let sink = HintSink::new(PathBuf::from("/r"));
        for _ in 0..1000 {
            sink.record(event(
                EventKind::Modify(ModifyKind::Any),
                "/r/a/events.jsonl",
            ));
        }
        sink.record(event(EventKind::Create(CreateKind::Folder), "/r/b"));
        sink.record(event(
            EventKind::Access(AccessKind::Any),
            "/r/c/events.jsonl",
        ));
        sink.record(event(EventKind::Create(CreateKind::File), "/r/.hidden"));
        sink.record(event(EventKind::Create(CreateKind::File), "/elsewhere/x"));
        let hints = sink.wait(Instant::now());
        assert_eq!(hints.sessions, HashSet::from(["a".to_string()]));
        assert_eq!(hints.entries, HashSet::from(["b".to_string()]));
        assert!(!hints.root && !hints.rescan);
        assert!(sink.wait(Instant::now()).is_empty(), "drained");
    }

    #[test]
    fn root_removal_overflow_and_errors_are_kept() {
        let sink = HintSink::new(PathBuf::from("/r"));
        sink.record(event(
            EventKind::Remove(notify::event::RemoveKind::Folder),
            "/r",
        ));
        sink.record(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)));
        sink.record(Err(notify::Error::generic("boom")));
        let hints = sink.wait(Instant::now() + Duration::from_secs(5));
        assert!(hints.root && hints.rescan);
        assert_eq!(hints.errors.len(), 1);
    }

    #[test]
    fn wait_wakes_on_a_hint_from_another_thread() {
        let sink = HintSink::new(PathBuf::from("/r"));
        let other = sink.clone();
        let thread = std::thread::spawn(move || {
            other.record(event(
                EventKind::Modify(ModifyKind::Any),
                "/r/x/session.json",
            ))
        });
        let hints = sink.wait(Instant::now() + Duration::from_secs(60));
        thread.join().unwrap();
        assert!(hints.sessions.contains("x"));
    }
}
