//! The confirm dialog of an action on a session: `y` writes, `n` does not.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::pane_block;
use crate::tui::state::Confirm;
use crate::tui::theme::Theme;

pub fn render(confirm: &Confirm, theme: &Theme, frame: &mut Frame) {
    let screen = frame.area();
    let width = screen.width.saturating_sub(4).min(72);
    let height = 6.min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + screen.height.saturating_sub(height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, area);
    let block = pane_block(theme, " Confirm ".into(), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = vec![
        Line::styled(confirm.question.clone(), theme.base),
        Line::raw(""),
        Line::from(vec![
            Span::styled(" y ", theme.hint_key),
            Span::styled(" yes, write it  ", theme.hint_label),
            Span::styled(" n ", theme.hint_key),
            Span::styled(" no ", theme.hint_label),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
