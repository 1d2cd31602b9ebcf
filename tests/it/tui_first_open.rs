//! A big journal opened for the first time, in the dashboard and by `show`:
//! its row, the last screen of its stream and `show`'s events come from the
//! tail at once; the counts that need the whole fold say "counting…" until
//! it finishes.

use crate::common;

use std::io::Write;

use switchboard::feed::{FeedHealth, RootPoller, Update};
use switchboard::tui::headless::Headless;
use switchboard::tui::msg::Msg;
use switchboard::tui::state::StreamPhase;
use switchboard::tui::state::session_detail::{DetailLine, session_details};

/// Agent messages between the request and the idle event that lists it:
/// far more than a tail-first load folds (its last 256 KiB).
const FILLER: usize = 4000;

fn big_awaiting_session(root: &common::Root) -> std::path::PathBuf {
    awaiting_session_with(root, FILLER)
}

/// `sesn_awaiting` with `filler` agent messages between its request and
/// the idle event that lists it.
fn awaiting_session_with(root: &common::Root, filler: usize) -> std::path::PathBuf {
    let journal = root.session("sesn_awaiting").join("events.jsonl");
    let original = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&journal).unwrap());
    // The message, the reply and the request...
    for line in &lines[..3] {
        writeln!(out, "{line}").unwrap();
    }
    for i in 0..filler {
        writeln!(
            out,
            r#"{{"id": "sevt_fill_{i:05}", "type": "agent.message", "created_at": "2026-11-21T09:36:30Z", "content": [{{"type": "text", "text": "still working on the login timeout, step {i:05} of many"}}]}}"#
        )
        .unwrap();
    }
    // ...and, last, the idle event that lists the request as pending.
    writeln!(out, "{}", lines[3]).unwrap();
    out.flush().unwrap();
    journal
}

#[test]
fn first_open_shows_the_tail_before_the_folds_counts() {
    let root = common::fixture_root("contract");
    let journal = big_awaiting_session(&root);
    // Only the big session, so it is the one selected and opened.
    for entry in std::fs::read_dir(root.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.ends_with("sesn_awaiting") && !path.ends_with(".audit") {
            std::fs::remove_dir_all(path).unwrap();
        }
    }
    let config = switchboard::config::Config::default();
    let themes = switchboard::tui::theme::Themes::embedded(true);
    let state = switchboard::tui::initial_state(
        &config,
        vec![root.path().display().to_string()],
        &themes,
        switchboard::model::time::parse_rfc3339(common::FIXTURE_NOW).unwrap(),
        (160, 40),
    )
    .unwrap();
    let mut dash = Headless::new(state);
    dash.set_audit_log(root.audit.clone());
    dash.send(Msg::Feed(Update::Health {
        source: 0,
        health: FeedHealth::Polling {
            interval_ms: 1000,
            reason: "test".into(),
        },
    }));
    let mut poller = RootPoller::new(root.path(), 0, config.plan_tools()).with_tail_first(64 << 10);

    // The first pass sends the session from its tail, before any whole fold.
    dash.send_all(poller.poll_all().into_iter().map(Msg::Feed).collect());
    let theme = common::snapshot_theme();
    let screen = dash.render(&theme, 160, 40);
    let key = dash.state.stream.key.clone().expect("the session is open");
    let entry = &dash.state.sessions[&key];
    assert!(entry.snapshot.summary.counting);
    assert!(
        entry.snapshot.summary.event_count < FILLER as u64,
        "only the tail is folded so far: {}",
        entry.snapshot.summary.event_count
    );
    assert_eq!(dash.state.stream.phase, StreamPhase::Ready);
    assert!(
        screen.contains("session.status_idle"),
        "the last screen shows the journal's last event:\n{screen}"
    );
    assert!(screen.contains("counting…"), "{screen}");
    let generation = dash.state.stream.generation;
    let details = session_details(&dash.state, entry);
    let field = |label: &str| {
        details.iter().find_map(|line| match line {
            DetailLine::Field {
                label: l, value, ..
            } if *l == label => Some(value.clone()),
            _ => None,
        })
    };
    assert_eq!(field("events").as_deref(), Some("counting…"));
    assert_eq!(field("malformed").as_deref(), Some("counting…"));
    assert!(
        details
            .iter()
            .any(|l| matches!(l, DetailLine::Section(s) if s == "Pending (counting…)"))
    );

    // Then the whole fold, up to where the tail went, brings the counts.
    let counted = poller.count_pending();
    assert_eq!(counted.len(), 1);
    dash.send_all(counted.into_iter().map(Msg::Feed).collect());
    let entry = &dash.state.sessions[&key];
    assert!(!entry.snapshot.summary.counting);
    assert_eq!(entry.snapshot.summary.event_count, FILLER as u64 + 4);
    assert_eq!(entry.pending, 1, "the request before the tail is pending");
    assert_eq!(
        dash.state.stream.generation, generation,
        "the stream was not opened again"
    );
    let screen = dash.render(&theme, 160, 40);
    assert!(!screen.contains("counting…"), "{screen}");
    assert!(screen.contains("session.status_idle"), "{screen}");
    assert!(
        poller.poll_all().is_empty(),
        "the follower starts where the counts end: nothing read twice"
    );
    assert!(journal.exists());
    let details = session_details(&dash.state, &dash.state.sessions[&key]);
    assert!(
        details
            .iter()
            .any(|l| matches!(l, DetailLine::Section(s) if s == "Pending (1)"))
    );
}

#[test]
fn show_prints_a_big_journals_tail_before_its_counts() {
    let root = common::fixture_root("contract");
    // Over 32 MiB to fold, with no cached summary: read from the tail first.
    let filler = 250_000;
    let journal = awaiting_session_with(&root, filler);
    assert!(std::fs::metadata(&journal).unwrap().len() > 32 << 20);
    let out = root.run(&["show", "sesn_awaiting", "--tail", "3"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = |what: &str| {
        lines
            .iter()
            .position(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no {what:?} in:\n{text}"))
    };
    let total = format!("events     {} (0 malformed lines)", filler + 4);
    assert!(
        lines[..at("session.status_idle")]
            .iter()
            .any(|l| l.contains("counting…"))
    );
    assert!(
        at("session.status_idle") < at(&total),
        "the tail is printed before the counts:\n{text}"
    );
    assert!(at(&total) < at("pending    1"), "{text}");

    // The whole fold was cached: the next `show` knows its counts at once
    // and prints them first, as for any small journal.
    let again = root.run(&["show", "sesn_awaiting", "--tail", "3"]);
    let again = String::from_utf8(again.stdout).unwrap();
    assert!(!again.contains("counting…"), "{again}");
    let total_at = again.find(&total).unwrap();
    assert!(
        total_at < again.find("session.status_idle").unwrap(),
        "{again}"
    );
}
