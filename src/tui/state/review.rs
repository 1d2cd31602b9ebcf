//! The review inbox and the review overlay (issue 5): every pending
//! request across the fleet, and one request opened for a decision. The
//! styled text shown is built when the data arrives, never per frame.

use std::collections::BTreeMap;

use ratatui::text::{Line, Text};

use super::session::SessionEntry;
use crate::feed::SessionKey;
use crate::model::plan::PlanTools;
use crate::model::time::Timestamp;
use crate::review::bulk::{BulkItem, BulkResult, BulkSelection};
use crate::review::{
    InboxRow, NotificationMode, PlanDiff, PlanHistory, RequestKey, ReviewDraft, ReviewStyle,
    build_inbox, render_markdown, render_request_body,
};
use crate::tui::journal::JournalOrigin;
use crate::views::PendingRow;

/// Everything the inbox needs, recomputed when sessions change.
#[derive(Debug, Clone, Default)]
pub struct ReviewState {
    pub inbox: Vec<InboxRow>,
    /// The session each inbox row belongs to.
    pub session_of: BTreeMap<RequestKey, SessionKey>,
    /// Index into `inbox`, kept on `selected_key` across rebuilds.
    pub selected: usize,
    /// The request the cursor is on: rows reorder as requests come and go,
    /// and the cursor must not land on another one under the reviewer.
    pub selected_key: Option<RequestKey>,
    pub bulk: BulkSelection,
    /// Sessions changed since the inbox was built.
    pub stale: bool,
    /// The first build only records what is pending; later ones notify.
    pub primed: bool,
    pub style: ReviewStyle,
    pub plan_tools: PlanTools,
    pub notify_mode: NotificationMode,
    /// Who decisions are recorded as (`human:user@host`).
    pub decided_by: String,
    /// Per source: where its sessions live, and so where decisions go.
    /// Sources not listed are writable roots.
    pub origins: Vec<JournalOrigin>,
}

impl ReviewState {
    /// Every pending request of `sessions`, oldest first.
    pub fn rebuild(
        &mut self,
        sessions: &BTreeMap<SessionKey, SessionEntry>,
        labels: &[String],
        now: Timestamp,
    ) {
        let multi = labels.len() > 1;
        let mut rows = Vec::new();
        let mut titles = BTreeMap::new();
        self.session_of.clear();
        for entry in sessions.values() {
            for pending in entry.snapshot.summary.pending() {
                let mut row = PendingRow::new(&pending);
                if multi {
                    row.source = labels.get(entry.key.source).cloned();
                }
                self.session_of
                    .insert(RequestKey::of(&row), entry.key.clone());
                titles.insert(RequestKey::of(&row), entry.title.clone());
                rows.push(row);
            }
        }
        self.inbox = build_inbox(&rows, now);
        for row in &mut self.inbox {
            row.session_title = titles.remove(&row.key).unwrap_or_default();
        }
        let found = self
            .selected_key
            .as_ref()
            .and_then(|key| self.inbox.iter().position(|r| &r.key == key));
        // A request that is gone leaves the cursor on its neighbour.
        self.select(found.unwrap_or(self.selected));
        self.bulk.retain_present(&self.inbox);
        self.stale = false;
    }

    pub fn pending_rows(&self) -> Vec<PendingRow> {
        self.inbox.iter().map(|r| r.request.clone()).collect()
    }

    pub fn selected_row(&self) -> Option<&InboxRow> {
        self.inbox.get(self.selected)
    }

    /// Puts the cursor on row `index` (clamped) and remembers its request.
    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.inbox.len().saturating_sub(1));
        self.selected_key = self.inbox.get(self.selected).map(|r| r.key.clone());
    }

    /// Puts the cursor on `key`'s row, if it is listed.
    pub fn select_key(&mut self, key: &RequestKey) -> bool {
        match self.inbox.iter().position(|r| &r.key == key) {
            Some(index) => {
                self.select(index);
                true
            }
            None => false,
        }
    }

    /// The daemon socket decisions for `source` go through, if it is one.
    pub fn daemon_of(&self, source: usize) -> Option<&std::path::PathBuf> {
        match self.origins.get(source) {
            Some(JournalOrigin::Daemon(socket)) => Some(socket),
            _ => None,
        }
    }

    /// Decisions are written under roots or through daemons; transcripts
    /// are read-only.
    pub fn is_read_only(&self, source: usize) -> bool {
        matches!(
            self.origins.get(source),
            Some(JournalOrigin::Transcripts(_))
        )
    }
}

/// How a plan's change is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiffMode {
    /// The revision rendered as Markdown.
    #[default]
    Off,
    Unified,
    SideBySide,
}

impl DiffMode {
    pub fn next(self) -> Self {
        match self {
            Self::Off => Self::Unified,
            Self::Unified => Self::SideBySide,
            Self::SideBySide => Self::Off,
        }
    }
}

/// What the review overlay shows above the decision line.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewBody {
    /// The plan's journal is being read.
    Loading,
    Plan {
        history: PlanHistory,
        /// Index into `history.revisions` being shown.
        index: usize,
        markdown: Text<'static>,
        diff: Option<PlanDiff>,
    },
    Tool(Text<'static>),
    Failed(String),
}

/// One request opened for review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewView {
    pub draft: ReviewDraft,
    pub session: SessionKey,
    pub body: ReviewBody,
    pub diff: DiffMode,
    pub scroll: usize,
    /// Redirected: the agent will come back with a new revision of the
    /// plan, and the review shows it when it arrives.
    pub awaiting_revision: bool,
    /// What became of the request reviewed before this one, when the
    /// review moved on by itself after a decision.
    pub previous: Option<String>,
}

impl ReviewView {
    pub fn open(
        row: &InboxRow,
        session: SessionKey,
        decided_by: &str,
        style: &ReviewStyle,
    ) -> Self {
        let draft = ReviewDraft::open(&row.request, decided_by);
        let body = if draft.target.kind == crate::model::pending::RequestKind::Plan {
            ReviewBody::Loading
        } else {
            ReviewBody::Tool(render_request_body(
                &row.request.name,
                &row.request.input,
                style,
            ))
        };
        Self {
            draft,
            session,
            body,
            diff: DiffMode::Off,
            scroll: 0,
            awaiting_revision: false,
            previous: None,
        }
    }

    /// Where the request shown stands: the revision's recorded decision,
    /// or what this review just wrote for it (the journal catches up later).
    pub fn state_label(&self) -> &'static str {
        match &self.body {
            ReviewBody::Plan { history, index, .. } => match history.revisions.get(*index) {
                Some(r) => self.revision_label(r),
                None => self.draft.state_label(),
            },
            _ => self.draft.state_label(),
        }
    }

    /// A revision's decision, this review's own for the one under review.
    pub fn revision_label(&self, revision: &crate::review::Revision) -> &'static str {
        if revision.event_id == self.draft.target.key.event_id {
            self.draft.state_label()
        } else {
            revision.decision.label()
        }
    }

    /// The plan's history arrived: show the revision under review.
    pub fn set_history(&mut self, history: PlanHistory, style: &ReviewStyle) {
        let event_id = &self.draft.target.key.event_id;
        let index = history
            .revisions
            .iter()
            .position(|r| &r.event_id == event_id)
            .unwrap_or(history.revisions.len().saturating_sub(1));
        self.body = plan_body(history, index, style);
    }

    /// `[`/`]`: an earlier or later revision of the plan.
    pub fn browse(&mut self, delta: isize, style: &ReviewStyle) -> bool {
        let ReviewBody::Plan { history, index, .. } = &self.body else {
            return false;
        };
        let last = history.revisions.len().saturating_sub(1) as isize;
        let next = (*index as isize + delta).clamp(0, last) as usize;
        if next == *index {
            return false;
        }
        self.body = plan_body(history.clone(), next, style);
        self.scroll = 0;
        true
    }

    /// The lines of the body as the diff mode asks.
    pub fn body_lines(&self) -> Vec<Line<'static>> {
        match &self.body {
            ReviewBody::Loading => vec![Line::raw("Reading the plan's revisions…")],
            ReviewBody::Failed(e) => vec![Line::raw(e.clone())],
            ReviewBody::Tool(text) => text.lines.clone(),
            ReviewBody::Plan { markdown, diff, .. } => match (self.diff, diff) {
                (DiffMode::Off, _) | (_, None) => markdown.lines.clone(),
                (DiffMode::Unified, Some(d)) => d.unified.clone(),
                (DiffMode::SideBySide, Some(_)) => Vec::new(),
            },
        }
    }
}

fn plan_body(history: PlanHistory, index: usize, style: &ReviewStyle) -> ReviewBody {
    let markdown = history
        .revisions
        .get(index)
        .map(|r| render_markdown(&r.markdown, style))
        .unwrap_or_default();
    let diff = history.diff_at(index, style);
    ReviewBody::Plan {
        history,
        index,
        markdown,
        diff,
    }
}

/// The bulk approval overlay: a preview, then the per-request results.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkView {
    pub items: Vec<BulkItem>,
    pub results: Option<Vec<BulkResult>>,
    pub scroll: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{Revision, RevisionDecision};

    fn history() -> PlanHistory {
        let revision = |n: u32, text: &str, decision| Revision {
            revision: n,
            event_id: format!("e{n}"),
            created_at: None,
            markdown: text.to_string(),
            fingerprint: format!("sha256:{n}"),
            decision,
        };
        PlanHistory {
            plan_id: Some("p".into()),
            revisions: vec![
                revision(1, "# Plan\n\n1. old", RevisionDecision::Superseded),
                revision(2, "# Plan\n\n1. new", RevisionDecision::Pending),
            ],
        }
    }

    fn view() -> ReviewView {
        let row = PendingRow {
            session_id: "s".into(),
            event_id: "e2".into(),
            event_type: "agent.custom_tool_use".into(),
            kind: "plan".into(),
            name: serde_json::json!("submit_plan"),
            input: serde_json::json!({"plan": "# Plan\n\n1. new", "plan_id": "p"}),
            fingerprint: "sha256:2".into(),
            requested_at: None,
            plan_revision: Some(2),
            tampered: false,
            pending_since: None,
            source: None,
        };
        let inbox = build_inbox(&[row], chrono::Utc::now());
        let key = SessionKey {
            source: 0,
            id: "s".into(),
        };
        ReviewView::open(&inbox[0], key, "human:t@test", &ReviewStyle::default())
    }

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_plan_shows_the_revision_under_review_and_browses_the_others() {
        let style = ReviewStyle::default();
        let mut view = view();
        assert_eq!(view.body, ReviewBody::Loading);
        view.set_history(history(), &style);
        assert!(text(&view.body_lines()).contains("1. new"));
        assert!(!view.browse(1, &style), "r2 is the newest");
        assert!(view.browse(-1, &style));
        assert!(text(&view.body_lines()).contains("1. old"));
        assert!(!view.browse(-1, &style), "r1 is the first");
    }

    #[test]
    fn d_cycles_rendered_unified_and_side_by_side() {
        let style = ReviewStyle::default();
        let mut view = view();
        view.set_history(history(), &style);
        view.diff = view.diff.next();
        assert_eq!(view.diff, DiffMode::Unified);
        let unified = text(&view.body_lines());
        assert!(
            unified.contains("- 1. old") && unified.contains("+ 1. new"),
            "{unified}"
        );
        view.diff = view.diff.next();
        assert_eq!(view.diff, DiffMode::SideBySide);
        assert_eq!(view.diff.next(), DiffMode::Off);
    }
}
