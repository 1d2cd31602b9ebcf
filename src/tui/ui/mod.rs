//! `render(&State, &Theme, &mut Frame)`: reads state, draws, never mutates.
//! One pane or overlay a file.

mod agents;
mod bars;
pub mod columns;
mod confirm;
mod detail;
mod fleet;
mod help;
mod prompt;
pub mod review;
mod session;
mod stream;
mod stuck;
pub mod text;
mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::model::status::DisplayStatus;
use crate::tui::state::{Layout, Overlay, RowClass, State, TokenClass};
use crate::tui::theme::Theme;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::new().style(theme.base), area);
    if Layout::too_small(area.width, area.height) {
        too_small(theme, frame, area);
        return;
    }
    let layout = Layout::compute(area.width, area.height, state.focus, state.bottom);
    bars::header(state, theme, frame, layout.header);
    if let Some(a) = layout.fleet {
        fleet::render(state, theme, frame, a);
    }
    if let Some(a) = layout.stream {
        stream::render(state, theme, frame, a);
    }
    if let Some(a) = layout.session {
        if state.fleet.kind == crate::tui::state::ViewKind::Stuck {
            stuck::render_why(state, theme, frame, a);
        } else {
            session::render(state, theme, frame, a);
        }
    }
    bars::status(state, theme, frame, layout.status);
    bars::hints(state, theme, frame, layout.hints);
    for overlay in &state.overlays {
        match overlay {
            Overlay::Help { scroll } => help::render(state, theme, frame, *scroll),
            Overlay::Detail(view) => detail::render(view, theme, frame),
            Overlay::Prompt(p) => prompt::render(p, theme, frame, layout.hints),
            Overlay::Confirm(c) => confirm::render(c, theme, frame),
            Overlay::Agents(view) => agents::render(view, theme, frame),
            Overlay::Inbox => review::render_inbox(state, theme, frame),
            Overlay::Review(view) => review::render_review(view, state, theme, frame),
            Overlay::Bulk(view) => review::render_bulk(view, state, theme, frame),
        }
    }
}

fn too_small(theme: &Theme, frame: &mut Frame, area: Rect) {
    let lines = vec![
        Line::styled("Terminal too small", theme.error),
        Line::raw(format!("{}×{}", area.width, area.height)),
        Line::raw(format!(
            "Switchboard needs at least {}×{}.",
            crate::tui::state::layout::MIN_WIDTH,
            crate::tui::state::layout::MIN_HEIGHT
        )),
        Line::styled("Enlarge the window, or press q to quit.", theme.muted),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let inner = Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(
        Paragraph::new(lines).centered().wrap(Wrap { trim: true }),
        inner,
    );
}

pub(crate) fn pane_block<'a>(theme: &Theme, title: String, focused: bool) -> Block<'a> {
    let (border, title_style) = if focused {
        (theme.border_focused, theme.border_focused)
    } else {
        (theme.border, theme.title)
    };
    // The theme's background under every pane and overlay, also where an
    // overlay cleared what was beneath it.
    Block::bordered()
        .style(theme.base)
        .border_style(border)
        .title(Span::styled(title, title_style))
}

/// The status column's words, shared by the fleet and the stuck view.
pub fn status_label(status: DisplayStatus) -> &'static str {
    match status {
        DisplayStatus::RequiresAction => "▲ ACTION",
        DisplayStatus::Running => "● running",
        DisplayStatus::Idle => "○ idle",
        DisplayStatus::Rescheduling => "↻ resched",
        DisplayStatus::Terminated => "✕ ended",
        DisplayStatus::Unknown => "? unknown",
    }
}

pub(crate) fn status_style(theme: &Theme, status: DisplayStatus) -> Style {
    match status {
        DisplayStatus::RequiresAction => theme.status_requires_action,
        DisplayStatus::Running => theme.status_running,
        DisplayStatus::Idle => theme.status_idle,
        DisplayStatus::Rescheduling => theme.status_rescheduling,
        DisplayStatus::Terminated => theme.status_terminated,
        DisplayStatus::Unknown => theme.status_unknown,
    }
}

pub(crate) fn row_style(theme: &Theme, class: RowClass) -> Style {
    match class {
        RowClass::User => theme.row_user,
        RowClass::Agent => theme.row_agent,
        RowClass::Tool => theme.row_tool,
        RowClass::Request => theme.row_request,
        RowClass::Answer => theme.row_answer,
        RowClass::Status => theme.row_status,
        RowClass::Error => theme.row_error,
        RowClass::Other => theme.row_other,
        RowClass::Malformed => theme.row_malformed,
        RowClass::Blank => theme.muted,
    }
}

pub(crate) fn token_style(theme: &Theme, class: TokenClass) -> Style {
    match class {
        TokenClass::Plain => theme.base,
        TokenClass::Key => theme.json_key,
        TokenClass::String => theme.json_string,
        TokenClass::Number => theme.json_number,
        TokenClass::Literal => theme.json_literal,
        TokenClass::Punctuation => theme.json_punctuation,
        TokenClass::Error => theme.row_malformed,
    }
}

/// A centred box of `pct_w`×`pct_h` percent, cleared.
pub(crate) fn overlay_area(frame: &mut Frame, pct_w: u16, pct_h: u16) -> Rect {
    let area = frame.area();
    let width = (area.width * pct_w / 100).max(area.width.min(40));
    let height = (area.height * pct_h / 100).max(area.height.min(10));
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, r);
    r
}
