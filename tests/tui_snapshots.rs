//! Every pane and overlay of the dashboard, drawn into ratatui's
//! TestBackend from the contract fixtures at 80×24 and 160×48.

mod common;

use common::{dashboard, fixture_root, snapshot_theme};
use switchboard::tui::headless::Headless;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Runs `script` on a fresh dashboard at each size and snapshots the screen.
fn snapshot(name: &str, script: impl Fn(&mut Headless)) {
    let theme = snapshot_theme();
    for (width, height) in SIZES {
        let root = fixture_root("contract");
        let mut dash = dashboard(&root);
        dash.render(&theme, width, height);
        script(&mut dash);
        let screen = dash.render(&theme, width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
    }
}

#[test]
fn fleet_pane() {
    snapshot("fleet", |_| {});
}

#[test]
fn fleet_tree() {
    snapshot("fleet_tree", |d| d.keys(&["t"]));
}

#[test]
fn fleet_pending_view() {
    snapshot("fleet_pending", |d| {
        d.keys(&[":"]);
        d.type_text("pending");
        d.keys(&["enter"]);
    });
}

#[test]
fn event_stream_pane() {
    snapshot("stream", |d| d.keys(&["enter"]));
}

#[test]
fn event_stream_with_malformed_lines() {
    snapshot("stream_malformed", |d| {
        d.keys(&["/"]);
        d.type_text("malformed");
        d.keys(&["enter", "enter", "g"]);
    });
}

#[test]
fn session_pane() {
    snapshot("session", |d| d.keys(&["tab", "tab"]));
}

#[test]
fn event_detail_overlay() {
    snapshot("detail", |d| d.keys(&["enter", "k", "k", "enter"]));
}

#[test]
fn help_overlay() {
    snapshot("help", |d| d.keys(&["?"]));
}

#[test]
fn filter_line() {
    snapshot("filter", |d| {
        d.keys(&["/"]);
        d.type_text("status:action plan");
    });
}

#[test]
fn command_line() {
    snapshot("command", |d| {
        d.keys(&[":"]);
        d.type_text("theme light");
    });
}

#[test]
fn too_small_and_smallest() {
    let theme = snapshot_theme();
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    insta::assert_snapshot!("too_small_39x11", dash.render(&theme, 39, 11));
    insta::assert_snapshot!("smallest_40x12", dash.render(&theme, 40, 12));
    dash.keys(&["enter"]);
    insta::assert_snapshot!("smallest_stream_40x12", dash.render(&theme, 40, 12));
}
