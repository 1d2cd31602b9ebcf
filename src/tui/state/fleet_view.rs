//! The fleet as shown: which sessions, in which order, flat or as a tree.
//! Rebuilt only when sessions, the sort, the filter or the view change;
//! render reads `rows` and builds cells for the visible ones only.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::filter::Filter;
use super::session::SessionEntry;
use crate::config::SortKey;
use crate::feed::SessionKey;
use crate::model::status::DisplayStatus;

/// Which sessions the fleet pane lists (`:all`, `:pending`, `:stuck`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    All,
    Pending,
    Stuck,
}

impl ViewKind {
    pub fn title(self) -> &'static str {
        match self {
            Self::All => "sessions",
            Self::Pending => "pending",
            Self::Stuck => "stuck",
        }
    }

    fn includes(self, entry: &SessionEntry) -> bool {
        match self {
            Self::All => true,
            Self::Pending => entry.pending > 0,
            Self::Stuck => entry.is_stuck(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetRow {
    pub key: SessionKey,
    /// Tree glyphs before the title ("├─ "), empty when flat.
    pub prefix: String,
    /// Shown only as an ancestor of a match, not a match itself.
    pub context_only: bool,
}

#[derive(Debug, Clone)]
pub struct FleetView {
    pub kind: ViewKind,
    pub sort: SortKey,
    pub reverse: bool,
    pub tree: bool,
    pub filter: Filter,
    pub rows: Vec<FleetRow>,
    /// Index into `rows`.
    pub selected: usize,
    /// The first row drawn.
    pub offset: usize,
    /// The selected session, kept across rebuilds.
    pub selected_key: Option<SessionKey>,
    /// Until the user picks a row, the top row stays selected as sessions
    /// arrive (so the first screen shows the most urgent session).
    pub user_selected: bool,
    pub needs_rebuild: bool,
    /// Archived sessions are listed only when asked for (`A`, `:archived`).
    pub show_archived: bool,
    /// Counts for the bars, as of the last rebuild.
    pub stats: FleetStats,
}

impl FleetView {
    pub fn new(sort: SortKey, tree: bool) -> Self {
        Self {
            kind: ViewKind::All,
            sort,
            reverse: false,
            tree,
            filter: Filter::default(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            selected_key: None,
            user_selected: false,
            needs_rebuild: true,
            show_archived: false,
            stats: FleetStats::default(),
        }
    }

    pub fn selected_row(&self) -> Option<&FleetRow> {
        self.rows.get(self.selected)
    }

    /// Recomputes `rows` and `stats`, keeping the selected session selected
    /// when it is still listed, else the row at the same position.
    pub fn rebuild(&mut self, sessions: &BTreeMap<SessionKey, SessionEntry>) {
        self.stats = FleetStats::of(sessions, self.show_archived);
        let mut matcher = self.filter.matcher();
        let matching: HashSet<&SessionKey> = sessions
            .values()
            .filter(|e| self.show_archived || !e.snapshot.doc.is_archived())
            .filter(|e| self.kind.includes(e) && matcher.matches(e))
            .map(|e| &e.key)
            .collect();
        let order = |a: &&SessionEntry, b: &&SessionEntry| {
            let o = compare(self.sort, a, b);
            if self.reverse { o.reverse() } else { o }
        };
        self.rows = if self.tree {
            tree_rows(sessions, &matching, order)
        } else {
            let mut list: Vec<&SessionEntry> = sessions
                .values()
                .filter(|e| matching.contains(&e.key))
                .collect();
            list.sort_by(order);
            list.into_iter()
                .map(|e| FleetRow {
                    key: e.key.clone(),
                    prefix: String::new(),
                    context_only: false,
                })
                .collect()
        };
        let found = self
            .selected_key
            .as_ref()
            .filter(|_| self.user_selected)
            .and_then(|k| self.rows.iter().position(|r| &r.key == k));
        self.selected = match found {
            Some(i) => i,
            None if !self.user_selected => 0,
            None => self.selected.min(self.rows.len().saturating_sub(1)),
        };
        self.selected_key = self.rows.get(self.selected).map(|r| r.key.clone());
        self.stats.listed = self.rows.iter().filter(|r| !r.context_only).count();
        self.needs_rebuild = false;
    }

    /// Selects a row on the user's behalf.
    pub fn select(&mut self, index: usize) {
        self.user_selected = true;
        if self.rows.is_empty() {
            self.selected = 0;
            self.selected_key = None;
            return;
        }
        self.selected = index.min(self.rows.len() - 1);
        self.selected_key = Some(self.rows[self.selected].key.clone());
    }

    /// Scrolls so the selection is within `height` rows.
    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

/// Counts the status and fleet bars show, taken when the rows are rebuilt:
/// a frame must not walk every session to draw two bars.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FleetStats {
    /// Sessions shown (archived ones only with `:archived`), by status.
    pub by_status: BTreeMap<DisplayStatus, usize>,
    pub shown: usize,
    pub stuck: usize,
    pub expired: usize,
    pub archived_hidden: usize,
    /// Rows listed, the context-only parents of a filtered tree left out.
    pub listed: usize,
}

impl FleetStats {
    fn of(sessions: &BTreeMap<SessionKey, SessionEntry>, show_archived: bool) -> Self {
        let mut stats = Self::default();
        for entry in sessions.values() {
            if !show_archived && entry.snapshot.doc.is_archived() {
                stats.archived_hidden += 1;
                continue;
            }
            stats.shown += 1;
            *stats.by_status.entry(entry.status).or_insert(0) += 1;
            stats.stuck += usize::from(entry.is_stuck());
            stats.expired += usize::from(entry.expired);
        }
        stats
    }
}

fn compare(sort: SortKey, a: &SessionEntry, b: &SessionEntry) -> Ordering {
    let by_activity = || b.last_activity.cmp(&a.last_activity);
    let by_id = || a.key.cmp(&b.key);
    match sort {
        SortKey::Status => a
            .status
            .cmp(&b.status)
            .then_with(|| b.is_stuck().cmp(&a.is_stuck()))
            .then_with(by_activity)
            .then_with(by_id),
        SortKey::Activity => by_activity().then_with(by_id),
        SortKey::Pending => b
            .pending
            .cmp(&a.pending)
            .then_with(|| a.status.cmp(&b.status))
            .then_with(by_id),
        SortKey::Title => a
            .title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then_with(by_id),
    }
}

/// Depth-first parent→child rows. A session whose parent is not loaded is a
/// root. Ancestors of a match are shown too, marked as context.
fn tree_rows<'a>(
    sessions: &'a BTreeMap<SessionKey, SessionEntry>,
    matching: &HashSet<&SessionKey>,
    order: impl Fn(&&'a SessionEntry, &&'a SessionEntry) -> Ordering,
) -> Vec<FleetRow> {
    let mut children: HashMap<Option<SessionKey>, Vec<&SessionEntry>> = HashMap::new();
    for entry in sessions.values() {
        let parent = entry
            .parent_key()
            .filter(|p| sessions.contains_key(p) && p != &entry.key);
        children.entry(parent).or_default().push(entry);
    }
    for list in children.values_mut() {
        list.sort_by(&order);
    }
    // Shown: matches and all their ancestors.
    let mut shown: HashSet<&SessionKey> = HashSet::new();
    for key in matching {
        let mut cursor = sessions.get(*key);
        while let Some(entry) = cursor {
            if !shown.insert(&entry.key) {
                break;
            }
            cursor = entry.parent_key().and_then(|p| sessions.get(&p));
        }
    }
    let mut rows = Vec::new();
    let mut visited: HashSet<&SessionKey> = HashSet::new();
    let mut stack: Vec<(&SessionEntry, String, bool, bool)> = Vec::new();
    let roots: Vec<&SessionEntry> = children
        .get(&None)
        .map(|l| {
            l.iter()
                .copied()
                .filter(|e| shown.contains(&e.key))
                .collect()
        })
        .unwrap_or_default();
    for root in roots.into_iter().rev() {
        stack.push((root, String::new(), true, true));
    }
    let mut leftovers: Vec<&SessionEntry> = sessions
        .values()
        .filter(|e| shown.contains(&e.key))
        .collect();
    leftovers.sort_by(&order);
    let mut leftovers = leftovers.into_iter();
    loop {
        let Some((entry, indent, is_last, is_root)) = stack.pop() else {
            // Sessions in a parent cycle have no root: start them as roots.
            match leftovers.by_ref().find(|e| !visited.contains(&e.key)) {
                Some(entry) => {
                    stack.push((entry, String::new(), true, true));
                    continue;
                }
                None => break,
            }
        };
        if !visited.insert(&entry.key) {
            continue; // a parent cycle
        }
        let prefix = if is_root {
            String::new()
        } else {
            format!("{indent}{}", if is_last { "└─ " } else { "├─ " })
        };
        rows.push(FleetRow {
            key: entry.key.clone(),
            prefix,
            context_only: !matching.contains(&entry.key),
        });
        let kids: Vec<&SessionEntry> = children
            .get(&Some(entry.key.clone()))
            .map(|l| {
                l.iter()
                    .copied()
                    .filter(|e| shown.contains(&e.key))
                    .collect()
            })
            .unwrap_or_default();
        let child_indent = if is_root {
            String::new()
        } else {
            format!("{indent}{}", if is_last { "   " } else { "│  " })
        };
        let count = kids.len();
        for (i, kid) in kids.into_iter().enumerate().rev() {
            stack.push((kid, child_indent.clone(), i + 1 == count, false));
        }
    }
    rows
}
