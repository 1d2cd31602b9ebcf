//! One session as the dashboard holds it: the store's snapshot, its stuck
//! findings, and the sanitised fields rows show (computed when data
//! arrives, never in render).

use crate::feed::SessionKey;
use crate::model::session::SessionDoc;
use crate::model::status::DisplayStatus;
use crate::model::stuck::StuckFinding;
use crate::model::time::Timestamp;
use crate::model::wake::WakeQueue;
use crate::sanitize::sanitize_line;
use crate::store::session_snapshot::{SessionSnapshot, fold_line};

#[derive(Debug, Clone)]
pub struct SessionEntry {
    pub key: SessionKey,
    pub snapshot: SessionSnapshot,
    pub stuck: Vec<StuckFinding>,
    pub status: DisplayStatus,
    /// Sanitised title, or empty.
    pub title: String,
    /// Sanitised agent name or id.
    pub agent: String,
    /// Sanitised id (folder names can hold anything but `/`).
    pub id: String,
    pub pending: usize,
    pub last_activity: Option<Timestamp>,
    /// Past its TTL (`metadata.ttl_minutes` or the configured default).
    pub expired: bool,
}

impl SessionEntry {
    pub fn new(key: SessionKey, snapshot: SessionSnapshot) -> Self {
        let mut entry = Self {
            id: sanitize_line(&key.id),
            key,
            snapshot,
            stuck: Vec::new(),
            status: DisplayStatus::Unknown,
            title: String::new(),
            agent: String::new(),
            pending: 0,
            last_activity: None,
            expired: false,
        };
        entry.refresh();
        entry
    }

    /// Recomputes the cached fields after the snapshot changed.
    pub fn refresh(&mut self) {
        let s = &self.snapshot;
        self.status = s.status();
        self.title = sanitize_line(s.doc.title.as_deref().unwrap_or(""));
        self.agent = sanitize_line(s.doc.agent_label());
        self.pending = s.summary.pending_count();
        self.last_activity = s.last_activity();
    }

    pub fn apply_meta(
        &mut self,
        doc: SessionDoc,
        doc_error: Option<String>,
        wake: WakeQueue,
        journal_mtime: Option<Timestamp>,
        heartbeat_mtime: Option<Timestamp>,
    ) {
        let s = &mut self.snapshot;
        s.doc = doc;
        s.doc_error = doc_error;
        s.wake = wake;
        s.journal_mtime = journal_mtime;
        s.heartbeat_mtime = heartbeat_mtime;
        self.refresh();
    }

    /// Folds appended journal lines into the summary.
    pub fn apply_lines(&mut self, lines: &[(u64, Vec<u8>)], end: u64) {
        for (_, line) in lines {
            fold_line(&mut self.snapshot.summary, line);
        }
        self.snapshot.journal_end = end;
        self.refresh();
    }

    pub fn parent_key(&self) -> Option<SessionKey> {
        self.snapshot.doc.parent_id.as_ref().map(|id| SessionKey {
            source: self.key.source,
            id: id.clone(),
        })
    }

    pub fn is_stuck(&self) -> bool {
        !self.stuck.is_empty()
    }

    pub fn age_secs(&self, now: Timestamp) -> Option<i64> {
        self.last_activity.map(|t| (now - t).num_seconds())
    }
}
