//! A followed transcript as a `SessionSnapshot` the views understand: apart
//! from `transcript`, so reading a transcript (which a bridged session's
//! `load` does) does not need the snapshot it becomes.

use serde_json::{Map, Value};

use super::session_snapshot::{SessionSnapshot, fold_line};
use super::transcript::{FollowedTranscript, TranscriptFile};
use crate::model::plan::PlanTools;
use crate::model::session::SessionDoc;
use crate::model::summary::JournalSummary;
use crate::model::time::Timestamp;
use crate::model::wake::WakeQueue;

impl FollowedTranscript {
    /// A snapshot from the lines read so far, folded fresh.
    pub fn snapshot(
        &self,
        lines: &[(u64, Vec<u8>)],
        plan_tools: &PlanTools,
        now: Timestamp,
    ) -> SessionSnapshot {
        let mut summary = JournalSummary::new(self.file.session_id.clone(), plan_tools.clone());
        for (_, line) in lines {
            fold_line(&mut summary, line);
        }
        adapter_snapshot(
            &self.file,
            self.session_doc(now),
            summary,
            self.synthetic_end,
        )
    }
}

/// A `SessionSnapshot` for an adapter session: `dir` is the transcript file
/// (there is no session folder), and the wake queue is empty.
pub fn adapter_snapshot(
    file: &TranscriptFile,
    doc: Map<String, Value>,
    summary: JournalSummary,
    synthetic_end: u64,
) -> SessionSnapshot {
    let doc = SessionDoc::from_object(doc);
    SessionSnapshot {
        id: file.session_id.clone(),
        dir: file.path.clone(),
        journal_mtime: file.activity_mtime(&doc),
        doc,
        doc_error: None,
        summary,
        wake: WakeQueue::default(),
        journal_end: synthetic_end,
        heartbeat_mtime: None,
        warnings: Vec::new(),
    }
}
