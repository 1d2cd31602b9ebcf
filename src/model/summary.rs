//! A session's journal folded into what lists, stuck rules and decisions need.
//! Incremental: the dashboard feeds appended events as they arrive, so a
//! journal is decoded once, whatever its size.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::event::{Event, EventHead, ProcessedAt};
use super::event_type::EventType;
use super::open_request::OpenRequest;
use super::pending::{PendingRequest, PlanRevision, RequestRecord};
use super::plan::PlanTools;
pub use super::prepared_event::{AnswerRecord, Mark};
use super::prepared_event::{PreparedEvent, Role, is_notable};
use super::time::Timestamp;

/// Notable moments kept for the timeline and the loop rules.
const RECENT_CAP: usize = 512;
/// Queued user events kept (the oldest matter for `queue_stalled`).
const QUEUED_CAP: usize = 64;
/// Requests no idle event has listed yet, kept in case one does. Listings
/// follow their request closely; the oldest beyond this are forgotten so a
/// journal of millions of auto-approved tool uses costs bounded memory.
const UNLISTED_CAP: usize = 4096;
/// How far past the cap before forgetting, so forgetting is amortised.
const UNLISTED_SLACK: usize = UNLISTED_CAP;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub id: String,
    pub kind: EventType,
    pub created_at: Option<Timestamp>,
}

impl From<EventHead<'_>> for EventRef {
    fn from(head: EventHead<'_>) -> Self {
        Self {
            id: head.id.to_string(),
            kind: head.kind,
            created_at: head.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Listing {
    since: Option<Timestamp>,
    idle_event_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalSummary {
    pub session_id: String,
    plan_tools: PlanTools,
    pub event_count: u64,
    pub malformed_lines: u64,
    pub last_event: Option<EventRef>,
    /// Folded from the journal's last lines only, while the whole fold
    /// runs: `event_count`, `malformed_lines` and the pending requests
    /// cover only those lines, and say "counting…" until it replaces this.
    #[serde(skip)]
    pub counting: bool,
    /// Requests with no answer yet, in journal order.
    #[serde(with = "super::open_request::by_id")]
    open_requests: IndexMap<String, OpenRequest>,
    listings: HashMap<String, Listing>,
    /// First `user.tool_confirmation` per request id (the first in the
    /// journal wins).
    tool_confirmations: HashMap<String, AnswerRecord>,
    /// First `user.custom_tool_result` per request id.
    custom_tool_results: HashMap<String, AnswerRecord>,
    plan_revisions: HashMap<Option<String>, u32>,
    /// `user.*` events still queued (`processed_at: null`), oldest first.
    queued_user: Vec<EventRef>,
    queued_user_overflow: u64,
    /// Recent notable events (errors, reschedules, status, requests, answers).
    pub recent: VecDeque<Mark>,
}

impl JournalSummary {
    pub fn new(session_id: impl Into<String>, plan_tools: PlanTools) -> Self {
        Self {
            session_id: session_id.into(),
            plan_tools,
            event_count: 0,
            malformed_lines: 0,
            last_event: None,
            counting: false,
            open_requests: IndexMap::new(),
            listings: HashMap::new(),
            tool_confirmations: HashMap::new(),
            custom_tool_results: HashMap::new(),
            plan_revisions: HashMap::new(),
            queued_user: Vec::new(),
            queued_user_overflow: 0,
            recent: VecDeque::new(),
        }
    }

    pub fn plan_tools(&self) -> &PlanTools {
        &self.plan_tools
    }

    pub fn note_malformed(&mut self) {
        self.malformed_lines += 1;
    }

    pub fn note_malformed_lines(&mut self, count: u64) {
        self.malformed_lines += count;
    }

    /// Folds `count` consecutive head-only events, none of them `user.*`,
    /// the last being `last`: exactly what `apply_head` on each one does
    /// (each counts and becomes the last event; none touches the user queue,
    /// since the status events that hand it over need their body).
    /// `last` may be `None` only when another event is applied right after,
    /// which replaces it.
    pub fn apply_run(&mut self, count: u64, last: Option<EventRef>) {
        debug_assert!(last.as_ref().is_none_or(|last| !last.kind.is_user()));
        debug_assert!(
            last.as_ref()
                .is_none_or(|last| !takes_queued_work(&last.kind))
        );
        self.event_count += count;
        if last.is_some() {
            self.last_event = last;
        }
    }

    /// Folds one event, in journal order.
    pub fn apply(&mut self, event: &Event) {
        self.apply_prepared(PreparedEvent::new(event, &self.plan_tools));
    }

    /// Folds one prepared event, in journal order.
    pub fn apply_prepared(&mut self, event: PreparedEvent) {
        let PreparedEvent {
            id,
            kind,
            created_at,
            processed_at,
            role,
            mark,
        } = event;
        match role {
            Role::Request { record, plan_group } => {
                self.add_request(id.clone(), OpenRequest::Read(record), plan_group);
            }
            Role::WrittenRequest {
                request,
                plan_group,
            } => {
                let written = OpenRequest::Written {
                    request,
                    plan: None,
                };
                self.add_request(id.clone(), written, plan_group);
            }
            Role::Answer { request_id, record } => self.add_answer(&request_id, record),
            Role::Listing { ids } => {
                for listed in ids {
                    if let Some(request) = self.open_requests.get_mut(&listed) {
                        request.record_mut().ensure_fingerprint(&self.session_id);
                    }
                    self.listings.entry(listed).or_insert_with(|| Listing {
                        since: created_at,
                        idle_event_id: id.clone(),
                    });
                }
            }
            Role::Other => {}
        }
        if let Some(mark) = mark {
            if self.recent.len() == RECENT_CAP {
                self.recent.pop_front();
            }
            self.recent.push_back(mark);
        }
        self.apply_last(
            EventRef {
                id,
                kind,
                created_at,
            },
            &processed_at,
        );
    }

    /// Whether an event of this type needs its whole body folded; the others
    /// only need their head (`apply_head`), which is much cheaper to decode.
    pub fn needs_body(kind: &EventType) -> bool {
        // A status event that takes queued work is never part of a head-only
        // run (`apply_run`); it is notable anyway, but say it.
        kind.is_request() || kind.is_answer() || is_notable(kind) || takes_queued_work(kind)
    }

    /// Folds what every event contributes: counts, last event, queue state.
    /// Alone, it is the whole fold for types `needs_body` says no to.
    pub fn apply_head(&mut self, head: &EventHead) {
        let last = EventRef {
            id: head.id.to_string(),
            kind: head.kind.clone(),
            created_at: head.created_at,
        };
        self.apply_last(last, &head.processed_at);
    }

    /// `apply_head` for a head already owned: the event becomes the last.
    pub(super) fn apply_last(&mut self, last: EventRef, processed_at: &ProcessedAt) {
        self.event_count += 1;
        self.track_queue(&last, processed_at);
        self.last_event = Some(last);
    }

    /// The contract's rule (v1.1): a queued user event is handled by the
    /// same id written again with a `processed_at`, or by a later status
    /// event that starts or ends a cycle. `agent.*` events alone do not
    /// handle it: an agent busy on its previous turn has not read it.
    fn track_queue(&mut self, event: &EventRef, processed_at: &ProcessedAt) {
        if takes_queued_work(&event.kind) {
            self.queued_user.clear();
            self.queued_user_overflow = 0;
            return;
        }
        if !event.kind.is_user() {
            return;
        }
        match processed_at {
            // Written again still queued: one event, listed once.
            ProcessedAt::Queued if self.queued_user.iter().any(|q| q.id == event.id) => {}
            ProcessedAt::Queued if self.queued_user.len() < QUEUED_CAP => {
                self.queued_user.push(event.clone());
            }
            ProcessedAt::Queued => self.queued_user_overflow += 1,
            // The same id written again as processed acknowledges it.
            ProcessedAt::At => self.queued_user.retain(|q| q.id != event.id),
            ProcessedAt::Absent => {}
        }
    }

    fn add_request(
        &mut self,
        id: String,
        mut request: OpenRequest,
        plan_group: Option<Option<String>>,
    ) {
        // Numbered even when the request turns out answered or repeated: the
        // revision counts plan submissions as written.
        let plan = plan_group.map(|plan_id| {
            let counter = self.plan_revisions.entry(plan_id.clone()).or_insert(0);
            *counter += 1;
            PlanRevision {
                plan_id,
                revision: *counter,
            }
        });
        match &mut request {
            OpenRequest::Read(record) => record.plan = plan,
            OpenRequest::Written { plan: slot, .. } => *slot = plan,
        }
        if self.answer_to(&id, request.event_type()).is_some()
            || self.open_requests.contains_key(&id)
        {
            return;
        }
        if self.listings.contains_key(&id) {
            request.record_mut().ensure_fingerprint(&self.session_id);
        }
        self.open_requests.insert(id, request);
        if self.open_requests.len() > UNLISTED_CAP + UNLISTED_SLACK {
            self.forget_old_unlisted();
        }
    }

    /// Drops the oldest unlisted requests beyond the cap, in one pass.
    fn forget_old_unlisted(&mut self) {
        let listings = &self.listings;
        let unlisted = self
            .open_requests
            .keys()
            .filter(|id| !listings.contains_key(*id))
            .count();
        let mut excess = unlisted.saturating_sub(UNLISTED_CAP);
        self.open_requests.retain(|id, _| {
            if excess > 0 && !listings.contains_key(id) {
                excess -= 1;
                return false;
            }
            true
        });
    }

    fn add_answer(&mut self, request_id: &str, record: AnswerRecord) {
        let answers_it = self
            .open_requests
            .get(request_id)
            .is_some_and(|r| r.event_type().answer_type().as_ref() == Some(&record.answer_type));
        let Some(answers) = self.answers_of_mut(&record.answer_type) else {
            return;
        };
        if answers.contains_key(request_id) {
            return;
        }
        answers.insert(request_id.to_string(), record);
        if answers_it {
            self.open_requests.shift_remove(request_id);
        }
    }

    /// Answers of one type, by the id of the request they answer.
    fn answers_of(&self, answer_type: &EventType) -> Option<&HashMap<String, AnswerRecord>> {
        match answer_type {
            EventType::UserToolConfirmation => Some(&self.tool_confirmations),
            EventType::UserCustomToolResult => Some(&self.custom_tool_results),
            _ => None,
        }
    }

    fn answers_of_mut(
        &mut self,
        answer_type: &EventType,
    ) -> Option<&mut HashMap<String, AnswerRecord>> {
        match answer_type {
            EventType::UserToolConfirmation => Some(&mut self.tool_confirmations),
            EventType::UserCustomToolResult => Some(&mut self.custom_tool_results),
            _ => None,
        }
    }

    /// The answer to a request id of the given request type.
    pub fn answer_to(&self, request_id: &str, request_type: &EventType) -> Option<&AnswerRecord> {
        self.answers_of(&request_type.answer_type()?)?
            .get(request_id)
    }

    /// Requests listed as `requires_action` and unanswered, in journal order.
    pub fn pending(&self) -> Vec<PendingRequest> {
        self.open_requests
            .iter()
            .filter_map(|(id, request)| {
                let listing = self.listings.get(id)?;
                let mut request = request.record().into_owned();
                request.ensure_fingerprint(&self.session_id);
                Some(PendingRequest {
                    session_id: self.session_id.clone(),
                    pending_since: listing.since.or(request.created_at),
                    request,
                    listed_by: Some(listing.idle_event_id.clone()),
                })
            })
            .collect()
    }

    pub fn pending_count(&self) -> usize {
        self.open_requests
            .keys()
            .filter(|id| self.listings.contains_key(*id))
            .count()
    }

    /// An unanswered request, pending or not.
    pub fn open_request(&self, event_id: &str) -> Option<Cow<'_, RequestRecord>> {
        self.open_requests.get(event_id).map(OpenRequest::record)
    }

    pub fn is_listed(&self, event_id: &str) -> bool {
        self.listings.contains_key(event_id)
    }

    pub fn queued_user_events(&self) -> &[EventRef] {
        &self.queued_user
    }

    pub fn marks_of(&self, kind: EventType) -> impl Iterator<Item = &Mark> {
        self.recent.iter().filter(move |m| m.kind == kind)
    }
}

/// The status events at which the harness takes queued work (the start or
/// end of a cycle): every user event queued before one is handled.
fn takes_queued_work(kind: &EventType) -> bool {
    matches!(
        kind,
        EventType::SessionStatusRunning
            | EventType::SessionStatusIdle
            | EventType::SessionStatusTerminated
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fold_steps::fold_decoded_line;
    use crate::model::line::{LineParse, parse_line};

    fn fold(lines: &[&str]) -> JournalSummary {
        let mut summary = JournalSummary::new("sesn_1", PlanTools::default());
        for line in lines {
            fold_decoded_line(&mut summary, line.as_bytes());
        }
        summary
    }

    const TOOL: &str = r#"{"id":"e1","type":"agent.tool_use","created_at":"2026-11-21T09:00:00Z","name":"bash","input":{"command":"ls"}}"#;
    const IDLE: &str = r#"{"id":"e2","type":"session.status_idle","created_at":"2026-11-21T09:00:05Z","stop_reason":{"type":"requires_action","event_ids":["e1"]}}"#;
    const ALLOW: &str = r#"{"id":"e3","type":"user.tool_confirmation","tool_use_id":"e1","result":"allow","processed_at":null}"#;

    #[test]
    fn listed_unanswered_request_is_pending() {
        let s = fold(&[TOOL, IDLE]);
        let pending = s.pending();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].event_id(), "e1");
        assert_eq!(
            pending[0].pending_since,
            crate::model::time::parse_rfc3339("2026-11-21T09:00:05Z")
        );
        assert_eq!(pending[0].listed_by.as_deref(), Some("e2"));
    }

    #[test]
    fn unlisted_request_is_not_pending() {
        assert!(fold(&[TOOL]).pending().is_empty());
    }

    #[test]
    fn answered_request_is_not_pending_and_first_answer_wins() {
        let deny =
            r#"{"id":"e4","type":"user.tool_confirmation","tool_use_id":"e1","result":"deny"}"#;
        let s = fold(&[TOOL, IDLE, ALLOW, deny]);
        assert!(s.pending().is_empty());
        let answer = s.answer_to("e1", &EventType::AgentToolUse).unwrap();
        assert_eq!(answer.event_id, "e3");
        assert_eq!(answer.result.as_deref(), Some("allow"));
    }

    #[test]
    fn answer_of_the_wrong_type_does_not_count() {
        let wrong = r#"{"id":"e4","type":"user.custom_tool_result","custom_tool_use_id":"e1"}"#;
        assert_eq!(fold(&[TOOL, IDLE, wrong]).pending_count(), 1);
    }

    #[test]
    fn answer_before_listing_still_counts() {
        assert!(fold(&[TOOL, ALLOW, IDLE]).pending().is_empty());
    }

    #[test]
    fn plan_revisions_are_numbered_per_plan_id() {
        let plan = |id: &str, pid: &str| {
            format!(
                r##"{{"id":"{id}","type":"agent.custom_tool_use","name":"submit_plan","input":{{"plan":"# {id}","plan_id":"{pid}"}}}}"##
            )
        };
        let lines = [plan("p1", "a"), plan("p2", "b"), plan("p3", "a")];
        let idle = r#"{"id":"i","type":"session.status_idle","stop_reason":{"type":"requires_action","event_ids":["p1","p2","p3"]}}"#;
        let mut all: Vec<&str> = lines.iter().map(String::as_str).collect();
        all.push(idle);
        let s = fold(&all);
        let revisions: Vec<(String, u32)> = s
            .pending()
            .iter()
            .map(|p| {
                (
                    p.request.event_id.clone(),
                    p.request.plan.as_ref().unwrap().revision,
                )
            })
            .collect();
        assert_eq!(
            revisions,
            vec![("p1".into(), 1), ("p2".into(), 1), ("p3".into(), 2)]
        );
    }

    const QUEUED: &str = r#"{"id":"u1","type":"user.message","processed_at":null}"#;

    fn queued_after(lines: &[&str]) -> Vec<String> {
        let mut all = vec![QUEUED];
        all.extend_from_slice(lines);
        let by_decoding = fold(&all);
        // The head-only and block folds must agree with the plain one.
        let mut by_line = JournalSummary::new("sesn_1", PlanTools::default());
        let mut journal = Vec::new();
        for line in &all {
            crate::model::fold_steps::fold_line(&mut by_line, line.as_bytes());
            journal.extend_from_slice(line.as_bytes());
            journal.push(b'\n');
        }
        let mut by_block = JournalSummary::new("sesn_1", PlanTools::default());
        crate::model::fold_steps::parse_block(&journal, &PlanTools::default()).apply(&mut by_block);
        assert_eq!(by_line, by_decoding);
        assert_eq!(by_block, by_decoding);
        by_decoding
            .queued_user_events()
            .iter()
            .map(|e| e.id.clone())
            .collect()
    }

    #[test]
    fn agent_and_other_events_alone_do_not_handle_a_queued_user_event() {
        let others = [
            r#"{"id":"a1","type":"agent.message"}"#,
            r#"{"id":"a2","type":"agent.thinking"}"#,
            r#"{"id":"a3","type":"agent.tool_use","name":"bash","input":{}}"#,
            r#"{"id":"a4","type":"session.error","error":{"type":"overloaded"}}"#,
            r#"{"id":"a5","type":"session.status_rescheduled"}"#,
            r#"{"id":"a6","type":"span.model_request_start"}"#,
            r#"{"id":"a7","type":"system.message"}"#,
            r#"{"id":"a8","type":"session.usage"}"#,
        ];
        assert_eq!(queued_after(&others), ["u1"]);
        for other in others {
            assert_eq!(queued_after(&[other]), ["u1"], "{other}");
        }
    }

    #[test]
    fn a_cycle_status_event_handles_every_queued_user_event() {
        for status in [
            r#"{"id":"s1","type":"session.status_running"}"#,
            r#"{"id":"s1","type":"session.status_idle","stop_reason":{"type":"end_turn"}}"#,
            r#"{"id":"s1","type":"session.status_terminated"}"#,
        ] {
            let agent = r#"{"id":"a1","type":"agent.message"}"#;
            assert!(queued_after(&[agent, status]).is_empty(), "{status}");
            // Only what was queued before it.
            let later = r#"{"id":"u2","type":"user.interrupt","processed_at":null}"#;
            assert_eq!(queued_after(&[status, later]), ["u2"], "{status}");
        }
    }

    #[test]
    fn the_same_id_with_a_processed_at_acknowledges_only_that_event() {
        let other = r#"{"id":"u2","type":"user.message","processed_at":null}"#;
        let ack = r#"{"id":"u1","type":"user.message","processed_at":"2026-11-21T09:00:00Z"}"#;
        assert_eq!(queued_after(&[other, ack]), ["u2"]);
        // A null again, or no processed_at at all, is no acknowledgement.
        let again = r#"{"id":"u1","type":"user.message","processed_at":null}"#;
        assert_eq!(queued_after(&[again]), ["u1"]);
        let absent = r#"{"id":"u1","type":"user.message"}"#;
        assert_eq!(queued_after(&[absent]), ["u1"]);
    }

    #[test]
    fn an_absent_processed_at_is_never_queued() {
        let absent = r#"{"id":"u9","type":"user.message"}"#;
        let s = fold(&[absent, r#"{"id":"a1","type":"agent.message"}"#]);
        assert!(s.queued_user_events().is_empty());
    }

    #[test]
    fn cycle_status_events_are_never_folded_head_only() {
        for kind in [
            EventType::SessionStatusRunning,
            EventType::SessionStatusIdle,
            EventType::SessionStatusTerminated,
        ] {
            assert!(takes_queued_work(&kind));
            assert!(JournalSummary::needs_body(&kind), "{kind:?}");
        }
    }

    #[test]
    fn unlisted_requests_are_bounded() {
        let mut s = JournalSummary::new("s", PlanTools::default());
        for i in 0..(UNLISTED_CAP + UNLISTED_SLACK + 10) {
            let line =
                format!(r#"{{"id":"r{i}","type":"agent.tool_use","name":"bash","input":{{}}}}"#);
            if let LineParse::Event(e) = parse_line(line.as_bytes()) {
                s.apply(&e);
            }
        }
        assert!(s.open_requests.len() <= UNLISTED_CAP + UNLISTED_SLACK);
        assert!(s.open_request("r0").is_none());
        assert!(
            s.open_request(&format!("r{}", UNLISTED_CAP + UNLISTED_SLACK + 9))
                .is_some()
        );
    }

    #[test]
    fn summary_round_trips_through_json() {
        let s = fold(&[TOOL, IDLE]);
        let text = serde_json::to_string(&s).unwrap();
        let back: JournalSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(back.pending(), s.pending());
        assert_eq!(back.event_count, 2);
    }

    #[test]
    fn counts_events_and_malformed_lines() {
        let s = fold(&[TOOL, "garbage", "", IDLE]);
        assert_eq!(s.event_count, 2);
        assert_eq!(s.malformed_lines, 1);
        assert_eq!(s.last_event.unwrap().id, "e2");
    }
}
