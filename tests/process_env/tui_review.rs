//! The review inbox and decisions in the dashboard: snapshots of each
//! screen (80×24 and 160×48, contract fixtures, time pinned) and replays
//! of deciding through `Headless`, checked against the journal on disk.

use crate::common;
use crate::isolate_audit_log;

use common::{dashboard, fixture_root, live_dashboard, pending_fingerprint, snapshot_theme};
use switchboard::adapters::{AdapterKind, AdapterSource};
use switchboard::review::RequestKey;
use switchboard::tui::headless::Headless;
use switchboard::tui::journal::JournalOrigin;
use switchboard::tui::msg::Msg;
use switchboard::tui::state::{Overlay, State};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snapshot(name: &str, script: impl Fn(&mut Headless)) {
    let theme = snapshot_theme();
    for (width, height) in SIZES {
        let root = fixture_root("contract");
        let mut dash = dashboard(&root);
        // Who decides shows in the confirmation; keep it off the machine's name.
        dash.state.review.decided_by = "human:reviewer@test".into();
        dash.render(&theme, width, height);
        script(&mut dash);
        let screen = dash.render(&theme, width, height);
        assert_screen(&format!("{name}_{width}x{height}"), &screen);
    }
}

/// Snapshots a screen; the ids of answers written in the test are new each
/// run, so they read `sevt_ANSWER`.
fn assert_screen(name: &str, screen: &str) {
    insta::with_settings!({filters => vec![(r"sevt_01[0-9a-z]+", "sevt_ANSWER")]}, {
        insta::assert_snapshot!(name.to_string(), screen);
    });
}

/// `:pending`, then the cursor on `session`/`event`.
fn select_request(dash: &mut Headless, session: &str, event: &str) {
    dash.keys(&[":"]);
    dash.type_text("pending");
    dash.keys(&["enter"]);
    let at = dash
        .state
        .review
        .inbox
        .iter()
        .position(|r| r.key.session_id == session && r.key.event_id == event)
        .unwrap_or_else(|| panic!("{session}/{event} is not in the inbox"));
    dash.keys(&["g"]);
    for _ in 0..at {
        dash.keys(&["j"]);
    }
}

fn open_request(dash: &mut Headless, session: &str, event: &str) {
    select_request(dash, session, event);
    dash.keys(&["enter"]);
    assert!(matches!(
        dash.state.overlays.last(),
        Some(Overlay::Review(_))
    ));
}

fn notice(state: &State) -> String {
    state
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

fn review_text(dash: &mut Headless) -> String {
    dash.render(&snapshot_theme(), 160, 48)
}

#[test]
fn inbox() {
    snapshot("review_inbox", |d| {
        d.keys(&["2"]);
    });
}

#[test]
fn plan_rendered() {
    snapshot("review_plan", |d| open_request(d, "sesn_plan", "sevt_0005"));
}

#[test]
fn plan_unified_diff() {
    snapshot("review_plan_diff_unified", |d| {
        open_request(d, "sesn_plan", "sevt_0005");
        d.keys(&["D"]);
    });
}

#[test]
fn plan_side_by_side_diff() {
    snapshot("review_plan_diff_side_by_side", |d| {
        open_request(d, "sesn_plan", "sevt_0005");
        d.keys(&["D", "D"]);
    });
}

#[test]
fn plan_earlier_revision() {
    snapshot("review_plan_earlier_revision", |d| {
        open_request(d, "sesn_plan", "sevt_0005");
        d.keys(&["["]);
    });
}

#[test]
fn bash_tool_request() {
    snapshot("review_tool_bash", |d| {
        open_request(d, "sesn_awaiting", "sevt_0003")
    });
}

#[test]
fn confirm_dialog() {
    snapshot("review_confirm", |d| {
        open_request(d, "sesn_plan", "sevt_0005");
        d.keys(&["a"]);
    });
}

#[test]
fn message_editor() {
    snapshot("review_editor", |d| {
        open_request(d, "sesn_awaiting", "sevt_0003");
        d.keys(&["d"]);
        d.type_text("Not to main.");
        d.keys(&["enter"]);
        d.type_text("Open a PR");
    });
}

#[test]
fn refusal_message() {
    snapshot("review_refused_stale", |d| {
        let root = d
            .state
            .sessions
            .values()
            .find(|e| e.key.id == "sesn_plan")
            .map(|e| e.snapshot.dir.clone())
            .unwrap();
        open_request(d, "sesn_plan", "sevt_0005");
        rewrite_plan(&root.join("events.jsonl"));
        d.keys(&["a", "y"]);
    });
}

/// Changes sevt_0005's plan text in place (a tampered rewrite on disk).
fn rewrite_plan(journal: &std::path::Path) {
    let text = std::fs::read_to_string(journal).unwrap();
    let changed = text.replace("3. Ship behind a flag", "3. Ship to everyone now");
    assert_ne!(text, changed);
    std::fs::write(journal, changed).unwrap();
}

#[test]
fn approving_a_plan_writes_one_answer_with_the_rendered_fingerprint() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let fingerprint = pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    let mut dash = dashboard(&root);
    open_request(&mut dash, "sesn_plan", "sevt_0005");
    let screen = review_text(&mut dash);
    assert!(screen.contains("Add a failing test"), "{screen}");
    dash.keys(&["a"]);
    let screen = review_text(&mut dash);
    assert!(
        screen.contains(&fingerprint),
        "the confirmation shows the full fingerprint: {screen}"
    );
    assert!(
        root.answers_to("sesn_plan", "sevt_0005").is_empty(),
        "nothing before y"
    );
    dash.keys(&["y"]);
    let answers = root.answers_to("sesn_plan", "sevt_0005");
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["type"], "user.custom_tool_result");
    assert_eq!(answers[0]["fingerprint"], fingerprint.as_str());
    assert_eq!(answers[0]["result"], "allow");
    let text = notice(&dash.state);
    assert!(text.contains("Approved submit_plan sevt_0005"), "{text}");
    // The review moved on: a again acts on the next request, never this one.
    assert_ne!(reviewed(&dash.state).event_id, "sevt_0005");
    dash.keys(&["a"]);
    assert_eq!(root.answers_to("sesn_plan", "sevt_0005").len(), 1);
}

/// The request the review on top is about.
fn reviewed(state: &State) -> RequestKey {
    match state.overlays.last() {
        Some(Overlay::Review(view)) => view.draft.target.key.clone(),
        other => panic!("no review on top: {other:?}"),
    }
}

#[test]
fn a_decided_request_says_what_became_of_it_and_the_next_one_opens() {
    snapshot("review_decided_next", |d| {
        open_request(d, "sesn_plan", "sevt_0005");
        d.keys(&["a", "y"]);
    });
}

#[test]
fn deciding_moves_the_review_to_the_next_request_in_the_inbox() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    open_request(&mut dash, "sesn_awaiting", "sevt_0003");
    let order: Vec<String> = dash
        .state
        .review
        .inbox
        .iter()
        .map(|r| r.key.event_id.clone())
        .collect();
    dash.keys(&["a", "y"]);
    assert_eq!(root.answers_to("sesn_awaiting", "sevt_0003").len(), 1);
    let text = notice(&dash.state);
    assert!(
        text.contains("Approved bash sevt_0003 (tool) in sesn_awaiting"),
        "{text}"
    );
    assert!(text.contains("; next of 4: bash"), "{text}");
    let next = reviewed(&dash.state);
    assert_eq!(
        next.session_id, "sesn_tampered",
        "the row after it: {order:?}"
    );
    assert_eq!(
        dash.state.review.selected_row().map(|r| r.key.clone()),
        Some(next.clone()),
        "the inbox cursor is on the request under review"
    );
    // The feed then folds the answer: the inbox drops it, the review stays.
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert!(
        dash.state
            .review
            .inbox
            .iter()
            .all(|r| r.key.event_id != "sevt_0003" || r.key.session_id != "sesn_awaiting")
    );
    assert_eq!(reviewed(&dash.state), next);
}

#[test]
fn a_request_changed_on_disk_after_opening_is_refused_and_nothing_written() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    open_request(&mut dash, "sesn_plan", "sevt_0005");
    let before = root.journal("sesn_plan");
    rewrite_plan(&root.session("sesn_plan").join("events.jsonl"));
    let rewritten = root.journal("sesn_plan");
    dash.keys(&["a", "y"]);
    assert_eq!(root.journal("sesn_plan"), rewritten, "nothing was written");
    assert_ne!(before, rewritten);
    let text = notice(&dash.state);
    assert!(text.contains("changed after you opened it"), "{text}");
    let screen = review_text(&mut dash);
    assert!(screen.contains("changed after you opened it"), "{screen}");
}

#[test]
fn a_feed_update_that_changes_the_request_ends_the_review() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    open_request(&mut dash, "sesn_awaiting", "sevt_0003");
    dash.keys(&["a"]);
    // Answered elsewhere; the dashboard hears of it before y.
    let fingerprint = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let out = root.run(&[
        "approve",
        "sesn_awaiting",
        "sevt_0003",
        "--fingerprint",
        &fingerprint,
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    let answers = root.answers_to("sesn_awaiting", "sevt_0003").len();
    dash.keys(&["y"]);
    assert_eq!(root.answers_to("sesn_awaiting", "sevt_0003").len(), answers);
    let screen = review_text(&mut dash);
    assert!(screen.contains("no longer waiting"), "{screen}");
}

#[test]
fn a_request_answered_elsewhere_after_opening_is_already_decided() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let fingerprint = pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    let mut dash = dashboard(&root);
    open_request(&mut dash, "sesn_plan", "sevt_0005");
    let decision = switchboard::store::Decision {
        session_id: "sesn_plan".into(),
        event_id: "sevt_0005".into(),
        fingerprint,
        verdict: switchboard::store::Verdict::Allow,
        message: None,
        decided_by: "human:bob@elsewhere".into(),
    };
    let now = dash.state.now;
    switchboard::store::decide(root.path(), &decision, &Default::default(), now).unwrap();
    assert_eq!(root.answers_to("sesn_plan", "sevt_0005").len(), 1);
    dash.keys(&["a", "y"]);
    assert_eq!(
        root.answers_to("sesn_plan", "sevt_0005").len(),
        1,
        "nothing more written"
    );
    let text = notice(&dash.state);
    assert!(text.contains("Already decided"), "{text}");
    assert!(text.contains("bob@elsewhere"), "{text}");
}

#[test]
fn deny_needs_a_message_and_writes_it() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    open_request(&mut dash, "sesn_awaiting", "sevt_0003");
    dash.keys(&["d", "ctrl+s"]);
    assert!(
        notice(&dash.state).contains("needs a message"),
        "{}",
        notice(&dash.state)
    );
    dash.type_text("Not to main.");
    dash.keys(&["enter"]);
    dash.type_text("Open a PR.");
    dash.keys(&["ctrl+s", "n"]);
    // n steps back to the message, still there.
    dash.keys(&["ctrl+s", "y"]);
    let answers = root.answers_to("sesn_awaiting", "sevt_0003");
    assert_eq!(answers.len(), 1, "{answers:?}");
    let text = answers[0].to_string();
    assert!(text.contains("Not to main.\\nOpen a PR."), "{text}");
}

#[test]
fn bulk_approval_previews_then_approves_each_on_its_own() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    select_request(&mut dash, "sesn_awaiting", "sevt_0003");
    dash.keys(&["space"]);
    select_request(&mut dash, "sesn_plan", "sevt_0005");
    dash.keys(&["space", "B"]);
    let screen = review_text(&mut dash);
    let fingerprint = pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    assert!(screen.contains(&fingerprint), "{screen}");
    assert!(root.answers_to("sesn_plan", "sevt_0005").is_empty());
    dash.keys(&["y"]);
    assert_eq!(root.answers_to("sesn_plan", "sevt_0005").len(), 1);
    assert_eq!(root.answers_to("sesn_awaiting", "sevt_0003").len(), 1);
    assert!(
        notice(&dash.state).contains("Approved 2 of 2"),
        "{}",
        notice(&dash.state)
    );
}

#[test]
fn a_new_request_rings_the_bell_once() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    let terminal = dash.capture_terminal();
    let journal = root.session("sesn_awaiting").join("events.jsonl");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(r#"{"id":"sevt_0900","type":"agent.tool_use","created_at":"2026-11-21T09:59:00Z","name":"bash","input":{"command":"ls"},"evaluated_permission":"ask"}"#);
    text.push('\n');
    text.push_str(r#"{"id":"sevt_0901","type":"session.status_idle","created_at":"2026-11-21T09:59:01Z","stop_reason":{"type":"requires_action","event_ids":["sevt_0003","sevt_0900"]}}"#);
    text.push('\n');
    std::fs::write(&journal, text).unwrap();
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    let key = RequestKey {
        source: None,
        session_id: "sesn_awaiting".into(),
        event_id: "sevt_0900".into(),
    };
    let inbox = &dash.state.review.inbox;
    assert!(inbox.iter().any(|r| r.key == key), "{inbox:?}");
    let written = terminal.lock().unwrap().clone();
    assert_eq!(written, b"\x07");
}

#[test]
fn the_external_editor_is_refused_without_a_terminal_of_our_own() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    open_request(&mut dash, "sesn_awaiting", "sevt_0003");
    dash.keys(&["d"]);
    dash.type_text("kept");
    dash.keys(&["ctrl+e"]);
    let text = notice(&dash.state);
    assert!(text.contains("No external editor"), "{text}");
    let screen = review_text(&mut dash);
    assert!(
        screen.contains("kept"),
        "the message in place is kept: {screen}"
    );
}

#[test]
fn read_only_sources_refuse_decisions_with_a_reason() {
    let root = fixture_root("contract");
    let before = root.journal("sesn_plan");
    let mut dash = dashboard(&root);
    dash.state.review.origins = vec![JournalOrigin::Transcripts(AdapterSource::new(
        AdapterKind::ClaudeCode,
        Some(root.path().to_path_buf()),
    ))];
    open_request(&mut dash, "sesn_plan", "sevt_0005");
    dash.keys(&["a", "y"]);
    let text = notice(&dash.state);
    assert!(text.contains("read-only"), "{text}");
    assert_eq!(root.journal("sesn_plan"), before, "nothing was written");
}

#[test]
fn daemon_sessions_are_decided_through_the_daemon() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let fingerprint = pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    // A socket nobody listens on: the decision must go there, and fail.
    let mut dash = dashboard(&root);
    dash.state.review.origins = vec![JournalOrigin::Daemon(root.path().join("no-daemon.sock"))];
    open_request(&mut dash, "sesn_plan", "sevt_0005");
    dash.keys(&["a", "y"]);
    assert!(root.answers_to("sesn_plan", "sevt_0005").is_empty());
    assert!(
        notice(&dash.state).contains("daemon"),
        "{}",
        notice(&dash.state)
    );

    let daemon = common::daemon::Daemon::start(&root);
    let mut dash =
        dashboard(&root).with_origins(vec![JournalOrigin::Daemon(daemon.socket.clone())]);
    dash.state.review.origins = vec![JournalOrigin::Daemon(daemon.socket.clone())];
    // As for a daemon on another machine: its folders are not here, so the
    // plan's revisions must come through the socket.
    for entry in dash.state.sessions.values_mut() {
        entry.snapshot.dir = std::path::PathBuf::from("/nonexistent").join(&entry.key.id);
    }
    open_request(&mut dash, "sesn_plan", "sevt_0005");
    let screen = review_text(&mut dash);
    assert!(screen.contains("r1 redirected"), "{screen}");
    assert!(screen.contains("1. Add a failing test"), "{screen}");
    dash.keys(&["a", "y"]);
    let answers = root.answers_to("sesn_plan", "sevt_0005");
    assert_eq!(answers.len(), 1, "{}", notice(&dash.state));
    assert_eq!(answers[0]["fingerprint"], fingerprint.as_str());
}

/// The agent's answer to a redirect of sesn_plan's r2: revision 3.
fn append_revision_3(root: &common::Root) {
    use std::io::Write;
    let lines = [
        r##"{"id": "sevt_0100", "type": "agent.custom_tool_use", "created_at": "2026-11-21T09:59:00Z", "processed_at": "2026-11-21T09:59:00Z", "name": "submit_plan", "input": {"plan": "# Plan\n\n1. Add a failing test\n2. Rewrite auth behind a flag\n3. Ship to 5% first", "plan_id": "plan_auth"}}"##,
        r##"{"id": "sevt_0101", "type": "session.status_idle", "created_at": "2026-11-21T09:59:00Z", "processed_at": "2026-11-21T09:59:00Z", "stop_reason": {"type": "requires_action", "event_ids": ["sevt_0100"]}}"##,
    ];
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(root.session("sesn_plan").join("events.jsonl"))
        .unwrap();
    for line in lines {
        writeln!(f, "{line}").unwrap();
    }
}

fn redirect_plan_r2(dash: &mut Headless) {
    open_request(dash, "sesn_plan", "sevt_0005");
    dash.keys(&["r"]);
    dash.type_text("Roll out to 5% first");
    dash.keys(&["ctrl+s", "y"]);
}

#[test]
fn a_redirected_plan_waits_for_its_next_revision() {
    isolate_audit_log();
    snapshot("review_redirected_waiting", redirect_plan_r2);
}

#[test]
fn a_redirect_shows_the_new_revision_when_it_arrives() {
    isolate_audit_log();
    let theme = snapshot_theme();
    for (width, height) in SIZES {
        let root = fixture_root("contract");
        let (mut dash, mut poller) = live_dashboard(&root);
        dash.state.review.decided_by = "human:reviewer@test".into();
        redirect_plan_r2(&mut dash);
        let answers = root.answers_to("sesn_plan", "sevt_0005");
        assert_eq!(answers.len(), 1, "{answers:?}");
        assert_eq!(answers[0]["redirect"], true);
        assert_eq!(reviewed(&dash.state).event_id, "sevt_0005", "it waits");
        append_revision_3(&root);
        dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
        assert_eq!(reviewed(&dash.state).event_id, "sevt_0100");
        let screen = dash.render(&theme, width, height);
        assert!(screen.contains("plan r3 (pending)"), "{screen}");
        assert_screen(
            &format!("review_redirect_new_revision_{width}x{height}"),
            &screen,
        );
    }
}

/// The top session's stream, its cursor on the `git push` request.
fn stream_on_the_push_request(dash: &mut Headless) {
    assert_eq!(
        dash.state.fleet.selected_key.as_ref().unwrap().id,
        "sesn_awaiting"
    );
    dash.keys(&["enter", "g", "j", "j"]);
    let row = dash.state.stream.row(dash.state.stream.selected).unwrap();
    assert_eq!(row.id.as_deref(), Some("sevt_0003"));
}

#[test]
fn approving_from_the_event_stream() {
    snapshot("review_from_the_stream", |d| {
        stream_on_the_push_request(d);
        d.keys(&["a"]);
    });
}

#[test]
fn a_request_is_approved_from_the_stream_or_its_event_shown_in_full() {
    isolate_audit_log();
    let root = fixture_root("contract");
    let fingerprint = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let mut dash = dashboard(&root);
    stream_on_the_push_request(&mut dash);
    // Not a request: nothing opens, and the notice says why.
    dash.keys(&["k", "a"]);
    assert!(dash.state.overlays.is_empty(), "{:?}", dash.state.overlays);
    assert!(notice(&dash.state).contains("not a pending request"));
    // The request, shown in full, then approved.
    dash.keys(&["j", "enter"]);
    assert!(matches!(
        dash.state.overlays.last(),
        Some(Overlay::Detail(_))
    ));
    dash.keys(&["a"]);
    assert_eq!(reviewed(&dash.state).event_id, "sevt_0003");
    let screen = review_text(&mut dash);
    assert!(screen.contains(&fingerprint), "{screen}");
    dash.keys(&["y"]);
    let answers = root.answers_to("sesn_awaiting", "sevt_0003");
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["result"], "allow");
    assert_eq!(answers[0]["fingerprint"], fingerprint.as_str());
}
