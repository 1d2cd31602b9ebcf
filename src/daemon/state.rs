//! What the daemon knows about its root: a mirror of every session, kept
//! current by folding the root feed's `Update`s, and the subscribers each
//! update is fanned out to. Both live under one lock, so a subscription
//! starts from exactly the state the notifications that follow apply to.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::outbox::{Frame, Outbox};
use crate::feed::{FeedHealth, Update};
use crate::rpc::protocol::{
    AppendedParams, HealthWire, JSONRPC, LineWire, LoadedParams, Notification, PendingEntry,
    ResolvedParams, ResyncParams, SessionMeta, SessionParams, Topic, WakeWire, notification,
};
use crate::store::fleet::Fleet;
use crate::store::journal_select::{is_line_start, read_all};
use crate::store::session_snapshot::{SessionSnapshot, doc_warnings, fold_line};
use crate::views::PendingRow;

pub struct Subscriber {
    pub id: u64,
    pub topics: Vec<Topic>,
    pub outbox: Arc<Outbox>,
}

pub struct State {
    /// Every session of the root, sorted by id.
    pub fleet: Fleet,
    pub health: Option<FeedHealth>,
    subscribers: Vec<Subscriber>,
}

impl State {
    pub fn new(fleet: Fleet) -> Self {
        Self {
            fleet,
            health: None,
            subscribers: Vec::new(),
        }
    }

    pub fn root(&self) -> &PathBuf {
        &self.fleet.root
    }

    pub fn subscriber_count(&self) -> usize {
        self.subscribers.len()
    }

    pub fn get(&self, id: &str) -> Option<&SessionSnapshot> {
        self.fleet.get(id)
    }

    pub fn metas(&self) -> Vec<SessionMeta> {
        self.fleet.sessions.iter().map(meta_of).collect()
    }

    pub fn health_wire(&self) -> Option<HealthWire> {
        self.health.as_ref().map(HealthWire::from)
    }

    /// Adds a subscriber (replacing an earlier one with the same id).
    pub fn subscribe(&mut self, subscriber: Subscriber) {
        self.unsubscribe(subscriber.id);
        self.subscribers.push(subscriber);
    }

    pub fn unsubscribe(&mut self, id: u64) -> bool {
        let before = self.subscribers.len();
        self.subscribers.retain(|s| s.id != id);
        self.subscribers.len() != before
    }

    /// Folds one update into the mirror and sends what it means to every
    /// subscriber; a subscriber too far behind is dropped and told to resync.
    pub fn apply_and_notify(&mut self, update: Update) {
        let notes = self.apply(update);
        if notes.is_empty() {
            return;
        }
        let resync: Frame = frame(&Notification::new(
            notification::RESYNC,
            ResyncParams {
                reason: "you fell behind; subscribe again".into(),
            },
        ));
        self.subscribers.retain(|sub| {
            for (topic, note) in &notes {
                if sub.topics.contains(topic) && !sub.outbox.try_push(note.clone()) {
                    tracing::info!(subscriber = sub.id, "subscriber fell behind: resync");
                    sub.outbox.push_forced(resync.clone());
                    return false;
                }
            }
            !sub.outbox.is_closed()
        });
    }

    /// Sends one notification to every subscriber of `topic` (best effort:
    /// one that is full misses it and gets the state again when it resyncs).
    pub fn broadcast(&mut self, topic: Topic, note: Frame) {
        for sub in &self.subscribers {
            if sub.topics.contains(&topic) {
                let _ = sub.outbox.try_push(note.clone());
            }
        }
    }

    /// Folds an update into the mirror; returns the notifications it makes.
    pub fn apply(&mut self, update: Update) -> Vec<(Topic, Frame)> {
        let mut notes = Vec::new();
        match update {
            Update::Loaded {
                key,
                snapshot,
                replaced,
            } => {
                let before = self.pending_ids(&key.id);
                let change = match self.get(&key.id) {
                    Some(old) if !replaced => reload_change(old, &snapshot),
                    _ => Reload::Loaded,
                };
                self.insert(*snapshot);
                let Some(session) = self.get(&key.id) else {
                    return notes;
                };
                match change {
                    Reload::Same => {}
                    Reload::Meta => notes.push(meta_note(session)),
                    Reload::Appended(lines) => {
                        notes.push(appended_note(&key.id, &lines, session.journal_end));
                        notes.push(meta_note(session));
                    }
                    Reload::Loaded => notes.push(note(
                        Topic::Sessions,
                        notification::SESSION_LOADED,
                        LoadedParams {
                            meta: meta_of(session),
                            replaced,
                        },
                    )),
                }
                notes.extend(self.pending_changes(&key.id, before));
            }
            Update::Meta {
                key,
                doc,
                doc_error,
                wake,
                journal_mtime,
                heartbeat_mtime,
            } => {
                let Some(session) = self.get_mut(&key.id) else {
                    return notes;
                };
                session.warnings = doc_warnings(&doc, &key.id);
                session.doc = *doc;
                session.doc_error = doc_error;
                session.wake = wake;
                session.journal_mtime = journal_mtime;
                session.heartbeat_mtime = heartbeat_mtime;
                notes.push(meta_note(session));
            }
            Update::Appended { key, lines, end } => {
                let before = self.pending_ids(&key.id);
                let Some(session) = self.get_mut(&key.id) else {
                    return notes;
                };
                let fresh: Vec<(u64, Vec<u8>)> = lines
                    .into_iter()
                    .filter(|(offset, _)| *offset >= session.journal_end)
                    .collect();
                for (_, line) in &fresh {
                    fold_line(&mut session.summary, line);
                }
                session.journal_end = session.journal_end.max(end);
                notes.push(appended_note(&key.id, &fresh, session.journal_end));
                notes.extend(self.pending_changes(&key.id, before));
            }
            Update::Removed { key } => {
                let before = self.pending_ids(&key.id);
                if let Ok(index) = self.index_of(&key.id) {
                    self.fleet.sessions.remove(index);
                    notes.push(note(
                        Topic::Sessions,
                        notification::SESSION_REMOVED,
                        SessionParams {
                            session: key.id.clone(),
                        },
                    ));
                }
                notes.extend(self.pending_changes(&key.id, before));
            }
            Update::Health { health, .. } => {
                notes.push(note(
                    Topic::Sessions,
                    notification::HEALTH,
                    HealthWire::from(&health),
                ));
                self.health = Some(health);
            }
            // A root feed has no telemetry of its own to report.
            Update::Telemetry { .. } => {}
        }
        notes
    }

    fn index_of(&self, id: &str) -> Result<usize, usize> {
        self.fleet
            .sessions
            .binary_search_by(|s| s.id.as_str().cmp(id))
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut SessionSnapshot> {
        let index = self.index_of(id).ok()?;
        self.fleet.sessions.get_mut(index)
    }

    fn insert(&mut self, snapshot: SessionSnapshot) {
        match self.index_of(&snapshot.id) {
            Ok(index) => self.fleet.sessions[index] = snapshot,
            Err(index) => self.fleet.sessions.insert(index, snapshot),
        }
    }

    fn pending_ids(&self, id: &str) -> BTreeSet<String> {
        self.get(id)
            .map(|s| {
                s.summary
                    .pending()
                    .into_iter()
                    .map(|p| p.request.event_id)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `pending.added` for requests that started waiting, `pending.resolved`
    /// for those that stopped.
    fn pending_changes(&self, id: &str, before: BTreeSet<String>) -> Vec<(Topic, Frame)> {
        let now: Vec<PendingRow> = self
            .get(id)
            .map(|s| s.summary.pending().iter().map(PendingRow::new).collect())
            .unwrap_or_default();
        let mut notes = Vec::new();
        for row in &now {
            if !before.contains(&row.event_id) {
                notes.push(note(
                    Topic::Pending,
                    notification::PENDING_ADDED,
                    PendingEntry::new(row.clone()),
                ));
            }
        }
        for event_id in before {
            if !now.iter().any(|r| r.event_id == event_id) {
                notes.push(note(
                    Topic::Pending,
                    notification::PENDING_RESOLVED,
                    ResolvedParams {
                        session: id.to_string(),
                        event_id,
                    },
                ));
            }
        }
        notes
    }
}

/// What a reload of a session already known amounts to.
enum Reload {
    Same,
    Meta,
    /// Only lines were appended (read back from the journal).
    Appended(Vec<(u64, Vec<u8>)>),
    Loaded,
}

/// A root feed reloads sessions it starts following; when the daemon knew
/// them already, say what really changed rather than "reread everything".
fn reload_change(old: &SessionSnapshot, new: &SessionSnapshot) -> Reload {
    if meta_of(old) == meta_of(new) {
        return Reload::Same;
    }
    if old.journal_end == new.journal_end {
        return Reload::Meta;
    }
    match appended_between(old, new) {
        Some(lines) => Reload::Appended(lines),
        None => Reload::Loaded,
    }
}

/// The lines between the two snapshots' ends, if folding them into the old
/// summary gives the new one's counts (else the journal was rewritten).
fn appended_between(old: &SessionSnapshot, new: &SessionSnapshot) -> Option<Vec<(u64, Vec<u8>)>> {
    if new.journal_end < old.journal_end {
        return None;
    }
    let file = File::open(new.journal_path()).ok()?;
    if !is_line_start(&file, old.journal_end).ok()? {
        return None;
    }
    let lines = read_all(&file, old.journal_end, new.journal_end).ok()?;
    let mut summary = old.summary.clone();
    for (_, line) in &lines {
        fold_line(&mut summary, line);
    }
    let same = summary.event_count == new.summary.event_count
        && summary.malformed_lines == new.summary.malformed_lines;
    same.then_some(lines)
}

fn meta_note(session: &SessionSnapshot) -> (Topic, Frame) {
    note(
        Topic::Sessions,
        notification::SESSION_META,
        meta_of(session),
    )
}

fn appended_note(session: &str, lines: &[(u64, Vec<u8>)], end: u64) -> (Topic, Frame) {
    let wire: Vec<LineWire> = lines
        .iter()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(|(offset, line)| LineWire::new(*offset, line))
        .collect();
    note(
        Topic::Events,
        notification::EVENTS_APPENDED,
        AppendedParams {
            session: session.to_string(),
            lines: wire,
            end,
        },
    )
}

/// A session's metadata as the protocol carries it.
pub fn meta_of(session: &SessionSnapshot) -> SessionMeta {
    SessionMeta {
        id: session.id.clone(),
        dir: session.dir.display().to_string(),
        doc: session.doc.raw.clone(),
        doc_error: session.doc_error.clone(),
        wake: WakeWire::from(&session.wake),
        journal_end: session.journal_end,
        journal_mtime: session.journal_mtime,
        heartbeat_mtime: session.heartbeat_mtime,
        warnings: session.warnings.clone(),
    }
}

/// One message serialized as a frame (JSON and a newline).
pub fn frame(value: &impl Serialize) -> Frame {
    let mut bytes = serde_json::to_vec(value).unwrap_or_else(|e| {
        // Our own types always serialize; say so loudly if one does not.
        tracing::error!("cannot serialize a message: {e}");
        format!(
            "{{\"jsonrpc\":\"{JSONRPC}\",\"method\":\"{}\",\"params\":{{\"reason\":\"internal error\"}}}}",
            notification::RESYNC
        )
        .into_bytes()
    });
    bytes.push(b'\n');
    bytes.into()
}

fn note(topic: Topic, method: &str, params: impl Serialize) -> (Topic, Frame) {
    (topic, frame(&Notification::new(method, params)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::SessionKey;
    use crate::model::plan::PlanTools;
    use std::fs;

    fn session(root: &std::path::Path, id: &str, journal: &str) -> SessionSnapshot {
        let dir = root.join(id);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("session.json"), b"{\"status\":\"idle\"}").unwrap();
        fs::write(dir.join("events.jsonl"), journal).unwrap();
        SessionSnapshot::load(&dir, &PlanTools::default())
            .unwrap()
            .unwrap()
    }

    fn key(id: &str) -> SessionKey {
        SessionKey {
            source: 0,
            id: id.into(),
        }
    }

    fn methods(notes: &[(Topic, Frame)]) -> Vec<String> {
        notes
            .iter()
            .map(|(_, f)| {
                let v: serde_json::Value = serde_json::from_slice(f).unwrap();
                v["method"].as_str().unwrap().to_string()
            })
            .collect()
    }

    const REQUEST: &str = "{\"id\":\"r1\",\"type\":\"agent.tool_use\",\"name\":\"bash\",\"input\":{}}\n{\"id\":\"i1\",\"type\":\"session.status_idle\",\"stop_reason\":{\"type\":\"requires_action\",\"event_ids\":[\"r1\"]}}\n";

    #[test]
    fn updates_fold_into_the_mirror_and_announce_pending_changes() {
        let root = tempfile::tempdir().unwrap();
        let mut state = State::new(Fleet {
            root: root.path().into(),
            ..Fleet::default()
        });
        let snap = session(root.path(), "a", "");
        let notes = state.apply(Update::Loaded {
            key: key("a"),
            snapshot: Box::new(snap.clone()),
            replaced: false,
        });
        assert_eq!(methods(&notes), ["session.loaded"]);
        let same = state.apply(Update::Loaded {
            key: key("a"),
            snapshot: Box::new(snap),
            replaced: false,
        });
        assert!(same.is_empty(), "an identical reload is not news");

        let lines: Vec<(u64, Vec<u8>)> = {
            let mut offset = 0;
            REQUEST
                .lines()
                .map(|l| {
                    let at = offset;
                    offset += l.len() as u64 + 1;
                    (at, l.as_bytes().to_vec())
                })
                .collect()
        };
        let notes = state.apply(Update::Appended {
            key: key("a"),
            lines: lines.clone(),
            end: REQUEST.len() as u64,
        });
        assert_eq!(methods(&notes), ["events.appended", "pending.added"]);
        assert_eq!(state.get("a").unwrap().summary.pending_count(), 1);
        let again = state.apply(Update::Appended {
            key: key("a"),
            lines,
            end: REQUEST.len() as u64,
        });
        assert_eq!(
            state.get("a").unwrap().summary.event_count,
            2,
            "no double fold"
        );
        assert_eq!(methods(&again), ["events.appended"]);

        let notes = state.apply(Update::Removed { key: key("a") });
        assert_eq!(methods(&notes), ["session.removed", "pending.resolved"]);
        assert!(state.get("a").is_none());
    }

    #[test]
    fn a_reload_that_only_grew_is_announced_as_an_append() {
        let root = tempfile::tempdir().unwrap();
        let mut state = State::new(Fleet {
            root: root.path().into(),
            ..Fleet::default()
        });
        let first = session(root.path(), "a", "{\"id\":\"e1\",\"type\":\"x\"}\n");
        state.apply(Update::Loaded {
            key: key("a"),
            snapshot: Box::new(first),
            replaced: false,
        });
        let mut journal = fs::OpenOptions::new()
            .append(true)
            .open(root.path().join("a/events.jsonl"))
            .unwrap();
        std::io::Write::write_all(&mut journal, REQUEST.as_bytes()).unwrap();
        let grown = SessionSnapshot::load(&root.path().join("a"), &PlanTools::default())
            .unwrap()
            .unwrap();
        let notes = state.apply(Update::Loaded {
            key: key("a"),
            snapshot: Box::new(grown),
            replaced: false,
        });
        assert_eq!(
            methods(&notes),
            ["events.appended", "session.meta", "pending.added"]
        );
        fs::write(root.path().join("a/events.jsonl"), "{\"id\":\"other\",\"type\":\"x\"}\n{\"id\":\"more\",\"type\":\"x\"}\n{\"id\":\"again\",\"type\":\"x\"}\n{\"id\":\"and\",\"type\":\"x\"}\n").unwrap();
        let rewritten = SessionSnapshot::load(&root.path().join("a"), &PlanTools::default())
            .unwrap()
            .unwrap();
        let notes = state.apply(Update::Loaded {
            key: key("a"),
            snapshot: Box::new(rewritten),
            replaced: false,
        });
        assert_eq!(
            methods(&notes)[0],
            "session.loaded",
            "a rewrite is a reload"
        );
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_gets_resync_and_is_dropped() {
        let root = tempfile::tempdir().unwrap();
        let mut state = State::new(Fleet {
            root: root.path().into(),
            ..Fleet::default()
        });
        let (outbox, mut rx) = Outbox::new(300);
        state.subscribe(Subscriber {
            id: 1,
            topics: vec![Topic::Sessions],
            outbox,
        });
        for _ in 0..20 {
            state.apply_and_notify(Update::Health {
                source: 0,
                health: FeedHealth::Unavailable {
                    reason: "x".repeat(50),
                },
            });
        }
        assert_eq!(state.subscriber_count(), 0);
        let mut last = None;
        while let Ok(frame) = rx.rx_try() {
            last = Some(frame);
        }
        let last: serde_json::Value = serde_json::from_slice(&last.unwrap()).unwrap();
        assert_eq!(last["method"], "resync");
    }
}
