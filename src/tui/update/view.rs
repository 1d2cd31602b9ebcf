//! What the fleet pane lists: the view (`:all`, `:pending`, `:stuck`) and
//! the filter.

use crate::tui::state::{Filter, Overlay, Pane, State, ViewKind};

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

pub fn set_filter(state: &mut State, text: &str) {
    let filter = Filter::parse(text);
    if let Some(Overlay::Prompt(prompt)) = state.overlays.last_mut() {
        prompt.error = filter.error.clone();
    }
    state.fleet.filter = filter;
    state.fleet.needs_rebuild = true;
    // The selected session stays selected if it still matches, else the
    // cursor starts at the top of what does.
    state.fleet.selected = 0;
}
