//! Turns the daemon's mirror into telemetry as it changes: after each feed
//! update the touched session is compared with what was last seen of it,
//! which gives decisions (with their latency), appended events, and the
//! spans: one per session (parent sessions are parent spans), one child per
//! request from listed to answered, events for errors and reschedules.

use std::collections::HashMap;
use std::time::SystemTime;

use opentelemetry::trace::{
    Span as _, SpanContext, SpanKind, Status, TraceContextExt, Tracer as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{Span, Tracer};

use super::metrics::Counters;
use crate::model::event_type::EventType;
use crate::model::status::DisplayStatus;
use crate::model::summary::AnswerRecord;
use crate::model::time::Timestamp;
use crate::store::fleet::Fleet;
use crate::store::session_snapshot::SessionSnapshot;

/// How far up a parent chain sessions are started first (chains in a root
/// are short; a cycle in untrusted files must not recurse forever).
const MAX_PARENT_DEPTH: usize = 32;
/// Attribute values from journals are cut to this many characters.
const MAX_ATTRIBUTE_CHARS: usize = 256;

struct Request {
    kind: &'static str,
    event_type: EventType,
    listed_at: Option<Timestamp>,
    span: Option<Span>,
}

#[derive(Default)]
struct Tracked {
    event_count: u64,
    terminated: bool,
    span: Option<Span>,
    /// The session span's context, kept after it ends for late children.
    context: Option<SpanContext>,
    requests: HashMap<String, Request>,
    /// The last error or reschedule mark turned into a span event.
    last_mark: Option<String>,
}

/// What the daemon has seen of each session, and where telemetry goes.
pub struct Observer {
    counters: Counters,
    tracer: Option<Tracer>,
    sessions: HashMap<String, Tracked>,
}

impl Observer {
    pub fn new(counters: Counters, tracer: Option<Tracer>) -> Self {
        Self {
            counters,
            tracer,
            sessions: HashMap::new(),
        }
    }

    /// Takes in the fleet as loaded at start: ended sessions are only
    /// remembered (they were traced by whoever ran then), live ones start
    /// their spans at their creation, parents first.
    pub fn start(&mut self, fleet: &Fleet, now: Timestamp) {
        for session in &fleet.sessions {
            self.ensure(fleet, session, now, true, 0);
        }
    }

    /// Compares session `id` with what was last seen of it.
    pub fn observe(&mut self, fleet: &Fleet, id: &str, now: Timestamp) {
        let Some(session) = fleet.get(id) else {
            if let Some(gone) = self.sessions.remove(id) {
                self.end_session(gone, None, now, "removed");
            }
            return;
        };
        if !self.sessions.contains_key(id) {
            self.ensure(fleet, session, now, false, 0);
            return;
        }
        self.update(session, now);
    }

    /// Ends every open span (the daemon is stopping), so that nothing
    /// already seen is lost.
    pub fn finish(&mut self, now: Timestamp) {
        for (_, tracked) in std::mem::take(&mut self.sessions) {
            self.end_session(tracked, None, now, "daemon_stopped");
        }
    }

    fn ensure(
        &mut self,
        fleet: &Fleet,
        session: &SessionSnapshot,
        now: Timestamp,
        at_start: bool,
        depth: usize,
    ) {
        if self.sessions.contains_key(&session.id) {
            return;
        }
        if let Some(parent) = session.doc.parent_id.as_deref().and_then(|p| fleet.get(p))
            && depth < MAX_PARENT_DEPTH
            && parent.id != session.id
        {
            self.ensure(fleet, parent, now, at_start, depth + 1);
            // A parent cycle in the files may have come back to this one.
            if self.sessions.contains_key(&session.id) {
                return;
            }
        }
        let mut tracked = Tracked {
            event_count: session.summary.event_count,
            ..Tracked::default()
        };
        if at_start && DisplayStatus::of(&session.doc) == DisplayStatus::Terminated {
            tracked.terminated = true;
            self.sessions.insert(session.id.clone(), tracked);
            return;
        }
        let created = session.doc.created_at.unwrap_or(now);
        if let Some(span) = self.start_session_span(session, created, now) {
            tracked.context = Some(span.span_context().clone());
            tracked.span = Some(span);
        }
        self.sessions.insert(session.id.clone(), tracked);
        // Requests already waiting, marks already there: as if seen now;
        // one that appears already ended ends its span at once.
        self.update(session, now);
        if !at_start && let Some(tracked) = self.sessions.get_mut(&session.id) {
            // A session that appears while the daemon runs: its events are
            // appended ones.
            self.counters
                .events_appended
                .inc_by(session.summary.event_count);
            tracked.event_count = session.summary.event_count;
        }
    }

    /// A span for `session`'s life from `start` (its creation, or a resume).
    fn start_session_span(
        &self,
        session: &SessionSnapshot,
        start: Timestamp,
        now: Timestamp,
    ) -> Option<Span> {
        let tracer = self.tracer.as_ref()?;
        let doc = &session.doc;
        let mut attributes = vec![
            KeyValue::new("switchboard.session.id", text(&session.id)),
            KeyValue::new("switchboard.agent.id", text(doc.agent_id().unwrap_or("-"))),
        ];
        if let Some(name) = &doc.agent.name {
            attributes.push(KeyValue::new("switchboard.agent.name", text(name)));
        }
        if let Some(lane) = doc.lane() {
            attributes.push(KeyValue::new("switchboard.lane", text(lane)));
        }
        if let Some(parent) = &doc.parent_id {
            attributes.push(KeyValue::new("switchboard.parent.id", text(parent)));
        }
        if let Some(title) = &doc.title {
            attributes.push(KeyValue::new("switchboard.session.title", text(title)));
        }
        let start = start.min(now);
        let builder = tracer
            .span_builder(format!("session {}", text(doc.agent_id().unwrap_or("-"))))
            .with_kind(SpanKind::Internal)
            .with_start_time(SystemTime::from(start))
            .with_attributes(attributes);
        let parent = doc
            .parent_id
            .as_deref()
            .and_then(|p| self.sessions.get(p))
            .and_then(|t| t.context.clone());
        let cx = match parent {
            Some(parent) => Context::new().with_remote_span_context(parent),
            None => Context::new(),
        };
        Some(tracer.build_with_context(builder, &cx))
    }

    fn update(&mut self, session: &SessionSnapshot, now: Timestamp) {
        let Some(mut tracked) = self.sessions.remove(&session.id) else {
            return;
        };
        let count = session.summary.event_count;
        if count > tracked.event_count {
            self.counters
                .events_appended
                .inc_by(count - tracked.event_count);
        }
        tracked.event_count = count;
        self.marks(&mut tracked, session);
        self.requests(&mut tracked, session, now);
        let terminated = DisplayStatus::of(&session.doc) == DisplayStatus::Terminated;
        if terminated && !tracked.terminated {
            tracked.terminated = true;
            let at = session.doc.updated_at.unwrap_or(now).min(now);
            if let Some(mut span) = tracked.span.take() {
                finish_session_span(&mut span, Some(session), at, "terminated");
            }
        } else if !terminated && tracked.terminated {
            // Resumed: a new span for its new life.
            tracked.terminated = false;
            if let Some(span) = self.start_session_span(session, now, now) {
                tracked.context = Some(span.span_context().clone());
                tracked.span = Some(span);
            }
        }
        self.sessions.insert(session.id.clone(), tracked);
    }

    fn marks(&self, tracked: &mut Tracked, session: &SessionSnapshot) {
        let recent = &session.summary.recent;
        let start = tracked
            .last_mark
            .as_deref()
            .and_then(|last| recent.iter().position(|m| m.event_id == last))
            .map_or(0, |i| i + 1);
        for mark in recent.iter().skip(start) {
            let name = match mark.kind {
                EventType::SessionError => "session.error",
                EventType::SessionStatusRescheduled => "session.rescheduled",
                _ => continue,
            };
            tracked.last_mark = Some(mark.event_id.clone());
            if let Some(span) = tracked.span.as_mut() {
                let mut attributes =
                    vec![KeyValue::new("switchboard.event.id", text(&mark.event_id))];
                if let Some(detail) = &mark.detail {
                    attributes.push(KeyValue::new("switchboard.detail", text(detail)));
                }
                span.add_event_with_timestamp(name, SystemTime::from(mark.at), attributes);
            }
        }
    }

    fn requests(&self, tracked: &mut Tracked, session: &SessionSnapshot, now: Timestamp) {
        let pending = session.summary.pending();
        for request in &pending {
            let id = request.event_id();
            if tracked.requests.contains_key(id) {
                continue;
            }
            let listed_at = request.pending_since;
            let span =
                self.tracer.as_ref().and_then(|tracer| {
                    let parent = tracked.context.clone()?;
                    let r = &request.request;
                    let builder = tracer
                        .span_builder(format!("request {}", text(r.name_text())))
                        .with_kind(SpanKind::Internal)
                        .with_start_time(SystemTime::from(listed_at.unwrap_or(now).min(now)))
                        .with_attributes(vec![
                            KeyValue::new("switchboard.session.id", text(&session.id)),
                            KeyValue::new("switchboard.event.id", text(id)),
                            KeyValue::new("switchboard.request.kind", request.kind().as_str()),
                            KeyValue::new("switchboard.tool.name", text(r.name_text())),
                            KeyValue::new("switchboard.fingerprint", text(&r.fingerprint)),
                        ]);
                    Some(tracer.build_with_context(
                        builder,
                        &Context::new().with_remote_span_context(parent),
                    ))
                });
            tracked.requests.insert(
                id.to_string(),
                Request {
                    kind: request.kind().as_str(),
                    event_type: request.request.event_type.clone(),
                    listed_at,
                    span,
                },
            );
        }
        let gone: Vec<String> = tracked
            .requests
            .keys()
            .filter(|id| !pending.iter().any(|p| p.event_id() == id.as_str()))
            .cloned()
            .collect();
        for id in gone {
            let Some(request) = tracked.requests.remove(&id) else {
                continue;
            };
            let answer = session.summary.answer_to(&id, &request.event_type);
            self.resolve(request, answer, now);
        }
    }

    fn resolve(&self, request: Request, answer: Option<&AnswerRecord>, now: Timestamp) {
        let verdict = answer.map(verdict_of);
        let answered_at = answer.and_then(|a| a.created_at).unwrap_or(now).min(now);
        if let Some(verdict) = verdict {
            let latency = request
                .listed_at
                .map(|t| (answered_at - t).num_milliseconds() as f64 / 1000.0);
            self.counters.decided(verdict, request.kind, latency);
        }
        if let Some(mut span) = request.span {
            span.set_attribute(KeyValue::new(
                "switchboard.verdict",
                verdict.unwrap_or("unanswered"),
            ));
            if let Some(by) = answer.and_then(|a| a.decided_by.as_deref()) {
                span.set_attribute(KeyValue::new("switchboard.decided_by", text(by)));
            }
            span.end_with_timestamp(SystemTime::from(answered_at));
        }
    }

    fn end_session(
        &self,
        mut tracked: Tracked,
        session: Option<&SessionSnapshot>,
        now: Timestamp,
        why: &'static str,
    ) {
        for (_, request) in tracked.requests.drain() {
            self.resolve(request, None, now);
        }
        if let Some(mut span) = tracked.span.take() {
            finish_session_span(&mut span, session, now, why);
        }
    }
}

fn finish_session_span(
    span: &mut Span,
    session: Option<&SessionSnapshot>,
    at: Timestamp,
    why: &'static str,
) {
    span.set_attribute(KeyValue::new("switchboard.span.ended_by", why));
    if let Some(session) = session {
        let doc = &session.doc;
        let stop = doc.stop_reason.as_ref().map(|s| text(&s.kind));
        span.set_attribute(KeyValue::new(
            "switchboard.stop_reason",
            stop.unwrap_or_else(|| "none".into()),
        ));
        span.set_attribute(KeyValue::new(
            "switchboard.tokens.input",
            doc.usage.input_tokens.min(i64::MAX as u64) as i64,
        ));
        span.set_attribute(KeyValue::new(
            "switchboard.tokens.output",
            doc.usage.output_tokens.min(i64::MAX as u64) as i64,
        ));
        span.set_attribute(KeyValue::new(
            "switchboard.tokens.total",
            doc.usage.total().min(i64::MAX as u64) as i64,
        ));
        if session
            .summary
            .recent
            .back()
            .is_some_and(|m| m.kind == EventType::SessionError)
        {
            span.set_status(Status::error("ended on an error"));
        }
    }
    span.end_with_timestamp(SystemTime::from(at));
}

/// The verdict an answer carries.
fn verdict_of(answer: &AnswerRecord) -> &'static str {
    if answer.answer_type == EventType::UserCustomToolResult {
        return "respond";
    }
    if answer.redirect {
        return "redirect";
    }
    match answer.result.as_deref() {
        Some("allow") => "allow",
        Some("deny") => "deny",
        _ => "other",
    }
}

/// Untrusted text as an attribute: control characters dropped, cut short.
fn text(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_ATTRIBUTE_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::PlanTools;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
    use std::sync::{Arc, Mutex};

    /// Keeps what it is given.
    #[derive(Debug, Clone, Default)]
    struct Kept(Arc<Mutex<Vec<SpanData>>>);

    impl SpanExporter for Kept {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            self.0.lock().unwrap().extend(batch);
            Ok(())
        }
    }

    fn load(root: &std::path::Path, id: &str, doc: &str) -> SessionSnapshot {
        let dir = root.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("session.json"), doc).unwrap();
        std::fs::write(dir.join("events.jsonl"), "").unwrap();
        SessionSnapshot::load(&dir, &PlanTools::default())
            .unwrap()
            .unwrap()
    }

    fn fleet(root: &std::path::Path, sessions: Vec<SessionSnapshot>) -> Fleet {
        let mut sessions = sessions;
        sessions.sort_by(|a, b| a.id.cmp(&b.id));
        Fleet {
            root: root.into(),
            sessions,
            ..Fleet::default()
        }
    }

    fn observer() -> (Observer, Kept, SdkTracerProvider) {
        let kept = Kept::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(kept.clone())
            .build();
        let tracer = provider.tracer("test");
        (
            Observer::new(Counters::default(), Some(tracer)),
            kept,
            provider,
        )
    }

    fn attr(span: &SpanData, key: &str) -> Option<String> {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    }

    #[test]
    fn a_session_that_appears_already_ended_ends_its_span_under_its_parent() {
        let root = tempfile::tempdir().unwrap();
        let parent = load(root.path(), "p", r#"{"status":"running"}"#);
        let (mut observer, kept, _provider) = observer();
        let now = chrono::Utc::now();
        let mut fleet = fleet(root.path(), vec![parent]);
        observer.start(&fleet, now);
        assert!(
            kept.0.lock().unwrap().is_empty(),
            "the parent is still open"
        );
        let child = load(
            root.path(),
            "c",
            r#"{"status":"terminated","parent_id":"p","stop_reason":{"type":"end_turn"}}"#,
        );
        fleet.sessions.push(child);
        observer.observe(&fleet, "c", now);
        let spans = kept.0.lock().unwrap().clone();
        assert_eq!(spans.len(), 1, "{spans:?}");
        let child = &spans[0];
        assert_eq!(attr(child, "switchboard.session.id").as_deref(), Some("c"));
        assert_eq!(
            attr(child, "switchboard.stop_reason").as_deref(),
            Some("end_turn")
        );
        assert_eq!(
            attr(child, "switchboard.span.ended_by").as_deref(),
            Some("terminated")
        );
        observer.finish(now);
        let spans = kept.0.lock().unwrap().clone();
        let parent = spans
            .iter()
            .find(|s| attr(s, "switchboard.session.id").as_deref() == Some("p"))
            .unwrap();
        assert_eq!(child.parent_span_id, parent.span_context.span_id());
        assert_eq!(
            child.span_context.trace_id(),
            parent.span_context.trace_id()
        );
    }

    #[test]
    fn a_parent_cycle_in_the_files_gives_one_span_each() {
        let root = tempfile::tempdir().unwrap();
        let a = load(root.path(), "a", r#"{"status":"running","parent_id":"b"}"#);
        let b = load(root.path(), "b", r#"{"status":"running","parent_id":"a"}"#);
        let (mut observer, kept, _provider) = observer();
        let now = chrono::Utc::now();
        observer.start(&fleet(root.path(), vec![a, b]), now);
        observer.finish(now);
        let spans = kept.0.lock().unwrap().clone();
        let mut ids: Vec<String> = spans
            .iter()
            .filter_map(|s| attr(s, "switchboard.session.id"))
            .collect();
        ids.sort();
        assert_eq!(ids, ["a", "b"]);
    }
}
