//! The one-line bars: header, status (counts and source health), hints.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::status_style;
use super::text::{cut, rect};
use crate::model::status::DisplayStatus;
use crate::sanitize::sanitize_line;
use crate::tui::state::{Area, NoticeLevel, State};
use crate::tui::theme::Theme;

pub fn header(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let mut spans = vec![
        Span::styled(" Switchboard ", theme.title.patch(theme.bar)),
        Span::styled(
            format!(
                "│ {} │ theme {} ",
                state.fleet.kind.title(),
                sanitize_line(&state.theme)
            ),
            theme.bar,
        ),
    ];
    if let Some(entry) = state.selected() {
        spans.push(Span::styled(format!("│ {} ", entry.id), theme.bar));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.bar),
        super::text::rect(area),
    );
}

pub fn status(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let (counts, stuck) = state.counts();
    let count = |s: DisplayStatus| counts.get(&s).copied().unwrap_or(0);
    let mut spans = vec![Span::raw(" ")];
    for (status, label) in [
        (DisplayStatus::Running, "● running"),
        (DisplayStatus::Idle, "○ idle"),
        (DisplayStatus::RequiresAction, "▲ requires_action"),
        (DisplayStatus::Rescheduling, "↻ rescheduling"),
        (DisplayStatus::Terminated, "✕ terminated"),
    ] {
        let n = count(status);
        let style = if n > 0 {
            status_style(theme, status)
        } else {
            theme.bar
        };
        spans.push(Span::styled(format!("{n} {label}"), style));
        spans.push(Span::raw("  "));
    }
    let stuck_style = if stuck > 0 { theme.stuck } else { theme.bar };
    spans.push(Span::styled(format!("⚠ {stuck} stuck"), stuck_style));
    if count(DisplayStatus::Unknown) > 0 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("? {} unknown", count(DisplayStatus::Unknown)),
            theme.status_unknown,
        ));
    }
    spans.push(Span::raw("  │ "));
    spans.extend(health_spans(state, theme));
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.bar),
        rect(area),
    );
}

fn health_spans<'a>(state: &State, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let multi = state.multi_source();
    for (i, source) in state.sources.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        let label = if multi {
            format!("#{} ", i + 1)
        } else {
            "source ".to_string()
        };
        match &source.health {
            None => spans.push(Span::styled(format!("{label}starting"), theme.bar)),
            Some(h) if h.is_healthy() => spans.push(Span::styled(
                format!("{label}{}", sanitize_line(&h.describe())),
                theme.bar,
            )),
            Some(h) => spans.push(Span::styled(
                format!("✗ {label}{}", sanitize_line(&h.describe())),
                theme.error,
            )),
        }
    }
    spans
}

pub fn hints(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let width = area.width as usize;
    if let Some(notice) = &state.notice {
        let style = match notice.level {
            NoticeLevel::Info => theme.notice,
            NoticeLevel::Error => theme.error,
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " {}",
                    cut(&sanitize_line(&notice.text), width.saturating_sub(1))
                ),
                style,
            )),
            rect(area),
        );
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for (chord, label) in state.keymap.hints(state.mode()) {
        let key = format!(" {chord} ");
        let text = format!(" {label} ");
        let need = key.chars().count() + text.chars().count();
        if used + need > width {
            break;
        }
        used += need;
        spans.push(Span::styled(key, theme.hint_key));
        spans.push(Span::styled(text, theme.hint_label));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), rect(area));
}
