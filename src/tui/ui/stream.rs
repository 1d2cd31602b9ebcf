//! The event stream pane: one line per journal line, for the visible
//! window only, from rows decoded when the window was loaded.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cut, fit, rect, right};
use super::{pane_block, row_style};
use crate::tui::state::{Area, Pane, State, StreamPhase};
use crate::tui::theme::Theme;

fn title(state: &State) -> String {
    let stream = &state.stream;
    let Some(entry) = state.selected() else {
        return " Events ".into();
    };
    let mut parts = vec![format!("Events · {}", entry.id)];
    match &stream.phase {
        StreamPhase::Tail => parts.push("last lines · indexing…".into()),
        StreamPhase::Opening => parts.push("opening…".into()),
        StreamPhase::Ready => parts.push(format!(
            "{}/{}",
            (stream.selected + 1).min(stream.line_count),
            stream.line_count
        )),
        StreamPhase::Failed(_) | StreamPhase::Closed => {}
    }
    if entry.snapshot.summary.counting {
        parts.push("counting…".into());
    }
    if stream.follow {
        parts.push("following".into());
    }
    if let Some(notice) = &stream.notice {
        parts.push(notice.clone());
    }
    format!(" {} ", parts.join(" · "))
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let focused = state.focus == Pane::Stream && state.overlays.is_empty();
    frame.render_widget(pane_block(theme, title(state), focused), rect(area));
    let inner = area.inner();
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let stream = &state.stream;
    let message = match &stream.phase {
        StreamPhase::Closed => Some(" Select a session to see its events.".to_string()),
        StreamPhase::Failed(error) => Some(format!(" {error}")),
        _ if stream.line_count == 0 && stream.phase == StreamPhase::Ready => {
            Some(" No events yet.".to_string())
        }
        _ => None,
    };
    if let Some(message) = message {
        frame.render_widget(
            Paragraph::new(Line::styled(message, theme.muted)),
            rect(inner),
        );
        return;
    }
    let width = inner.width as usize;
    let number_width = stream.line_count.max(1).to_string().len().max(3);
    let kind_width = (width / 4).clamp(12, 30);
    let mut lines = Vec::new();
    let last = (stream.offset + inner.height as usize).min(stream.line_count);
    for line in stream.offset..last {
        let selected = line == stream.selected;
        let line_style = match (selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Style::default(),
        };
        let number = if stream.phase == StreamPhase::Tail {
            right("…", number_width)
        } else {
            right(&(line + 1).to_string(), number_width)
        };
        let mut spans = vec![Span::styled(number, theme.muted), Span::raw(" ")];
        match stream.row(line) {
            Some(row) => {
                let style = row_style(theme, row.class);
                spans.push(Span::styled(fit(&row.time, 8), theme.muted));
                spans.push(Span::raw(" "));
                spans.push(Span::styled(fit(&row.kind, kind_width), style));
                spans.push(Span::raw(" "));
                let rest = width.saturating_sub(number_width + kind_width + 11);
                spans.push(Span::styled(cut(&row.summary, rest), style));
            }
            None => spans.push(Span::styled("…", theme.muted)),
        }
        lines.push(Line::from(spans).style(line_style));
    }
    frame.render_widget(Paragraph::new(lines), rect(inner));
}
