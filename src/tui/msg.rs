//! What happens to the dashboard (`Msg`) and the IO it asks for (`Effect`).

use std::ops::Range;
use std::path::PathBuf;

use crate::feed::{SessionKey, Update};
use crate::keys::Chord;
use crate::model::plan::PlanTools;
use crate::model::time::Timestamp;
use crate::review::bulk::{BulkItem, BulkResult};
use crate::review::{
    Notification, NotificationMode, Outcome as ReviewOutcome, PlanHistory, RequestKey, ReviewStyle,
};
use crate::store::Decision;
use crate::tui::state::{DetailDoc, EvidenceItem, SessionAction, StreamRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    Click,
    ScrollUp,
    ScrollDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub col: u16,
    pub row: u16,
}

#[derive(Debug, Clone)]
pub enum Msg {
    /// A feed reported something.
    Feed(Update),
    Key(Chord),
    Mouse(Mouse),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock: ages and stuck rules depend on it.
    Tick(Timestamp),
    /// The journal's last lines, shown while it is indexed.
    JournalTail {
        key: SessionKey,
        generation: u64,
        rows: Vec<StreamRow>,
    },
    /// The journal is indexed (or grew, or was replaced and re-read).
    JournalReady {
        key: SessionKey,
        generation: u64,
        line_count: usize,
        replaced: bool,
    },
    JournalFailed {
        key: SessionKey,
        generation: u64,
        error: String,
    },
    /// Decoded rows of a window.
    Window {
        key: SessionKey,
        generation: u64,
        start: usize,
        rows: Vec<StreamRow>,
    },
    /// An event opened in full.
    Detail {
        key: SessionKey,
        line: usize,
        doc: DetailDoc,
    },
    /// Evidence events found in a journal, by id.
    Evidence {
        key: SessionKey,
        stamp: u64,
        items: Vec<(String, EvidenceItem)>,
    },
    /// An action or a copy finished: done, or refused with the reason.
    Outcome {
        ok: bool,
        text: String,
    },
    /// A plan's revisions, read from its session's journal for review.
    PlanLoaded {
        request: RequestKey,
        result: Result<Option<PlanHistory>, String>,
    },
    /// What `store::decide` said about a decision.
    Decided {
        request: RequestKey,
        outcome: ReviewOutcome,
    },
    /// A bulk approval finished: one result per request.
    BulkDone(Vec<BulkResult>),
    /// `$EDITOR` returned the message (or why it could not run).
    EditorDone {
        request: RequestKey,
        result: Result<String, String>,
    },
    /// The theme changed: review text is rebuilt in its styles.
    ReviewStyle(Box<ReviewStyle>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a session's journal for the stream pane (closing the last one).
    OpenJournal {
        key: SessionKey,
        generation: u64,
    },
    CloseJournal,
    /// The feed reported appended lines for the open journal.
    JournalAppended {
        key: SessionKey,
        generation: u64,
        lines: Vec<(u64, Vec<u8>)>,
        end: u64,
    },
    /// Decode lines `range` of the open journal.
    LoadWindow {
        key: SessionKey,
        generation: u64,
        range: Range<usize>,
    },
    /// Read one line in full for the detail overlay.
    OpenEvent {
        key: SessionKey,
        generation: u64,
        line: usize,
    },
    /// Find events by id in a session's journal (stuck evidence).
    LoadEvidence {
        key: SessionKey,
        stamp: u64,
        ids: Vec<String>,
    },
    /// Write an action through the store, under the journal's lock, and
    /// record it in the audit log.
    Act {
        key: SessionKey,
        /// The session's directory; its parent is the root.
        dir: PathBuf,
        action: SessionAction,
        now: Timestamp,
    },
    /// Put our own text on the clipboard (OSC 52, written to the terminal).
    Copy {
        what: String,
        text: String,
    },
    /// Re-serialise a line of the open journal as JSON and copy it.
    CopyEvent {
        key: SessionKey,
        generation: u64,
        line: usize,
    },
    /// Read a session's journal for the plan a request belongs to.
    LoadPlan {
        request: RequestKey,
        session: SessionKey,
        journal: PathBuf,
        plan_tools: PlanTools,
    },
    /// Write a decision through `store::decide` under `root`, or through
    /// the daemon listening on `root` when `remote`.
    Decide {
        request: RequestKey,
        root: PathBuf,
        remote: bool,
        decision: Decision,
        plan_tools: PlanTools,
        now: Timestamp,
    },
    /// Write the decision message in `$VISUAL`/`$EDITOR`, the dashboard
    /// suspended meanwhile.
    ExternalEditor {
        request: RequestKey,
        text: String,
    },
    /// Announce new requests (a BEL to the terminal, or the desktop).
    Notify {
        mode: NotificationMode,
        notification: Notification,
    },
    /// Approve each previewed request on its own (`bulk::submit`).
    BulkApprove {
        items: Vec<BulkItem>,
        /// The root each request's session lives under; `None`: read-only.
        roots: Vec<(RequestKey, Option<PathBuf>)>,
        decided_by: String,
        plan_tools: PlanTools,
        now: Timestamp,
    },
}
