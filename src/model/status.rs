//! The status a dashboard shows: the raw status, with `requires_action` split out.

use serde::Serialize;

use super::session::SessionDoc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisplayStatus {
    RequiresAction,
    Running,
    Rescheduling,
    Idle,
    Terminated,
    Unknown,
}

impl DisplayStatus {
    pub const ALL: [DisplayStatus; 6] = [
        Self::RequiresAction,
        Self::Running,
        Self::Rescheduling,
        Self::Idle,
        Self::Terminated,
        Self::Unknown,
    ];

    /// Derives the displayed status: idle with a `requires_action` stop reason
    /// shows as `requires_action`.
    pub fn of(doc: &SessionDoc) -> Self {
        let raw = doc.status.as_deref().unwrap_or("");
        let requires_action = doc
            .stop_reason
            .as_ref()
            .is_some_and(|r| r.kind == "requires_action");
        match raw {
            "idle" if requires_action => Self::RequiresAction,
            "idle" => Self::Idle,
            "running" => Self::Running,
            "rescheduling" => Self::Rescheduling,
            "terminated" => Self::Terminated,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresAction => "requires_action",
            Self::Running => "running",
            Self::Rescheduling => "rescheduling",
            Self::Idle => "idle",
            Self::Terminated => "terminated",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The `status` string of `ls --json`: the raw status, except that an idle
/// session with a `requires_action` stop reason says `requires_action`.
pub fn display_status_text(doc: &SessionDoc) -> String {
    match DisplayStatus::of(doc) {
        DisplayStatus::Unknown => doc.status.clone().unwrap_or_else(|| "unknown".into()),
        other => other.as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> SessionDoc {
        SessionDoc::from_json_bytes(json.as_bytes()).unwrap()
    }

    #[test]
    fn requires_action_only_when_idle() {
        let ra = r#"{"status":"idle","stop_reason":{"type":"requires_action","event_ids":["a"]}}"#;
        assert_eq!(DisplayStatus::of(&doc(ra)), DisplayStatus::RequiresAction);
        let term = r#"{"status":"terminated","stop_reason":{"type":"requires_action"}}"#;
        assert_eq!(DisplayStatus::of(&doc(term)), DisplayStatus::Terminated);
        assert_eq!(
            DisplayStatus::of(&doc(r#"{"status":"idle"}"#)),
            DisplayStatus::Idle
        );
    }

    #[test]
    fn unknown_raw_status_is_kept_in_text() {
        assert_eq!(
            display_status_text(&doc(r#"{"status":"paused"}"#)),
            "paused"
        );
        assert_eq!(display_status_text(&doc(r#"{}"#)), "unknown");
    }
}
