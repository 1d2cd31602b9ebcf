use super::*;
use crate::model::line::{LineParse, parse_line};
use crate::review::snapshot::describe_lines;

fn events(text: &str) -> Vec<Event> {
    text.lines()
        .filter_map(|l| match parse_line(l.as_bytes()) {
            LineParse::Event(e) => Some(*e),
            _ => None,
        })
        .collect()
}

fn fixture() -> Vec<Event> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/contract/sesn_plan/events.jsonl"
    );
    events(&std::fs::read_to_string(path).unwrap())
}

#[test]
fn fixture_plan_has_a_redirected_and_a_pending_revision() {
    let histories = plan_histories("sesn_plan", &fixture(), &PlanTools::default());
    assert_eq!(histories.len(), 1);
    let plan = &histories[0];
    assert_eq!(plan.plan_id.as_deref(), Some("plan_auth"));
    let summary: Vec<(u32, &str, &str)> = plan
        .revisions
        .iter()
        .map(|r| (r.revision, r.event_id.as_str(), r.decision.label()))
        .collect();
    assert_eq!(
        summary,
        vec![(1, "sevt_0002", "redirected"), (2, "sevt_0005", "pending")]
    );
    assert_eq!(
        plan.revisions[0].decision,
        RevisionDecision::Redirected {
            message: "Start with a failing test".into(),
            by: Some("human:alice@laptop".into())
        }
    );
    // The fixture's answer carries the fingerprint of revision 1 as rendered.
    assert_eq!(
        plan.revisions[0].fingerprint,
        "sha256:1ced80fc8b412f945ff0f046a3f5016c6f18ee676b30a17aaaf24d8f9c69eeed"
    );
    insta::assert_snapshot!(describe_lines(&plan.render_list(&ReviewStyle::default())));
    let diff = plan.diff_at(1, &ReviewStyle::default()).unwrap();
    assert_eq!((diff.added, diff.removed), (3, 2));
    assert!(plan.diff_at(2, &ReviewStyle::default()).is_none());
}

#[test]
fn every_outcome_is_read_from_the_first_answer() {
    let journal = r##"
{"id":"p1","type":"agent.tool_use","name":"ExitPlanMode","input":{"plan":"# one"}}
{"id":"a1","type":"user.tool_confirmation","tool_use_id":"p1","result":"deny","deny_message":"no"}
{"id":"a1b","type":"user.tool_confirmation","tool_use_id":"p1","result":"allow"}
{"id":"p2","type":"agent.tool_use","name":"ExitPlanMode","input":{"plan":"# two"}}
{"id":"p3","type":"agent.tool_use","name":"ExitPlanMode","input":{"plan":"# three"}}
{"id":"a3","type":"user.tool_confirmation","tool_use_id":"p3","result":"ask","decided_by":"runtime:switchboard-hook"}
{"id":"p4","type":"agent.tool_use","name":"ExitPlanMode","input":{"plan":"# four"}}
{"id":"wrong","type":"user.custom_tool_result","custom_tool_use_id":"p4","content":"x"}
{"id":"p5","type":"agent.tool_use","name":"ExitPlanMode","input":{"plan":"# five"}}
{"id":"a5","type":"user.tool_confirmation","tool_use_id":"p5","result":"allow","decided_by":"human:bob@box"}
{"id":"x1","type":"agent.custom_tool_use","name":"submit_plan","input":{"plan":"# other","plan_id":"b"}}
{"id":"x2","type":"agent.custom_tool_use","name":"submit_plan","input":{"plan":"# other 2","plan_id":"b"}}
{"id":"i","type":"session.status_idle","stop_reason":{"type":"requires_action","event_ids":["x2"]}}
{"id":"ax","type":"user.custom_tool_result","custom_tool_use_id":"x1","content":[{"type":"text","text":"use the cache"}]}
"##;
    let histories = plan_histories("s", &events(journal), &PlanTools::default());
    let labels: Vec<Vec<&str>> = histories
        .iter()
        .map(|h| h.revisions.iter().map(|r| r.decision.label()).collect())
        .collect();
    assert_eq!(
        labels,
        vec![
            vec![
                "denied",
                "superseded",
                "withdrawn",
                "superseded",
                "approved"
            ],
            vec!["answered", "pending"],
        ]
    );
    assert_eq!(
        histories[1].revisions[0].decision,
        RevisionDecision::Answered {
            text: "use the cache".into(),
            by: None
        }
    );
}

#[test]
fn newest_unlisted_revision_is_not_waiting() {
    let journal =
        r##"{"id":"p1","type":"agent.tool_use","name":"submit_plan","input":{"plan":"# one"}}"##;
    let histories = plan_histories("s", &events(journal), &PlanTools::default());
    assert_eq!(
        histories[0].newest().unwrap().decision,
        RevisionDecision::NotWaiting
    );
}
