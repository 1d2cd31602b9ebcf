//! The dashboard's single state. Plain data: no terminal, no runtime, no IO.
//! `update` changes it; render reads it.

pub mod agents_view;
pub mod filter;
pub mod fleet_view;
pub mod layout;
pub mod oncall;
pub mod overlay;
pub mod review;
pub mod session;
pub mod session_detail;
pub mod stream;

use std::collections::{BTreeMap, HashSet};

pub use crate::config::SortKey;
pub use agents_view::AgentsView;
pub use filter::Filter;
pub use fleet_view::{FleetRow, FleetView, ViewKind};
pub use layout::{Area, Layout};
pub use oncall::{Confirm, Evidence, EvidenceItem, SessionAction, Timeline};
pub use overlay::{DetailDoc, DetailView, Overlay, Prompt, PromptKind, TokenClass};
pub use review::{BulkView, DiffMode, ReviewBody, ReviewState, ReviewView};
pub use session::SessionEntry;
pub use stream::{RowClass, StreamPhase, StreamRow, StreamState};

use crate::feed::{FeedHealth, SessionKey, TelemetryStatus};
use crate::keys::{Keymap, Mode};
use crate::model::agents::is_expired;
use crate::model::stuck::StuckThresholds;
use crate::model::time::Timestamp;
use crate::store::fleet::stuck_of;

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
    /// A daemon source's telemetry, when it reports any.
    pub telemetry: Option<TelemetryStatus>,
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
    /// Every session needs its stuck rules evaluated (at start).
    pub stuck_stale: bool,
    /// Sessions that changed since stuck rules were last evaluated; their
    /// children are evaluated again too (a parent's status feeds a rule).
    pub stuck_dirty: HashSet<SessionKey>,
    // On call and hygiene (state/oncall.rs, state/agents_view.rs).
    pub default_ttl_minutes: u64,
    /// The selected session's strip, recomputed as it changes.
    pub timeline: Option<Timeline>,
    /// The selected stuck session's evidence events, read from its journal.
    pub evidence: Option<Evidence>,
    /// Enter in the stuck view: put the stream's cursor on the first
    /// evidence event of this session once both are read.
    pub jump_to_evidence: Option<SessionKey>,
    /// The review inbox and decisions (state/review.rs).
    pub review: ReviewState,
    /// The screen was used by another program (`$EDITOR`): draw it whole.
    pub full_redraw: bool,
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
                    telemetry: None,
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
            stuck_dirty: HashSet::new(),
            default_ttl_minutes: init.default_ttl_minutes,
            timeline: None,
            evidence: None,
            jump_to_evidence: None,
            review: ReviewState {
                stale: true,
                decided_by: crate::config::default_decider(),
                ..ReviewState::default()
            },
            full_redraw: false,
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
            Some(Overlay::Inbox) => Mode::Inbox,
            Some(Overlay::Review(_) | Overlay::Bulk(_)) => Mode::Review,
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
        let keys: Vec<SessionKey> = self.sessions.keys().cloned().collect();
        let changed = self.recompute_stuck_of(&keys);
        self.stuck_checked_at = self.now;
        self.stuck_stale = false;
        self.stuck_dirty.clear();
        changed
    }

    /// Recomputes stuck findings for the sessions that changed since the
    /// last evaluation, and their children; true if any finding changed.
    /// Only those are evaluated; finding the children is one pass over the
    /// fleet that compares parent ids in place and copies nothing.
    pub fn recompute_dirty_stuck(&mut self) -> bool {
        if self.stuck_dirty.is_empty() {
            return false;
        }
        let dirty = std::mem::take(&mut self.stuck_dirty);
        // A child's parent is the session of that id in the child's source.
        let parents: HashSet<(usize, &str)> =
            dirty.iter().map(|k| (k.source, k.id.as_str())).collect();
        let keys: Vec<SessionKey> = self
            .sessions
            .iter()
            .filter(|(key, entry)| {
                dirty.contains(*key)
                    || entry
                        .snapshot
                        .doc
                        .parent_id
                        .as_deref()
                        .is_some_and(|parent| parents.contains(&(entry.key.source, parent)))
            })
            .map(|(key, _)| key.clone())
            .collect();
        self.recompute_stuck_of(&keys)
    }

    fn recompute_stuck_of(&mut self, keys: &[SessionKey]) -> bool {
        let findings: Vec<_> = keys
            .iter()
            .filter_map(|key| {
                let entry = self.sessions.get(key)?;
                let parent = entry
                    .parent_key()
                    .and_then(|p| self.sessions.get(&p))
                    .map(|p| (p.status, p.last_activity));
                let stuck = stuck_of(&entry.snapshot, parent, &self.thresholds, self.now);
                let expired = is_expired(&entry.snapshot.doc, self.default_ttl_minutes, self.now);
                Some((key, stuck, expired))
            })
            .collect();
        let mut changed = false;
        for (key, stuck, expired) in findings {
            let Some(entry) = self.sessions.get_mut(key) else {
                continue;
            };
            if stuck != entry.stuck {
                entry.stuck = stuck;
                changed = true;
            }
            if expired != entry.expired {
                entry.expired = expired;
                changed = true;
            }
        }
        if changed {
            self.fleet.needs_rebuild = true;
        }
        changed
    }

    /// Archived sessions hidden from the dashboard right now.
    pub fn archived_hidden(&self) -> usize {
        self.fleet.stats.archived_hidden
    }
}
