//! The values a feed emits.

use crate::model::session::SessionDoc;
use crate::model::time::Timestamp;
use crate::model::wake::WakeQueue;
use crate::store::session_snapshot::SessionSnapshot;

/// A session within a source: sources are numbered in the order given on
/// the command line, so equal ids from two sources stay distinct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    pub source: usize,
    pub id: String,
}

#[derive(Debug, Clone)]
pub enum Update {
    /// A session appeared, or its journal was replaced and was read again:
    /// everything known about it before is void.
    Loaded {
        key: SessionKey,
        snapshot: Box<SessionSnapshot>,
        /// True when this replaces a journal that shrank or changed inode.
        replaced: bool,
    },
    /// `session.json`, the wake queue or a modification time changed; the
    /// journal did not.
    Meta {
        key: SessionKey,
        doc: Box<SessionDoc>,
        doc_error: Option<String>,
        wake: WakeQueue,
        journal_mtime: Option<Timestamp>,
        heartbeat_mtime: Option<Timestamp>,
    },
    /// Complete lines appended to the journal, in order, each with its offset.
    Appended {
        key: SessionKey,
        lines: Vec<(u64, Vec<u8>)>,
        /// Offset just past the last line.
        end: u64,
    },
    /// The session's folder or its `session.json` is gone.
    Removed { key: SessionKey },
    /// How the source is being followed; shown in the status bar. A root
    /// feed sends its first `Health` right after its initial snapshot: every
    /// `Loaded` before it was there at the start, every one after is new.
    Health { source: usize, health: FeedHealth },
    /// What a daemon source's telemetry is doing (never sent for a root).
    Telemetry {
        source: usize,
        telemetry: TelemetryStatus,
    },
}

/// A daemon's telemetry as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryStatus {
    pub metrics: bool,
    pub traces: bool,
    /// Whether the last export worked (`None` before the first).
    pub last_export_ok: Option<bool>,
}

impl TelemetryStatus {
    /// `telemetry: metrics, traces ok` and the like; `None` when off.
    pub fn describe(&self) -> Option<String> {
        let what = match (self.metrics, self.traces) {
            (false, false) => return None,
            (true, false) => "metrics",
            (false, true) => "traces",
            (true, true) => "metrics, traces",
        };
        let export = match (self.traces, self.last_export_ok) {
            (true, Some(true)) => " ok",
            (true, Some(false)) => " export failing",
            (true, None) => " (none sent yet)",
            (false, _) => "",
        };
        Some(format!("telemetry: {what}{export}"))
    }

    pub fn is_failing(&self) -> bool {
        self.traces && self.last_export_ok == Some(false)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedHealth {
    /// Change notifications for the root and `watched` session folders.
    Watching { watched: usize, polled: usize },
    /// Polling every `interval_ms`, with why watching is not used.
    Polling { interval_ms: u64, reason: String },
    /// The source cannot be read right now (root missing, socket down).
    Unavailable { reason: String },
}

impl FeedHealth {
    pub fn is_healthy(&self) -> bool {
        !matches!(self, Self::Unavailable { .. })
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Watching { watched, polled: 0 } => format!("watching {watched}"),
            Self::Watching { watched, polled } => format!("watching {watched}, polling {polled}"),
            Self::Polling {
                interval_ms,
                reason,
            } => format!("polling {interval_ms}ms ({reason})"),
            Self::Unavailable { reason } => format!("unavailable: {reason}"),
        }
    }
}
