use super::*;
use crate::review::snapshot::describe_lines;
use crate::store::StoreError;
use serde_json::json;

fn row(
    event_type: &str,
    kind: &str,
    name: &str,
    input: Value,
    revision: Option<u32>,
) -> PendingRow {
    PendingRow {
        session_id: "sesn_plan".into(),
        event_id: "sevt_0005".into(),
        event_type: event_type.into(),
        kind: kind.into(),
        name: Value::from(name),
        input,
        fingerprint: "sha256:1111".into(),
        requested_at: None,
        plan_revision: revision,
        tampered: false,
        pending_since: None,
        source: None,
    }
}

fn plan() -> PendingRow {
    row(
        "agent.custom_tool_use",
        "plan",
        "submit_plan",
        json!({"plan": "# Plan", "plan_id": "plan_auth"}),
        Some(2),
    )
}

fn tool() -> PendingRow {
    row(
        "agent.tool_use",
        "tool_confirmation",
        "bash",
        json!({"command": "git push"}),
        None,
    )
}

fn custom() -> PendingRow {
    row(
        "agent.custom_tool_use",
        "custom_tool_result",
        "lookup_order",
        json!({}),
        None,
    )
}

#[test]
fn approve_goes_to_confirm_and_binds_the_rendered_fingerprint() {
    let mut draft = ReviewDraft::open(&plan(), "human:alice@laptop");
    draft.choose(Verdict::Allow).unwrap();
    assert_eq!(draft.stage, Stage::Confirming);
    let decision = draft.confirm().unwrap();
    assert_eq!(
        decision,
        Decision {
            session_id: "sesn_plan".into(),
            event_id: "sevt_0005".into(),
            fingerprint: "sha256:1111".into(),
            verdict: Verdict::Allow,
            message: None,
            decided_by: "human:alice@laptop".into(),
        }
    );
    assert_eq!(draft.stage, Stage::Submitted);
    assert!(draft.confirm().is_none(), "confirming twice sends once");
}

#[test]
fn deny_needs_a_message_written_in_the_editor() {
    let mut draft = ReviewDraft::open(&tool(), "human:a@b");
    draft.choose(Verdict::Deny).unwrap();
    assert!(
        draft.confirm().is_none(),
        "no confirming before the message"
    );
    let err = draft.finish_message().unwrap_err();
    assert_eq!(err.kind, RefusalKind::Invalid);
    draft.editor_mut().unwrap().insert_str("  ");
    assert!(draft.finish_message().is_err(), "blank is not a message");
    draft.editor_mut().unwrap().insert_str("not on main\n");
    draft.finish_message().unwrap();
    let decision = draft.confirm().unwrap();
    assert_eq!(decision.verdict, Verdict::Deny);
    assert_eq!(decision.message.as_deref(), Some("not on main"));
}

#[test]
fn external_editor_text_replaces_the_message() {
    let mut draft = ReviewDraft::open(&plan(), "h");
    draft.choose(Verdict::Redirect).unwrap();
    draft.editor_mut().unwrap().insert_str("draft");
    draft.set_message_text("Start with a failing test");
    draft.finish_message().unwrap();
    assert_eq!(
        draft.confirm().unwrap().message.as_deref(),
        Some("Start with a failing test")
    );
}

#[test]
fn verdicts_follow_the_store_rules() {
    let tool = ReviewTarget::from_row(&tool());
    assert!(tool.allows(Verdict::Allow).is_ok());
    assert!(tool.allows(Verdict::Redirect).is_ok());
    assert_eq!(
        tool.allows(Verdict::Respond).unwrap_err().kind,
        RefusalKind::Invalid
    );
    let custom = ReviewTarget::from_row(&custom());
    assert!(custom.allows(Verdict::Allow).is_err());
    assert!(custom.allows(Verdict::Respond).is_ok());
    assert!(custom.allows(Verdict::Deny).is_ok());
    let plan = ReviewTarget::from_row(&plan());
    assert!(plan.allows(Verdict::Allow).is_ok());
    assert_eq!(plan.plan_id.as_deref(), Some("plan_auth"));
    let mut tampered = tool.clone();
    tampered.tampered = true;
    assert_eq!(
        tampered.allows(Verdict::Deny).unwrap_err().kind,
        RefusalKind::Tampered
    );
}

#[test]
fn a_refused_verdict_leaves_the_draft_unchanged() {
    let mut draft = ReviewDraft::open(&custom(), "h");
    assert!(draft.choose(Verdict::Allow).is_err());
    assert_eq!(draft.stage, Stage::Choosing);
    assert_eq!(draft.verdict, None);
}

#[test]
fn cancel_steps_back_one_stage_at_a_time() {
    let mut draft = ReviewDraft::open(&tool(), "h");
    draft.choose(Verdict::Redirect).unwrap();
    draft.editor_mut().unwrap().insert_str("use a branch");
    draft.finish_message().unwrap();
    draft.cancel();
    assert_eq!(
        draft.editor_mut().unwrap().text(),
        "use a branch",
        "message kept"
    );
    draft.cancel();
    assert_eq!(
        (draft.stage.clone(), draft.verdict),
        (Stage::Choosing, None)
    );
    draft.cancel();
    assert_eq!(draft.stage, Stage::Closed);
    let mut approve = ReviewDraft::open(&tool(), "h");
    approve.choose(Verdict::Allow).unwrap();
    approve.cancel();
    assert_eq!(approve.stage, Stage::Choosing);
}

#[test]
fn store_answers_end_the_review() {
    let mut draft = ReviewDraft::open(&plan(), "h");
    draft.choose(Verdict::Allow).unwrap();
    draft.confirm().unwrap();
    let outcome = draft.finish(&Ok(json!({"id": "sevt_01ABC"}))).clone();
    assert_eq!(
        outcome,
        Outcome::Written {
            answer_id: "sevt_01ABC".into()
        }
    );
    let mut stale = ReviewDraft::open(&plan(), "h");
    stale.choose(Verdict::Allow).unwrap();
    stale.confirm().unwrap();
    let outcome = stale
        .finish(&Err(DecideError::Stale {
            event_id: "sevt_0005".into(),
            given: "sha256:1111".into(),
            current: "sha256:2222".into(),
        }))
        .clone();
    assert_eq!(outcome, Outcome::Refused(Refusal::stale()));
    let io = stale.finish(&Err(DecideError::Store(StoreError::Refused("x".into()))));
    assert!(matches!(io, Outcome::Refused(r) if r.kind == RefusalKind::Io));
}

#[test]
fn reconcile_catches_changes_while_open() {
    let mut gone = ReviewDraft::open(&plan(), "h");
    assert_eq!(gone.reconcile(&[]).unwrap().kind, RefusalKind::NotPending);
    assert!(gone.confirm().is_none());

    let mut changed = ReviewDraft::open(&plan(), "h");
    let mut now = plan();
    now.fingerprint = "sha256:2222".into();
    assert_eq!(changed.reconcile(&[now]).unwrap(), &Refusal::stale());

    let mut superseded = ReviewDraft::open(&plan(), "h");
    let mut newer = plan();
    newer.event_id = "sevt_0009".into();
    newer.plan_revision = Some(3);
    let refusal = superseded.reconcile(&[plan(), newer]).unwrap();
    assert_eq!(refusal.kind, RefusalKind::Superseded);
    assert!(refusal.message.contains("r3"), "{}", refusal.message);

    let mut fine = ReviewDraft::open(&plan(), "h");
    fine.choose(Verdict::Allow).unwrap();
    assert!(fine.reconcile(&[plan(), tool()]).is_none());
    assert_eq!(fine.stage, Stage::Confirming);
}

#[test]
fn prompts_for_each_stage() {
    let style = ReviewStyle::default();
    let mut out = String::new();
    let mut draft = ReviewDraft::open(&plan(), "human:alice@laptop");
    out += &describe_lines(&draft.prompt(&style).lines);
    draft.choose(Verdict::Redirect).unwrap();
    draft
        .editor_mut()
        .unwrap()
        .insert_str("Start with a failing test\nthen the flag");
    out += &describe_lines(&draft.prompt(&style).lines);
    draft.finish_message().unwrap();
    out += &describe_lines(&draft.prompt(&style).lines);
    draft.confirm().unwrap();
    out += &describe_lines(&draft.prompt(&style).lines);
    draft.finish(&Ok(json!({"id": "sevt_01ABC"})));
    out += &describe_lines(&draft.prompt(&style).lines);
    let mut custom = ReviewDraft::open(&custom(), "h");
    out += &describe_lines(&custom.prompt(&style).lines);
    custom.reconcile(&[]);
    out += &describe_lines(&custom.prompt(&style).lines);
    insta::assert_snapshot!("decision_prompts", out);
}
