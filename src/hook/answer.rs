//! What the hook prints for Claude Code, in the shape its hooks reference
//! gives for each event (<https://code.claude.com/docs/en/hooks>):
//!
//! - `PreToolUse`: `hookSpecificOutput` with `hookEventName: "PreToolUse"`
//!   and a `permissionDecision` of `allow`, `deny` or `ask` with its
//!   `permissionDecisionReason`.
//! - `PermissionRequest`: `hookSpecificOutput` with
//!   `hookEventName: "PermissionRequest"` and a `decision` of
//!   `{"behavior": "allow"}` or `{"behavior": "deny", "message": …}`. It has
//!   no `ask`: with no decision the hook prints only a `systemMessage`, and
//!   Claude Code shows its own permission dialog.
//! - `PostToolUse`: nothing to decide (the tool ran);
//!   `hookSpecificOutput` with `hookEventName: "PostToolUse"` alone.

use serde_json::{Value, json};

/// The hook events the bridge answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    PreToolUse,
    PermissionRequest,
    PostToolUse,
}

impl HookEvent {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "PreToolUse" => Some(Self::PreToolUse),
            "PermissionRequest" => Some(Self::PermissionRequest),
            "PostToolUse" => Some(Self::PostToolUse),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreToolUse => "PreToolUse",
            Self::PermissionRequest => "PermissionRequest",
            Self::PostToolUse => "PostToolUse",
        }
    }

    /// Whether Claude Code waits on this event for a permission decision.
    pub fn asks_permission(self) -> bool {
        matches!(self, Self::PreToolUse | Self::PermissionRequest)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Allow,
    Deny,
    /// Claude Code's own permission prompt decides.
    Ask,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
            Self::Ask => "ask",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookAnswer {
    pub permission: Permission,
    /// Shown to Claude for `deny`, to the user in the prompt for `ask`.
    pub reason: String,
}

impl HookAnswer {
    pub fn ask(reason: impl Into<String>) -> Self {
        Self {
            permission: Permission::Ask,
            reason: reason.into(),
        }
    }

    /// The JSON document Claude Code reads from the hook's stdout for `event`.
    pub fn to_json(&self, event: HookEvent) -> Value {
        match event {
            HookEvent::PreToolUse => json!({
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": self.permission.as_str(),
                    "permissionDecisionReason": self.reason,
                }
            }),
            HookEvent::PermissionRequest => match self.permission {
                Permission::Allow => json!({
                    "hookSpecificOutput": {
                        "hookEventName": "PermissionRequest",
                        "decision": {"behavior": "allow"},
                    }
                }),
                Permission::Deny => json!({
                    "hookSpecificOutput": {
                        "hookEventName": "PermissionRequest",
                        "decision": {"behavior": "deny", "message": self.reason},
                    }
                }),
                Permission::Ask => json!({ "systemMessage": self.reason }),
            },
            HookEvent::PostToolUse => json!({
                "hookSpecificOutput": {"hookEventName": "PostToolUse"}
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_is_answered_in_its_own_documented_shape() {
        assert_eq!(
            HookAnswer::ask("no decision").to_json(HookEvent::PreToolUse),
            json!({"hookSpecificOutput":{"hookEventName":"PreToolUse",
                "permissionDecision":"ask","permissionDecisionReason":"no decision"}})
        );
        let allow = HookAnswer {
            permission: Permission::Allow,
            reason: "ok".into(),
        };
        assert_eq!(
            allow.to_json(HookEvent::PermissionRequest),
            json!({"hookSpecificOutput":{"hookEventName":"PermissionRequest",
                "decision":{"behavior":"allow"}}})
        );
        let deny = HookAnswer {
            permission: Permission::Deny,
            reason: "not on main".into(),
        };
        assert_eq!(
            deny.to_json(HookEvent::PermissionRequest),
            json!({"hookSpecificOutput":{"hookEventName":"PermissionRequest",
                "decision":{"behavior":"deny","message":"not on main"}}})
        );
        assert_eq!(
            HookAnswer::ask("late").to_json(HookEvent::PermissionRequest),
            json!({"systemMessage": "late"})
        );
        assert_eq!(
            allow.to_json(HookEvent::PostToolUse),
            json!({"hookSpecificOutput":{"hookEventName":"PostToolUse"}})
        );
    }
}
