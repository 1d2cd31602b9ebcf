//! The session pane: everything known about the selected session.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cut, fit, rect};
use super::{pane_block, status_style};
use crate::tui::state::session_detail::{DetailLine, FieldClass, session_details};
use crate::tui::state::{Area, Pane, State};
use crate::tui::theme::Theme;

const LABEL_WIDTH: usize = 12;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let focused = state.focus == Pane::Session && state.overlays.is_empty();
    let Some(entry) = state.selected() else {
        frame.render_widget(pane_block(theme, " Session ".into(), focused), rect(area));
        return;
    };
    let title = format!(" Session · {} ", entry.id);
    frame.render_widget(pane_block(theme, title, focused), rect(area));
    let inner = area.inner();
    let width = inner.width as usize;
    let details = session_details(state, entry);
    let mut strip: Vec<Line> = Vec::new();
    if let Some(t) = state.timeline.as_ref().filter(|t| t.key == entry.key)
        && inner.height >= 8
    {
        strip.push(super::timeline::strip(
            t,
            theme,
            &fit("timeline", LABEL_WIDTH),
            width,
        ));
        strip.push(super::timeline::axis(t, theme, LABEL_WIDTH, width));
    }
    let height = (inner.height as usize).saturating_sub(strip.len());
    let scroll = state
        .session_scroll
        .min(details.len().saturating_sub(height));
    let style_of = |class: FieldClass| match class {
        FieldClass::Normal => theme.base,
        FieldClass::Muted => theme.muted,
        FieldClass::Status(s) => status_style(theme, s),
        FieldClass::Warning => theme.warning,
        FieldClass::Error => theme.error,
    };
    let lines: Vec<Line> = strip
        .into_iter()
        .chain(
            details
                .iter()
                .skip(scroll)
                .take(height)
                .map(|line| match line {
                    DetailLine::Section(title) => Line::styled(cut(title, width), theme.header),
                    DetailLine::Field {
                        label,
                        value,
                        class,
                    } => Line::from(vec![
                        Span::styled(fit(label, LABEL_WIDTH), theme.muted),
                        Span::styled(
                            cut(value, width.saturating_sub(LABEL_WIDTH)),
                            style_of(*class),
                        ),
                    ]),
                    DetailLine::Item { text, class } => Line::from(vec![
                        Span::raw("  "),
                        Span::styled(cut(text, width.saturating_sub(2)), style_of(*class)),
                    ]),
                }),
        )
        .collect();
    frame.render_widget(Paragraph::new(lines), rect(inner));
}
