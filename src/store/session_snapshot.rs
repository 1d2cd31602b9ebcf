//! One session read from its folder: `session.json`, the journal folded into
//! a summary, the wake queue, and the times that make up its last activity.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::bridge::read_bridged;
use super::error::StoreError;
pub use super::journal_fold::fold_journal;
use super::journal_tail::modified;
use super::paths;
use super::summary_cache::{fold_journal_cached, fold_journal_cached_until, fold_journal_or_tail};
use crate::model::bridged::{SourcesNamed, allowed_unfinished, answered_calls, merged_doc};
pub use crate::model::fold_steps::fold_line;
use crate::model::plan::PlanTools;
use crate::model::session::SessionDoc;
use crate::model::status::DisplayStatus;
use crate::model::summary::JournalSummary;
use crate::model::time::Timestamp;
use crate::model::wake::WakeQueue;

/// Journals that need this much folded are read from their tail first where
/// that helps (the dashboard, `show`): a fold takes about a tenth of a second
/// per 100 MB on two cores.
pub const TAIL_FIRST_BYTES: u64 = 32 << 20;
/// How much of a journal's end a tail-first load folds.
pub const TAIL_BYTES: u64 = 256 << 10;

#[derive(Debug, Clone)]
pub struct SessionSnapshot {
    /// The folder name: the session's id everywhere.
    pub id: String,
    pub dir: PathBuf,
    pub doc: SessionDoc,
    /// Why `session.json` could not be read, when it could not.
    pub doc_error: Option<String>,
    pub summary: JournalSummary,
    pub wake: WakeQueue,
    /// Offset just past the last complete journal line read.
    pub journal_end: u64,
    pub journal_mtime: Option<Timestamp>,
    pub heartbeat_mtime: Option<Timestamp>,
    pub warnings: Vec<String>,
}

impl SessionSnapshot {
    /// Reads a session folder; `Ok(None)` when it has no `session.json` (not a
    /// session yet).
    pub fn load(dir: &Path, plan_tools: &PlanTools) -> Result<Option<Self>, StoreError> {
        Self::read(dir, plan_tools, |path, file, summary| {
            fold_journal_cached(path, file, summary)
        })
    }

    /// `load`, but a journal that would need `threshold` bytes or more
    /// folded (big, and no valid cached summary) is folded from its last
    /// `tail_bytes` only, with `summary.counting` set: the session shows at
    /// once, and `load_until(journal_end)` brings its counts.
    pub fn load_tail_first(
        dir: &Path,
        plan_tools: &PlanTools,
        threshold: u64,
        tail_bytes: u64,
    ) -> Result<Option<Self>, StoreError> {
        Self::read(dir, plan_tools, |path, file, summary| {
            let (end, counting) =
                fold_journal_or_tail(path, file, (threshold, tail_bytes), summary)?;
            summary.counting = counting;
            Ok(end)
        })
    }

    /// `load` with the journal folded only up to `until` (a line boundary),
    /// as far as a `load_tail_first` went: what follows is the follower's.
    pub fn load_until(
        dir: &Path,
        plan_tools: &PlanTools,
        until: u64,
    ) -> Result<Option<Self>, StoreError> {
        Self::read(dir, plan_tools, |path, file, summary| {
            fold_journal_cached_until(path, file, until, summary)
        })
    }

    fn read(
        dir: &Path,
        plan_tools: &PlanTools,
        fold: impl FnOnce(&Path, &File, &mut JournalSummary) -> io::Result<u64>,
    ) -> Result<Option<Self>, StoreError> {
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let session_path = paths::session_file(dir);
        let bytes = match fs::read(&session_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Ok(None),
            Err(e) => return Err(StoreError::read(&session_path, e)),
        };
        let (doc, doc_error) = match SessionDoc::from_json_bytes(&bytes) {
            Ok(doc) => (doc, None),
            Err(e) => (SessionDoc::default(), Some(e)),
        };
        let warnings = doc_warnings(&doc, &id);
        let mut summary = JournalSummary::new(id.clone(), plan_tools.clone());
        let journal_path = paths::journal(dir);
        let journal_end = match File::open(&journal_path) {
            Ok(file) => fold(&journal_path, &file, &mut summary)
                .map_err(|e| StoreError::read(&journal_path, e))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(StoreError::read(&journal_path, e)),
        };
        let wake = match fs::read(paths::wake_queue(dir)) {
            Ok(bytes) => WakeQueue::parse(&bytes),
            Err(_) => WakeQueue::default(),
        };
        let mut snapshot = Self {
            id,
            dir: dir.to_path_buf(),
            doc,
            doc_error,
            summary,
            wake,
            journal_end,
            journal_mtime: modified(&journal_path),
            heartbeat_mtime: modified(&dir.join(paths::HEARTBEAT_FILE)),
            warnings,
        };
        // A session an approval bridge mirrors is one session with the
        // transcript it names: every reader of a root sees both, merged.
        if super::bridge::transcript_of(&snapshot.doc).is_some() {
            let now = super::clock::now().unwrap_or_else(|_| chrono::Utc::now());
            fold_into(&mut snapshot, plan_tools, now);
        }
        Ok(Some(snapshot))
    }

    pub fn status(&self) -> DisplayStatus {
        DisplayStatus::of(&self.doc)
    }

    /// The newest of: the last event's `created_at`, the journal's mtime,
    /// `updated_at`, and the heartbeat's mtime.
    pub fn last_activity(&self) -> Option<Timestamp> {
        [
            self.summary.last_event.as_ref().and_then(|e| e.created_at),
            self.journal_mtime,
            self.doc.updated_at,
            self.heartbeat_mtime,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    pub fn journal_path(&self) -> PathBuf {
        paths::journal(&self.dir)
    }
}

/// Folds a bridged session's transcript into its snapshot: the summary over
/// both sources, and the merged `session.json`. The journal offsets stay the
/// bridge journal's, so following it goes on as before. Other sessions are
/// left as they are.
pub fn fold_into(snapshot: &mut SessionSnapshot, plan_tools: &PlanTools, now: Timestamp) {
    let Some(bridged) = read_bridged(&snapshot.dir, &snapshot.id, &snapshot.doc, now) else {
        return;
    };
    let mut summary = JournalSummary::new(snapshot.id.clone(), plan_tools.clone());
    for line in &bridged.lines {
        fold_line(&mut summary, line);
    }
    let pending: Vec<String> = summary
        .pending()
        .iter()
        .map(|p| p.request.event_id.clone())
        .collect();
    let dir = snapshot.dir.display().to_string();
    let transcript = bridged.transcript.display().to_string();
    let doc = merged_doc(
        &snapshot.doc.raw,
        &bridged.transcript_doc,
        &pending,
        &answered_calls(&bridged.bridge_lines),
        &allowed_unfinished(&bridged.lines),
        SourcesNamed {
            bridge_kind: bridged.agent.hook_source(),
            bridge_dir: &dir,
            transcript_kind: bridged.agent.adapter().label(),
            transcript: &transcript,
        },
    );
    snapshot.summary = summary;
    snapshot.doc = SessionDoc::from_object(doc);
}

/// What is odd about a `session.json` in the folder `id`.
pub fn doc_warnings(doc: &SessionDoc, id: &str) -> Vec<String> {
    match doc.id.as_deref().filter(|d| *d != id) {
        Some(doc_id) => vec![format!(
            "session.json says id {doc_id:?} but its folder is {id:?}; the folder name is used"
        )],
        None => Vec::new(),
    }
}
