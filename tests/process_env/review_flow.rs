//! The review module's decision flow against a copy of the contract
//! fixtures: what the reviewer saw is what gets bound, and a request that
//! changed or was answered while open is refused with nothing written.

use crate::common;
use crate::isolate_audit_log;

use std::path::Path;

use common::{FIXTURE_NOW, Root, fixture_root};
use switchboard::model::plan::PlanTools;
use switchboard::model::stuck::StuckThresholds;
use switchboard::model::time::{Timestamp, parse_rfc3339};
use switchboard::review::bulk::{self, BulkSelection};
use switchboard::review::{Outcome, RefusalKind, ReviewDraft, Stage, build_inbox, plan_histories};
use switchboard::store::{Fleet, Verdict, decide};
use switchboard::views::{FleetViews, PendingRow};

const ME: &str = "human:reviewer@test";

fn now() -> Timestamp {
    parse_rfc3339(FIXTURE_NOW).unwrap()
}

fn pending(root: &Root) -> Vec<PendingRow> {
    let fleet = Fleet::load(root.path(), &PlanTools::default()).unwrap();
    FleetViews::build(&fleet, &StuckThresholds::default(), now()).pending
}

fn row<'a>(rows: &'a [PendingRow], session: &str, event: &str) -> &'a PendingRow {
    rows.iter()
        .find(|r| r.session_id == session && r.event_id == event)
        .unwrap_or_else(|| panic!("{session}/{event} is not pending"))
}

fn submit(root: &Path, draft: &mut ReviewDraft) -> Outcome {
    let decision = draft.confirm().expect("the draft is confirmed");
    let result = decide(root, &decision, &PlanTools::default(), now());
    draft.finish(&result).clone()
}

#[test]
fn approving_a_plan_writes_one_answer_with_the_rendered_fingerprint() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let rows = pending(&root);
    let plan = row(&rows, "sesn_plan", "sevt_0005");
    assert_eq!(plan.plan_revision, Some(2));
    let mut draft = ReviewDraft::open(plan, ME);
    draft.choose(Verdict::Allow).unwrap();
    let outcome = submit(root.path(), &mut draft);
    let Outcome::Written { answer_id } = outcome else {
        panic!("refused: {outcome:?}");
    };
    let answers = root.answers_to("sesn_plan", "sevt_0005");
    assert_eq!(answers.len(), 1);
    let answer = &answers[0];
    assert_eq!(answer["id"], answer_id.as_str());
    assert_eq!(answer["type"], "user.custom_tool_result");
    assert_eq!(answer["result"], "allow");
    assert_eq!(answer["fingerprint"], plan.fingerprint.as_str());
    assert_eq!(answer["decided_by"], ME);
    // The revisions view now shows the approval, beside the earlier redirect.
    let events: Vec<_> = root
        .journal("sesn_plan")
        .lines()
        .filter_map(|l| match switchboard::model::parse_line(l.as_bytes()) {
            switchboard::model::LineParse::Event(e) => Some(*e),
            _ => None,
        })
        .collect();
    let history = &plan_histories("sesn_plan", &events, &PlanTools::default())[0];
    let labels: Vec<&str> = history
        .revisions
        .iter()
        .map(|r| r.decision.label())
        .collect();
    assert_eq!(labels, vec!["redirected", "approved"]);
    assert_eq!(history.revisions[1].fingerprint, plan.fingerprint);
}

#[test]
fn a_request_rewritten_while_open_is_refused_as_stale() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let rows = pending(&root);
    let mut draft = ReviewDraft::open(row(&rows, "sesn_plan", "sevt_0005"), ME);
    draft.choose(Verdict::Redirect).unwrap();
    draft
        .editor_mut()
        .unwrap()
        .insert_str("Keep the flag off by default");
    draft.finish_message().unwrap();

    // The runtime rewrites the request the reviewer is looking at.
    let journal = root.session("sesn_plan").join("events.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let rewritten = text.replace("3. Ship behind a flag", "3. Ship to everyone");
    assert_ne!(text, rewritten);
    std::fs::write(&journal, &rewritten).unwrap();

    let outcome = submit(root.path(), &mut draft);
    let Outcome::Refused(refusal) = outcome else {
        panic!("written: {outcome:?}");
    };
    assert_eq!(refusal.kind, RefusalKind::Stale);
    assert_eq!(
        refusal.message,
        "This request changed after you opened it; review it again."
    );
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        rewritten,
        "nothing written"
    );

    // A review still open sees the change on the next update, before `y`.
    let mut open = ReviewDraft::open(row(&rows, "sesn_plan", "sevt_0005"), ME);
    let refusal = open.reconcile(&pending(&root)).unwrap();
    assert_eq!(refusal.kind, RefusalKind::Stale);
    assert!(open.confirm().is_none());
}

#[test]
fn a_new_revision_while_open_ends_the_review_before_anything_is_sent() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let rows = pending(&root);
    let mut draft = ReviewDraft::open(row(&rows, "sesn_plan", "sevt_0005"), ME);
    draft.choose(Verdict::Allow).unwrap();

    let journal = root.session("sesn_plan").join("events.jsonl");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(concat!(
        r##"{"id":"sevt_0008","type":"agent.custom_tool_use","created_at":"2026-11-21T09:59:00Z","name":"submit_plan","input":{"plan":"# Plan\n\n1. Add a failing test\n2. Rewrite auth","plan_id":"plan_auth"}}"##,
        "\n",
        r##"{"id":"sevt_0009","type":"session.status_idle","created_at":"2026-11-21T09:59:00Z","stop_reason":{"type":"requires_action","event_ids":["sevt_0008"]}}"##,
        "\n"
    ));
    std::fs::write(&journal, &text).unwrap();

    let refusal = draft.reconcile(&pending(&root)).unwrap().clone();
    assert_eq!(refusal.kind, RefusalKind::Superseded);
    assert!(refusal.message.contains("r3"), "{}", refusal.message);
    assert!(matches!(draft.stage, Stage::Done(Outcome::Refused(_))));
    assert!(draft.confirm().is_none(), "a refused review sends nothing");
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), text);
}

#[test]
fn a_request_answered_elsewhere_is_refused_as_already_decided() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let rows = pending(&root);
    let push = row(&rows, "sesn_awaiting", "sevt_0003");
    let mut draft = ReviewDraft::open(push, ME);
    draft.choose(Verdict::Deny).unwrap();
    draft.editor_mut().unwrap().insert_str("Not on a Friday");
    draft.finish_message().unwrap();

    let cli = root.run(&[
        "approve",
        "sesn_awaiting",
        "sevt_0003",
        "--fingerprint",
        &push.fingerprint,
        "--as",
        "human:bob@ci",
    ]);
    assert_eq!(common::code(&cli), 0, "{}", common::stderr(&cli));
    let before = root.journal("sesn_awaiting");

    let outcome = submit(root.path(), &mut draft);
    let Outcome::Refused(refusal) = outcome else {
        panic!("written: {outcome:?}");
    };
    assert_eq!(refusal.kind, RefusalKind::AlreadyDecided);
    assert!(
        refusal.message.contains("human:bob@ci answered allow"),
        "{}",
        refusal.message
    );
    assert_eq!(root.journal("sesn_awaiting"), before, "nothing written");
    assert_eq!(root.answers_to("sesn_awaiting", "sevt_0003").len(), 1);
}

#[test]
fn bulk_approval_checks_each_request_on_its_own() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let inbox = build_inbox(&pending(&root), now());
    let mut selection = BulkSelection::default();
    for (session, event) in [
        ("sesn_plan", "sevt_0005"),
        ("sesn_awaiting", "sevt_0003"),
        ("sesn_plan", "sevt_0006"),
        ("sesn_mcp", "sevt_0002"),
    ] {
        let key = inbox
            .iter()
            .find(|r| r.key.session_id == session && r.key.event_id == event)
            .unwrap_or_else(|| panic!("{session}/{event} not in the inbox"))
            .key
            .clone();
        selection.toggle(&key);
    }
    let items = bulk::preview(&selection, &inbox);
    assert_eq!(items.len(), 4);

    // One of them changes after the preview was shown.
    let journal = root.session("sesn_awaiting").join("events.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(
        &journal,
        text.replace("git push origin fix/login", "git push --force"),
    )
    .unwrap();

    let root_path = root.path().to_path_buf();
    let results = bulk::submit(
        &items,
        |_| Some(root_path.clone()),
        ME,
        &PlanTools::default(),
        now(),
    );
    let summary: Vec<(String, String)> = results
        .iter()
        .map(|r| {
            let what = match &r.outcome {
                Outcome::Written { .. } => "approved".to_string(),
                Outcome::Refused(refusal) => format!("{:?}", refusal.kind),
            };
            (format!("{}/{}", r.key.session_id, r.key.event_id), what)
        })
        .collect();
    // In inbox order (oldest first); the stale one and the custom tool use
    // are refused on their own, the others go through.
    let expected: Vec<(String, String)> = [
        ("sesn_awaiting/sevt_0003", "Stale"),
        ("sesn_plan/sevt_0005", "approved"),
        ("sesn_plan/sevt_0006", "Invalid"),
        ("sesn_mcp/sevt_0002", "approved"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(summary, expected);
    assert!(root.answers_to("sesn_awaiting", "sevt_0003").is_empty());
    assert!(root.answers_to("sesn_plan", "sevt_0006").is_empty());
    assert_eq!(root.answers_to("sesn_plan", "sevt_0005").len(), 1);
    assert_eq!(root.answers_to("sesn_mcp", "sevt_0002").len(), 1);
}
