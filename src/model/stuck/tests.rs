use super::*;
use crate::model::line::{LineParse, parse_line};
use crate::model::plan::PlanTools;
use crate::model::time::parse_rfc3339;

fn ts(text: &str) -> Timestamp {
    parse_rfc3339(text).unwrap()
}

fn summary(lines: &[String]) -> JournalSummary {
    let mut s = JournalSummary::new("sesn_1", PlanTools::default());
    for line in lines {
        if let LineParse::Event(e) = parse_line(line.as_bytes()) {
            s.apply(&e);
        }
    }
    s
}

fn doc(json: &str) -> SessionDoc {
    SessionDoc::from_json_bytes(json.as_bytes()).unwrap()
}

fn rules(input: &StuckInput, now: &str) -> Vec<StuckRule> {
    evaluate(input, &StuckThresholds::default(), ts(now))
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn ev(id: &str, kind: &str, at: &str, extra: &str) -> String {
    format!(r#"{{"id":"{id}","type":"{kind}","created_at":"{at}"{extra}}}"#)
}

#[test]
fn awaiting_human_after_ten_minutes() {
    let s = summary(&[
        ev(
            "t",
            "agent.tool_use",
            "2026-11-21T09:00:00Z",
            r#","name":"bash","input":{"command":"git push"}"#,
        ),
        ev(
            "i",
            "session.status_idle",
            "2026-11-21T09:00:10Z",
            r#","stop_reason":{"type":"requires_action","event_ids":["t"]}"#,
        ),
    ]);
    let d = doc(r#"{"status":"idle","stop_reason":{"type":"requires_action","event_ids":["t"]}}"#);
    let wake = WakeQueue::default();
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: None,
        parent: None,
    };
    assert!(
        rules(&input, "2026-11-21T09:10:10Z").is_empty(),
        "exactly 10 min is not more than 10"
    );
    let found = evaluate(
        &input,
        &StuckThresholds::default(),
        ts("2026-11-21T09:23:10Z"),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, StuckRule::AwaitingHuman);
    assert_eq!(found[0].since, ts("2026-11-21T09:00:10Z"));
    assert_eq!(found[0].detail, "Waiting 23 min for approval of `bash`.");
    assert_eq!(found[0].evidence, vec!["t", "i"]);
}

#[test]
fn silent_running_uses_last_activity() {
    let s = summary(&[]);
    let d = doc(r#"{"status":"running"}"#);
    let wake = WakeQueue::default();
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: Some(ts("2026-11-21T09:00:00Z")),
        parent: None,
    };
    assert!(rules(&input, "2026-11-21T09:04:00Z").is_empty());
    assert_eq!(
        rules(&input, "2026-11-21T09:31:00Z"),
        vec![StuckRule::SilentRunning]
    );
    let idle = doc(r#"{"status":"idle"}"#);
    let input = StuckInput {
        doc: &idle,
        ..input
    };
    assert!(rules(&input, "2026-11-21T09:31:00Z").is_empty());
}

#[test]
fn wake_overdue_after_two_minutes_unless_consumed() {
    let s = summary(&[]);
    let d = doc(r#"{"status":"rescheduling"}"#);
    let wake = WakeQueue::parse(
        b"{\"id\":\"w1\",\"due_at\":\"2026-11-21T09:00:00Z\"}\n{\"id\":\"w2\",\"due_at\":\"2026-11-21T09:00:00Z\"}\n{\"id\":\"w2\",\"consumed_at\":\"2026-11-21T09:00:01Z\"}\n",
    );
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: None,
        parent: None,
    };
    assert!(rules(&input, "2026-11-21T09:01:59Z").is_empty());
    let found = evaluate(
        &input,
        &StuckThresholds::default(),
        ts("2026-11-21T09:12:00Z"),
    );
    assert_eq!(found[0].rule, StuckRule::WakeOverdue);
    assert_eq!(found[0].evidence, vec!["w1"]);
    assert!(found[0].detail.contains("due 12 min ago"));
}

#[test]
fn queue_stalled_on_null_processed_at_only() {
    let s = summary(&[
        ev(
            "u1",
            "user.message",
            "2026-11-21T09:00:00Z",
            r#","processed_at":null"#,
        ),
        ev("u2", "user.message", "2026-11-21T09:00:00Z", ""),
    ]);
    let d = doc(r#"{"status":"idle"}"#);
    let wake = WakeQueue::default();
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: None,
        parent: None,
    };
    let found = evaluate(
        &input,
        &StuckThresholds::default(),
        ts("2026-11-21T09:05:00Z"),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, StuckRule::QueueStalled);
    assert_eq!(found[0].evidence, vec!["u1"]);
}

#[test]
fn error_loop_by_count_in_window_or_retries_exhausted() {
    let errors: Vec<String> = (0..3)
        .map(|i| {
            ev(
                &format!("x{i}"),
                "session.error",
                &format!("2026-11-21T09:0{i}:00Z"),
                r#","error":{"type":"model_overloaded_error","message":"m"}"#,
            )
        })
        .collect();
    let s = summary(&errors);
    let d = doc(r#"{"status":"idle"}"#);
    let wake = WakeQueue::default();
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: Some(ts("2026-11-21T09:02:00Z")),
        parent: None,
    };
    assert_eq!(
        rules(&input, "2026-11-21T09:03:00Z"),
        vec![StuckRule::ErrorLoop]
    );
    assert!(
        rules(&input, "2026-11-21T09:10:30Z").is_empty(),
        "the first error left the window"
    );

    let exhausted = doc(
        r#"{"status":"terminated","stop_reason":{"type":"retries_exhausted"},"updated_at":"2026-11-21T08:00:00Z"}"#,
    );
    let empty = summary(&[]);
    let input = StuckInput {
        doc: &exhausted,
        summary: &empty,
        wake: &wake,
        last_activity: None,
        parent: None,
    };
    assert_eq!(
        rules(&input, "2026-11-21T09:03:00Z"),
        vec![StuckRule::ErrorLoop]
    );
}

#[test]
fn reschedule_loop_needs_five_in_ten_minutes() {
    let marks: Vec<String> = (0..5)
        .map(|i| {
            ev(
                &format!("r{i}"),
                "session.status_rescheduled",
                &format!("2026-11-21T09:0{i}:00Z"),
                "",
            )
        })
        .collect();
    let d = doc(r#"{"status":"rescheduling"}"#);
    let wake = WakeQueue::default();
    let four = summary(&marks[..4]);
    let input = StuckInput {
        doc: &d,
        summary: &four,
        wake: &wake,
        last_activity: None,
        parent: None,
    };
    assert!(rules(&input, "2026-11-21T09:05:00Z").is_empty());
    let five = summary(&marks);
    let input = StuckInput {
        summary: &five,
        ..input
    };
    assert_eq!(
        rules(&input, "2026-11-21T09:05:00Z"),
        vec![StuckRule::RescheduleLoop]
    );
}

#[test]
fn orphaned_when_parent_terminated() {
    let s = summary(&[]);
    let d = doc(r#"{"status":"running","parent_id":"p"}"#);
    let wake = WakeQueue::default();
    let now = "2026-11-21T09:00:30Z";
    let parent = Some((DisplayStatus::Terminated, Some(ts("2026-11-21T09:00:00Z"))));
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: Some(ts("2026-11-21T09:00:20Z")),
        parent,
    };
    assert_eq!(rules(&input, now), vec![StuckRule::Orphaned]);
    let done = doc(r#"{"status":"terminated","parent_id":"p"}"#);
    let input = StuckInput {
        doc: &done,
        ..input
    };
    assert!(rules(&input, now).is_empty());
}

#[test]
fn rule_names_round_trip() {
    for rule in StuckRule::ALL {
        assert_eq!(StuckRule::parse(rule.as_str()), Some(rule));
    }
}

/// The issue's case: a running session, a `user.message` queued five
/// minutes ago, and the agent still talking about its previous turn.
fn busy_agent_with_a_queued_message() -> Vec<String> {
    vec![
        ev("s1", "session.status_running", "2026-11-21T09:50:00Z", ""),
        ev(
            "q1",
            "user.message",
            "2026-11-21T09:55:00Z",
            r#","processed_at":null,"content":[{"type":"text","text":"Stop and revert"}]"#,
        ),
        ev(
            "a1",
            "agent.message",
            "2026-11-21T09:56:00Z",
            r#","content":[{"type":"text","text":"Still refactoring"}]"#,
        ),
        ev("a2", "agent.thinking", "2026-11-21T09:58:00Z", ""),
        ev(
            "a3",
            "agent.message",
            "2026-11-21T09:59:30Z",
            r#","content":[{"type":"text","text":"Still refactoring"}]"#,
        ),
    ]
}

fn findings_at_ten(lines: &[String]) -> Vec<StuckFinding> {
    let s = summary(lines);
    let d = doc(r#"{"status":"running"}"#);
    let wake = WakeQueue::default();
    let input = StuckInput {
        doc: &d,
        summary: &s,
        wake: &wake,
        last_activity: Some(ts("2026-11-21T09:59:30Z")),
        parent: None,
    };
    evaluate(
        &input,
        &StuckThresholds::default(),
        ts("2026-11-21T10:00:00Z"),
    )
}

#[test]
fn agent_events_alone_leave_a_queued_message_stalled() {
    let found = findings_at_ten(&busy_agent_with_a_queued_message());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, StuckRule::QueueStalled);
    assert_eq!(found[0].evidence, vec!["q1"]);
    assert_eq!(found[0].since, ts("2026-11-21T09:55:00Z"));
    assert_eq!(
        found[0].detail,
        "user.message q1 queued for 5 min and not processed."
    );
}

#[test]
fn a_later_status_running_takes_the_queued_message() {
    let mut lines = busy_agent_with_a_queued_message();
    lines.push(ev(
        "s2",
        "session.status_running",
        "2026-11-21T09:59:40Z",
        "",
    ));
    assert_eq!(findings_at_ten(&lines), vec![]);
}

#[test]
fn an_acknowledgement_by_id_handles_the_queued_message() {
    let mut lines = busy_agent_with_a_queued_message();
    lines.push(ev(
        "q1",
        "user.message",
        "2026-11-21T09:55:00Z",
        r#","processed_at":"2026-11-21T09:59:50Z""#,
    ));
    assert_eq!(findings_at_ten(&lines), vec![]);
}

#[test]
fn a_queued_decision_taken_by_status_running_is_not_stalled() {
    let lines = vec![
        ev(
            "t1",
            "agent.tool_use",
            "2026-11-21T09:50:00Z",
            r#","name":"bash","input":{"command":"git push"}"#,
        ),
        ev(
            "i1",
            "session.status_idle",
            "2026-11-21T09:50:01Z",
            r#","stop_reason":{"type":"requires_action","event_ids":["t1"]}"#,
        ),
        ev(
            "d1",
            "user.tool_confirmation",
            "2026-11-21T09:55:00Z",
            r#","processed_at":null,"tool_use_id":"t1","result":"allow""#,
        ),
        ev("s1", "session.status_running", "2026-11-21T09:55:01Z", ""),
        ev("a1", "agent.tool_result", "2026-11-21T09:59:30Z", ""),
    ];
    assert_eq!(findings_at_ten(&lines), vec![]);
    // Without the status event, the decision is stalled like any message.
    let found = findings_at_ten(&lines[..3]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, StuckRule::QueueStalled);
    assert_eq!(found[0].evidence, vec!["d1"]);
}

#[test]
fn an_absent_processed_at_never_stalls() {
    let lines: Vec<String> = busy_agent_with_a_queued_message()
        .into_iter()
        .map(|line| line.replace(r#","processed_at":null"#, ""))
        .collect();
    assert!(lines.iter().all(|l| !l.contains("processed_at")));
    assert_eq!(findings_at_ten(&lines), vec![]);
    assert_eq!(findings_at_ten(&lines[..2]), vec![]);
}
