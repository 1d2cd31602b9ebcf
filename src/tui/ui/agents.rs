//! The agents view (`:agents`): one row per agent, drawn from rows
//! computed in update (state/agents_view.rs).

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{fit, right, tokens};
use super::{overlay_area, pane_block, status_style};
use crate::model::agents::{AgentRow, BUCKET_MINUTES, BUCKETS, sparkline};
use crate::model::status::DisplayStatus;
use crate::sanitize::sanitize_line;
use crate::tui::state::AgentsView;
use crate::tui::theme::Theme;

const STATUS_GLYPHS: [(DisplayStatus, &str); 5] = [
    (DisplayStatus::RequiresAction, "▲"),
    (DisplayStatus::Running, "●"),
    (DisplayStatus::Rescheduling, "↻"),
    (DisplayStatus::Idle, "○"),
    (DisplayStatus::Terminated, "✕"),
];

const COST_WIDTH: usize = 9;

/// Dollars over the priced sessions; `+?` when some models have no price.
fn cost_text(row: &AgentRow) -> String {
    match (row.cost_usd, row.unpriced_sessions) {
        (c, 0) if c > 0.0 => format!("${c:.2}"),
        (c, _) if c > 0.0 => format!("${c:.2}+?"),
        _ => "-".into(),
    }
}

pub fn render(view: &AgentsView, theme: &Theme, frame: &mut Frame) {
    let area = overlay_area(frame, if frame.area().width < 120 { 98 } else { 80 }, 80);
    let over = view.rows.iter().filter(|r| r.over_limit).count();
    let title = match over {
        0 => format!(
            " Agents {} · enter shows its sessions · esc closes ",
            view.rows.len()
        ),
        n => format!(
            " Agents {} · {n} over their limit · enter shows its sessions · esc closes ",
            view.rows.len()
        ),
    };
    let block = pane_block(theme, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let spark = BUCKETS;
    // AGENT, then SESS, BY STATUS, RUNNING, LIMITED (sparkline and count),
    // TOKENS, and COST when the agent names keep room.
    let fixed = 5 + 17 + 11 + (spark + 5) + 7;
    let cost = width >= fixed + COST_WIDTH + 1 + 20;
    let fixed = if cost { fixed + COST_WIDTH + 1 } else { fixed };
    let agent_width = width.saturating_sub(fixed).clamp(8, 44);
    let mut header = format!(
        "{} {} {} {} {} {}",
        fit("AGENT", agent_width),
        right("SESS", 4),
        fit("BY STATUS", 16),
        fit("RUNNING", 10),
        fit(
            &format!("RATE LIMITS {}M", BUCKET_MINUTES * BUCKETS as i64),
            spark + 4
        ),
        right("TOKENS", 6),
    );
    if cost {
        header += &format!(" {}", right("COST", COST_WIDTH));
    }
    let mut lines = vec![Line::styled(header, theme.header)];
    if view.rows.is_empty() {
        lines.push(Line::styled(" No sessions, so no agents.", theme.muted));
    }
    let visible = inner.height.saturating_sub(1) as usize;
    for (i, row) in view.rows.iter().enumerate().skip(view.offset).take(visible) {
        let style = if i == view.selected {
            theme.selected
        } else {
            Style::default()
        };
        let mut spans = row_spans(row, theme, agent_width, spark);
        if cost {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                right(&cost_text(row), COST_WIDTH),
                theme.muted,
            ));
        }
        lines.push(Line::from(spans).style(style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn row_spans<'a>(row: &AgentRow, theme: &Theme, agent_width: usize, spark: usize) -> Vec<Span<'a>> {
    let name = match &row.name {
        Some(name) if name != &row.agent_id && agent_width >= 24 => {
            format!("{} ({})", row.agent_id, name)
        }
        _ => row.agent_id.clone(),
    };
    let mut spans = vec![
        Span::styled(fit(&sanitize_line(&name), agent_width), theme.base),
        Span::raw(" "),
        Span::styled(right(&row.sessions.to_string(), 4), theme.base),
        Span::raw(" "),
    ];
    let mut used = 0;
    for (status, glyph) in STATUS_GLYPHS {
        let n = row.by_status.get(status.as_str()).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        let text = format!("{glyph}{n} ");
        used += text.chars().count();
        spans.push(Span::styled(text, status_style(theme, status)));
    }
    spans.push(Span::raw(" ".repeat(16usize.saturating_sub(used) + 1)));
    let (running, style) = match row.max_concurrent {
        Some(limit) if row.over_limit => {
            (format!("{}/{limit} OVER", row.running), theme.over_limit)
        }
        Some(limit) => (format!("{}/{limit}", row.running), theme.base),
        None => (row.running.to_string(), theme.base),
    };
    spans.push(Span::styled(fit(&running, 10), style));
    spans.push(Span::raw(" "));
    let total = row.rate_limited_total_last_hour;
    let spark_style = if total > 0 {
        theme.warning
    } else {
        theme.muted
    };
    spans.push(Span::styled(
        fit(&sparkline(&row.rate_limited_last_hour), spark),
        spark_style,
    ));
    spans.push(Span::styled(right(&total.to_string(), 3), spark_style));
    spans.push(Span::raw(" "));
    spans.push(Span::styled(right(&tokens(row.tokens), 6), theme.muted));
    spans
}
