//! Dashboard behaviour, replayed as messages into `update` with no
//! terminal: filter, sort, tree, views, follow, opening events, live
//! sessions, the mouse, and the clock.

use crate::common;

use std::io::Write;

use common::{dashboard, fixture_root, live_dashboard};
use switchboard::model::status::DisplayStatus;
use switchboard::model::time::parse_rfc3339;
use switchboard::tui::msg::{Mouse, MouseKind, Msg};
use switchboard::tui::state::{Overlay, Pane, SortKey, State, StreamPhase, ViewKind};

fn ids(state: &State) -> Vec<String> {
    state.fleet.rows.iter().map(|r| r.key.id.clone()).collect()
}

fn selected_id(state: &State) -> String {
    state.fleet.selected_key.clone().unwrap().id
}

fn append(root: &common::Root, session: &str, line: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(root.session(session).join("events.jsonl"))
        .unwrap();
    writeln!(f, "{line}").unwrap();
}

#[test]
fn starts_on_the_most_urgent_session_with_its_stream_open() {
    let root = fixture_root("contract");
    let dash = dashboard(&root);
    let s = &dash.state;
    assert_eq!(s.sessions.len(), 15, "not_a_session has no session.json");
    assert_eq!(s.fleet.rows.len(), 15);
    let first = &s.sessions[&s.fleet.rows[0].key];
    assert_eq!(first.status, DisplayStatus::RequiresAction);
    assert_eq!(s.stream.key, s.fleet.selected_key);
    assert_eq!(s.stream.phase, StreamPhase::Ready);
    assert_eq!(s.stream.line_count, 4);
    assert!(s.stream.follow);
    assert_eq!(s.stream.row(3).unwrap().kind, "session.status_idle");
}

#[test]
fn filter_narrows_as_you_type_and_esc_restores() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&["/"]);
    dash.type_text("status:action");
    assert_eq!(dash.state.fleet.rows.len(), 4);
    assert!(
        dash.state
            .fleet
            .rows
            .iter()
            .all(|r| { dash.state.sessions[&r.key].status == DisplayStatus::RequiresAction })
    );
    dash.type_text(" logn");
    assert_eq!(
        ids(&dash.state),
        vec!["sesn_awaiting"],
        "fuzzy on the title"
    );
    dash.keys(&["esc"]);
    assert_eq!(
        dash.state.fleet.rows.len(),
        15,
        "Esc restores the old filter"
    );
    assert!(dash.state.overlays.is_empty());

    dash.keys(&["/"]);
    dash.type_text("stuck:orph");
    dash.keys(&["enter"]);
    assert_eq!(ids(&dash.state), vec!["sesn_orphan"]);
    assert_eq!(dash.state.fleet.filter.text, "stuck:orph", "Enter keeps it");
    dash.keys(&["/"]);
    dash.type_text(" status:zzz");
    let prompt = dash.state.prompt().unwrap();
    assert!(prompt.error.as_deref().unwrap().contains("zzz"));
    dash.keys(&["enter", "esc"]);
    assert!(
        dash.state.fleet.filter.text.is_empty(),
        "Esc in the fleet clears it"
    );
    assert_eq!(dash.state.fleet.rows.len(), 15);
}

#[test]
fn fuzzy_filter_matches_ids_too() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&["/"]);
    dash.type_text("tamper");
    assert_eq!(ids(&dash.state), vec!["sesn_tampered"]);
    assert_eq!(selected_id(&dash.state), "sesn_tampered");
    assert_eq!(
        dash.state.stream.key.as_ref().unwrap().id,
        "sesn_tampered",
        "the stream follows the selection"
    );
}

#[test]
fn sort_cycles_and_reverses() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    assert_eq!(dash.state.fleet.sort, SortKey::Status);
    dash.keys(&["s"]);
    assert_eq!(dash.state.fleet.sort, SortKey::Activity);
    let activity = |d: &switchboard::tui::headless::Headless| -> Vec<_> {
        d.state
            .fleet
            .rows
            .iter()
            .map(|r| d.state.sessions[&r.key].last_activity)
            .collect()
    };
    let times = activity(&dash);
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    dash.keys(&["S"]);
    let reversed = activity(&dash);
    assert!(reversed.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    dash.keys(&["S", "s"]);
    assert_eq!(dash.state.fleet.sort, SortKey::Pending);
    let first = &dash.state.sessions[&dash.state.fleet.rows[0].key];
    assert_eq!(first.key.id, "sesn_plan", "two pending requests");
    dash.keys(&["s"]);
    assert_eq!(dash.state.fleet.sort, SortKey::Title);
    let titles: Vec<String> = dash
        .state
        .fleet
        .rows
        .iter()
        .map(|r| dash.state.sessions[&r.key].title.to_lowercase())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
}

#[test]
fn tree_puts_children_under_their_parent() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&["t"]);
    let rows = &dash.state.fleet.rows;
    let parent = rows.iter().position(|r| r.key.id == "sesn_orch").unwrap();
    assert_eq!(rows[parent + 1].key.id, "sesn_orphan");
    assert_eq!(rows[parent + 1].prefix, "└─ ");
    // Filtering keeps the parent for context.
    dash.keys(&["/"]);
    dash.type_text("changelog");
    let rows = &dash.state.fleet.rows;
    assert_eq!(rows.len(), 2);
    assert!(rows[0].context_only && rows[0].key.id == "sesn_orch");
    assert!(!rows[1].context_only);
    dash.keys(&["enter", ":"]);
    dash.type_text("tree");
    dash.keys(&["enter"]);
    assert!(!dash.state.fleet.tree, ":tree toggles");
}

#[test]
fn pending_and_stuck_views_from_the_command_line_and_keys() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&[":"]);
    dash.type_text("pend");
    dash.keys(&["tab"]);
    assert_eq!(
        dash.state.prompt().unwrap().text,
        "pending ",
        "Tab completes"
    );
    dash.keys(&["enter"]);
    assert_eq!(dash.state.fleet.kind, ViewKind::Pending);
    assert!(
        dash.state
            .fleet
            .rows
            .iter()
            .all(|r| dash.state.sessions[&r.key].pending > 0)
    );
    assert_eq!(dash.state.fleet.rows.len(), 4);
    dash.keys(&["3"]);
    assert_eq!(dash.state.fleet.kind, ViewKind::Stuck);
    assert_eq!(dash.state.fleet.rows.len(), 8);
    assert!(
        dash.state
            .fleet
            .rows
            .iter()
            .all(|r| !dash.state.sessions[&r.key].stuck.is_empty())
    );
    dash.keys(&["esc"]);
    assert_eq!(dash.state.fleet.kind, ViewKind::All);
}

#[test]
fn the_top_row_stays_selected_until_the_user_picks_one() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    let dir = root.path().join("sesn_urgent");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("session.json"),
        r#"{"title":"Aaa urgent","status":"idle","stop_reason":{"type":"requires_action","event_ids":[]},"updated_at":"2026-11-21T09:59:59Z"}"#,
    )
    .unwrap();
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert_eq!(selected_id(&dash.state), dash.state.fleet.rows[0].key.id);
    dash.keys(&["j"]);
    let picked = selected_id(&dash.state);
    let other = if picked == "sesn_urgent" {
        "sesn_awaiting"
    } else {
        "sesn_urgent"
    };
    std::fs::remove_dir_all(root.path().join(other)).unwrap();
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert_eq!(
        selected_id(&dash.state),
        picked,
        "kept across changes once picked"
    );
}

#[test]
fn theme_and_unknown_commands() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&[":"]);
    dash.type_text("theme light");
    dash.keys(&["enter"]);
    assert_eq!(dash.state.theme, "light");
    dash.keys(&[":"]);
    dash.type_text("theme neon");
    dash.keys(&["enter"]);
    assert_eq!(dash.state.theme, "light");
    assert!(dash.state.notice.as_ref().unwrap().text.contains("neon"));
    dash.keys(&[":"]);
    dash.type_text("explode");
    dash.keys(&["enter"]);
    assert!(
        dash.state
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("unknown command")
    );
    dash.keys(&[":"]);
    dash.type_text("q");
    dash.keys(&["enter"]);
    assert!(dash.state.quit);
}

#[test]
fn follow_mode_tracks_appends_until_you_scroll_up() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    dash.keys(&["enter"]);
    assert_eq!(dash.state.focus, Pane::Stream);
    let id = dash.state.stream.key.clone().unwrap().id;
    append(
        &root,
        &id,
        r#"{"id":"new1","type":"agent.message","created_at":"2026-11-21T09:59:59Z","content":[{"type":"text","text":"fresh news"}]}"#,
    );
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    let s = &dash.state.stream;
    assert_eq!(s.line_count, 5);
    assert_eq!(s.selected, 4, "following: the cursor is on the new line");
    assert_eq!(s.row(4).unwrap().summary, "fresh news");
    assert_eq!(
        dash.state.sessions[dash.state.stream.key.as_ref().unwrap()]
            .snapshot
            .summary
            .event_count,
        5,
        "the summary folded the line"
    );

    dash.keys(&["k"]);
    assert!(!dash.state.stream.follow, "scrolling up leaves follow mode");
    append(&root, &id, r#"{"id":"new2","type":"agent.message"}"#);
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert_eq!(dash.state.stream.line_count, 6);
    assert_eq!(dash.state.stream.selected, 3, "stays put");
    dash.keys(&["G"]);
    assert!(
        dash.state.stream.follow,
        "G goes back to the end and follows"
    );
    assert_eq!(dash.state.stream.selected, 5);
    dash.keys(&["f"]);
    assert!(!dash.state.stream.follow);
    dash.keys(&["f"]);
    assert!(dash.state.stream.follow);
}

#[test]
fn opening_an_event_shows_it_in_full() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&["enter", "g", "j", "j", "enter"]);
    let Some(Overlay::Detail(view)) = dash.state.overlays.last() else {
        panic!("no detail overlay: {:?}", dash.state.overlays);
    };
    assert_eq!(view.line, 2);
    assert!(
        view.doc.title.starts_with("sevt_0003 · agent.tool_use"),
        "{}",
        view.doc.title
    );
    let text: String = view
        .doc
        .lines
        .iter()
        .flatten()
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(
        text.contains("\"command\": \"git push origin fix/login\""),
        "{text}"
    );
    dash.keys(&["j"]);
    let Some(Overlay::Detail(view)) = dash.state.overlays.last() else {
        panic!()
    };
    assert_eq!(view.scroll, 1, "keys go to the top overlay");
    dash.keys(&["esc"]);
    assert!(dash.state.overlays.is_empty());
    assert_eq!(dash.state.focus, Pane::Stream);
    dash.keys(&["esc"]);
    assert_eq!(dash.state.focus, Pane::Fleet);
}

#[test]
fn sessions_appear_and_disappear_live() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    let dir = root.path().join("sesn_new");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("events.jsonl"), "").unwrap();
    std::fs::write(
        dir.join("session.json"),
        r#"{"id":"sesn_new","title":"Brand new","status":"running","updated_at":"2026-11-21T09:59:00Z"}"#,
    )
    .unwrap();
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert!(ids(&dash.state).contains(&"sesn_new".to_string()));
    std::fs::remove_dir_all(root.session("sesn_awaiting")).unwrap();
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert!(!ids(&dash.state).contains(&"sesn_awaiting".to_string()));
    assert_ne!(
        dash.state.stream.key.as_ref().unwrap().id,
        "sesn_awaiting",
        "the stream moved off the deleted session"
    );
}

#[test]
fn a_replaced_journal_is_read_again() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    dash.keys(&["j", "k"]);
    let id = dash.state.stream.key.clone().unwrap().id;
    std::fs::write(
        root.session(&id).join("events.jsonl"),
        "{\"id\":\"only\",\"type\":\"user.message\"}\n",
    )
    .unwrap();
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    let s = &dash.state.stream;
    assert_eq!(s.line_count, 1);
    assert_eq!(s.notice.as_deref(), Some("journal replaced; read again"));
}

#[test]
fn the_mouse_selects_and_scrolls() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.send(Msg::Resize {
        width: 80,
        height: 24,
    });
    // Row 1 is the fleet's border, row 2 its column header, row 3 the first session.
    dash.send(Msg::Mouse(Mouse {
        kind: MouseKind::Click,
        col: 10,
        row: 5,
    }));
    assert_eq!(dash.state.fleet.selected, 2);
    assert_eq!(dash.state.stream.key, dash.state.fleet.selected_key);
    dash.send(Msg::Mouse(Mouse {
        kind: MouseKind::ScrollDown,
        col: 10,
        row: 5,
    }));
    assert_eq!(dash.state.fleet.selected, 5);
    let stream_row = dash.state.layout().stream.unwrap().y + 1;
    dash.send(Msg::Mouse(Mouse {
        kind: MouseKind::Click,
        col: 10,
        row: stream_row,
    }));
    assert_eq!(dash.state.focus, Pane::Stream);
    assert_eq!(dash.state.stream.selected, 0);
}

#[test]
fn the_clock_redraws_only_when_something_visible_changes() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.state.dirty = false;
    let now = dash.state.now;
    dash.send(Msg::Tick(now + chrono::Duration::milliseconds(400)));
    assert!(!dash.state.dirty, "no age changed");
    dash.send(Msg::Tick(parse_rfc3339("2026-11-21T10:30:00Z").unwrap()));
    assert!(dash.state.dirty, "ages moved on");
    let silent = dash
        .state
        .sessions
        .values()
        .find(|e| e.key.id == "sesn_answered")
        .unwrap();
    assert!(
        silent
            .stuck
            .iter()
            .any(|f| f.rule.as_str() == "silent_running"),
        "stuck rules are re-evaluated on the clock"
    );
}

#[test]
fn help_is_generated_from_the_keymap_and_q_closes_it() {
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    dash.keys(&["?"]);
    assert!(matches!(
        dash.state.overlays.last(),
        Some(Overlay::Help { .. })
    ));
    dash.keys(&["j", "j"]);
    assert!(matches!(
        dash.state.overlays.last(),
        Some(Overlay::Help { scroll: 2 })
    ));
    dash.keys(&["q"]);
    assert!(dash.state.overlays.is_empty());
    assert!(!dash.state.quit);
    dash.keys(&["q"]);
    assert!(dash.state.quit);
}

#[test]
fn several_roots_are_numbered_sources() {
    let first = fixture_root("contract");
    let second = fixture_root("contract");
    let config = switchboard::config::Config::default();
    let themes = switchboard::tui::theme::Themes::embedded(true);
    let state = switchboard::tui::initial_state(
        &config,
        vec!["first".into(), "second".into()],
        &themes,
        parse_rfc3339(common::FIXTURE_NOW).unwrap(),
        (160, 48),
    )
    .unwrap();
    let mut dash = switchboard::tui::headless::Headless::new(state);
    for (source, root) in [&first, &second].into_iter().enumerate() {
        let mut poller =
            switchboard::feed::RootPoller::new(root.path(), source, config.plan_tools());
        dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    }
    dash.send(Msg::Feed(switchboard::feed::Update::Health {
        source: 1,
        health: switchboard::feed::FeedHealth::Unavailable {
            reason: "root is gone".into(),
        },
    }));
    assert_eq!(dash.state.sessions.len(), 30, "same ids, distinct sources");
    let screen = dash.render(&common::snapshot_theme(), 160, 48);
    assert!(screen.contains("SRC"), "{screen}");
    assert!(screen.contains("#1 ") && screen.contains("#2 "), "{screen}");
    assert!(
        screen.contains("✗ #2 unavailable: root is gone"),
        "{screen}"
    );
}

/// A daemon source's telemetry shows in the status bar: on, then whether
/// its last export worked, in the error style when it did not.
#[test]
fn the_status_bar_says_when_telemetry_is_on_and_whether_its_export_works() {
    use switchboard::feed::{TelemetryStatus, Update};
    let root = fixture_root("contract");
    let (mut dash, _poller) = live_dashboard(&root);
    let theme = common::snapshot_theme();
    let screen = dash.render(&theme, 200, 30);
    assert!(!screen.contains("telemetry"), "{screen}");
    let status = |last_export_ok| TelemetryStatus {
        metrics: true,
        traces: true,
        last_export_ok,
    };
    dash.send(Msg::Feed(Update::Telemetry {
        source: 0,
        telemetry: status(None),
    }));
    let screen = dash.render(&theme, 200, 30);
    assert!(
        screen.contains("telemetry: metrics, traces (none sent yet)"),
        "{screen}"
    );
    dash.send(Msg::Feed(Update::Telemetry {
        source: 0,
        telemetry: status(Some(true)),
    }));
    let screen = dash.render(&theme, 200, 30);
    assert!(screen.contains("telemetry: metrics, traces ok"), "{screen}");
    dash.send(Msg::Feed(Update::Telemetry {
        source: 0,
        telemetry: status(Some(false)),
    }));
    let screen = dash.render(&theme, 200, 30);
    assert!(
        screen.contains("✗ telemetry: metrics, traces export failing"),
        "{screen}"
    );
    // Narrow: the short form still tells it.
    let narrow = dash.render(&theme, 100, 30);
    assert!(narrow.contains("✗otel"), "{narrow}");
}

/// Stuck rules are evaluated again only for what a feed batch touched, and
/// for its children: a parent ending makes its waiting child orphaned.
#[test]
fn a_parent_that_ends_makes_its_child_orphaned_through_the_feed() {
    use switchboard::model::stuck::StuckRule;
    let root = fixture_root("contract");
    let orch = root.session("sesn_orch").join("session.json");
    let terminated = std::fs::read_to_string(&orch).unwrap();
    let running = terminated.replace("\"terminated\"", "\"running\"");
    std::fs::write(&orch, &running).unwrap();
    let (mut dash, mut poller) = live_dashboard(&root);
    let orphan_rules = |dash: &switchboard::tui::headless::Headless| {
        let entry = dash
            .state
            .sessions
            .iter()
            .find(|(k, _)| k.id == "sesn_orphan")
            .map(|(_, e)| e)
            .unwrap();
        entry.stuck.iter().map(|f| f.rule).collect::<Vec<_>>()
    };
    assert!(!orphan_rules(&dash).contains(&StuckRule::Orphaned));
    std::fs::write(&orch, &terminated).unwrap();
    let updates = poller.poll_all();
    assert!(!updates.is_empty(), "the parent's change is seen");
    dash.send_all(updates.into_iter().map(Msg::Feed).collect());
    assert!(orphan_rules(&dash).contains(&StuckRule::Orphaned));
}

/// Writes `count` sessions copied from sesn_awaiting (ids `sesn_a00`…,
/// which sort above it) into the root.
fn add_sessions_like_awaiting(root: &common::Root, count: usize) {
    let from = root.session("sesn_awaiting");
    let doc = std::fs::read_to_string(from.join("session.json")).unwrap();
    let journal = std::fs::read_to_string(from.join("events.jsonl")).unwrap();
    for n in 0..count {
        let id = format!("sesn_a{n:02}");
        let dir = root.session(&id);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("session.json"), doc.replace("sesn_awaiting", &id)).unwrap();
        std::fs::write(dir.join("events.jsonl"), &journal).unwrap();
    }
}

#[test]
fn the_cursor_stays_on_its_session_while_fifty_are_added_above_it() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    assert_eq!(selected_id(&dash.state), "sesn_awaiting");
    // Enter on the top row: the user chose it without moving the cursor.
    dash.keys(&["enter"]);
    add_sessions_like_awaiting(&root, 50);
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert_eq!(dash.state.fleet.rows.len(), 65);
    assert_eq!(
        ids(&dash.state).iter().position(|id| id == "sesn_awaiting"),
        Some(50),
        "all fifty sort above it"
    );
    assert_eq!(selected_id(&dash.state), "sesn_awaiting");
    assert_eq!(
        dash.state.stream.key.as_ref().map(|k| k.id.as_str()),
        Some("sesn_awaiting"),
        "the open stream stays on it too"
    );
}

#[test]
fn the_stuck_view_keeps_its_cursor_on_the_session_as_rows_reorder() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    dash.keys(&["3"]);
    let chosen = selected_id(&dash.state);
    add_sessions_like_awaiting(&root, 3);
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert_ne!(dash.state.fleet.rows[0].key.id, chosen, "rows moved");
    assert_eq!(selected_id(&dash.state), chosen);
    // The confirm line names the session the action is for.
    dash.keys(&["i"]);
    let Some(Overlay::Confirm(confirm)) = dash.state.overlays.last() else {
        panic!("no confirm: {:?}", dash.state.overlays);
    };
    assert!(confirm.question.contains(&chosen), "{}", confirm.question);
    let title = dash.state.selected().unwrap().title.clone();
    assert!(confirm.question.contains(&title), "{}", confirm.question);
}

#[test]
fn the_inbox_cursor_follows_its_request_when_one_above_is_answered() {
    let root = fixture_root("contract");
    let (mut dash, mut poller) = live_dashboard(&root);
    dash.keys(&["2", "j", "j"]);
    let chosen = dash.state.review.selected_row().unwrap().key.clone();
    let first = dash.state.review.inbox[0].key.clone();
    let fingerprint = common::pending_fingerprint(&root, &first.session_id, &first.event_id);
    let out = root.run(&[
        "approve",
        &first.session_id,
        &first.event_id,
        "--fingerprint",
        &fingerprint,
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    assert!(dash.state.review.inbox.iter().all(|r| r.key != first));
    assert_eq!(dash.state.review.selected_row().unwrap().key, chosen);
    dash.keys(&["enter"]);
    let Some(Overlay::Review(view)) = dash.state.overlays.last() else {
        panic!("no review: {:?}", dash.state.overlays);
    };
    assert_eq!(view.draft.target.key, chosen, "Enter opens the one chosen");
}
