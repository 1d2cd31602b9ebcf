//! The agents whose hooks Switchboard answers. Claude Code and Codex share
//! one hook wire format (Codex adopted Claude Code's: the same stdin fields,
//! `hookSpecificOutput` with `hookEventName`, and `PermissionRequest`
//! decisions `{"behavior": "allow" | "deny"}`), so one bridge serves both;
//! what differs is named here. Where each keeps its hooks is the
//! installer's (`hook::install`).

use super::{AdapterKind, claude_code, codex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeAgent {
    ClaudeCode,
    Codex,
}

impl BridgeAgent {
    pub const ALL: [BridgeAgent; 2] = [Self::ClaudeCode, Self::Codex];

    /// How people call it.
    pub fn name(self) -> &'static str {
        match self {
            Self::ClaudeCode => "Claude Code",
            Self::Codex => "Codex",
        }
    }

    /// The hook subcommand (`switchboard hook claude-code`).
    pub fn command(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code",
            Self::Codex => "codex",
        }
    }

    /// The agent id of its sessions, and its transcripts' adapter.
    pub fn agent_id(self) -> &'static str {
        match self {
            Self::ClaudeCode => claude_code::AGENT,
            Self::Codex => codex::AGENT,
        }
    }

    pub fn adapter(self) -> AdapterKind {
        match self {
            Self::ClaudeCode => AdapterKind::ClaudeCode,
            Self::Codex => AdapterKind::Codex,
        }
    }

    /// Prefix of the mirrored sessions' ids, the same as its transcripts'
    /// (`cc-`, `codex-`): one session, one id.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::ClaudeCode => claude_code::ID_PREFIX,
            Self::Codex => codex::ID_PREFIX,
        }
    }

    /// `metadata.source` of a mirrored session.
    pub fn hook_source(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code-hook",
            Self::Codex => "codex-hook",
        }
    }

    /// The `metadata` key holding the agent's own session id.
    pub fn session_key(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude_code_session_id",
            Self::Codex => "codex_session_id",
        }
    }

    pub fn from_hook_source(source: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.hook_source() == source)
    }

    /// The hook event the installer registers: Claude Code asks every tool
    /// call through `PreToolUse`; Codex's `PermissionRequest` fires exactly
    /// when Codex would ask its user for approval.
    pub fn install_event(self) -> &'static str {
        match self {
            Self::ClaudeCode => "PreToolUse",
            Self::Codex => "PermissionRequest",
        }
    }
}
