//! The seven stuck rules, evaluated at a given `now`.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::event_type::EventType;
use super::session::SessionDoc;
use super::status::DisplayStatus;
use super::summary::JournalSummary;
use super::time::{Timestamp, format_minutes};
use super::wake::WakeQueue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StuckRule {
    AwaitingHuman,
    SilentRunning,
    WakeOverdue,
    QueueStalled,
    ErrorLoop,
    RescheduleLoop,
    Orphaned,
}

impl StuckRule {
    pub const ALL: [StuckRule; 7] = [
        Self::AwaitingHuman,
        Self::SilentRunning,
        Self::WakeOverdue,
        Self::QueueStalled,
        Self::ErrorLoop,
        Self::RescheduleLoop,
        Self::Orphaned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingHuman => "awaiting_human",
            Self::SilentRunning => "silent_running",
            Self::WakeOverdue => "wake_overdue",
            Self::QueueStalled => "queue_stalled",
            Self::ErrorLoop => "error_loop",
            Self::RescheduleLoop => "reschedule_loop",
            Self::Orphaned => "orphaned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Thresholds of the rules, in seconds and counts (the contract's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StuckThresholds {
    pub awaiting_human_secs: i64,
    pub silent_running_secs: i64,
    pub wake_overdue_secs: i64,
    pub queue_stalled_secs: i64,
    pub error_loop_count: usize,
    pub error_loop_window_secs: i64,
    pub reschedule_loop_count: usize,
    pub reschedule_loop_window_secs: i64,
}

impl Default for StuckThresholds {
    fn default() -> Self {
        Self {
            awaiting_human_secs: 600,
            silent_running_secs: 300,
            wake_overdue_secs: 120,
            queue_stalled_secs: 120,
            error_loop_count: 3,
            error_loop_window_secs: 600,
            reschedule_loop_count: 5,
            reschedule_loop_window_secs: 600,
        }
    }
}

impl StuckThresholds {
    /// One line naming the thresholds in force, for views that explain them.
    pub fn describe(&self) -> String {
        format!(
            "awaiting_human>{} · silent_running>{} · wake_overdue>{} · queue_stalled>{} · error_loop≥{}/{} · reschedule_loop≥{}/{}",
            format_minutes(self.awaiting_human_secs),
            format_minutes(self.silent_running_secs),
            format_minutes(self.wake_overdue_secs),
            format_minutes(self.queue_stalled_secs),
            self.error_loop_count,
            format_minutes(self.error_loop_window_secs),
            self.reschedule_loop_count,
            format_minutes(self.reschedule_loop_window_secs),
        )
    }
}

/// A rule firing on a session, with when it began and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckFinding {
    pub rule: StuckRule,
    pub since: Timestamp,
    pub detail: String,
    pub evidence: Vec<String>,
}

/// What the rules look at for one session.
pub struct StuckInput<'a> {
    pub doc: &'a SessionDoc,
    pub summary: &'a JournalSummary,
    pub wake: &'a WakeQueue,
    pub last_activity: Option<Timestamp>,
    /// The parent's status and last activity, when it has a known parent.
    pub parent: Option<(DisplayStatus, Option<Timestamp>)>,
}

/// Every rule that fires, in the contract's order.
pub fn evaluate(
    input: &StuckInput,
    thresholds: &StuckThresholds,
    now: Timestamp,
) -> Vec<StuckFinding> {
    let mut findings = Vec::new();
    findings.extend(awaiting_human(input, thresholds, now));
    findings.extend(silent_running(input, thresholds, now));
    findings.extend(wake_overdue(input, thresholds, now));
    findings.extend(queue_stalled(input, thresholds, now));
    findings.extend(error_loop(input, thresholds, now));
    findings.extend(reschedule_loop(input, thresholds, now));
    findings.extend(orphaned(input));
    findings
}

fn secs(seconds: i64) -> Duration {
    Duration::seconds(seconds)
}

fn awaiting_human(input: &StuckInput, t: &StuckThresholds, now: Timestamp) -> Option<StuckFinding> {
    let pending = input.summary.pending();
    let overdue: Vec<_> = pending
        .iter()
        .filter_map(|p| p.pending_since.map(|since| (since, p)))
        .filter(|(since, _)| now - *since > secs(t.awaiting_human_secs))
        .collect();
    let (since, oldest) = overdue.iter().min_by_key(|(since, _)| *since)?;
    let what = match oldest.request.name_text() {
        "" => oldest.request.event_id.clone(),
        name => format!("`{name}`"),
    };
    let noun = match oldest.kind() {
        super::pending::RequestKind::CustomToolResult => "an answer to",
        _ => "approval of",
    };
    let more = match overdue.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let mut evidence = Vec::new();
    for (_, p) in &overdue {
        evidence.push(p.request.event_id.clone());
        if let Some(idle) = &p.listed_by
            && !evidence.contains(idle)
        {
            evidence.push(idle.clone());
        }
    }
    Some(StuckFinding {
        rule: StuckRule::AwaitingHuman,
        since: *since,
        detail: format!(
            "Waiting {} for {noun} {what}{more}.",
            format_minutes((now - *since).num_seconds())
        ),
        evidence,
    })
}

fn silent_running(input: &StuckInput, t: &StuckThresholds, now: Timestamp) -> Option<StuckFinding> {
    if input.doc.status.as_deref() != Some("running") {
        return None;
    }
    let last = input.last_activity?;
    if now - last <= secs(t.silent_running_secs) {
        return None;
    }
    Some(StuckFinding {
        rule: StuckRule::SilentRunning,
        since: last,
        detail: format!(
            "Running but silent for {}.",
            format_minutes((now - last).num_seconds())
        ),
        evidence: input
            .summary
            .last_event
            .iter()
            .map(|e| e.id.clone())
            .collect(),
    })
}

fn wake_overdue(input: &StuckInput, t: &StuckThresholds, now: Timestamp) -> Option<StuckFinding> {
    let overdue: Vec<_> = input
        .wake
        .entries
        .iter()
        .filter(|e| e.consumed_at.is_none())
        .filter_map(|e| e.due_at.map(|due| (due, e)))
        .filter(|(due, _)| now - *due > secs(t.wake_overdue_secs))
        .collect();
    let (due, oldest) = overdue.iter().min_by_key(|(due, _)| *due)?;
    let reason = oldest
        .reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Some(StuckFinding {
        rule: StuckRule::WakeOverdue,
        since: *due,
        detail: format!(
            "Wake {} due {} ago, not consumed{reason}.",
            oldest.id,
            format_minutes((now - *due).num_seconds())
        ),
        evidence: overdue.iter().map(|(_, e)| e.id.clone()).collect(),
    })
}

fn queue_stalled(input: &StuckInput, t: &StuckThresholds, now: Timestamp) -> Option<StuckFinding> {
    let stalled: Vec<_> = input
        .summary
        .queued_user_events()
        .iter()
        .filter_map(|e| e.created_at.map(|at| (at, e)))
        .filter(|(at, _)| now - *at > secs(t.queue_stalled_secs))
        .collect();
    let (at, oldest) = stalled.iter().min_by_key(|(at, _)| *at)?;
    Some(StuckFinding {
        rule: StuckRule::QueueStalled,
        since: *at,
        detail: format!(
            "{} {} queued for {} and not processed.",
            oldest.kind,
            oldest.id,
            format_minutes((now - *at).num_seconds())
        ),
        evidence: stalled.iter().map(|(_, e)| e.id.clone()).collect(),
    })
}

fn recent_marks(
    summary: &JournalSummary,
    kind: EventType,
    window: i64,
    now: Timestamp,
) -> Vec<&super::summary::Mark> {
    let mut marks: Vec<_> = summary
        .marks_of(kind)
        .filter(|m| m.at <= now && now - m.at <= secs(window))
        .collect();
    marks.sort_by_key(|m| m.at);
    marks
}

fn error_loop(input: &StuckInput, t: &StuckThresholds, now: Timestamp) -> Option<StuckFinding> {
    let errors = recent_marks(
        input.summary,
        EventType::SessionError,
        t.error_loop_window_secs,
        now,
    );
    if errors.len() >= t.error_loop_count && !errors.is_empty() {
        let kind = errors
            .last()
            .and_then(|m| m.detail.clone())
            .unwrap_or_else(|| "error".into());
        return Some(StuckFinding {
            rule: StuckRule::ErrorLoop,
            since: errors[0].at,
            detail: format!(
                "{} errors in the last {} (latest: {kind}).",
                errors.len(),
                format_minutes(t.error_loop_window_secs)
            ),
            evidence: errors.iter().map(|m| m.event_id.clone()).collect(),
        });
    }
    let exhausted = input
        .doc
        .stop_reason
        .as_ref()
        .is_some_and(|r| r.kind == "retries_exhausted");
    if !exhausted {
        return None;
    }
    let last_errors: Vec<_> = input.summary.marks_of(EventType::SessionError).collect();
    let since = input
        .doc
        .updated_at
        .or(last_errors.last().map(|m| m.at))
        .or(input.last_activity)?;
    Some(StuckFinding {
        rule: StuckRule::ErrorLoop,
        since,
        detail: "Stopped with retries_exhausted.".into(),
        evidence: last_errors
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(|m| m.event_id.clone())
            .collect(),
    })
}

fn reschedule_loop(
    input: &StuckInput,
    t: &StuckThresholds,
    now: Timestamp,
) -> Option<StuckFinding> {
    let marks = recent_marks(
        input.summary,
        EventType::SessionStatusRescheduled,
        t.reschedule_loop_window_secs,
        now,
    );
    if marks.len() < t.reschedule_loop_count || marks.is_empty() {
        return None;
    }
    Some(StuckFinding {
        rule: StuckRule::RescheduleLoop,
        since: marks[0].at,
        detail: format!(
            "Rescheduled {} times in the last {}.",
            marks.len(),
            format_minutes(t.reschedule_loop_window_secs)
        ),
        evidence: marks.iter().map(|m| m.event_id.clone()).collect(),
    })
}

fn orphaned(input: &StuckInput) -> Option<StuckFinding> {
    let (parent_status, parent_activity) = input.parent?;
    if parent_status != DisplayStatus::Terminated {
        return None;
    }
    if input.doc.status.as_deref() == Some("terminated") {
        return None;
    }
    let parent_id = input.doc.parent_id.as_deref().unwrap_or("?");
    let since = parent_activity.or(input.last_activity)?;
    Some(StuckFinding {
        rule: StuckRule::Orphaned,
        since,
        detail: format!("Parent {parent_id} is terminated but this session is not."),
        evidence: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
