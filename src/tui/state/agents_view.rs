//! The agents view (`:agents`): one row per agent over the sessions shown,
//! recomputed when sessions change, never in render.

use std::collections::BTreeMap;

use super::session::SessionEntry;
use crate::feed::SessionKey;
use crate::model::agents::{AgentInput, AgentRow, agent_rows};
use crate::model::time::Timestamp;

#[derive(Debug, Clone, Default)]
pub struct AgentsView {
    pub rows: Vec<AgentRow>,
    pub selected: usize,
    pub offset: usize,
}

impl AgentsView {
    /// Recomputes the rows from the sessions (archived ones only when
    /// they are shown), keeping the selected agent selected.
    pub fn rebuild(
        &mut self,
        sessions: &BTreeMap<SessionKey, SessionEntry>,
        show_archived: bool,
        now: Timestamp,
    ) {
        let selected = self.rows.get(self.selected).map(|r| r.agent_id.clone());
        let inputs = sessions
            .values()
            .filter(|e| show_archived || !e.snapshot.doc.is_archived())
            .map(|e| AgentInput {
                doc: &e.snapshot.doc,
                summary: &e.snapshot.summary,
            });
        self.rows = agent_rows(inputs, now);
        self.selected = selected
            .and_then(|id| self.rows.iter().position(|r| r.agent_id == id))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }

    pub fn selected_row(&self) -> Option<&AgentRow> {
        self.rows.get(self.selected)
    }

    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }
}
