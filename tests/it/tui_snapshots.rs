//! Every pane and overlay of the dashboard, drawn into ratatui's
//! TestBackend from the contract fixtures at 80×24 and 160×48.

use crate::common;

use common::{dashboard, fixture_root, snapshot_theme};
use switchboard::tui::headless::Headless;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Runs `script` on a fresh dashboard at each size and snapshots the screen.
fn snapshot(name: &str, script: impl Fn(&mut Headless)) {
    snapshot_of("contract", name, script);
}

/// `snapshot` on another fixture root.
fn snapshot_of(fixture: &str, name: &str, script: impl Fn(&mut Headless)) {
    let theme = snapshot_theme();
    for (width, height) in SIZES {
        let root = fixture_root(fixture);
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

fn command(d: &mut Headless, text: &str) {
    d.keys(&[":"]);
    d.type_text(text);
    d.keys(&["enter"]);
}

#[test]
fn stuck_view() {
    snapshot("stuck", |d| command(d, "stuck"));
}

/// Each stuck session of the contract fixtures (one per rule) selected in
/// the stuck view: its rule, reason, evidence and timeline.
#[test]
fn stuck_view_explains_each_session() {
    let theme = snapshot_theme();
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    command(&mut dash, "stuck");
    let rows = dash.state.fleet.rows.len();
    assert_eq!(rows, 8);
    dash.keys(&["g"]);
    for i in 0..rows {
        if i > 0 {
            dash.keys(&["j"]);
        }
        let id = dash.state.fleet.selected_key.clone().unwrap().id;
        insta::assert_snapshot!(
            format!("stuck_why_{id}_160x48"),
            dash.render(&theme, 160, 48)
        );
    }
}

#[test]
fn stuck_evidence_in_a_narrow_terminal() {
    let theme = snapshot_theme();
    let root = fixture_root("contract");
    let mut dash = dashboard(&root);
    command(&mut dash, "stuck");
    dash.keys(&["/"]);
    dash.type_text("stuck:wake");
    dash.keys(&["enter"]);
    insta::assert_snapshot!("stuck_why_wake_80x24", dash.render(&theme, 80, 24));
}

#[test]
fn confirm_dialog() {
    snapshot("confirm", |d| {
        d.keys(&["/"]);
        d.type_text("billing");
        d.keys(&["enter", "i"]);
    });
}

#[test]
fn message_prompt() {
    snapshot("message", |d| {
        d.keys(&["/"]);
        d.type_text("billing");
        d.keys(&["enter", "m"]);
        d.type_text("please post a status update");
    });
}

#[test]
fn agents_view() {
    snapshot_of("hygiene", "agents", |d| command(d, "agents"));
}

#[test]
fn hygiene_fleet_hides_archived_and_marks_expired() {
    snapshot_of("hygiene", "hygiene_fleet", |_| {});
    snapshot_of("hygiene", "hygiene_fleet_archived", |d| d.keys(&["A"]));
}

/// Every bundled theme paints every cell's background, in the panes and in
/// the overlays drawn over them (which clear what is beneath), so a light
/// theme on a dark terminal is not dark text on black.
#[test]
fn every_bundled_theme_paints_the_background_of_every_cell() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;
    let themes = switchboard::tui::theme::Themes::embedded(false);
    for name in themes.names() {
        let theme = themes.get(&name);
        for (width, height) in SIZES {
            for keys in [&[][..], &["2"], &["?"], &["enter", "enter"], &["3", "i"]] {
                let root = fixture_root("contract");
                let mut dash = dashboard(&root);
                dash.render(&theme, width, height);
                dash.keys(keys);
                let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                terminal
                    .draw(|frame| switchboard::tui::ui::render(&dash.state, &theme, frame))
                    .unwrap();
                let buffer = terminal.backend().buffer();
                let bare = buffer
                    .content()
                    .iter()
                    .filter(|cell| matches!(cell.bg, Color::Reset))
                    .count();
                assert_eq!(
                    bare, 0,
                    "{name} at {width}x{height} after {keys:?}: {bare} cells without a background"
                );
            }
        }
    }
}
