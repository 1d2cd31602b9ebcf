//! The dashboard's single state. Plain data: no terminal, no runtime, no IO.
//! `update` changes it; render reads it.

pub mod agents_view;
pub mod filter;
pub mod fleet_view;
pub mod layout;
pub mod oncall;
pub mod overlay;
pub mod session;
pub mod session_detail;
pub mod stream;

use std::collections::BTreeMap;

pub use agents_view::AgentsView;
pub use filter::Filter;
pub use fleet_view::{FleetRow, FleetView, SortKey, ViewKind};
pub use layout::{Area, Layout};
pub use oncall::{Confirm, Evidence, EvidenceItem, SessionAction, Timeline};
pub use overlay::{DetailDoc, DetailView, Overlay, Prompt, PromptKind, TokenClass};
pub use session::SessionEntry;
pub use stream::{RowClass, StreamPhase, StreamRow, StreamState};

use crate::feed::{FeedHealth, SessionKey};
use crate::model::agents::is_expired;
use crate::model::status::DisplayStatus;
use crate::model::stuck::StuckThresholds;
use crate::model::time::Timestamp;
use crate::store::fleet::stuck_of;
use crate::tui::input::{Keymap, Mode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Fleet,
    Stream,
    Session,
}

impl Pane {
    pub fn mode(self) -> Mode {
        match self {
            Self::Fleet => Mode::Fleet,
            Self::Stream => Mode::Stream,
            Self::Session => Mode::Session,
        }
    }
}

/// One root (or, later, socket) the dashboard follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub label: String,
    pub health: Option<FeedHealth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
}

/// What the dashboard starts with.
pub struct StateInit {
    pub now: Timestamp,
    pub sources: Vec<String>,
    pub thresholds: StuckThresholds,
    pub keymap: Keymap,
    pub theme: String,
    pub themes: Vec<String>,
    pub sort: SortKey,
    pub tree: bool,
    pub follow: bool,
    pub stuck_recheck_secs: i64,
    pub viewport: (u16, u16),
    /// `[hygiene] default_ttl_minutes`: 0 means sessions without a TTL never expire.
    pub default_ttl_minutes: u64,
}

#[derive(Debug, Clone)]
pub struct State {
    pub now: Timestamp,
    pub sessions: BTreeMap<SessionKey, SessionEntry>,
    pub sources: Vec<Source>,
    pub thresholds: StuckThresholds,
    pub fleet: FleetView,
    pub stream: StreamState,
    pub focus: Pane,
    /// Which of stream and session narrow layouts show below the fleet.
    pub bottom: Pane,
    pub overlays: Vec<Overlay>,
    pub keymap: Keymap,
    pub theme: String,
    pub themes: Vec<String>,
    pub viewport: (u16, u16),
    pub session_scroll: usize,
    pub notice: Option<Notice>,
    pub quit: bool,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub stuck_checked_at: Timestamp,
    pub stuck_recheck_secs: i64,
    /// A session changed since stuck rules were last evaluated.
    pub stuck_stale: bool,
    // On call and hygiene (state/oncall.rs, state/agents_view.rs).
    pub default_ttl_minutes: u64,
    /// The selected session's strip, recomputed as it changes.
    pub timeline: Option<Timeline>,
    /// The selected stuck session's evidence events, read from its journal.
    pub evidence: Option<Evidence>,
    /// Enter in the stuck view: put the stream's cursor on the first
    /// evidence event of this session once both are read.
    pub jump_to_evidence: Option<SessionKey>,
}

impl State {
    pub fn new(init: StateInit) -> Self {
        Self {
            now: init.now,
            sessions: BTreeMap::new(),
            sources: init
                .sources
                .into_iter()
                .map(|label| Source {
                    label,
                    health: None,
                })
                .collect(),
            thresholds: init.thresholds,
            fleet: FleetView::new(init.sort, init.tree),
            stream: StreamState::new(init.follow),
            focus: Pane::Fleet,
            bottom: Pane::Stream,
            overlays: Vec::new(),
            keymap: init.keymap,
            theme: init.theme,
            themes: init.themes,
            viewport: init.viewport,
            session_scroll: 0,
            notice: None,
            quit: false,
            dirty: true,
            stuck_checked_at: init.now,
            stuck_recheck_secs: init.stuck_recheck_secs,
            stuck_stale: true,
            default_ttl_minutes: init.default_ttl_minutes,
            timeline: None,
            evidence: None,
            jump_to_evidence: None,
        }
    }

    pub fn layout(&self) -> Layout {
        Layout::compute(self.viewport.0, self.viewport.1, self.focus, self.bottom)
    }

    pub fn selected(&self) -> Option<&SessionEntry> {
        self.fleet
            .selected_key
            .as_ref()
            .and_then(|k| self.sessions.get(k))
    }

    /// The mode keys are looked up in: the top overlay's, else the pane's.
    pub fn mode(&self) -> Mode {
        match self.overlays.last() {
            Some(Overlay::Help { .. }) => Mode::Help,
            Some(Overlay::Detail(_)) => Mode::Detail,
            Some(Overlay::Agents(_)) => Mode::Agents,
            Some(Overlay::Prompt(_) | Overlay::Confirm(_)) | None => self.focus.mode(),
        }
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn children_of(&self, key: &SessionKey) -> Vec<&SessionEntry> {
        self.sessions
            .values()
            .filter(|e| e.parent_key().as_ref() == Some(key))
            .collect()
    }

    pub fn multi_source(&self) -> bool {
        self.sources.len() > 1
    }

    /// Recomputes stuck findings for every session; true if any changed.
    pub fn recompute_stuck(&mut self) -> bool {
        let parents: BTreeMap<SessionKey, (DisplayStatus, Option<Timestamp>)> = self
            .sessions
            .iter()
            .map(|(k, e)| (k.clone(), (e.status, e.last_activity)))
            .collect();
        let mut changed = false;
        for entry in self.sessions.values_mut() {
            let parent = entry.parent_key().and_then(|p| parents.get(&p).copied());
            let stuck = stuck_of(&entry.snapshot, parent, &self.thresholds, self.now);
            if stuck != entry.stuck {
                entry.stuck = stuck;
                changed = true;
            }
            let expired = is_expired(&entry.snapshot.doc, self.default_ttl_minutes, self.now);
            if expired != entry.expired {
                entry.expired = expired;
                changed = true;
            }
        }
        self.stuck_checked_at = self.now;
        self.stuck_stale = false;
        if changed {
            self.fleet.needs_rebuild = true;
        }
        changed
    }

    /// Counts for the status bar: per displayed status, and stuck (of the
    /// sessions shown: hidden archived ones are not counted).
    pub fn counts(&self) -> (BTreeMap<DisplayStatus, usize>, usize) {
        let mut by_status = BTreeMap::new();
        let mut stuck = 0;
        for entry in self.shown_sessions() {
            *by_status.entry(entry.status).or_insert(0) += 1;
            stuck += usize::from(entry.is_stuck());
        }
        (by_status, stuck)
    }

    /// Sessions the dashboard lists: archived ones only when shown.
    pub fn shown_sessions(&self) -> impl Iterator<Item = &SessionEntry> {
        let show = self.fleet.show_archived;
        self.sessions
            .values()
            .filter(move |e| show || !e.snapshot.doc.is_archived())
    }

    /// Archived sessions hidden from the dashboard right now.
    pub fn archived_hidden(&self) -> usize {
        if self.fleet.show_archived {
            return 0;
        }
        self.sessions
            .values()
            .filter(|e| e.snapshot.doc.is_archived())
            .count()
    }
}
