//! On-call state: the selected session's timeline strip, the stuck
//! evidence read from its journal, and actions waiting for `y`/`n`.
//! Computed in update when data changes; render only draws it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::stream::RowClass;
use crate::feed::SessionKey;
use crate::model::event_type::EventType;
use crate::model::status::DisplayStatus;
use crate::model::summary::JournalSummary;
use crate::model::time::Timestamp;

/// Cells in a timeline strip; each covers 1/48 of the span shown.
pub const TIMELINE_CELLS: usize = 48;
/// The strip covers the last hour, or the session's life if shorter.
const TIMELINE_MAX_SECS: i64 = 3600;

/// What happened in a cell, besides the status: the marks a stall or a
/// loop shows up as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimelineMark {
    Interrupt,
    Reschedule,
    Decision,
    Request,
    Error,
}

impl TimelineMark {
    pub const ALL: [TimelineMark; 5] = [
        Self::Error,
        Self::Reschedule,
        Self::Request,
        Self::Decision,
        Self::Interrupt,
    ];

    fn of(kind: &EventType) -> Option<Self> {
        match kind {
            EventType::SessionError => Some(Self::Error),
            EventType::SessionStatusRescheduled => Some(Self::Reschedule),
            EventType::UserToolConfirmation | EventType::UserCustomToolResult => {
                Some(Self::Decision)
            }
            EventType::UserInterrupt => Some(Self::Interrupt),
            k if k.is_request() => Some(Self::Request),
            _ => None,
        }
    }

    pub fn glyph(self) -> char {
        match self {
            Self::Error => '✗',
            Self::Reschedule => '↻',
            Self::Request => '?',
            Self::Decision => '✓',
            Self::Interrupt => '!',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Reschedule => "reschedule",
            Self::Request => "request",
            Self::Decision => "decision",
            Self::Interrupt => "interrupt",
        }
    }
}

/// The status glyph a strip cell shows when nothing was marked in it.
pub fn status_glyph(status: Option<DisplayStatus>) -> char {
    match status {
        Some(DisplayStatus::Running) => '█',
        Some(DisplayStatus::RequiresAction) => '▓',
        Some(DisplayStatus::Rescheduling) => '▒',
        Some(DisplayStatus::Idle) => '░',
        Some(DisplayStatus::Terminated) => '_',
        Some(DisplayStatus::Unknown) | None => ' ',
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimelineCell {
    /// The status at the end of the cell; `None` before the session began.
    pub status: Option<DisplayStatus>,
    /// The weightiest mark in the cell (errors first).
    pub mark: Option<TimelineMark>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub key: SessionKey,
    pub span_secs: i64,
    pub cells: Vec<TimelineCell>,
    /// How many of each mark fall in the span.
    pub counts: Vec<(TimelineMark, usize)>,
}

fn status_of(kind: &EventType, detail: Option<&str>) -> Option<DisplayStatus> {
    match kind {
        EventType::SessionStatusRunning => Some(DisplayStatus::Running),
        EventType::SessionStatusIdle if detail == Some("requires_action") => {
            Some(DisplayStatus::RequiresAction)
        }
        EventType::SessionStatusIdle => Some(DisplayStatus::Idle),
        EventType::SessionStatusRescheduled => Some(DisplayStatus::Rescheduling),
        EventType::SessionStatusTerminated => Some(DisplayStatus::Terminated),
        _ => None,
    }
}

/// The strip for a session: status runs from its status marks (the last
/// cell shows the status it has now), and its errors, reschedules,
/// requests, decisions and interrupts.
pub fn timeline(
    key: SessionKey,
    summary: &JournalSummary,
    created_at: Option<Timestamp>,
    current: DisplayStatus,
    now: Timestamp,
) -> Timeline {
    let mut marks: Vec<_> = summary.recent.iter().filter(|m| m.at <= now).collect();
    marks.sort_by_key(|m| m.at);
    let born = created_at
        .into_iter()
        .chain(marks.first().map(|m| m.at))
        .min();
    let life = born.map_or(TIMELINE_MAX_SECS, |b| (now - b).num_seconds());
    let span = life.clamp(TIMELINE_CELLS as i64, TIMELINE_MAX_SECS);
    let start = now - chrono::Duration::seconds(span);
    let cell_end =
        |i: usize| start + chrono::Duration::seconds(span * (i as i64 + 1) / TIMELINE_CELLS as i64);
    let has_status_marks = marks
        .iter()
        .any(|m| status_of(&m.kind, m.detail.as_deref()).is_some());
    let mut status = None;
    let mut cells = vec![TimelineCell::default(); TIMELINE_CELLS];
    let mut counts: BTreeMap<TimelineMark, usize> = BTreeMap::new();
    let mut next = 0;
    for (i, cell) in cells.iter_mut().enumerate() {
        let end = cell_end(i);
        while let Some(mark) = marks
            .get(next)
            .filter(|m| m.at < end || i + 1 == TIMELINE_CELLS)
        {
            if let Some(s) = status_of(&mark.kind, mark.detail.as_deref()) {
                status = Some(s);
            }
            if mark.at >= start
                && let Some(kind) = TimelineMark::of(&mark.kind)
            {
                *counts.entry(kind).or_default() += 1;
                cell.mark = cell.mark.max(Some(kind));
            }
            next += 1;
        }
        let alive = born.is_some_and(|b| b < end);
        cell.status = match (alive, has_status_marks) {
            (false, _) => None,
            (true, true) => status,
            (true, false) => Some(current),
        };
    }
    if let Some(last) = cells.last_mut()
        && current != DisplayStatus::Unknown
    {
        last.status = Some(current);
    }
    Timeline {
        key,
        span_secs: span,
        cells,
        counts: TimelineMark::ALL
            .into_iter()
            .filter_map(|m| counts.get(&m).map(|n| (m, *n)))
            .collect(),
    }
}

/// One evidence event of a stuck finding, as read from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceItem {
    /// Line in the journal (0-based); `None` for a wake-queue entry.
    pub line: Option<usize>,
    pub time: String,
    pub kind: String,
    pub class: RowClass,
    /// Sanitised one-line summary.
    pub summary: String,
}

/// The evidence of the selected stuck session, by event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub key: SessionKey,
    /// The journal's end when it was read; a longer journal is read again.
    pub stamp: u64,
    /// The evidence ids it was read for: findings change with the clock
    /// (a rule starts firing, a window moves) while the journal does not,
    /// and new ids must be looked up, not reported missing.
    pub ids: Vec<String>,
    pub items: BTreeMap<String, EvidenceItem>,
    pub loading: bool,
}

impl Evidence {
    /// The journal line of the first evidence event of the first finding
    /// that has one.
    pub fn first_line(&self, ids: impl IntoIterator<Item = String>) -> Option<usize> {
        ids.into_iter()
            .find_map(|id| self.items.get(&id).and_then(|i| i.line))
    }
}

/// An action on a session, written through the store under its lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionAction {
    Interrupt,
    Message(String),
    Revisit,
}

impl SessionAction {
    /// The audit log's name for it (the CLI's subcommand).
    pub fn audit_name(&self) -> &'static str {
        match self {
            Self::Interrupt => "interrupt",
            Self::Message(_) => "message",
            Self::Revisit => "wake",
        }
    }
}

/// A write waiting for `y` (or `n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub key: SessionKey,
    /// The session's directory: its root is the parent.
    pub dir: PathBuf,
    pub action: SessionAction,
    /// Sanitised, one line: what `y` will do.
    pub question: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::line::{LineParse, parse_line};
    use crate::model::plan::PlanTools;
    use crate::model::time::parse_rfc3339;

    fn summary(lines: &[&str]) -> JournalSummary {
        let mut s = JournalSummary::new("s", PlanTools::default());
        for line in lines {
            if let LineParse::Event(e) = parse_line(line.as_bytes()) {
                s.apply(&e);
            }
        }
        s
    }

    fn key() -> SessionKey {
        SessionKey {
            source: 0,
            id: "s".into(),
        }
    }

    #[test]
    fn runs_follow_status_marks_and_marks_land_in_their_cell() {
        let now = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let s = summary(&[
            r#"{"id":"1","type":"session.status_running","created_at":"2026-11-21T09:00:00Z"}"#,
            r#"{"id":"2","type":"agent.tool_use","created_at":"2026-11-21T09:30:00Z","name":"bash","input":{}}"#,
            r#"{"id":"3","type":"session.status_idle","created_at":"2026-11-21T09:30:10Z","stop_reason":{"type":"requires_action","event_ids":["2"]}}"#,
            r#"{"id":"4","type":"session.error","created_at":"2026-11-21T09:45:00Z","error":{"type":"api_error"}}"#,
        ]);
        let created = parse_rfc3339("2026-11-21T09:00:00Z");
        let t = timeline(key(), &s, created, DisplayStatus::RequiresAction, now);
        assert_eq!(t.span_secs, 3600);
        assert_eq!(t.cells.len(), TIMELINE_CELLS);
        assert_eq!(t.cells[0].status, Some(DisplayStatus::Running));
        assert_eq!(t.cells[10].status, Some(DisplayStatus::Running));
        // 09:30 is cell 24 (75 s a cell); the request and the idle share it.
        assert_eq!(t.cells[24].mark, Some(TimelineMark::Request));
        assert_eq!(t.cells[24].status, Some(DisplayStatus::RequiresAction));
        assert_eq!(t.cells[36].mark, Some(TimelineMark::Error));
        assert_eq!(t.cells[47].status, Some(DisplayStatus::RequiresAction));
        assert_eq!(
            t.counts,
            vec![(TimelineMark::Error, 1), (TimelineMark::Request, 1)]
        );
    }

    #[test]
    fn a_young_session_spans_its_life_and_is_blank_before_it() {
        let now = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let s = summary(&[]);
        let created = parse_rfc3339("2026-11-21T09:50:00Z");
        let t = timeline(key(), &s, created, DisplayStatus::Idle, now);
        assert_eq!(t.span_secs, 600);
        assert!(
            t.cells
                .iter()
                .all(|c| c.status == Some(DisplayStatus::Idle))
        );
        let older = parse_rfc3339("2026-11-21T07:00:00Z");
        let s = summary(&[
            r#"{"id":"1","type":"session.status_running","created_at":"2026-11-21T09:30:00Z"}"#,
        ]);
        let t = timeline(key(), &s, older, DisplayStatus::Running, now);
        assert_eq!(
            t.cells[0].status, None,
            "no status known before the first mark"
        );
        assert_eq!(t.cells[30].status, Some(DisplayStatus::Running));
    }
}
