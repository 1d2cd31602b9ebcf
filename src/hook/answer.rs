//! What the hook prints for Claude Code: `hookSpecificOutput` with a
//! `permissionDecision` of `allow`, `deny` or `ask`.

use serde_json::{Value, json};

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

    /// The JSON document Claude Code reads from the hook's stdout.
    pub fn to_json(&self) -> Value {
        json!({
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": self.permission.as_str(),
                "permissionDecisionReason": self.reason,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ask_is_the_documented_shape() {
        assert_eq!(
            HookAnswer::ask("no decision").to_json(),
            json!({"hookSpecificOutput":{"hookEventName":"PreToolUse",
                "permissionDecision":"ask","permissionDecisionReason":"no decision"}})
        );
    }
}
