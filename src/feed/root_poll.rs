//! Following a root by looking: list the session folders, re-stat each
//! session's files, and read what its journal gained since the last offset.
//! The watcher uses the same per-session step when a notification hints
//! that something changed; polling alone is the fallback.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::stamp::FileStamp;
use super::update::{FeedHealth, SessionKey, Update};
use crate::model::plan::PlanTools;
use crate::model::session::SessionDoc;
use crate::model::wake::WakeQueue;
use crate::store::fleet::session_dirs;
use crate::store::journal_tail::{JournalFollower, modified};
use crate::store::parallel::map_on_cores;
use crate::store::paths;
use crate::store::session_snapshot::{SessionSnapshot, TAIL_BYTES};

struct Tracked {
    follower: JournalFollower,
    /// The journal as stat'ed just before the last read: a later stat that
    /// differs means there may be more to read.
    journal_stamp: FileStamp,
    session_stamp: FileStamp,
    wake_stamp: FileStamp,
    heartbeat_stamp: FileStamp,
    /// A bridged session's transcript (see `store::bridge`) and its
    /// stamp: such a session is read whole again when either source
    /// changes, so its merged view and status stay one.
    transcript: Option<(PathBuf, FileStamp)>,
}

impl Tracked {
    fn transcript_changed(&self) -> bool {
        self.transcript
            .as_ref()
            .is_some_and(|(path, stamp)| FileStamp::of(path) != *stamp)
    }
}

pub struct RootPoller {
    root: PathBuf,
    source: usize,
    plan_tools: PlanTools,
    /// Hashed, not ordered: looked up for every check of every session.
    sessions: HashMap<String, Tracked>,
    root_missing: Option<bool>,
    /// Journals needing this many bytes folded or more are loaded from
    /// their tail first (`None`: always folded whole before `Loaded`).
    tail_first: Option<u64>,
    /// Sessions loaded from their tail, with the offset that load reached:
    /// `count_pending` folds each whole up to there.
    counting: Vec<(String, u64)>,
}

impl RootPoller {
    pub fn new(root: impl Into<PathBuf>, source: usize, plan_tools: PlanTools) -> Self {
        Self {
            root: root.into(),
            source,
            plan_tools,
            sessions: HashMap::new(),
            root_missing: None,
            tail_first: None,
            counting: Vec::new(),
        }
    }

    /// Sends a session whose journal needs `threshold` bytes or more folded
    /// as soon as its tail is folded (`summary.counting` set), and its
    /// counts in a second `Loaded` (not `replaced`) from `count_pending`.
    pub fn with_tail_first(mut self, threshold: u64) -> Self {
        self.tail_first = Some(threshold);
        self
    }

    /// Whether some session loaded from its tail waits for its counts.
    pub fn is_counting(&self) -> bool {
        !self.counting.is_empty()
    }

    /// Folds every journal loaded from its tail, up to where that load
    /// reached (lines after it come from the follower, as `Appended`), and
    /// sends each session again with its counts. Call it right after the
    /// tail-first `Loaded` were sent, before polling those sessions again.
    pub fn count_pending(&mut self) -> Vec<Update> {
        let counting = std::mem::take(&mut self.counting);
        let mut updates = Vec::new();
        for (id, until) in counting {
            if !self.sessions.contains_key(&id) {
                continue;
            }
            let dir = self.root.join(&id);
            match SessionSnapshot::load_until(&dir, &self.plan_tools, until) {
                Ok(Some(snapshot)) if snapshot.journal_end == until => {
                    updates.push(Update::Loaded {
                        key: self.key(&id),
                        snapshot: Box::new(snapshot),
                        replaced: false,
                    });
                }
                // Gone or rewritten meanwhile: the next poll says so.
                Ok(_) => {}
                Err(e) => tracing::debug!("count {}: {e}", dir.display()),
            }
        }
        updates
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn tracked(&self) -> usize {
        self.sessions.len()
    }

    fn key(&self, id: &str) -> SessionKey {
        SessionKey {
            source: self.source,
            id: id.to_string(),
        }
    }

    /// One full pass over the root.
    pub fn poll_all(&mut self) -> Vec<Update> {
        let mut updates = Vec::new();
        let dirs = match session_dirs(&self.root) {
            Ok(dirs) => {
                if self.root_missing != Some(false) && self.root_missing.is_some() {
                    updates.push(Update::Health {
                        source: self.source,
                        health: FeedHealth::Polling {
                            interval_ms: 0,
                            reason: "root is back".into(),
                        },
                    });
                }
                self.root_missing = Some(false);
                dirs
            }
            Err(e) => {
                if self.root_missing != Some(true) {
                    updates.push(Update::Health {
                        source: self.source,
                        health: FeedHealth::Unavailable {
                            reason: e.to_string(),
                        },
                    });
                }
                self.root_missing = Some(true);
                Vec::new()
            }
        };
        let present: Vec<String> = dirs
            .iter()
            .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let mut gone: Vec<String> = self
            .sessions
            .keys()
            .filter(|id| present.binary_search(id).is_err())
            .cloned()
            .collect();
        gone.sort();
        for id in gone {
            self.sessions.remove(&id);
            updates.push(Update::Removed { key: self.key(&id) });
        }
        for id in present {
            updates.extend(self.poll_session(&id));
        }
        updates
    }

    /// Re-checks one session folder: appeared, changed, grew or vanished.
    pub fn poll_session(&mut self, id: &str) -> Vec<Update> {
        let dir = self.root.join(id);
        let session_stamp = FileStamp::of(&paths::session_file(&dir));
        if !session_stamp.exists {
            return match self.sessions.remove(id) {
                Some(_) => vec![Update::Removed { key: self.key(id) }],
                None => Vec::new(),
            };
        }
        if !self.sessions.contains_key(id) {
            return self.load(id, false);
        }
        let mut updates = Vec::new();
        let Some(tracked) = self.sessions.get_mut(id) else {
            return updates;
        };
        if tracked.transcript.is_some() {
            let changed = tracked.transcript_changed()
                || FileStamp::of(tracked.follower.path()) != tracked.journal_stamp
                || session_stamp != tracked.session_stamp;
            return if changed {
                self.load(id, true)
            } else {
                updates
            };
        }
        tracked.journal_stamp = FileStamp::of(tracked.follower.path());
        match tracked.follower.poll() {
            Ok(read) if read.replaced => return self.load(id, true),
            Ok(read) if !read.lines.is_empty() => updates.push(Update::Appended {
                key: SessionKey {
                    source: self.source,
                    id: id.to_string(),
                },
                end: tracked.follower.offset(),
                lines: read.lines,
            }),
            Ok(_) => {}
            Err(e) => tracing::debug!("poll {}: {e}", dir.display()),
        }
        let wake_stamp = FileStamp::of(&paths::wake_queue(&dir));
        let heartbeat_stamp = FileStamp::of(&dir.join(paths::HEARTBEAT_FILE));
        let meta_changed = session_stamp != tracked.session_stamp
            || wake_stamp != tracked.wake_stamp
            || heartbeat_stamp != tracked.heartbeat_stamp;
        if meta_changed || !updates.is_empty() {
            tracked.session_stamp = session_stamp;
            tracked.wake_stamp = wake_stamp;
            tracked.heartbeat_stamp = heartbeat_stamp;
            updates.push(read_meta(self.key(id), &dir));
        }
        updates
    }

    /// The cheap check: re-stats the session's files and reads only when a
    /// stamp differs from the last read (or the folder is not a session yet).
    pub fn check_session(&mut self, id: &str) -> Vec<Update> {
        let Some(tracked) = self.sessions.get(id) else {
            return self.poll_session(id);
        };
        let dir = self.root.join(id);
        let unchanged = FileStamp::of(tracked.follower.path()) == tracked.journal_stamp
            && FileStamp::of(&paths::session_file(&dir)) == tracked.session_stamp
            && FileStamp::of(&paths::wake_queue(&dir)) == tracked.wake_stamp
            && FileStamp::of(&dir.join(paths::HEARTBEAT_FILE)) == tracked.heartbeat_stamp
            && !tracked.transcript_changed();
        if unchanged {
            Vec::new()
        } else {
            self.poll_session(id)
        }
    }

    /// The cheapest check: only the journal is re-stat'ed.
    pub fn check_journal(&mut self, id: &str) -> Vec<Update> {
        match self.sessions.get(id) {
            Some(tracked)
                if FileStamp::of(tracked.follower.path()) == tracked.journal_stamp
                    && !tracked.transcript_changed() =>
            {
                Vec::new()
            }
            _ => self.poll_session(id),
        }
    }

    /// Whether `id` is a session being followed.
    pub fn is_tracked(&self, id: &str) -> bool {
        self.sessions.contains_key(id)
    }

    /// The ids of the sessions being followed, in no particular order.
    pub fn tracked_ids(&self) -> impl Iterator<Item = &str> {
        self.sessions.keys().map(String::as_str)
    }

    fn load(&mut self, id: &str, replaced: bool) -> Vec<Update> {
        let read = read_session(&self.root, id, &self.plan_tools, self.tail_first);
        self.track(id, read, replaced)
    }

    /// `poll_session` for many folders at once, their reading spread over
    /// every core: the initial pass over a big root is mostly reading and
    /// folding thousands of small journals. Results are in `ids`' order.
    pub fn poll_sessions(&mut self, ids: &[String]) -> Vec<Vec<Update>> {
        let fresh: Vec<usize> = (0..ids.len())
            .filter(|&i| !self.sessions.contains_key(&ids[i]))
            .collect();
        let (root, plan_tools, tail_first) = (&self.root, &self.plan_tools, self.tail_first);
        let read = map_on_cores(&fresh, 32, |&i| {
            read_session(root, &ids[i], plan_tools, tail_first)
        });
        let mut read = fresh.into_iter().zip(read).peekable();
        ids.iter()
            .enumerate()
            .map(|(i, id)| match read.next_if(|(j, _)| *j == i) {
                Some((_, session)) => self.track(id, session, false),
                None => self.poll_session(id),
            })
            .collect()
    }

    /// Starts following a session read from disk.
    fn track(&mut self, id: &str, read: ReadSession, replaced: bool) -> Vec<Update> {
        let ReadSession {
            snapshot,
            session_stamp,
            journal_stamp,
            wake_stamp,
            heartbeat_stamp,
            transcript_stamp,
        } = read;
        let dir = self.root.join(id);
        match snapshot {
            Ok(Some(snapshot)) => {
                self.counting.retain(|(waiting, _)| waiting != id);
                if snapshot.summary.counting {
                    self.counting.push((id.to_string(), snapshot.journal_end));
                }
                let mut follower = JournalFollower::new(paths::journal(&dir));
                if let Err(e) = follower.resume_at(snapshot.journal_end) {
                    tracing::debug!("follow {}: {e}", dir.display());
                }
                let transcript = transcript_stamp;
                self.sessions.insert(
                    id.to_string(),
                    Tracked {
                        follower,
                        journal_stamp,
                        session_stamp,
                        wake_stamp,
                        heartbeat_stamp,
                        transcript,
                    },
                );
                vec![Update::Loaded {
                    key: self.key(id),
                    snapshot: Box::new(snapshot),
                    replaced,
                }]
            }
            Ok(None) => Vec::new(),
            Err(e) => {
                tracing::debug!("load {}: {e}", dir.display());
                Vec::new()
            }
        }
    }
}

/// A session folder as read once: the stamps are taken before the reads,
/// so a change during the read shows as a difference later.
struct ReadSession {
    snapshot: Result<Option<SessionSnapshot>, crate::store::StoreError>,
    session_stamp: FileStamp,
    journal_stamp: FileStamp,
    wake_stamp: FileStamp,
    heartbeat_stamp: FileStamp,
    transcript_stamp: Option<(PathBuf, FileStamp)>,
}

/// The transcript a bridged session merges (stamped before the read, like
/// the session's own files). Only the hooks' `cc-`/`codex-` folders can be
/// bridged.
fn bridged_transcript(id: &str, dir: &Path) -> Option<PathBuf> {
    if !crate::store::bridge::may_be_bridged(id) {
        return None;
    }
    let bytes = std::fs::read(paths::session_file(dir)).ok()?;
    let doc = SessionDoc::from_json_bytes(&bytes).ok()?;
    crate::store::bridge::transcript_of(&doc)
}

fn read_session(
    root: &Path,
    id: &str,
    plan_tools: &PlanTools,
    tail_first: Option<u64>,
) -> ReadSession {
    let dir = root.join(id);
    let session_stamp = FileStamp::of(&paths::session_file(&dir));
    let journal_stamp = FileStamp::of(&paths::journal(&dir));
    let wake_stamp = FileStamp::of(&paths::wake_queue(&dir));
    let heartbeat_stamp = FileStamp::of(&dir.join(paths::HEARTBEAT_FILE));
    let transcript_stamp = bridged_transcript(id, &dir).map(|path| {
        let stamp = FileStamp::of(&path);
        (path, stamp)
    });
    ReadSession {
        snapshot: match tail_first {
            Some(threshold) => {
                SessionSnapshot::load_tail_first(&dir, plan_tools, threshold, TAIL_BYTES)
            }
            None => SessionSnapshot::load(&dir, plan_tools),
        },
        session_stamp,
        journal_stamp,
        wake_stamp,
        heartbeat_stamp,
        transcript_stamp,
    }
}

/// Re-reads the small files of a session (not its journal).
fn read_meta(key: SessionKey, dir: &Path) -> Update {
    let (doc, doc_error) = match std::fs::read(paths::session_file(dir)) {
        Ok(bytes) => match SessionDoc::from_json_bytes(&bytes) {
            Ok(doc) => (doc, None),
            Err(e) => (SessionDoc::default(), Some(e)),
        },
        Err(e) => (SessionDoc::default(), Some(e.to_string())),
    };
    let wake = std::fs::read(paths::wake_queue(dir))
        .map(|b| WakeQueue::parse(&b))
        .unwrap_or_default();
    Update::Meta {
        key,
        doc: Box::new(doc),
        doc_error,
        wake,
        journal_mtime: modified(&paths::journal(dir)),
        heartbeat_mtime: modified(&dir.join(paths::HEARTBEAT_FILE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::io::Write;

    fn names(updates: &[Update]) -> Vec<String> {
        updates
            .iter()
            .map(|u| match u {
                Update::Loaded { key, replaced, .. } => format!("loaded {} {replaced}", key.id),
                Update::Meta { key, .. } => format!("meta {}", key.id),
                Update::Appended { key, lines, .. } => {
                    format!("appended {} {}", key.id, lines.len())
                }
                Update::Removed { key } => format!("removed {}", key.id),
                Update::Health { health, .. } => format!("health {}", health.describe()),
                Update::Telemetry { .. } => "telemetry".to_string(),
            })
            .collect()
    }

    fn make_session(root: &Path, id: &str) {
        let dir = root.join(id);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("events.jsonl"),
            b"{\"id\":\"e1\",\"type\":\"user.message\"}\n",
        )
        .unwrap();
        fs::write(dir.join("session.json"), b"{\"status\":\"running\"}").unwrap();
    }

    #[test]
    fn sees_sessions_appear_grow_and_vanish() {
        let root = tempfile::tempdir().unwrap();
        let mut poller = RootPoller::new(root.path(), 0, PlanTools::default());
        assert!(poller.poll_all().is_empty());
        make_session(root.path(), "a");
        fs::create_dir(root.path().join("not_yet")).unwrap();
        assert_eq!(names(&poller.poll_all()), vec!["loaded a false"]);
        assert!(
            poller.poll_all().is_empty(),
            "nothing changed, nothing sent"
        );

        let mut journal = fs::OpenOptions::new()
            .append(true)
            .open(root.path().join("a/events.jsonl"))
            .unwrap();
        journal
            .write_all(b"{\"id\":\"e2\",\"type\":\"agent.message\"}\n{\"id\":\"e3\"")
            .unwrap();
        assert_eq!(names(&poller.poll_all()), vec!["appended a 1", "meta a"]);

        fs::write(
            root.path().join("a/events.jsonl"),
            b"{\"id\":\"x\",\"type\":\"user.message\"}\n",
        )
        .unwrap();
        assert_eq!(names(&poller.poll_all()), vec!["loaded a true"]);

        fs::remove_dir_all(root.path().join("a")).unwrap();
        assert_eq!(names(&poller.poll_all()), vec!["removed a"]);
    }

    #[test]
    fn many_folders_read_at_once_are_tracked_like_one_by_one() {
        let root = tempfile::tempdir().unwrap();
        let mut ids: Vec<String> = (0..200).map(|i| format!("s{i:03}")).collect();
        for id in &ids {
            make_session(root.path(), id);
        }
        fs::create_dir(root.path().join("s999")).unwrap();
        ids.push("s999".into());
        let mut poller = RootPoller::new(root.path(), 0, PlanTools::default());
        // One already tracked: polled as usual, not read again.
        assert_eq!(
            names(&poller.poll_session("s007")),
            vec!["loaded s007 false"]
        );
        let found = poller.poll_sessions(&ids);
        assert_eq!(found.len(), ids.len());
        for (id, updates) in ids.iter().zip(&found) {
            let expected: Vec<String> = match id.as_str() {
                "s007" | "s999" => Vec::new(),
                _ => vec![format!("loaded {id} false")],
            };
            assert_eq!(names(updates), expected, "{id}");
        }
        assert_eq!(poller.tracked(), 200);
        assert!(
            poller.poll_all().is_empty(),
            "stamps were taken: nothing new"
        );
        let mut journal = fs::OpenOptions::new()
            .append(true)
            .open(root.path().join("s150/events.jsonl"))
            .unwrap();
        journal
            .write_all(b"{\"id\":\"e2\",\"type\":\"agent.message\"}\n")
            .unwrap();
        assert_eq!(
            names(&poller.poll_all()),
            vec!["appended s150 1", "meta s150"]
        );
    }

    #[test]
    fn a_bridged_session_is_read_again_when_its_transcript_grows() {
        let root = tempfile::tempdir().unwrap();
        let projects = tempfile::tempdir().unwrap();
        let transcript = projects.path().join("abc.jsonl");
        let record = |uuid: &str, text: &str| {
            format!(
                "{{\"type\":\"user\",\"uuid\":\"{uuid}\",\"timestamp\":\"2026-01-01T10:00:00Z\",\"message\":{{\"role\":\"user\",\"content\":\"{text}\"}}}}\n"
            )
        };
        fs::write(&transcript, record("u1", "hello")).unwrap();
        let dir = root.path().join("cc-abc");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("events.jsonl"), b"").unwrap();
        let doc = serde_json::json!({"id": "cc-abc", "status": "running", "metadata": {
            "source": "claude-code-hook", "claude_code_session_id": "abc",
            "transcript": transcript}});
        fs::write(dir.join("session.json"), doc.to_string()).unwrap();
        let mut poller = RootPoller::new(root.path(), 0, PlanTools::default());
        let events = |updates: &[Update]| match updates {
            [Update::Loaded { snapshot, .. }] => snapshot.summary.event_count,
            other => panic!("{:?}", names(other)),
        };
        assert_eq!(events(&poller.poll_all()), 1, "the transcript's message");
        assert!(poller.check_session("cc-abc").is_empty(), "nothing changed");
        fs::OpenOptions::new()
            .append(true)
            .open(&transcript)
            .unwrap()
            .write_all(record("u2", "and more").as_bytes())
            .unwrap();
        let grown = poller.check_journal("cc-abc");
        assert_eq!(names(&grown), ["loaded cc-abc true"]);
        assert_eq!(events(&grown), 2);
    }

    #[test]
    fn a_missing_root_is_reported_once() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("root");
        let mut poller = RootPoller::new(&root, 0, PlanTools::default());
        let first = names(&poller.poll_all());
        assert_eq!(first.len(), 1);
        assert!(first[0].starts_with("health unavailable"), "{first:?}");
        assert!(poller.poll_all().is_empty());
        fs::create_dir(&root).unwrap();
        make_session(&root, "b");
        let back = names(&poller.poll_all());
        assert_eq!(back[1], "loaded b false", "{back:?}");
    }
}
