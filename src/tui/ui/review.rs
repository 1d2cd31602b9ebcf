//! The review inbox, the review overlay (plan or tool request, diff modes,
//! the decision line: verdict, message editor, `y` confirmation, result)
//! and the bulk approval preview. Text comes from state, built on arrival.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{overlay_area, pane_block};
use crate::review::bulk::{render_preview, render_results};
use crate::review::hidden_warning;
use crate::review::highlight::NO_HIGHLIGHT;
use crate::review::{InboxRow, ReviewStyle, Stage};
use crate::sanitize::sanitize_line;
use crate::tui::state::{BulkView, DiffMode, ReviewBody, ReviewView, State};
use crate::tui::theme::Theme;

/// The review toolkit's styles from the dashboard's theme. Under
/// `NO_COLOR` the theme has no colours, so neither does this, and code is
/// not highlighted.
pub fn review_style(theme: &Theme) -> ReviewStyle {
    let colourless = [theme.base, theme.ok, theme.error, theme.pending]
        .iter()
        .all(|s| s.fg.is_none() && s.bg.is_none());
    let syntax_theme = if colourless {
        NO_HIGHLIGHT.to_string()
    } else if theme.name == "light" {
        "InspiredGitHub".to_string()
    } else {
        ReviewStyle::default().syntax_theme
    };
    ReviewStyle {
        text: theme.base,
        muted: theme.muted,
        heading: theme.title.add_modifier(Modifier::BOLD),
        quote: theme.muted.add_modifier(Modifier::ITALIC),
        list_marker: theme.pending,
        link: theme.json_string.add_modifier(Modifier::UNDERLINED),
        inline_code: theme.json_key,
        code_block: theme.base,
        table_border: theme.border,
        added: theme.ok,
        removed: theme.error,
        added_word: theme.ok.add_modifier(Modifier::REVERSED),
        removed_word: theme.error.add_modifier(Modifier::REVERSED),
        hunk_header: theme.row_status,
        file_header: theme.header.add_modifier(Modifier::BOLD),
        filler: theme.muted,
        kind_plan: theme.row_request.add_modifier(Modifier::BOLD),
        kind_tool: theme.row_tool,
        kind_custom: theme.row_agent,
        fingerprint: theme.muted,
        warning: theme.warning.add_modifier(Modifier::BOLD),
        success: theme.ok,
        syntax_theme,
    }
}

pub fn render_inbox(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = overlay_area(frame, if frame.area().width < 120 { 98 } else { 80 }, 80);
    let review = &state.review;
    let selected = review.bulk.len();
    let title = if selected > 0 {
        format!(
            " Review inbox · {} pending · {selected} selected · B approves them · esc closes ",
            review.inbox.len()
        )
    } else {
        format!(
            " Review inbox · {} pending · enter reviews · space selects · esc closes ",
            review.inbox.len()
        )
    };
    let block = pane_block(theme, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if review.inbox.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" No pending requests.", theme.muted)),
            inner,
        );
        return;
    }
    let lines = inbox_lines(state, theme, inner.width as usize, inner.height as usize);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The inbox table in `width`×`height`: columns by priority (what is
/// asked first, the fingerprint last), every cut cell ending in `…`, the
/// selected row kept in view. Enter shows a request whole.
fn inbox_lines(state: &State, theme: &Theme, width: usize, height: usize) -> Vec<Line<'static>> {
    use super::columns::{Column, fit};
    use super::text::fit as pad;
    use unicode_width::UnicodeWidthStr;
    let review = &state.review;
    let style = &review.style;
    let widest = |header: &str, cell: &dyn Fn(&InboxRow) -> usize| {
        review
            .inbox
            .iter()
            .map(cell)
            .max()
            .unwrap_or(0)
            .max(header.width())
    };
    let session = widest("SESSION", &|r| r.session_label().width()).min(24);
    let kind = widest("KIND", &|r| r.kind_label.width());
    let tool = widest("TOOL", &|r| r.tool.width()).min(20);
    let request = widest("REQUEST", &|r| r.summary.width());
    let title = widest("TITLE", &|r| r.session_title.width());
    let age = widest("AGE", &|r| r.age.width());
    let columns = [
        Column::fixed(1, 0),
        Column::fixed(session, 2),
        Column::flex(20, title, 6),
        Column::fixed(kind, 1),
        Column::fixed(tool, 3),
        Column::flex(24, request, 0),
        Column::fixed(age, 4),
        Column::fixed(12, 7),
    ];
    let widths = fit(&columns, width, 1);
    let header = [
        "",
        "SESSION",
        "TITLE",
        "KIND",
        "TOOL",
        "REQUEST",
        "AGE",
        "FINGERPRINT",
    ];
    let row_line = |cells: Vec<Span<'static>>| -> Line<'static> {
        let mut spans = Vec::new();
        for (i, (span, w)) in cells.into_iter().zip(&widths).enumerate() {
            if *w == 0 {
                continue;
            }
            if !spans.is_empty() {
                spans.push(Span::raw(" "));
            }
            // Ages read right-aligned; everything else left.
            let text = if i == 6 {
                super::text::right(&span.content, *w)
            } else {
                pad(&span.content, *w)
            };
            spans.push(Span::styled(text, span.style));
        }
        Line::from(spans)
    };
    let mut lines = vec![row_line(
        header
            .iter()
            .map(|h| Span::styled(*h, theme.header))
            .collect(),
    )];
    let visible = height.saturating_sub(1).max(1);
    let offset = review.selected.saturating_sub(visible - 1);
    for (i, row) in review.inbox.iter().enumerate().skip(offset).take(visible) {
        let mark = if review.bulk.contains(&row.key) {
            "✓"
        } else {
            " "
        };
        let cells = vec![
            Span::styled(mark, style.success),
            Span::styled(row.session_label(), style.text),
            Span::styled(row.session_title.clone(), style.muted),
            Span::styled(row.kind_label.clone(), row.kind_style(style)),
            Span::styled(row.tool.clone(), style.text),
            Span::styled(row.summary.clone(), style.text),
            Span::styled(row.age.clone(), style.muted),
            row.fingerprint_span(style),
        ];
        let mut line = row_line(cells);
        if i == review.selected {
            line = line.patch_style(theme.selected);
        }
        lines.push(line);
    }
    lines
}

pub fn render_review(view: &ReviewView, state: &State, theme: &Theme, frame: &mut Frame) {
    // Everything but the hint bar: a review needs the room.
    let screen = frame.area();
    let area = Rect {
        height: screen.height.saturating_sub(1),
        ..screen
    };
    frame.render_widget(Clear, area);
    let target = &view.draft.target;
    let state_label = view.state_label();
    let what = match (&view.body, view.diff) {
        (
            ReviewBody::Plan {
                history,
                index,
                diff,
                ..
            },
            mode,
        ) => {
            let revision = history.revisions.get(*index);
            let diff = match (mode, diff.is_some()) {
                // A first revision has nothing to diff against.
                (_, false) => "",
                (DiffMode::Off, true) => " · D diff",
                (DiffMode::Unified, true) => " · unified diff · D side by side",
                (DiffMode::SideBySide, true) => " · side by side · D rendered",
            };
            let number = revision.map_or(0, |r| r.revision);
            let waiting = if view.awaiting_revision {
                format!(" · awaiting r{}", number + 1)
            } else {
                String::new()
            };
            format!("plan r{number} ({state_label}){waiting}{diff}")
        }
        _ => format!("{} request ({state_label})", target.kind.label()),
    };
    let title = format!(
        " Review {} in {} · {what} ",
        sanitize_line(&target.key.event_id),
        sanitize_line(&target.key.session_id)
    );
    // A cut title says so (the width left between the corners).
    let room = area.width.saturating_sub(2) as usize;
    let title = match super::text::cut(title.trim_end(), room) {
        cut if unicode_width::UnicodeWidthStr::width(cut.as_str()) < room => format!("{cut} "),
        cut => cut,
    };
    let block = pane_block(theme, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut prompt = view.draft.prompt(&state.review.style).lines;
    if let Some(previous) = &view.previous {
        prompt.insert(
            0,
            Line::styled(format!("✓ {previous}"), state.review.style.success),
        );
    }
    if matches!(view.draft.stage, Stage::Writing(_)) {
        prompt.push(Line::from(vec![
            Span::styled(" ctrl+s ", theme.hint_key),
            Span::styled(" done  ", theme.hint_label),
            Span::styled(" enter ", theme.hint_key),
            Span::styled(" new line  ", theme.hint_label),
            Span::styled(" ctrl+e ", theme.hint_key),
            Span::styled(" $EDITOR  ", theme.hint_label),
            Span::styled(" esc ", theme.hint_key),
            Span::styled(" back ", theme.hint_label),
        ]));
    }
    let width = inner.width.max(1) as usize;
    let wrapped: usize = prompt
        .iter()
        .map(|l| l.width().max(1).div_ceil(width))
        .sum();
    let prompt_height = (wrapped as u16 + 1).clamp(2, inner.height / 2);
    let [body, decision] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(prompt_height)])
        .areas(inner);
    render_body(view, theme, frame, body);
    let mut lines = vec![Line::styled(
        "─".repeat(decision.width as usize),
        theme.border,
    )];
    lines.extend(prompt);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), decision);
}

fn render_body(view: &ReviewView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut top = area;
    if view.draft.target.hidden > 0 && area.height > 2 {
        // Above everything, so no scroll position can hide it.
        frame.render_widget(
            Paragraph::new(Line::styled(
                hidden_warning(view.draft.target.hidden),
                theme.warning.add_modifier(Modifier::BOLD),
            )),
            Rect { height: 1, ..top },
        );
        top = Rect {
            y: top.y + 1,
            height: top.height.saturating_sub(1),
            ..top
        };
    }
    if let ReviewBody::Plan { history, index, .. } = &view.body {
        // One line per revision: which one is shown, and what each got.
        let spans: Vec<Span> = history
            .revisions
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                let style = if i == *index {
                    theme.selected
                } else {
                    theme.muted
                };
                [
                    Span::styled(
                        format!(" r{} {} ", r.revision, view.revision_label(r)),
                        style,
                    ),
                    Span::raw(" "),
                ]
            })
            .chain([Span::styled("[ older · ] newer", theme.muted)])
            .collect();
        frame.render_widget(Paragraph::new(Line::from(spans)), Rect { height: 1, ..top });
        top = Rect {
            y: top.y + 1,
            height: top.height.saturating_sub(1),
            ..top
        };
    }
    if let (
        ReviewBody::Plan {
            diff: Some(diff), ..
        },
        DiffMode::SideBySide,
    ) = (&view.body, view.diff)
    {
        let [left, right] = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(top);
        for (lines, rect) in [(&diff.left, left), (&diff.right, right)] {
            frame.render_widget(
                Paragraph::new(lines.clone()).scroll((view.scroll as u16, 0)),
                rect,
            );
        }
        return;
    }
    render_scrolled(view.body_lines(), view.scroll, theme, frame, top);
}

/// The body from `scroll` on, wrapped. When it does not fit, the last row
/// says which rows are shown and how to see the rest: nothing the
/// fingerprint covers is cut without saying so.
fn render_scrolled(
    lines: Vec<Line<'static>>,
    scroll: usize,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = paragraph.line_count(area.width);
    let height = usize::from(area.height);
    if total <= height || height < 2 {
        frame.render_widget(paragraph, area);
        return;
    }
    let room = height - 1;
    let first = scroll.min(total - room);
    let last = first + room;
    let more = if last < total {
        "j/↓ pgdn more"
    } else {
        "k/↑ pgup back"
    };
    let status = format!("── rows {}–{last} of {total} · {more} ", first + 1);
    frame.render_widget(
        paragraph.scroll((first as u16, 0)),
        Rect {
            height: room as u16,
            ..area
        },
    );
    frame.render_widget(
        Paragraph::new(Line::styled(status, theme.muted)),
        Rect {
            y: area.y + room as u16,
            height: 1,
            ..area
        },
    );
}

pub fn render_bulk(view: &BulkView, state: &State, theme: &Theme, frame: &mut Frame) {
    let area = overlay_area(frame, 98, 60);
    let (title, mut lines) = match &view.results {
        None => (
            " Bulk approval · y approves each on its own · n/esc cancels ",
            render_preview(&view.items, &state.review.style),
        ),
        Some(results) => (
            " Bulk approval · results · esc closes ",
            render_results(results, &state.review.style),
        ),
    };
    if view.scroll > 0 {
        lines.drain(..view.scroll.min(lines.len()));
    }
    let block = pane_block(theme, title.into(), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::render_tool_input;
    use crate::tui::theme::Themes;

    #[test]
    fn no_color_themes_give_uncoloured_review_text() {
        let theme = Themes::embedded(true).get("dark");
        let style = review_style(&theme);
        assert_eq!(style.syntax_theme, NO_HIGHLIGHT);
        let input = serde_json::json!({"command": "git push origin main"});
        let view = render_tool_input("bash", &input, &style);
        for span in view.text.lines.iter().flat_map(|l| l.spans.iter()) {
            assert_eq!((span.style.fg, span.style.bg), (None, None), "{span:?}");
        }
    }

    #[test]
    fn coloured_themes_highlight_code() {
        let theme = Themes::embedded(false).get("dark");
        let style = review_style(&theme);
        assert_ne!(style.syntax_theme, NO_HIGHLIGHT);
        let input = serde_json::json!({"command": "git push origin main"});
        let view = render_tool_input("bash", &input, &style);
        assert!(
            view.text
                .lines
                .iter()
                .flat_map(|l| l.spans.iter())
                .any(|s| s.style.fg.is_some())
        );
    }
}
