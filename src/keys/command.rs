//! Everything a key can do in the dashboard. Keybindings map chords to these;
//! the help screen and the hint bar are generated from their descriptions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Filter,
    CommandLine,
    Back,
    Open,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    CycleSort,
    ReverseSort,
    ToggleTree,
    ToggleFollow,
    ViewAll,
    ViewPending,
    ViewStuck,
    // On call and hygiene.
    ViewAgents,
    ToggleArchived,
    Interrupt,
    SendMessage,
    Revisit,
    CopyId,
    CopyPath,
    CopyEvent,
    // Review and decide.
    Approve,
    Deny,
    Redirect,
    Respond,
    ToggleDiff,
    PrevRevision,
    NextRevision,
    ToggleSelect,
    BulkApprove,
}

/// What the help screen and hint bar say about a command.
pub struct CommandSpec {
    pub description: &'static str,
    /// Short label for the hint bar; `None` keeps it off the bar.
    pub hint: Option<&'static str>,
    /// Commands that write to a session ask for a confirm key first.
    pub needs_confirmation: bool,
}

const fn spec(description: &'static str, hint: Option<&'static str>) -> CommandSpec {
    CommandSpec {
        description,
        hint,
        needs_confirmation: false,
    }
}

/// A command that writes to a session: asks `y`/`n` first.
const fn confirmed(description: &'static str, hint: Option<&'static str>) -> CommandSpec {
    CommandSpec {
        description,
        hint,
        needs_confirmation: true,
    }
}

impl Command {
    pub const ALL: [Command; 38] = [
        Self::Quit,
        Self::Help,
        Self::NextPane,
        Self::PrevPane,
        Self::Filter,
        Self::CommandLine,
        Self::Back,
        Self::Open,
        Self::Up,
        Self::Down,
        Self::PageUp,
        Self::PageDown,
        Self::Top,
        Self::Bottom,
        Self::CycleSort,
        Self::ReverseSort,
        Self::ToggleTree,
        Self::ToggleFollow,
        Self::ViewAll,
        Self::ViewPending,
        Self::ViewStuck,
        Self::ViewAgents,
        Self::ToggleArchived,
        Self::Interrupt,
        Self::SendMessage,
        Self::Revisit,
        Self::CopyId,
        Self::CopyPath,
        Self::CopyEvent,
        Self::Approve,
        Self::Deny,
        Self::Redirect,
        Self::Respond,
        Self::ToggleDiff,
        Self::PrevRevision,
        Self::NextRevision,
        Self::ToggleSelect,
        Self::BulkApprove,
    ];

    pub fn spec(self) -> CommandSpec {
        match self {
            Self::Quit => spec("Quit Switchboard", Some("quit")),
            Self::Help => spec("Show or hide this help", Some("help")),
            Self::NextPane => spec("Move to the next pane", Some("pane")),
            Self::PrevPane => spec("Move to the previous pane", None),
            Self::Filter => spec("Filter sessions (terms below)", Some("filter")),
            Self::CommandLine => spec(
                "Command line: :pending :stuck :agents :archived :theme NAME…",
                Some("cmd"),
            ),
            Self::Back => spec(
                "Back: close, leave the pane, clear the filter",
                Some("back"),
            ),
            Self::Open => spec(
                "Open the session's events, or an event in full",
                Some("open"),
            ),
            Self::Up => spec("Move up", None),
            Self::Down => spec("Move down", None),
            Self::PageUp => spec("Page up", None),
            Self::PageDown => spec("Page down", None),
            Self::Top => spec("Go to the first row", None),
            Self::Bottom => spec("Go to the last row", None),
            Self::CycleSort => spec("Sort by status, activity, pending or title", Some("sort")),
            Self::ReverseSort => spec("Reverse the sort order", None),
            Self::ToggleTree => spec("Show sessions as a parent→child tree", Some("tree")),
            Self::ToggleFollow => spec("Follow the end of the journal", Some("follow")),
            Self::ViewAll => spec("View all sessions", None),
            Self::ViewPending => spec(
                "Review inbox: every pending request, oldest first",
                Some("pending"),
            ),
            Self::ViewStuck => spec(
                "View stuck sessions: rule, for how long, why, evidence",
                Some("stuck"),
            ),
            Self::ViewAgents => spec(
                "View agents: sessions, limits, rate limits, tokens",
                Some("agents"),
            ),
            Self::ToggleArchived => spec("Show or hide archived sessions", Some("archived")),
            Self::Interrupt => confirmed("Interrupt the session (user.interrupt)", Some("intr")),
            Self::SendMessage => {
                confirmed("Send the session a message (user.message)", Some("msg"))
            }
            Self::Revisit => confirmed("Schedule a revisit now (wake queue)", Some("wake")),
            Self::CopyId => spec(
                "Copy the session id to the clipboard (OSC 52)",
                Some("copy"),
            ),
            Self::CopyPath => spec("Copy the journal's path to the clipboard", None),
            Self::CopyEvent => spec("Copy the event as JSON to the clipboard", Some("copy")),
            Self::Approve => confirmed("Approve the request (y confirms)", Some("approve")),
            Self::Deny => confirmed(
                "Deny with a message (ctrl+s finishes it, y confirms)",
                Some("deny"),
            ),
            Self::Redirect => confirmed(
                "Redirect with a new direction (ctrl+s finishes it, y confirms)",
                Some("redirect"),
            ),
            Self::Respond => confirmed(
                "Respond to a custom tool use (ctrl+s finishes it, y confirms)",
                Some("respond"),
            ),
            Self::ToggleDiff => spec(
                "Plan: rendered → diff against the previous revision → side by side",
                Some("diff"),
            ),
            Self::PrevRevision => spec("Plan: an earlier revision, with its decision", Some("rev")),
            Self::NextRevision => spec("Plan: a later revision", None),
            Self::ToggleSelect => spec("Select the request for bulk approval", Some("select")),
            Self::BulkApprove => confirmed(
                "Approve the selected requests (preview with fingerprints, y confirms)",
                Some("bulk"),
            ),
        }
    }

    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_command_once() {
        let mut sorted = Command::ALL.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), Command::ALL.len());
        assert_eq!(Command::ToggleTree.name(), "toggle_tree");
    }
}
