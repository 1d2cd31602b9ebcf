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
