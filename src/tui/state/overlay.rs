//! Overlays stack over the panes; the top one gets keys first.

use super::agents_view::AgentsView;
use super::oncall::Confirm;
use crate::feed::SessionKey;

#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Detail(DetailView),
    Prompt(Prompt),
    /// An action on a session, asking `y`/`n`.
    Confirm(Confirm),
    /// `:agents`.
    Agents(AgentsView),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: filters the fleet as you type.
    Filter,
    /// `:`: runs a command on Enter.
    Command,
    /// `m`: a message to the prompt's `target` session, confirmed on Enter.
    Message,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// Cursor position in chars.
    pub cursor: usize,
    /// The filter before editing began, restored by Esc.
    pub previous: String,
    pub error: Option<String>,
    /// The session a message prompt writes to.
    pub target: Option<(SessionKey, std::path::PathBuf)>,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: &str) -> Self {
        Self {
            kind,
            text: text.to_string(),
            cursor: text.chars().count(),
            previous: text.to_string(),
            error: None,
            target: None,
        }
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_index(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let at = self.byte_index(self.cursor);
        self.text.remove(at);
        true
    }

    pub fn delete(&mut self) -> bool {
        if self.cursor >= self.text.chars().count() {
            return false;
        }
        let at = self.byte_index(self.cursor);
        self.text.remove(at);
        true
    }

    pub fn move_cursor(&mut self, delta: isize) {
        let len = self.text.chars().count() as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, len) as usize;
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }
}

/// One event shown in full.
#[derive(Debug, Clone)]
pub struct DetailView {
    pub key: SessionKey,
    pub line: usize,
    pub doc: DetailDoc,
    pub scroll: usize,
}

/// The highlighted, sanitised text of an event, built when it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailDoc {
    pub title: String,
    /// Why the line is malformed, or that the text was cut.
    pub note: Option<String>,
    pub lines: Vec<Vec<(TokenClass, String)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenClass {
    Plain,
    Key,
    String,
    Number,
    Literal,
    Punctuation,
    Error,
}
