//! The event detail overlay: the highlighted JSON built when it opened,
//! soft-wrapped for the visible lines only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cut, wrap_width};
use super::{overlay_area, pane_block, token_style};
use crate::tui::state::DetailView;
use crate::tui::theme::Theme;

pub fn render(view: &DetailView, theme: &Theme, frame: &mut Frame) {
    let area = overlay_area(frame, 90, 85);
    let title = format!(" {} · Esc closes ", view.doc.title);
    let block = pane_block(
        theme,
        cut(&title, area.width.saturating_sub(4) as usize),
        true,
    );
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(note) = &view.doc.note {
        frame.render_widget(
            Paragraph::new(Line::styled(cut(note, inner.width as usize), theme.warning)),
            Rect { height: 1, ..inner },
        );
        inner.y += 1;
        inner.height = inner.height.saturating_sub(1);
    }
    let width = inner.width as usize;
    let height = inner.height as usize;
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    for runs in view.doc.lines.iter().skip(view.scroll) {
        if lines.len() >= height {
            break;
        }
        // Soft-wrap this logical line into rows of `width` columns.
        let text: String = runs.iter().map(|(_, t)| t.as_str()).collect();
        for (start, end) in wrap_width(&text, width) {
            if lines.len() >= height {
                break;
            }
            let mut spans = Vec::new();
            let mut at = 0;
            for (class, run) in runs {
                let (run_start, run_end) = (at, at + run.len());
                at = run_end;
                let (s, e) = (run_start.max(start), run_end.min(end));
                if s < e {
                    spans.push(Span::styled(
                        run[s - run_start..e - run_start].to_string(),
                        token_style(theme, *class),
                    ));
                }
            }
            lines.push(Line::from(spans));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
