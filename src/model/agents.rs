//! Per-agent views: sessions by status, concurrency against the limit,
//! rate-limit and overload errors over the last hour, tokens used.

use std::collections::BTreeMap;

use serde::Serialize;

use super::event_type::EventType;
use super::prices::prices;
use super::session::{SessionDoc, Usage};
use super::status::DisplayStatus;
use super::summary::JournalSummary;
use super::time::Timestamp;

/// Minutes per sparkline bucket, and how many buckets make the hour.
pub const BUCKET_MINUTES: i64 = 5;
pub const BUCKETS: usize = 12;

/// `session.error` types that mean the provider pushed back.
pub fn is_rate_limit_error(error_type: &str) -> bool {
    let t = error_type.to_ascii_lowercase();
    t.contains("rate_limit") || t.contains("overloaded") || t.contains("too_many_requests")
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AgentRow {
    pub agent_id: String,
    pub name: Option<String>,
    pub sessions: usize,
    /// Sessions per displayed status (`requires_action`, `running`, …).
    pub by_status: BTreeMap<String, usize>,
    pub running: usize,
    pub max_concurrent: Option<u64>,
    pub over_limit: bool,
    /// Rate-limit and overload errors in the last hour, oldest bucket first
    /// (`BUCKETS` buckets of `BUCKET_MINUTES` minutes).
    pub rate_limited_last_hour: Vec<u32>,
    pub rate_limited_total_last_hour: u32,
    /// Every token once, over its sessions.
    pub tokens: u64,
    /// Input, output, cache read and cache creation tokens, summed.
    pub usage: Usage,
    /// Dollars over the sessions whose models are priced.
    pub cost_usd: f64,
    /// Sessions with tokens but no price for their model.
    pub unpriced_sessions: usize,
}

/// Token totals per project: Claude Code's project folder (the folder its
/// transcript is in), else the session's working directory.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ProjectRow {
    pub project: String,
    pub agent_id: String,
    pub sessions: usize,
    pub tokens: u64,
    pub usage: Usage,
    pub cost_usd: f64,
    pub unpriced_sessions: usize,
}

/// The project a session belongs to, as `agents` groups it.
pub fn project_of(doc: &SessionDoc) -> String {
    let text = |key: &str| doc.metadata.get(key).and_then(serde_json::Value::as_str);
    let claude = matches!(text("source"), Some("claude-code" | "claude-code-hook"));
    if claude
        && let Some(folder) = text("transcript")
            .map(std::path::Path::new)
            .and_then(|p| p.parent()?.file_name())
    {
        return folder.to_string_lossy().into_owned();
    }
    text("cwd").unwrap_or("-").to_string()
}

/// One row per (project, agent), sorted by project then agent.
pub fn project_rows<'a>(sessions: impl IntoIterator<Item = AgentInput<'a>>) -> Vec<ProjectRow> {
    let mut rows: BTreeMap<(String, String), ProjectRow> = BTreeMap::new();
    for input in sessions {
        let project = project_of(input.doc);
        let agent = input.doc.agent_id().unwrap_or("-").to_string();
        let row = rows
            .entry((project.clone(), agent.clone()))
            .or_insert_with(|| ProjectRow {
                project,
                agent_id: agent,
                ..ProjectRow::default()
            });
        row.sessions += 1;
        row.usage.add(&input.doc.usage);
        row.tokens = row.usage.total();
        match prices().session_cost(input.doc) {
            Some(cost) => row.cost_usd += cost,
            None if input.doc.usage.total() > 0 => row.unpriced_sessions += 1,
            None => {}
        }
    }
    rows.into_values().collect()
}

/// What one session contributes to its agent's row.
pub struct AgentInput<'a> {
    pub doc: &'a SessionDoc,
    pub summary: &'a JournalSummary,
}

/// One row per agent id (sessions without one are grouped under `-`),
/// sorted by agent id.
pub fn agent_rows<'a>(
    sessions: impl IntoIterator<Item = AgentInput<'a>>,
    now: Timestamp,
) -> Vec<AgentRow> {
    let mut rows: BTreeMap<String, AgentRow> = BTreeMap::new();
    for input in sessions {
        let id = input.doc.agent_id().unwrap_or("-").to_string();
        let row = rows.entry(id.clone()).or_insert_with(|| AgentRow {
            agent_id: id,
            rate_limited_last_hour: vec![0; BUCKETS],
            ..AgentRow::default()
        });
        if row.name.is_none() {
            row.name = input.doc.agent.name.clone();
        }
        if let Some(limit) = input.doc.agent.max_concurrent {
            row.max_concurrent = Some(row.max_concurrent.map_or(limit, |l| l.min(limit)));
        }
        let status = DisplayStatus::of(input.doc);
        *row.by_status
            .entry(status.as_str().to_string())
            .or_default() += 1;
        row.sessions += 1;
        if status == DisplayStatus::Running {
            row.running += 1;
        }
        row.usage.add(&input.doc.usage);
        row.tokens = row.usage.total();
        match prices().session_cost(input.doc) {
            Some(cost) => row.cost_usd += cost,
            None if input.doc.usage.total() > 0 => row.unpriced_sessions += 1,
            None => {}
        }
        for mark in input.summary.marks_of(EventType::SessionError) {
            let is_push_back = mark.detail.as_deref().is_some_and(is_rate_limit_error);
            let age_minutes = (now - mark.at).num_minutes();
            if !is_push_back || !(0..BUCKET_MINUTES * BUCKETS as i64).contains(&age_minutes) {
                continue;
            }
            let bucket = BUCKETS - 1 - (age_minutes / BUCKET_MINUTES) as usize;
            row.rate_limited_last_hour[bucket] += 1;
            row.rate_limited_total_last_hour += 1;
        }
    }
    rows.into_values()
        .map(|mut row| {
            row.over_limit = row.max_concurrent.is_some_and(|l| row.running as u64 > l);
            row
        })
        .collect()
}

/// A sparkline of counts with block characters, for tables.
pub fn sparkline(counts: &[u32]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| match c {
            0 => ' ',
            _ => {
                BLOCKS[((c as usize * (BLOCKS.len() - 1)) / max.max(1) as usize)
                    .min(BLOCKS.len() - 1)]
            }
        })
        .collect()
}

/// Whether a session has outlived its TTL (`metadata.ttl_minutes`, else
/// `default_ttl_minutes` when non-zero), counted from `created_at`.
pub fn is_expired(doc: &SessionDoc, default_ttl_minutes: u64, now: Timestamp) -> bool {
    let ttl = doc
        .ttl_minutes()
        .or((default_ttl_minutes > 0).then_some(default_ttl_minutes));
    match (ttl, doc.created_at) {
        (Some(ttl), Some(created)) => {
            now - created
                > chrono::Duration::minutes(i64::try_from(ttl).unwrap_or(i64::MAX / 60_000))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::line::{LineParse, parse_line};
    use crate::model::plan::PlanTools;
    use crate::model::time::parse_rfc3339;

    fn doc(json: &str) -> SessionDoc {
        SessionDoc::from_json_bytes(json.as_bytes()).unwrap()
    }

    fn summary(lines: &[&str]) -> JournalSummary {
        let mut s = JournalSummary::new("s", PlanTools::default());
        for line in lines {
            if let LineParse::Event(e) = parse_line(line.as_bytes()) {
                s.apply(&e);
            }
        }
        s
    }

    #[test]
    fn flags_agents_over_their_limit_and_counts_push_back() {
        let now = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let running = doc(
            r#"{"status":"running","agent":{"id":"fixer","max_concurrent":1},"usage":{"input_tokens":10}}"#,
        );
        let idle = doc(r#"{"status":"idle","agent":{"id":"fixer"},"usage":{"output_tokens":5}}"#);
        let other = doc(r#"{"status":"running","agent":{"id":"planner","max_concurrent":3}}"#);
        let errors = summary(&[
            r#"{"id":"1","type":"session.error","created_at":"2026-11-21T09:58:00Z","error":{"type":"rate_limit_error"}}"#,
            r#"{"id":"2","type":"session.error","created_at":"2026-11-21T09:20:00Z","error":{"type":"model_overloaded_error"}}"#,
            r#"{"id":"3","type":"session.error","created_at":"2026-11-21T09:59:00Z","error":{"type":"api_error"}}"#,
            r#"{"id":"4","type":"session.error","created_at":"2026-11-21T08:00:00Z","error":{"type":"rate_limit_error"}}"#,
        ]);
        let empty = summary(&[]);
        let rows = agent_rows(
            [
                AgentInput {
                    doc: &running,
                    summary: &errors,
                },
                AgentInput {
                    doc: &idle,
                    summary: &empty,
                },
                AgentInput {
                    doc: &other,
                    summary: &empty,
                },
            ],
            now,
        );
        assert_eq!(rows.len(), 2);
        let fixer = &rows[0];
        assert_eq!(fixer.agent_id, "fixer");
        assert_eq!(
            (fixer.sessions, fixer.running, fixer.max_concurrent),
            (2, 1, Some(1))
        );
        assert!(!fixer.over_limit, "1 running of 1 allowed is not over");
        assert_eq!(fixer.rate_limited_total_last_hour, 2);
        assert_eq!(fixer.rate_limited_last_hour[BUCKETS - 1], 1);
        assert_eq!(fixer.tokens, 15);
        assert_eq!(fixer.by_status.get("idle"), Some(&1));
        let over = agent_rows(
            [
                AgentInput {
                    doc: &running,
                    summary: &empty,
                },
                AgentInput {
                    doc: &running,
                    summary: &empty,
                },
            ],
            now,
        );
        assert!(over[0].over_limit);
    }

    #[test]
    fn ttl_from_metadata_or_default() {
        let now = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let with_ttl =
            doc(r#"{"created_at":"2026-11-21T08:00:00Z","metadata":{"ttl_minutes":60}}"#);
        assert!(is_expired(&with_ttl, 0, now));
        let young = doc(r#"{"created_at":"2026-11-21T09:30:00Z","metadata":{"ttl_minutes":60}}"#);
        assert!(!is_expired(&young, 0, now));
        let no_ttl = doc(r#"{"created_at":"2026-11-21T08:00:00Z"}"#);
        assert!(!is_expired(&no_ttl, 0, now));
        assert!(is_expired(&no_ttl, 90, now));
    }

    #[test]
    fn sparkline_scales_to_the_max() {
        assert_eq!(sparkline(&[0, 1, 2, 4]), " ▂▄█");
    }
}
