//! The event stream of the selected session: how many lines its journal
//! has, which lines are decoded (only a window around what is visible),
//! the cursor, and follow mode.

use std::ops::Range;

use crate::feed::SessionKey;

/// How a row is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClass {
    User,
    Agent,
    Tool,
    Request,
    Answer,
    Status,
    Error,
    Other,
    Malformed,
    Blank,
}

/// One journal line made readable: decoded and sanitised when loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRow {
    /// Line number in the journal (0-based).
    pub line: usize,
    /// The event's id as written (untrusted: for lookups, not display).
    pub id: Option<String>,
    pub time: String,
    pub kind: String,
    pub class: RowClass,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamPhase {
    /// No session selected.
    Closed,
    /// Reading the journal.
    Opening,
    /// Showing its last lines while the whole journal is indexed.
    Tail,
    /// Indexed: any line can be read.
    Ready,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct StreamState {
    pub key: Option<SessionKey>,
    /// Bumped on every open, so late answers for an older open are dropped.
    pub generation: u64,
    pub phase: StreamPhase,
    pub line_count: usize,
    /// Decoded rows for lines `window_start..window_start + rows.len()`.
    pub window_start: usize,
    pub rows: Vec<StreamRow>,
    /// The window last asked for, so it is asked for once.
    pub requested: Option<Range<usize>>,
    pub selected: usize,
    pub offset: usize,
    pub follow: bool,
    /// Whether a newly opened journal starts in follow mode.
    pub follow_on_open: bool,
    /// Shown in the pane's title, e.g. after the journal was replaced.
    pub notice: Option<String>,
}

impl StreamState {
    pub fn new(follow: bool) -> Self {
        Self {
            key: None,
            generation: 0,
            phase: StreamPhase::Closed,
            line_count: 0,
            window_start: 0,
            rows: Vec::new(),
            requested: None,
            selected: 0,
            offset: 0,
            follow,
            follow_on_open: follow,
            notice: None,
        }
    }

    /// Starts over for another session (or none).
    pub fn open(&mut self, key: Option<SessionKey>) {
        self.key = key;
        self.generation += 1;
        self.phase = if self.key.is_some() {
            StreamPhase::Opening
        } else {
            StreamPhase::Closed
        };
        self.line_count = 0;
        self.window_start = 0;
        self.rows.clear();
        self.requested = None;
        self.selected = 0;
        self.offset = 0;
        self.follow = self.follow_on_open;
        self.notice = None;
    }

    /// The decoded row for a line, if it is in the window.
    pub fn row(&self, line: usize) -> Option<&StreamRow> {
        line.checked_sub(self.window_start)
            .and_then(|i| self.rows.get(i))
            .filter(|r| r.line == line)
    }

    pub fn window(&self) -> Range<usize> {
        self.window_start..self.window_start + self.rows.len()
    }

    /// Moves the cursor, leaving follow mode unless it lands on the end.
    pub fn select(&mut self, line: usize) {
        self.selected = line.min(self.line_count.saturating_sub(1));
        self.follow = self.line_count == 0 || self.selected + 1 >= self.line_count;
    }

    /// Scrolls so the cursor is within `height` rows; in follow mode the
    /// cursor sits on the last line.
    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.follow {
            self.selected = self.line_count.saturating_sub(1);
            self.offset = self.line_count.saturating_sub(height);
            return;
        }
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.line_count.saturating_sub(height));
    }
}
