//! On call in the dashboard, replayed without a terminal: the stuck view's
//! rules, reasons and evidence, the jump to the evidence, the timeline,
//! actions confirmed with y/n and written through the store (under the
//! lock, into the audit log), OSC 52 copies, archived sessions, TTLs and
//! the agents view.

use crate::common;

use std::collections::BTreeSet;

use base64::Engine;
use common::{dashboard, fixture_root};
use switchboard::model::stuck::StuckRule;
use switchboard::tui::effects::EffectRunner;
use switchboard::tui::headless::Headless;
use switchboard::tui::msg::{Effect, Msg};
use switchboard::tui::state::{Overlay, Pane, SessionAction, State, ViewKind};

fn ids(state: &State) -> Vec<String> {
    state.fleet.rows.iter().map(|r| r.key.id.clone()).collect()
}

fn select(dash: &mut Headless, id: &str) {
    let at = ids(&dash.state)
        .iter()
        .position(|i| i == id)
        .unwrap_or_else(|| panic!("{id} is not listed: {:?}", ids(&dash.state)));
    dash.keys(&["g"]);
    for _ in 0..at {
        dash.keys(&["j"]);
    }
    assert_eq!(dash.state.fleet.selected_key.as_ref().unwrap().id, id);
}

fn command(dash: &mut Headless, text: &str) {
    dash.keys(&[":"]);
    dash.type_text(text);
    dash.keys(&["enter"]);
}

fn notice(state: &State) -> String {
    state
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn last_line(root: &common::Root, id: &str) -> serde_json::Value {
    let journal = root.journal(id);
    serde_json::from_str(journal.lines().last().unwrap()).unwrap()
}

#[test]
fn every_rule_shows_in_the_stuck_view_with_its_reason_and_evidence() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    command(&mut dash, "stuck");
    assert_eq!(dash.state.fleet.kind, ViewKind::Stuck);
    let listed: BTreeSet<String> = ids(&dash.state).into_iter().collect();
    let expected: BTreeSet<String> = [
        "sesn_awaiting",
        "sesn_errors",
        "sesn_exhausted",
        "sesn_orphan",
        "sesn_queue",
        "sesn_resched",
        "sesn_silent",
        "sesn_wake",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(listed, expected);
    let mut rules = BTreeSet::new();
    for id in expected {
        select(&mut dash, &id);
        let entry = dash.state.selected().unwrap().clone();
        let evidence = dash.state.evidence.clone().expect("evidence is read");
        assert!(!evidence.loading, "{id}: read inline");
        for finding in &entry.stuck {
            rules.insert(finding.rule);
            for event in &finding.evidence {
                let item = evidence
                    .items
                    .get(event)
                    .unwrap_or_else(|| panic!("{id}: evidence {event} was not found"));
                if finding.rule == StuckRule::WakeOverdue {
                    assert_eq!(item.line, None, "a wake entry is not a journal line");
                } else {
                    assert!(item.line.is_some(), "{id}: {event} has a line");
                }
            }
        }
    }
    assert_eq!(
        rules,
        StuckRule::ALL.into_iter().collect(),
        "one session per rule"
    );

    // The awaiting session's evidence: the tool use and the idle listing it.
    select(&mut dash, "sesn_awaiting");
    let evidence = dash.state.evidence.clone().unwrap();
    let tool = &evidence.items["sevt_0003"];
    assert_eq!((tool.line, tool.kind.as_str()), (Some(2), "agent.tool_use"));
    assert!(tool.summary.contains("git push"), "{}", tool.summary);
    assert_eq!(evidence.items["sevt_0004"].line, Some(3));
    let screen = dash.render(&common::snapshot_theme(), 160, 48);
    assert!(screen.contains("Waiting 23 min for approval of `bash`."));
    assert!(screen.contains("thresholds: awaiting_human>10 min"));
}

#[test]
fn enter_in_the_stuck_view_opens_the_stream_at_the_first_evidence_event() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    command(&mut dash, "stuck");
    select(&mut dash, "sesn_resched");
    let entry = dash.state.selected().unwrap().clone();
    let first = entry.stuck[0].evidence[0].clone();
    let line = dash.state.evidence.as_ref().unwrap().items[&first]
        .line
        .unwrap();
    dash.keys(&["enter"]);
    assert_eq!(dash.state.focus, Pane::Stream);
    assert_eq!(dash.state.stream.key.as_ref().unwrap().id, "sesn_resched");
    assert_eq!(dash.state.stream.selected, line);
    assert!(
        !dash.state.stream.follow,
        "the cursor stays on the evidence"
    );
    assert!(dash.state.jump_to_evidence.is_none());
    let row = dash.state.stream.row(line).expect("the window holds it");
    assert_eq!(row.kind, "session.status_rescheduled");
}

#[test]
fn the_timeline_shows_status_runs_and_marks() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    command(&mut dash, "stuck");
    select(&mut dash, "sesn_errors");
    let timeline = dash.state.timeline.clone().unwrap();
    assert_eq!(timeline.key.id, "sesn_errors");
    let errors = timeline
        .cells
        .iter()
        .filter(|c| c.mark == Some(switchboard::tui::state::oncall::TimelineMark::Error))
        .count();
    assert!(errors >= 1, "{timeline:?}");
    assert!(
        timeline
            .counts
            .iter()
            .any(|(m, n)| m.label() == "error" && *n == 3),
        "{timeline:?}"
    );
    select(&mut dash, "sesn_resched");
    let timeline = dash.state.timeline.clone().unwrap();
    assert!(
        timeline
            .counts
            .iter()
            .any(|(m, n)| m.label() == "reschedule" && *n == 5),
        "{timeline:?}"
    );
}

#[test]
fn interrupt_asks_first_and_n_writes_nothing() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    select(&mut dash, "sesn_silent");
    let before = root.journal("sesn_silent");
    dash.keys(&["i"]);
    let Some(Overlay::Confirm(confirm)) = dash.state.overlays.last() else {
        panic!("no confirm dialog: {:?}", dash.state.overlays);
    };
    assert_eq!(confirm.action, SessionAction::Interrupt);
    assert!(
        confirm
            .question
            .contains("Interrupt sesn_silent “Refactor billing”?"),
        "the confirm line names the session: {}",
        confirm.question
    );
    dash.keys(&["x", "j"]);
    assert!(
        matches!(dash.state.overlays.last(), Some(Overlay::Confirm(_))),
        "other keys do nothing"
    );
    dash.keys(&["n"]);
    assert!(dash.state.overlays.is_empty());
    assert_eq!(root.journal("sesn_silent"), before, "nothing written");
    assert!(!root.audit.exists());

    dash.keys(&["i", "y"]);
    let event = last_line(&root, "sesn_silent");
    assert_eq!(event["type"], "user.interrupt");
    assert!(event["processed_at"].is_null(), "queued for the runtime");
    assert!(event["sent_by"].as_str().unwrap().starts_with("human:"));
    let text = notice(&dash.state);
    assert!(text.starts_with("Interrupted sesn_silent"), "{text}");
    let audit = std::fs::read_to_string(&root.audit).unwrap();
    let entry: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(entry["action"], "interrupt");
    assert_eq!(entry["session_id"], "sesn_silent");
    assert_eq!(entry["written_event_id"], event["id"]);
}

#[test]
fn a_message_is_typed_confirmed_and_written() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    select(&mut dash, "sesn_queue");
    dash.keys(&["m"]);
    dash.type_text("please look at the failing test");
    dash.keys(&["enter"]);
    let Some(Overlay::Confirm(confirm)) = dash.state.overlays.last() else {
        panic!("no confirm dialog");
    };
    assert_eq!(
        confirm.action,
        SessionAction::Message("please look at the failing test".into())
    );
    dash.keys(&["y"]);
    let event = last_line(&root, "sesn_queue");
    assert_eq!(event["type"], "user.message");
    assert_eq!(
        event["content"][0]["text"],
        "please look at the failing test"
    );
    assert!(notice(&dash.state).starts_with("Sent a message to sesn_queue"));

    // An empty message is not sent; Esc leaves the prompt.
    let before = root.journal("sesn_queue");
    dash.keys(&["m", "enter"]);
    assert!(notice(&dash.state).contains("empty"));
    dash.keys(&["m"]);
    dash.type_text("never mind");
    dash.keys(&["esc"]);
    assert!(dash.state.overlays.is_empty());
    assert_eq!(root.journal("sesn_queue"), before);
}

#[test]
fn a_revisit_adds_a_wake_queue_entry() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    select(&mut dash, "sesn_silent");
    dash.keys(&["w", "y"]);
    let queue =
        std::fs::read_to_string(root.session("sesn_silent").join("wake-queue.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(queue.lines().last().unwrap()).unwrap();
    assert_eq!(entry["due_at"], common::FIXTURE_NOW);
    assert!(entry["id"].as_str().unwrap().starts_with("wake_"));
    assert!(notice(&dash.state).starts_with("Scheduled a revisit of sesn_silent"));
}

#[test]
fn terminated_sessions_refuse_messages_with_a_reason() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    select(&mut dash, "sesn_orch");
    let before = root.journal("sesn_orch");
    dash.keys(&["m"]);
    assert!(
        dash.state.overlays.is_empty(),
        "no prompt for a dead session"
    );
    assert_eq!(
        notice(&dash.state),
        "Session sesn_orch is terminated; a message would never be read."
    );
    dash.keys(&["i"]);
    assert!(notice(&dash.state).contains("an interrupt would never be read"));

    // The store refuses too, under the lock (the dashboard may be stale).
    let mut runner = EffectRunner::inline();
    runner.set_audit_log(root.audit.clone());
    let replies = runner.run(
        Effect::Act {
            key: dash.state.fleet.selected_key.clone().unwrap(),
            dir: root.session("sesn_orch"),
            action: SessionAction::Message("hello?".into()),
            now: dash.state.now,
        },
        |_| None,
    );
    let [Msg::Outcome { ok: false, text }] = replies.as_slice() else {
        panic!("{replies:?}");
    };
    assert_eq!(
        text,
        "Message refused: session sesn_orch is terminated; a message would never be read."
    );
    assert_eq!(root.journal("sesn_orch"), before);
    assert!(!root.audit.exists(), "refusals are not audited as actions");
}

#[test]
fn actions_from_the_dashboard_wait_for_the_journal_lock() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    select(&mut dash, "sesn_silent");
    let journal = root.session("sesn_silent").join("events.jsonl");
    let mut holder =
        common::hold_lock_then_append(&journal, r#"{"id":"holder","type":"agent.message"}"#);
    dash.keys(&["i", "y"]);
    assert!(holder.wait().unwrap().success());
    let text = root.journal("sesn_silent");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[lines.len() - 2].contains("\"holder\""),
        "the holder wrote first"
    );
    assert!(
        lines[lines.len() - 1].contains("user.interrupt"),
        "we waited"
    );
}

fn osc52_payloads(buffer: &[u8]) -> Vec<String> {
    let text = String::from_utf8(buffer.to_vec()).unwrap();
    text.split("\x1b]52;c;")
        .skip(1)
        .map(|part| {
            let encoded = part.split('\x07').next().unwrap();
            assert!(
                encoded
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)),
                "only base64 goes to the terminal"
            );
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .unwrap(),
            )
            .unwrap()
        })
        .collect()
}

#[test]
fn copies_go_to_the_terminal_as_osc52_of_our_own_text() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    let terminal = dash.capture_terminal();
    select(&mut dash, "sesn_awaiting");
    dash.keys(&["y", "Y"]);
    // The event under the stream's cursor, re-serialised by us.
    dash.keys(&["enter", "k"]);
    dash.keys(&["y"]);
    let copied = osc52_payloads(&terminal.lock().unwrap());
    assert_eq!(copied.len(), 3, "{copied:?}");
    assert_eq!(copied[0], "sesn_awaiting");
    assert_eq!(
        copied[1],
        root.session("sesn_awaiting")
            .join("events.jsonl")
            .display()
            .to_string()
    );
    let event: serde_json::Value = serde_json::from_str(&copied[2]).unwrap();
    assert_eq!(event["id"], "sevt_0003");
    assert_eq!(event["type"], "agent.tool_use");
    assert!(notice(&dash.state).starts_with("Copied the event"));

    // A malformed line is not copied.
    let mut dash = dashboard(&root);
    let terminal = dash.capture_terminal();
    dash.keys(&["/"]);
    dash.type_text("malformed");
    dash.keys(&["enter", "enter", "g", "j", "y"]);
    assert_eq!(
        notice(&dash.state),
        "Nothing copied: line 2 is malformed (invalid JSON: expected ident at line 1 column 2); only events can be copied."
    );
    assert!(terminal.lock().unwrap().is_empty());
}

#[test]
fn archived_sessions_are_hidden_until_asked_for_and_expired_ones_marked() {
    let root = fixture_root("hygiene");
    let mut dash = dashboard(&root);
    let listed = ids(&dash.state);
    assert!(
        !listed.iter().any(|i| i.starts_with("sesn_archived")),
        "{listed:?}"
    );
    assert_eq!(dash.state.archived_hidden(), 2);
    let expired: Vec<&str> = dash
        .state
        .sessions
        .values()
        .filter(|e| e.expired)
        .map(|e| e.key.id.as_str())
        .collect();
    assert_eq!(expired, vec!["sesn_expired", "sesn_expired_waiting"]);
    dash.keys(&["A"]);
    assert_eq!(dash.state.fleet.rows.len(), 8);
    assert_eq!(dash.state.archived_hidden(), 0);
    command(&mut dash, "archived off");
    assert_eq!(dash.state.fleet.rows.len(), 6);
    command(&mut dash, "archived");
    assert_eq!(dash.state.fleet.rows.len(), 8);
}

#[test]
fn the_agents_view_flags_limits_and_enter_filters_the_fleet() {
    let root = fixture_root("hygiene");
    let mut dash = dashboard(&root);
    command(&mut dash, "agents");
    let Some(Overlay::Agents(view)) = dash.state.overlays.last() else {
        panic!("no agents view");
    };
    let fixer = view
        .rows
        .iter()
        .find(|r| r.agent_id == "agent_fixer")
        .unwrap();
    assert!(fixer.over_limit, "2 running of 1 allowed");
    let writer = view
        .rows
        .iter()
        .find(|r| r.agent_id == "agent_writer")
        .unwrap();
    assert_eq!(writer.rate_limited_total_last_hour, 3);
    let at = view
        .rows
        .iter()
        .position(|r| r.agent_id == "agent_fixer")
        .unwrap();
    dash.keys(&["g"]);
    for _ in 0..at {
        dash.keys(&["j"]);
    }
    dash.keys(&["enter"]);
    assert!(dash.state.overlays.is_empty());
    assert_eq!(dash.state.fleet.filter.text, "agent:agent_fixer");
    let mut listed = ids(&dash.state);
    listed.sort();
    assert_eq!(listed, vec!["sesn_run_a", "sesn_run_b"]);
    // `4` toggles the view; it follows new sessions while open.
    dash.keys(&["esc", "4"]);
    assert!(matches!(
        dash.state.overlays.last(),
        Some(Overlay::Agents(_))
    ));
    dash.keys(&["esc"]);
    assert!(dash.state.overlays.is_empty());
}

/// A finding can name new evidence while the journal stays as it was (the
/// clock moved a window, another rule started firing): it is looked up,
/// not reported missing.
#[test]
fn evidence_named_later_is_read_though_the_journal_did_not_change() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&["3"]);
    select(&mut dash, "sesn_awaiting");
    let key = dash.state.fleet.selected_key.clone().unwrap();
    assert!(
        dash.state
            .evidence
            .as_ref()
            .unwrap()
            .items
            .contains_key("sevt_0003")
    );
    assert!(
        !dash
            .state
            .evidence
            .as_ref()
            .unwrap()
            .items
            .contains_key("sevt_0001")
    );
    let entry = dash.state.sessions.get_mut(&key).unwrap();
    entry.stuck[0].evidence.push("sevt_0001".into());
    let now = dash.state.now;
    dash.send(Msg::Tick(now));
    let evidence = dash.state.evidence.clone().unwrap();
    assert_eq!(evidence.items["sevt_0001"].line, Some(0), "{evidence:?}");
    let screen = dash.render(&common::snapshot_theme(), 160, 48);
    assert!(!screen.contains("not in the journal"), "{screen}");
    assert!(screen.contains("L1 09:30:00 user.message"), "{screen}");
}
