//! The rows every front end shows and every `--json` prints (`cli.md`'s
//! shapes). Built from store snapshots; the daemon sends the same types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Event;
use crate::model::fingerprint;
use crate::model::pending::PendingRequest;
use crate::model::prices::prices;
use crate::model::session::Usage;
use crate::model::status::display_status_text;
use crate::model::stuck::{StuckFinding, StuckThresholds};
use crate::model::time::{Timestamp, format_rfc3339};
use crate::store::fleet::Fleet;
use crate::store::session_snapshot::SessionSnapshot;

/// `ls --json`: one object per session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: String,
    pub title: Option<String>,
    pub status: String,
    pub raw_status: Option<String>,
    pub stop_reason: Value,
    pub parent_id: Option<String>,
    pub agent_id: Option<String>,
    pub event_count: u64,
    pub malformed_lines: u64,
    pub last_activity_at: Option<String>,
    pub pending: usize,
    pub stuck: Vec<String>,
    /// The model named by the session (`metadata.model`).
    #[serde(default)]
    pub model: Option<String>,
    /// Input, output, cache read and cache creation tokens.
    #[serde(default)]
    pub usage: Usage,
    /// Every token once (cache reads inside input are not counted twice).
    #[serde(default)]
    pub total_tokens: u64,
    /// What the tokens cost in US dollars, when every model used is priced.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// Which root or socket it came from, when several are merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Every source one session is read from, `KIND:PATH`, when more than
    /// one (a hook-mirrored session and its transcript).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// `metadata.sources` as `KIND:PATH` texts.
fn sources_of(doc: &crate::model::session::SessionDoc) -> Vec<String> {
    doc.metadata
        .get("sources")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|s| {
                    let kind = s.get("kind")?.as_str()?;
                    let path = s.get("path")?.as_str()?;
                    Some(format!("{kind}:{path}"))
                })
                .collect()
        })
        .unwrap_or_default()
}

impl SessionRow {
    pub fn new(session: &SessionSnapshot, stuck: &[StuckFinding]) -> Self {
        Self {
            id: session.id.clone(),
            title: session.doc.title.clone(),
            status: display_status_text(&session.doc),
            raw_status: session.doc.status.clone(),
            stop_reason: session
                .doc
                .raw
                .get("stop_reason")
                .cloned()
                .unwrap_or(Value::Null),
            parent_id: session.doc.parent_id.clone(),
            agent_id: session.doc.agent_id().map(str::to_string),
            event_count: session.summary.event_count,
            malformed_lines: session.summary.malformed_lines,
            last_activity_at: session.last_activity().map(format_rfc3339),
            pending: session.summary.pending_count(),
            stuck: stuck.iter().map(|f| f.rule.as_str().to_string()).collect(),
            model: session
                .doc
                .metadata
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_string),
            usage: session.doc.usage.clone(),
            total_tokens: session.doc.usage.total(),
            cost_usd: prices().session_cost(&session.doc),
            source: None,
            sources: sources_of(&session.doc),
        }
    }
}

/// `pending --json`: one object per pending request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingRow {
    pub session_id: String,
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub kind: String,
    pub name: Value,
    pub input: Value,
    pub fingerprint: String,
    pub requested_at: Option<String>,
    pub plan_revision: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tampered: bool,
    /// When it started waiting (not in `cli.md`'s shape; kept out of `--json`).
    #[serde(skip)]
    pub pending_since: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl PendingRow {
    pub fn new(pending: &PendingRequest) -> Self {
        let request = &pending.request;
        Self {
            session_id: pending.session_id.clone(),
            event_id: request.event_id.clone(),
            event_type: request.event_type.to_string(),
            kind: pending.kind().as_str().to_string(),
            name: request.name.clone(),
            input: request.input.to_value(),
            fingerprint: request.fingerprint.clone(),
            requested_at: request.created_at_text.clone(),
            plan_revision: request.plan.as_ref().map(|p| p.revision),
            tampered: request.is_tampered(),
            pending_since: pending.pending_since,
            source: None,
        }
    }

    pub fn short_fingerprint(&self) -> &str {
        fingerprint::short(&self.fingerprint)
    }
}

/// `doctor --json`: one object per (session, rule) that fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorRow {
    pub session_id: String,
    pub rule: String,
    pub since: String,
    pub detail: String,
    pub evidence: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl DoctorRow {
    pub fn new(session_id: &str, finding: &StuckFinding) -> Self {
        Self {
            session_id: session_id.to_string(),
            rule: finding.rule.as_str().to_string(),
            since: format_rfc3339(finding.since),
            detail: finding.detail.clone(),
            evidence: finding.evidence.clone(),
            source: None,
        }
    }
}

/// The three views of a fleet at `now`, each in its `cli.md` order.
pub struct FleetViews {
    pub sessions: Vec<SessionRow>,
    pub pending: Vec<PendingRow>,
    pub doctor: Vec<DoctorRow>,
}

impl FleetViews {
    pub fn build(fleet: &Fleet, thresholds: &StuckThresholds, now: Timestamp) -> Self {
        let stuck = fleet.stuck(thresholds, now);
        let mut views = FleetViews {
            sessions: Vec::with_capacity(fleet.sessions.len()),
            pending: Vec::new(),
            doctor: Vec::new(),
        };
        for (session, findings) in fleet.sessions.iter().zip(&stuck) {
            views.sessions.push(SessionRow::new(session, findings));
            views
                .pending
                .extend(session.summary.pending().iter().map(PendingRow::new));
            views
                .doctor
                .extend(findings.iter().map(|f| DoctorRow::new(&session.id, f)));
        }
        views.sort();
        views
    }

    pub fn empty() -> Self {
        Self {
            sessions: Vec::new(),
            pending: Vec::new(),
            doctor: Vec::new(),
        }
    }

    /// Adds another source's views, labelling its rows with `source`.
    pub fn absorb(&mut self, mut other: FleetViews, source: Option<String>) {
        if source.is_some() {
            other
                .sessions
                .iter_mut()
                .for_each(|r| r.source = source.clone());
            other
                .pending
                .iter_mut()
                .for_each(|r| r.source = source.clone());
            other
                .doctor
                .iter_mut()
                .for_each(|r| r.source = source.clone());
        }
        self.sessions.extend(other.sessions);
        self.pending.extend(other.pending);
        self.doctor.extend(other.doctor);
    }

    /// Sorts as `cli.md` says: sessions by id, pending by (session, event),
    /// doctor by (session, rule); the source breaks ties.
    pub fn sort(&mut self) {
        self.sessions
            .sort_by(|a, b| (&a.id, &a.source).cmp(&(&b.id, &b.source)));
        self.pending.sort_by(|a, b| {
            (&a.session_id, &a.event_id, &a.source).cmp(&(&b.session_id, &b.event_id, &b.source))
        });
        self.doctor.sort_by(|a, b| {
            (&a.session_id, &a.rule, &a.source).cmp(&(&b.session_id, &b.rule, &b.source))
        });
    }
}

/// An event's one-line summary as shown: a request's name and input
/// strictly (every sequence whole), agent output and messages with colour
/// sequences folded.
pub fn shown_summary(event: &Event) -> String {
    let summary = event.summary();
    if event.kind.is_request() {
        crate::sanitize::sanitize_line(&summary)
    } else {
        crate::sanitize::sanitize_output_line(&summary)
    }
}

/// A malformed line as shown: why, then its first `max` characters with
/// every byte that is not UTF-8 as `\xNN` (never U+FFFD) and `…` when cut.
pub fn shown_malformed(reason: &impl std::fmt::Display, raw: &[u8], max: usize) -> String {
    let head = &raw[..raw.len().min(max.saturating_mul(4))];
    let shown = crate::sanitize::sanitize_bytes_line(head);
    let mut clipped: String = shown.chars().take(max).collect();
    if clipped.len() < shown.len() || head.len() < raw.len() {
        clipped.push('…');
    }
    format!(
        "{}: {clipped}",
        crate::sanitize::sanitize_line(&reason.to_string())
    )
}
