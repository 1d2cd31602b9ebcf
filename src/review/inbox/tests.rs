use super::*;
use crate::model::time::parse_rfc3339;
use crate::review::snapshot::{describe_lines, render_on_screen};
use serde_json::{Value, json};

pub(crate) fn row(
    session: &str,
    event: &str,
    kind: &str,
    name: &str,
    since: Option<&str>,
) -> PendingRow {
    let event_type = match kind {
        "tool_confirmation" => "agent.tool_use",
        _ => "agent.custom_tool_use",
    };
    PendingRow {
        session_id: session.into(),
        event_id: event.into(),
        event_type: event_type.into(),
        kind: kind.into(),
        name: Value::from(name),
        input: json!({}),
        fingerprint: crate::model::fingerprint::fingerprint_parts(
            session,
            event,
            event_type,
            &Value::from(name),
            &json!({}),
        ),
        requested_at: since.map(str::to_string),
        plan_revision: (kind == "plan").then_some(2),
        tampered: false,
        pending_since: since.and_then(parse_rfc3339),
        source: None,
    }
}

fn sample() -> Vec<PendingRow> {
    let mut tampered = row(
        "sesn_tampered",
        "sevt_0009",
        "tool_confirmation",
        "bash",
        Some("2026-11-21T09:59:30Z"),
    );
    tampered.tampered = true;
    vec![
        row(
            "sesn_plan",
            "sevt_0006",
            "custom_tool_result",
            "lookup_order",
            Some("2026-11-21T09:57:00Z"),
        ),
        row(
            "sesn_plan",
            "sevt_0005",
            "plan",
            "submit_plan",
            Some("2026-11-21T09:57:00Z"),
        ),
        row(
            "sesn_awaiting",
            "sevt_0003",
            "tool_confirmation",
            "bash",
            Some("2026-11-21T09:37:00Z"),
        ),
        row(
            "sesn_untimed",
            "sevt_0001",
            "tool_confirmation",
            "bash\u{1b}[2J",
            None,
        ),
        tampered,
    ]
}

fn now() -> Timestamp {
    parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
}

#[test]
fn oldest_first_then_session_and_event() {
    let inbox = build_inbox(&sample(), now());
    let order: Vec<(&str, &str, &str)> = inbox
        .iter()
        .map(|r| {
            (
                r.key.session_id.as_str(),
                r.key.event_id.as_str(),
                r.age.as_str(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            ("sesn_awaiting", "sevt_0003", "23m"),
            ("sesn_plan", "sevt_0005", "3m"),
            ("sesn_plan", "sevt_0006", "3m"),
            ("sesn_tampered", "sevt_0009", "30s"),
            ("sesn_untimed", "sevt_0001", "?"),
        ]
    );
    assert_eq!(inbox[1].kind_label, "plan r2");
    assert_eq!(inbox[4].tool, "bash␛[2J", "escape sequences are shown");
    assert_eq!(inbox[4].hidden, 1, "and counted");
}

#[test]
fn inbox_lines_snapshot() {
    let lines = render_inbox(&build_inbox(&sample(), now()), &ReviewStyle::default());
    insta::assert_snapshot!("inbox_styled", describe_lines(&lines));
    insta::assert_snapshot!("inbox_80x24", render_on_screen(lines.clone(), 80, 24));
    insta::assert_snapshot!("inbox_160x48", render_on_screen(lines, 160, 48));
}

#[test]
fn inbox_table_snapshot() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Table;
    let style = ReviewStyle::default();
    let inbox = build_inbox(&sample(), now());
    for (width, height) in [(80, 24), (160, 48)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| {
                let table = Table::new(inbox.iter().map(|r| r.to_row(&style)), WIDTHS)
                    .header(Row::new(HEADER));
                frame.render_widget(table, frame.area());
            })
            .unwrap();
        insta::assert_snapshot!(format!("inbox_table_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn empty_inbox_says_so() {
    let lines = render_inbox(&[], &ReviewStyle::default());
    assert_eq!(
        crate::review::snapshot::plain_text(&lines),
        "No pending requests.\n"
    );
}

#[test]
fn merged_roots_label_the_session() {
    let mut r = row("sesn_a", "e1", "tool_confirmation", "bash", None);
    r.source = Some("/srv/root".into());
    assert_eq!(
        build_inbox(&[r], now())[0].session_label(),
        "/srv/root: sesn_a"
    );
}

#[test]
fn a_request_is_summarised_by_what_it_asks() {
    use super::request_summary;
    use serde_json::json;
    assert_eq!(
        request_summary(&json!({"command": "git push\n  origin main"})),
        "git push origin main"
    );
    assert_eq!(
        request_summary(
            &json!({"plan": "# Plan: auth\n\n## Steps\n\n1. Add a test\n2. Ship", "plan_id": "p"})
        ),
        "Plan: auth — 1. Add a test"
    );
    assert_eq!(
        request_summary(&json!({"path": "api/auth.py", "diff": "--- a\n+++ b"})),
        "api/auth.py"
    );
    assert_eq!(
        request_summary(&json!({"order_id": "42"})),
        r#"{"order_id":"42"}"#
    );
}
