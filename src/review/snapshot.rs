//! Compact text forms of styled lines, for snapshot tests and debugging:
//! unstyled spans print as they are, styled ones as `[text]{style}`.

use std::fmt::Write;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

/// One output line per `Line`, styles shown inline.
pub fn describe_lines(lines: &[Line<'_>]) -> String {
    let mut out = String::new();
    for line in lines {
        if line.style != Style::default() {
            let _ = write!(out, "{{line {}}} ", describe_style(line.style));
        }
        for span in &line.spans {
            if span.style == Style::default() {
                out.push_str(&span.content);
            } else {
                let _ = write!(out, "[{}]{{{}}}", span.content, describe_style(span.style));
            }
        }
        out.push('\n');
    }
    out
}

/// The plain text of lines, one per line.
pub fn plain_text(lines: &[Line<'_>]) -> String {
    let mut out = String::new();
    for line in lines {
        for span in &line.spans {
            out.push_str(&span.content);
        }
        out.push('\n');
    }
    out
}

fn describe_style(style: Style) -> String {
    let mut parts = Vec::new();
    if let Some(fg) = style.fg {
        parts.push(colour(fg));
    }
    if let Some(bg) = style.bg {
        parts.push(format!("bg:{}", colour(bg)));
    }
    let modifiers = [
        (Modifier::BOLD, "b"),
        (Modifier::ITALIC, "i"),
        (Modifier::UNDERLINED, "u"),
        (Modifier::DIM, "dim"),
        (Modifier::REVERSED, "rev"),
        (Modifier::CROSSED_OUT, "x"),
    ];
    for (modifier, name) in modifiers {
        if style.add_modifier.contains(modifier) {
            parts.push(format!("+{name}"));
        }
    }
    parts.join(",")
}

fn colour(color: Color) -> String {
    match color {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Renders lines in a `Paragraph` on a `TestBackend` of the given size and
/// returns the screen, as the dashboard's panes would show it.
#[cfg(test)]
pub(crate) fn render_on_screen(lines: Vec<Line<'static>>, width: u16, height: u16) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{Paragraph, Wrap};
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
            frame.render_widget(paragraph, frame.area());
        })
        .unwrap();
    terminal.backend().to_string()
}
