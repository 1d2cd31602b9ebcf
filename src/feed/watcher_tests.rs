//! The live feed against real folders and a real inotify watcher. Fault
//! paths (overflow, watch limit) are reached through the same entry points
//! the kernel uses: a Rescan notification handed to the sink, an add that
//! fails like ENOSPC. No timing asserts: only generous timeouts.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use notify::event::{Event, EventKind, Flag};
use tokio::sync::mpsc::{Receiver, channel};

use super::options::FeedOptions;
use super::spawn::{FeedHandle, spawn_feed};
use super::update::{FeedHealth, Update};
use crate::model::plan::PlanTools;
use crate::store::journal_lines::for_each_line;

const TIMEOUT: Duration = Duration::from_secs(60);

fn options(root: &Path) -> FeedOptions {
    let mut o = FeedOptions::new(root, 0, PlanTools::default());
    o.poll_interval = Duration::from_millis(20);
    o.idle_poll_interval = Duration::from_millis(200);
    o.rescan_interval = Duration::from_secs(1);
    o.overflow_cooldown = Duration::from_millis(500);
    o.retry_interval = Duration::from_millis(500);
    o
}

/// Nothing is polled or re-checked within a test's time: whatever arrives
/// came through a notification.
fn watch_only(root: &Path) -> FeedOptions {
    let mut o = options(root);
    o.poll_interval = Duration::from_secs(3600);
    o.idle_poll_interval = Duration::from_secs(3600);
    o.rescan_interval = Duration::from_secs(3600);
    o
}

fn start(opts: FeedOptions) -> (FeedHandle, Feed) {
    let (tx, rx) = channel(1024);
    let handle = spawn_feed(opts, tx).unwrap();
    (handle, Feed::new(rx))
}

fn make_session(root: &Path, id: &str, first_event: Option<&str>) {
    let dir = root.join(id);
    fs::create_dir_all(&dir).unwrap();
    let journal = match first_event {
        Some(eid) => format!("{{\"id\":\"{eid}\",\"type\":\"user.message\"}}\n"),
        None => String::new(),
    };
    fs::write(dir.join("events.jsonl"), journal).unwrap();
    fs::write(dir.join("session.json"), b"{\"status\":\"running\"}").unwrap();
}

fn append(root: &Path, id: &str, eid: &str) {
    let mut f = OpenOptions::new()
        .append(true)
        .open(root.join(id).join("events.jsonl"))
        .unwrap();
    f.write_all(format!("{{\"id\":\"{eid}\",\"type\":\"agent.message\"}}\n").as_bytes())
        .unwrap();
}

/// Event ids of a journal's complete lines up to `end`.
fn ids_in(path: &Path, end: u64) -> Vec<String> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for_each_line(&file, 0, |offset, line| {
        if offset >= end {
            return ControlFlow::Break(());
        }
        ids.push(event_id(line));
        ControlFlow::Continue(())
    })
    .unwrap();
    ids
}

fn event_id(line: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(line).unwrap();
    value["id"].as_str().unwrap().to_string()
}

/// What a consumer saw: per session, every event id delivered in order
/// (a `Loaded` delivers the journal up to where it was read).
struct Feed {
    rx: Receiver<Update>,
    rt: tokio::runtime::Runtime,
    events: BTreeMap<String, Vec<String>>,
    loaded: BTreeMap<String, usize>,
    replaced: BTreeMap<String, usize>,
    removed: BTreeMap<String, usize>,
    health: Vec<FeedHealth>,
}

impl Feed {
    fn new(rx: Receiver<Update>) -> Self {
        Self {
            rx,
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap(),
            events: BTreeMap::new(),
            loaded: BTreeMap::new(),
            replaced: BTreeMap::new(),
            removed: BTreeMap::new(),
            health: Vec::new(),
        }
    }

    fn take(&mut self, update: Update) {
        match update {
            Update::Loaded {
                key,
                snapshot,
                replaced,
            } => {
                let ids = ids_in(&snapshot.journal_path(), snapshot.journal_end);
                let counter = if replaced {
                    &mut self.replaced
                } else {
                    &mut self.loaded
                };
                *counter.entry(key.id.clone()).or_default() += 1;
                self.events.insert(key.id, ids);
            }
            Update::Appended { key, lines, .. } => {
                let seen = self.events.entry(key.id).or_default();
                seen.extend(lines.iter().map(|(_, l)| event_id(l)));
            }
            Update::Removed { key } => {
                *self.removed.entry(key.id.clone()).or_default() += 1;
                self.events.remove(&key.id);
            }
            Update::Health { health, .. } => self.health.push(health),
            Update::Meta { .. } | Update::Telemetry { .. } => {}
        }
    }

    /// Takes updates until `done` holds, failing after the timeout.
    fn until(&mut self, what: &str, mut done: impl FnMut(&Feed) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}");
            let wait = left.min(Duration::from_secs(1));
            let rx = &mut self.rx;
            let got = self
                .rt
                .block_on(async { tokio::time::timeout(wait, rx.recv()).await });
            match got {
                Ok(Some(update)) => self.take(update),
                Ok(None) => panic!("feed stopped while waiting for {what}"),
                Err(_) => {}
            }
        }
    }

    fn has(&self, id: &str, eid: &str) -> bool {
        self.events
            .get(id)
            .is_some_and(|ids| ids.iter().any(|e| e == eid))
    }

    fn last_health(&self) -> Option<&FeedHealth> {
        self.health.last()
    }

    fn polling_because(&self, needle: &str) -> bool {
        matches!(self.last_health(), Some(FeedHealth::Polling { reason, .. }) if reason.contains(needle))
    }
}

fn is_watching(feed: &Feed) -> bool {
    matches!(feed.last_health(), Some(FeedHealth::Watching { .. }))
}

#[test]
fn sees_new_events_new_sessions_and_removals() {
    let root = tempfile::tempdir().unwrap();
    make_session(root.path(), "a", Some("a1"));
    let (_handle, mut feed) = start(watch_only(root.path()));
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    assert_eq!(feed.events["a"], vec!["a1"]);
    assert_eq!(
        feed.health[0],
        FeedHealth::Watching {
            watched: 1,
            polled: 0
        }
    );

    append(root.path(), "a", "a2");
    feed.until("a2", |f| f.has("a", "a2"));
    make_session(root.path(), "b", Some("b1"));
    append(root.path(), "b", "b2");
    feed.until("b2", |f| f.has("b", "b2"));
    assert_eq!(feed.events["b"], vec!["b1", "b2"]);
    assert_eq!(feed.loaded["b"], 1);

    fs::remove_dir_all(root.path().join("a")).unwrap();
    feed.until("a removed", |f| f.removed.contains_key("a"));
    assert!(!feed.events.contains_key("a"));
}

#[test]
fn truncation_and_replacement_are_read_again() {
    let root = tempfile::tempdir().unwrap();
    make_session(root.path(), "a", Some("a1"));
    let (_handle, mut feed) = start(watch_only(root.path()));
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    append(root.path(), "a", "a2");
    feed.until("a2", |f| f.has("a", "a2"));

    let journal = root.path().join("a/events.jsonl");
    fs::write(&journal, b"{\"id\":\"t1\",\"type\":\"user.message\"}\n").unwrap();
    feed.until("the truncated journal", |f| f.has("a", "t1"));
    assert_eq!(feed.events["a"], vec!["t1"]);
    assert_eq!(feed.replaced["a"], 1);

    let fresh = root.path().join("a/new.jsonl");
    fs::write(&fresh, b"{\"id\":\"r1\",\"type\":\"user.message\"}\n").unwrap();
    fs::rename(&fresh, &journal).unwrap();
    feed.until("the replaced journal", |f| f.has("a", "r1"));
    assert_eq!(feed.events["a"], vec!["r1"]);
    append(root.path(), "a", "r2");
    feed.until("r2", |f| f.has("a", "r2"));
    assert_eq!(feed.events["a"], vec!["r1", "r2"]);
}

#[test]
fn a_thousand_folders_in_a_second_are_each_loaded_once() {
    let root = tempfile::tempdir().unwrap();
    let (_handle, mut feed) = start(watch_only(root.path()));
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    for i in 0..1000 {
        make_session(root.path(), &format!("s{i:04}"), Some(&format!("e{i}")));
    }
    feed.until("1000 sessions", |f| f.loaded.len() == 1000);
    // Let any duplicate arrive before counting.
    for i in 0..1000 {
        append(root.path(), &format!("s{i:04}"), "last");
    }
    feed.until("every last event", |f| {
        f.events.values().filter(|ids| ids.len() == 2).count() == 1000
    });
    assert!(feed.loaded.values().all(|n| *n == 1), "each loaded once");
    assert!(feed.replaced.is_empty() && feed.removed.is_empty());
    for i in 0..1000 {
        assert_eq!(
            feed.events[&format!("s{i:04}")],
            vec![format!("e{i}"), "last".to_string()]
        );
    }
}

#[test]
fn an_overflow_polls_shows_it_loses_nothing_and_watches_again() {
    let root = tempfile::tempdir().unwrap();
    make_session(root.path(), "a", Some("a0"));
    let (handle, mut feed) = start(options(root.path()));
    feed.until("watching", is_watching);
    // What inotify sends on IN_Q_OVERFLOW, through the same handler.
    handle.inject(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)));
    feed.until("polling after the overflow", |f| {
        f.polling_because("overflowed")
    });
    for i in 1..=50 {
        append(root.path(), "a", &format!("a{i}"));
    }
    make_session(root.path(), "b", Some("b0"));
    feed.until("every event", |f| f.has("a", "a50") && f.has("b", "b0"));
    let expected: Vec<String> = (0..=50).map(|i| format!("a{i}")).collect();
    assert_eq!(feed.events["a"], expected);
    feed.until("watching again", is_watching);
}

#[test]
fn a_watcher_error_falls_back_to_polling() {
    let root = tempfile::tempdir().unwrap();
    make_session(root.path(), "a", Some("a0"));
    let mut opts = options(root.path());
    opts.retry_interval = Duration::from_secs(3600);
    let (handle, mut feed) = start(opts);
    feed.until("watching", is_watching);
    handle.inject(Err(notify::Error::generic("inotify read failed")));
    feed.until("polling after the error", |f| {
        f.polling_because("watch error")
    });
    append(root.path(), "a", "a1");
    feed.until("a1 while polling", |f| f.has("a", "a1"));
}

#[test]
fn a_watch_limit_of_zero_polls_and_still_sees_everything() {
    let root = tempfile::tempdir().unwrap();
    make_session(root.path(), "a", Some("a0"));
    let mut opts = options(root.path());
    opts.watch_limit = Some(0);
    let (_handle, mut feed) = start(opts);
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    assert!(
        feed.polling_because("inotify watch limit reached (fs.inotify.max_user_watches)"),
        "{:?}",
        feed.health
    );
    append(root.path(), "a", "a1");
    make_session(root.path(), "b", Some("b0"));
    feed.until("a1 and b0", |f| f.has("a", "a1") && f.has("b", "b0"));
    fs::remove_dir_all(root.path().join("b")).unwrap();
    feed.until("b removed", |f| f.removed.contains_key("b"));
}

#[test]
fn a_small_watch_limit_watches_some_and_polls_the_rest() {
    let root = tempfile::tempdir().unwrap();
    for id in ["a", "b", "c", "d"] {
        make_session(root.path(), id, Some(&format!("{id}0")));
    }
    let mut opts = options(root.path());
    opts.watch_limit = Some(3); // the root and two sessions
    let (_handle, mut feed) = start(opts);
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    assert_eq!(
        feed.health[0],
        FeedHealth::Watching {
            watched: 2,
            polled: 2
        }
    );
    for id in ["a", "b", "c", "d"] {
        append(root.path(), id, &format!("{id}1"));
    }
    feed.until("every session's new event", |f| {
        ["a", "b", "c", "d"]
            .iter()
            .all(|id| f.has(id, &format!("{id}1")))
    });
}

#[test]
fn watch_budget_zero_means_polling() {
    let root = tempfile::tempdir().unwrap();
    make_session(root.path(), "a", Some("a0"));
    let mut opts = options(root.path());
    opts.watch_budget = 0;
    let (_handle, mut feed) = start(opts);
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    assert!(feed.polling_because("watching is off"), "{:?}", feed.health);
    append(root.path(), "a", "a1");
    feed.until("a1", |f| f.has("a", "a1"));
}

#[test]
fn the_root_deleted_and_recreated() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("root");
    fs::create_dir(&root).unwrap();
    make_session(&root, "a", Some("a0"));
    let (_handle, mut feed) = start(options(&root));
    feed.until("watching", is_watching);
    fs::remove_dir_all(&root).unwrap();
    feed.until("unavailable", |f| {
        matches!(f.last_health(), Some(FeedHealth::Unavailable { .. }))
    });
    assert_eq!(feed.removed.get("a"), Some(&1));
    fs::create_dir(&root).unwrap();
    make_session(&root, "b", Some("b0"));
    feed.until("b after the root came back", |f| f.has("b", "b0"));
    feed.until("watching again", is_watching);
    append(&root, "b", "b1");
    feed.until("b1", |f| f.has("b", "b1"));
}

#[test]
fn a_burst_across_a_thousand_sessions_loses_nothing() {
    const SESSIONS: usize = 1000;
    const PER_SESSION: usize = 50;
    const WRITERS: usize = 8;
    let root = tempfile::tempdir().unwrap();
    for s in 0..SESSIONS {
        make_session(root.path(), &format!("s{s:04}"), None);
    }
    let (_handle, mut feed) = start(watch_only(root.path()));
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let root = root.path();
            scope.spawn(move || {
                let mine: Vec<usize> = (w..SESSIONS).step_by(WRITERS).collect();
                let mut files: Vec<File> = mine
                    .iter()
                    .map(|s| {
                        OpenOptions::new()
                            .append(true)
                            .open(root.join(format!("s{s:04}/events.jsonl")))
                            .unwrap()
                    })
                    .collect();
                for n in 0..PER_SESSION {
                    for (file, s) in files.iter_mut().zip(&mine) {
                        let line = format!("{{\"id\":\"s{s}-{n}\",\"type\":\"agent.message\"}}\n");
                        file.write_all(line.as_bytes()).unwrap();
                    }
                }
            });
        }
    });
    let total = SESSIONS * PER_SESSION;
    feed.until("every event of the burst", |f| {
        f.events.values().map(Vec::len).sum::<usize>() >= total
    });
    for s in 0..SESSIONS {
        let expected: Vec<String> = (0..PER_SESSION).map(|n| format!("s{s}-{n}")).collect();
        assert_eq!(feed.events[&format!("s{s:04}")], expected, "session {s}");
    }
    assert!(feed.replaced.is_empty());
}

#[test]
fn the_budget_goes_to_the_most_recent_and_an_active_polled_session_is_promoted() {
    let root = tempfile::tempdir().unwrap();
    for id in ["a", "b", "c"] {
        make_session(root.path(), id, Some(&format!("{id}0")));
    }
    let old = filetime::FileTime::from_unix_time(1_700_000_000, 0);
    for file in ["events.jsonl", "session.json"] {
        filetime::set_file_mtime(root.path().join("c").join(file), old).unwrap();
    }
    let mut opts = options(root.path());
    opts.watch_budget = 2;
    let (_handle, mut feed) = start(opts);
    feed.until("the initial snapshot", |f| !f.health.is_empty());
    assert_eq!(
        feed.health[0],
        FeedHealth::Watching {
            watched: 2,
            polled: 1
        }
    );
    fs::remove_dir_all(root.path().join("a")).unwrap();
    feed.until("a removed", |f| f.removed.contains_key("a"));
    append(root.path(), "c", "c1");
    feed.until("c promoted to a watch", |f| {
        f.has("c", "c1")
            && f.last_health()
                == Some(&FeedHealth::Watching {
                    watched: 2,
                    polled: 0,
                })
    });
}

#[test]
fn stopping_does_not_hang_on_a_full_channel() {
    let root = tempfile::tempdir().unwrap();
    for i in 0..50 {
        make_session(root.path(), &format!("s{i:02}"), Some("e"));
    }
    let (tx, rx) = channel(1);
    let handle = spawn_feed(watch_only(root.path()), tx).unwrap();
    // Nobody reads: the feed fills the channel and waits. Dropping the
    // handle before the receiver must still stop it.
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(handle);
        done_tx.send(()).unwrap();
    });
    assert!(
        done_rx.recv_timeout(TIMEOUT).is_ok(),
        "the feed thread did not stop"
    );
    drop(rx);
}
