//! The Prometheus metrics: counters kept as things happen, and gauges
//! computed from the daemon's mirror at each scrape. No label names a
//! session: labels are agents (capped), statuses, kinds, rules, verdicts and
//! reasons, so a root of 100,000 sessions is still a few hundred series.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::feed::FeedHealth;
use crate::model::agents::{AgentInput, agent_rows};
use crate::model::stuck::StuckThresholds;
use crate::model::time::Timestamp;
use crate::store::fleet::Fleet;

/// Agents beyond this many are counted under `OTHER_AGENT`: agent ids come
/// from session files, and a runaway writer must not explode the series.
pub const MAX_AGENT_LABELS: usize = 200;
pub const OTHER_AGENT: &str = "_other";
/// Label values are cut to this many characters.
const MAX_LABEL_CHARS: usize = 64;

/// Decision latency buckets, seconds: 1 s to about 4.5 h.
fn latency_histogram() -> Histogram {
    Histogram::new([
        1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 16384.0,
    ])
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabel {
    pub verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AgentStatusLabels {
    agent: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AgentLabel {
    agent: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleLabel {
    rule: String,
}

/// What the daemon counts as it runs. Clones share the same counters.
#[derive(Clone, Debug)]
pub struct Counters {
    /// Requests answered, by verdict (`allow`, `deny`, `redirect`, `respond`),
    /// however they were answered (the daemon, the CLI on the root, a hook).
    pub decisions: Family<VerdictLabel, Counter>,
    /// Decisions the daemon refused, by reason (`stale`, `already_decided`,
    /// `not_found`, …).
    pub refusals: Family<ReasonLabel, Counter>,
    /// Seconds from a request being listed to its answer, by request kind.
    pub latency: Family<KindLabel, Histogram, fn() -> Histogram>,
    pub events_appended: Counter,
    /// Times the feed found the root unreadable.
    pub feed_errors: Counter,
    pub spans_exported: Counter,
    /// Spans in batches the backend did not take (down, slow, refused).
    pub spans_failed: Counter,
    /// Spans dropped because the export queue was full.
    pub spans_dropped: Counter,
    pub export_failures: Counter,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            decisions: Family::default(),
            refusals: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            events_appended: Counter::default(),
            feed_errors: Counter::default(),
            spans_exported: Counter::default(),
            spans_failed: Counter::default(),
            spans_dropped: Counter::default(),
            export_failures: Counter::default(),
        }
    }
}

impl Counters {
    pub fn refused(&self, reason: &str) {
        self.refusals
            .get_or_create(&ReasonLabel {
                reason: label(reason),
            })
            .inc();
    }

    pub fn decided(&self, verdict: &str, kind: &str, latency_secs: Option<f64>) {
        self.decisions
            .get_or_create(&VerdictLabel {
                verdict: label(verdict),
            })
            .inc();
        if let Some(secs) = latency_secs {
            self.latency
                .get_or_create(&KindLabel { kind: label(kind) })
                .observe(secs.max(0.0));
        }
    }
}

/// What a scrape reads besides the counters.
pub struct Scrape<'a> {
    pub fleet: &'a Fleet,
    pub health: Option<&'a FeedHealth>,
    pub thresholds: &'a StuckThresholds,
    pub now: Timestamp,
    pub clients: usize,
    /// Whether traces are exported, and whether the last export worked.
    pub traces_on: bool,
    pub last_export_ok: Option<bool>,
}

/// The Prometheus text exposition (OpenMetrics) of the counters and of
/// the fleet at `scrape.now`.
pub fn render(counters: &Counters, scrape: &Scrape) -> String {
    let mut registry = Registry::with_prefix("switchboard");
    register_counters(&mut registry, counters);
    register_fleet(&mut registry, scrape);
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = encode(&mut text, &registry);
    text
}

fn register_counters(registry: &mut Registry, c: &Counters) {
    registry.register(
        "decisions",
        "Requests answered, by verdict",
        c.decisions.clone(),
    );
    registry.register(
        "decision_refusals",
        "Decisions the daemon refused, by reason",
        c.refusals.clone(),
    );
    registry.register(
        "decision_latency_seconds",
        "Seconds from a request being listed to its answer",
        c.latency.clone(),
    );
    registry.register(
        "events_appended",
        "Journal events appended while the daemon ran",
        c.events_appended.clone(),
    );
    registry.register(
        "feed_errors",
        "Times the daemon's feed found its root unreadable",
        c.feed_errors.clone(),
    );
    registry.register(
        "telemetry_spans_exported",
        "Spans the OTLP backend accepted",
        c.spans_exported.clone(),
    );
    registry.register(
        "telemetry_spans_failed",
        "Spans in batches the OTLP backend did not accept (not retried)",
        c.spans_failed.clone(),
    );
    registry.register(
        "telemetry_spans_dropped",
        "Spans dropped because the export queue was full",
        c.spans_dropped.clone(),
    );
    registry.register(
        "telemetry_export_failures",
        "OTLP export attempts that failed",
        c.export_failures.clone(),
    );
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let g: Gauge = Gauge::default();
    g.set(value);
    registry.register(name, help, g);
}

fn register_fleet(registry: &mut Registry, s: &Scrape) {
    let sessions = &s.fleet.sessions;
    let agents = agent_rows(
        sessions.iter().map(|x| AgentInput {
            doc: &x.doc,
            summary: &x.summary,
        }),
        s.now,
    );
    let by_status: Family<AgentStatusLabels, Gauge> = Family::default();
    let tokens: Family<AgentLabel, Gauge> = Family::default();
    let over: Family<AgentLabel, Gauge> = Family::default();
    for (i, row) in agents.iter().enumerate() {
        let agent = if i < MAX_AGENT_LABELS {
            label(&row.agent_id)
        } else {
            OTHER_AGENT.to_string()
        };
        for (status, n) in &row.by_status {
            by_status
                .get_or_create(&AgentStatusLabels {
                    agent: agent.clone(),
                    status: status.clone(),
                })
                .inc_by(*n as i64);
        }
        tokens
            .get_or_create(&AgentLabel {
                agent: agent.clone(),
            })
            .inc_by(row.tokens.min(i64::MAX as u64) as i64);
        if let Some(limit) = row.max_concurrent {
            let excess = (row.running as u64).saturating_sub(limit);
            over.get_or_create(&AgentLabel { agent })
                .inc_by(excess.min(i64::MAX as u64) as i64);
        }
    }
    registry.register(
        "sessions",
        "Sessions in the root, by agent and displayed status",
        by_status,
    );
    registry.register(
        "agent_tokens",
        "Tokens used by the sessions in the root, by agent",
        tokens,
    );
    registry.register(
        "agent_sessions_over_limit",
        "Running sessions beyond the agent's max_concurrent",
        over,
    );

    let pending: Family<KindLabel, Gauge> = Family::default();
    let oldest: Family<KindLabel, Gauge<f64, AtomicU64>> = Family::default();
    let mut oldest_since: BTreeMap<String, Timestamp> = BTreeMap::new();
    for session in sessions {
        for request in session.summary.pending() {
            let kind = request.kind().as_str().to_string();
            pending
                .get_or_create(&KindLabel { kind: kind.clone() })
                .inc();
            if let Some(since) = request.pending_since {
                let entry = oldest_since.entry(kind).or_insert(since);
                *entry = (*entry).min(since);
            }
        }
    }
    for (kind, since) in oldest_since {
        let age = (s.now - since).num_milliseconds().max(0) as f64 / 1000.0;
        oldest.get_or_create(&KindLabel { kind }).set(age);
    }
    registry.register(
        "pending_requests",
        "Requests waiting for a decision, by kind",
        pending,
    );
    registry.register(
        "pending_oldest_age_seconds",
        "Seconds the oldest waiting request of each kind has waited",
        oldest,
    );

    let stuck: Family<RuleLabel, Gauge> = Family::default();
    for rule in crate::model::stuck::StuckRule::ALL {
        let _ = stuck.get_or_create(&RuleLabel {
            rule: rule.as_str().to_string(),
        });
    }
    for findings in s.fleet.stuck(s.thresholds, s.now) {
        for finding in findings {
            stuck
                .get_or_create(&RuleLabel {
                    rule: finding.rule.as_str().to_string(),
                })
                .inc();
        }
    }
    registry.register(
        "stuck_sessions",
        "Sessions a stuck rule fires for, by rule (as doctor reports them)",
        stuck,
    );

    let (up, watched, polled) = match s.health {
        Some(FeedHealth::Watching { watched, polled }) => (1, *watched, *polled),
        Some(FeedHealth::Polling { .. }) => (1, 0, sessions.len()),
        Some(FeedHealth::Unavailable { .. }) => (0, 0, 0),
        None => (0, 0, 0),
    };
    gauge(
        registry,
        "feed_up",
        "1 while the daemon can read its root",
        up,
    );
    gauge(
        registry,
        "feed_watched",
        "Session folders followed with change notifications",
        watched as i64,
    );
    gauge(
        registry,
        "feed_polled",
        "Session folders followed by polling",
        polled as i64,
    );
    gauge(
        registry,
        "daemon_clients",
        "Clients connected to the daemon's socket",
        s.clients as i64,
    );
    gauge(
        registry,
        "telemetry_traces_enabled",
        "1 when the daemon exports OTLP traces",
        i64::from(s.traces_on),
    );
    if let Some(ok) = s.last_export_ok {
        gauge(
            registry,
            "telemetry_last_export_ok",
            "1 when the last OTLP export worked",
            i64::from(ok),
        );
    }
}

/// A label value from untrusted text: control characters dropped, cut short.
pub fn label(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_LABEL_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::PlanTools;
    use crate::store::session_snapshot::SessionSnapshot;

    fn fleet(root: &std::path::Path, docs: &[(String, String)]) -> Fleet {
        let mut sessions = Vec::new();
        for (id, doc) in docs {
            let dir = root.join(id);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("session.json"), doc).unwrap();
            std::fs::write(dir.join("events.jsonl"), "").unwrap();
            sessions.push(
                SessionSnapshot::load(&dir, &PlanTools::default())
                    .unwrap()
                    .unwrap(),
            );
        }
        sessions.sort_by(|a, b| a.id.cmp(&b.id));
        Fleet {
            root: root.into(),
            sessions,
            ..Fleet::default()
        }
    }

    fn scrape(fleet: &Fleet) -> String {
        render(
            &Counters::default(),
            &Scrape {
                fleet,
                health: None,
                thresholds: &StuckThresholds::default(),
                now: chrono::Utc::now(),
                clients: 0,
                traces_on: false,
                last_export_ok: None,
            },
        )
    }

    #[test]
    fn agents_past_the_cap_share_one_label_and_no_session_is_a_label() {
        let root = tempfile::tempdir().unwrap();
        let docs: Vec<(String, String)> = (0..MAX_AGENT_LABELS + 5)
            .map(|i| {
                (
                    format!("sesn_{i:04}"),
                    format!(
                        r#"{{"status":"running","title":"t{i}","agent":{{"id":"agent_{i:04}"}}}}"#
                    ),
                )
            })
            .collect();
        let text = scrape(&fleet(root.path(), &docs));
        let series = text
            .lines()
            .filter(|l| l.starts_with("switchboard_sessions{"))
            .count();
        assert_eq!(series, MAX_AGENT_LABELS + 1, "{text}");
        assert!(
            text.contains(r#"switchboard_sessions{agent="_other",status="running"} 5"#),
            "{text}"
        );
        assert!(!text.contains("sesn_0001"), "no session id is a label");
        assert!(!text.contains("\"t1\""), "no title is a label");
    }

    #[test]
    fn running_past_max_concurrent_is_the_excess() {
        let root = tempfile::tempdir().unwrap();
        let doc = r#"{"status":"running","agent":{"id":"fixer","max_concurrent":1},"usage":{"input_tokens":7,"output_tokens":3}}"#;
        let docs: Vec<(String, String)> =
            (0..3).map(|i| (format!("s{i}"), doc.to_string())).collect();
        let text = scrape(&fleet(root.path(), &docs));
        assert!(
            text.contains(r#"switchboard_agent_sessions_over_limit{agent="fixer"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"switchboard_agent_tokens{agent="fixer"} 30"#),
            "{text}"
        );
        // Every rule is a series, firing or not.
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("switchboard_stuck_sessions{"))
                .count(),
            7
        );
    }
}
