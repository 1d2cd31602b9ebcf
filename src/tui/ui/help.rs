//! The help overlay, generated from the keymap table.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cut, fit};
use super::{overlay_area, pane_block};
use crate::keys::help::{HelpLine, help_lines};
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, scroll: usize) {
    let area = overlay_area(frame, if frame.area().width < 120 { 96 } else { 70 }, 90);
    let lines = help_lines(&state.keymap);
    let height = area.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(height));
    // Where the view is in the list, as pagers say it.
    let position = if lines.len() <= height {
        "all".to_string()
    } else {
        format!(
            "{}-{} of {} · j/k scroll",
            scroll + 1,
            (scroll + height).min(lines.len()),
            lines.len()
        )
    };
    let block = pane_block(
        theme,
        format!(" Help · keys from your keymap · {position} · Esc closes "),
        true,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let keys_width = (width / 4).clamp(10, 22);
    let rendered: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(height)
        .map(|line| match line {
            HelpLine::Section(title) => Line::styled(cut(title, width), theme.header),
            HelpLine::Entry { keys, description } => Line::from(vec![
                Span::styled(fit(&format!("  {keys}"), keys_width), theme.pending),
                Span::styled(
                    cut(description, width.saturating_sub(keys_width)),
                    theme.base,
                ),
            ]),
            HelpLine::Blank => Line::raw(""),
        })
        .collect();
    frame.render_widget(Paragraph::new(rendered), inner);
}
