//! The one-line notice under the panes: what a command says back.

use crate::tui::state::{Notice, NoticeLevel, State};

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
