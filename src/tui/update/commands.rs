//! What each command does.

use super::keys::set_filter;
use super::stream;
use crate::tui::input::Command;
use crate::tui::input::help::help_lines;
use crate::tui::msg::Effect;
use crate::tui::state::session_detail::session_details;
use crate::tui::state::{Notice, NoticeLevel, Overlay, Pane, Prompt, PromptKind, State, ViewKind};

pub fn run(state: &mut State, command: Command) -> Vec<Effect> {
    if let Some(effects) = super::oncall::run(state, command) {
        return effects;
    }
    if let Some(effects) = super::review::run(state, command) {
        return effects;
    }
    match command {
        Command::Quit => state.quit = true,
        Command::Help => {
            if matches!(state.overlays.last(), Some(Overlay::Help { .. })) {
                state.overlays.pop();
            } else {
                state.overlays.push(Overlay::Help { scroll: 0 });
            }
        }
        Command::NextPane => cycle_pane(state, 1),
        Command::PrevPane => cycle_pane(state, 2),
        Command::Filter => {
            let text = state.fleet.filter.text.clone();
            state
                .overlays
                .push(Overlay::Prompt(Prompt::new(PromptKind::Filter, &text)));
        }
        Command::CommandLine => state
            .overlays
            .push(Overlay::Prompt(Prompt::new(PromptKind::Command, ""))),
        Command::Back => back(state),
        Command::Open => return open(state),
        Command::Up => move_by(state, -1),
        Command::Down => move_by(state, 1),
        Command::PageUp => move_by(state, -(page(state) as isize)),
        Command::PageDown => move_by(state, page(state) as isize),
        Command::Top => move_by(state, isize::MIN / 2),
        Command::Bottom => move_by(state, isize::MAX / 2),
        Command::CycleSort => {
            state.fleet.sort = state.fleet.sort.next();
            state.fleet.needs_rebuild = true;
            info(state, format!("sorted by {}", state.fleet.sort.as_str()));
        }
        Command::ReverseSort => {
            state.fleet.reverse = !state.fleet.reverse;
            state.fleet.needs_rebuild = true;
        }
        Command::ToggleTree => {
            state.fleet.tree = !state.fleet.tree;
            state.fleet.needs_rebuild = true;
        }
        Command::ToggleFollow => {
            let stream = &mut state.stream;
            stream.follow = !stream.follow;
            if !stream.follow {
                // Stay where the cursor is; keep_visible would jump otherwise.
                stream.selected = stream.selected.min(stream.line_count.saturating_sub(1));
            }
            let text = if stream.follow {
                "following"
            } else {
                "not following"
            };
            info(state, text.to_string());
        }
        Command::ViewAll => set_view(state, ViewKind::All),
        Command::ViewPending => {
            set_view(state, ViewKind::Pending);
            super::review::open_inbox(state);
        }
        Command::ViewStuck => set_view(state, ViewKind::Stuck),
        // Handled by update::oncall above.
        Command::ViewAgents
        | Command::ToggleArchived
        | Command::Interrupt
        | Command::SendMessage
        | Command::Revisit
        | Command::CopyId
        | Command::CopyPath
        | Command::CopyEvent => {}
        // Handled by update::review above.
        Command::Approve
        | Command::Deny
        | Command::Redirect
        | Command::Respond
        | Command::ToggleDiff
        | Command::PrevRevision
        | Command::NextRevision
        | Command::ToggleSelect
        | Command::BulkApprove => {}
    }
    Vec::new()
}

pub fn info(state: &mut State, text: String) {
    state.notice = Some(Notice {
        level: NoticeLevel::Info,
        text,
    });
}

pub fn error(state: &mut State, text: String) {
    state.notice = Some(Notice {
        level: NoticeLevel::Error,
        text,
    });
}

pub fn set_view(state: &mut State, kind: ViewKind) {
    // The stuck view shows why below the fleet (the session pane's place).
    if kind == ViewKind::Stuck {
        state.bottom = Pane::Session;
    } else if state.fleet.kind == ViewKind::Stuck {
        state.bottom = Pane::Stream;
    }
    if kind != ViewKind::Pending {
        // Another view replaces the review inbox (nothing undecided is sent).
        state
            .overlays
            .retain(|o| !matches!(o, Overlay::Inbox | Overlay::Review(_) | Overlay::Bulk(_)));
    }
    if state.fleet.kind != kind {
        // The selected session stays selected if the new view lists it,
        // else the cursor starts at the top.
        state.fleet.selected = 0;
        state.fleet.offset = 0;
    }
    state.fleet.kind = kind;
    state.fleet.needs_rebuild = true;
    state.focus = Pane::Fleet;
}

pub fn focus(state: &mut State, pane: Pane) {
    state.focus = pane;
    if pane != Pane::Fleet {
        state.bottom = pane;
    }
}

fn cycle_pane(state: &mut State, step: usize) {
    const ORDER: [Pane; 3] = [Pane::Fleet, Pane::Stream, Pane::Session];
    let at = ORDER.iter().position(|p| *p == state.focus).unwrap_or(0);
    focus(state, ORDER[(at + step) % ORDER.len()]);
}

fn back(state: &mut State) {
    if state.overlays.pop().is_some() {
        return;
    }
    if state.focus != Pane::Fleet {
        state.focus = Pane::Fleet;
    } else if !state.fleet.filter.text.is_empty() {
        set_filter(state, "");
    } else if state.fleet.kind != ViewKind::All {
        set_view(state, ViewKind::All);
    }
}

fn open(state: &mut State) -> Vec<Effect> {
    if matches!(state.overlays.last(), Some(Overlay::Agents(_))) {
        super::oncall::agents_open(state);
        return Vec::new();
    }
    if matches!(state.overlays.last(), Some(Overlay::Inbox)) {
        return super::review::open(state);
    }
    if matches!(
        state.overlays.last(),
        Some(Overlay::Review(_) | Overlay::Bulk(_))
    ) {
        return Vec::new();
    }
    match state.focus {
        Pane::Fleet if state.fleet.selected_key.is_some() => {
            super::oncall::jump_from_stuck_view(state);
            focus(state, Pane::Stream);
            Vec::new()
        }
        Pane::Stream => stream::open_selected(state),
        _ => Vec::new(),
    }
}

/// Rows a page moves in the current context.
fn page(state: &State) -> usize {
    let layout = state.layout();
    let h = state.viewport.1 as usize;
    let area = match state.overlays.last() {
        Some(Overlay::Help { .. } | Overlay::Detail(_) | Overlay::Agents(_)) => {
            return h.saturating_sub(6).max(1);
        }
        _ => match state.focus {
            Pane::Fleet => layout.fleet,
            Pane::Stream => layout.stream,
            Pane::Session => layout.session,
        },
    };
    area.map_or(10, |a| a.inner().height.saturating_sub(1).max(1) as usize)
}

fn move_by(state: &mut State, delta: isize) {
    if super::oncall::agents_move(state, delta) || super::review::move_by(state, delta) {
        return;
    }
    let clamp = |at: usize, len: usize| -> usize {
        (at as isize)
            .saturating_add(delta)
            .clamp(0, len.saturating_sub(1) as isize) as usize
    };
    match state.overlays.last_mut() {
        Some(Overlay::Help { scroll }) => {
            let len = help_lines(&state.keymap).len();
            *scroll = clamp(*scroll, len);
            return;
        }
        Some(Overlay::Detail(view)) => {
            view.scroll = clamp(view.scroll, view.doc.lines.len());
            return;
        }
        _ => {}
    }
    match state.focus {
        Pane::Fleet => {
            let at = clamp(state.fleet.selected, state.fleet.rows.len());
            state.fleet.select(at);
        }
        Pane::Stream => stream::move_cursor(state, delta),
        Pane::Session => {
            let len = state
                .selected()
                .map_or(0, |entry| session_details(state, entry).len());
            state.session_scroll = clamp(state.session_scroll, len);
        }
    }
}
