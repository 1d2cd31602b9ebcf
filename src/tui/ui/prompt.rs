//! The filter (`/`) and command (`:`) line, drawn over the hint bar.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::text::{cut, rect};
use crate::sanitize::sanitize_line;
use crate::tui::state::{Area, Prompt, PromptKind};
use crate::tui::theme::Theme;

pub fn render(prompt: &Prompt, theme: &Theme, frame: &mut Frame, area: Area) {
    let message_help = format!(
        "to {} · Enter asks to send · Esc cancels",
        prompt
            .target
            .as_ref()
            .map(|(key, _)| sanitize_line(&key.id))
            .unwrap_or_default()
    );
    let (sigil, help) = match prompt.kind {
        PromptKind::Filter => (
            "/",
            "words · status:S · stuck:[RULE] · agent:ID · Enter keeps · Esc cancels",
        ),
        PromptKind::Command => (
            ":",
            "all pending stuck agents archived tree sort theme filter follow help quit · Tab completes",
        ),
        PromptKind::Message => ("✉ ", message_help.as_str()),
    };
    let text = sanitize_line(&prompt.text);
    let before: String = text.chars().take(prompt.cursor).collect();
    let mut spans = vec![
        Span::styled(sigil, theme.pending),
        Span::styled(text.clone(), theme.prompt),
        Span::raw("  "),
    ];
    let used = sigil.width() + text.width() + 2;
    let room = (area.width as usize).saturating_sub(used);
    match &prompt.error {
        Some(error) => spans.push(Span::styled(cut(&sanitize_line(error), room), theme.error)),
        None => spans.push(Span::styled(cut(help, room), theme.muted)),
    }
    frame.render_widget(Clear, rect(area));
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.prompt),
        rect(area),
    );
    let x = area.x + sigil.width() as u16 + before.width() as u16;
    frame.set_cursor_position(Position::new(
        x.min(area.x + area.width.saturating_sub(1)),
        area.y,
    ));
}
