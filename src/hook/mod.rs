//! The approval bridge for Claude Code and Codex: a hook command that
//! mirrors each tool call it is asked about into a native session, waits
//! for a decision made in Switchboard, and answers the agent. Plus
//! installing the hook into the agent's settings.

pub mod answer;
pub mod install;
pub mod mirror;
pub mod wait;

pub use crate::transcripts::BridgeAgent;
pub use answer::{HookAnswer, HookEvent, Permission};
pub use mirror::{HookInput, Mirrored, mirror_request};
pub use wait::{Outcome, run_bridge};

/// Errors inside the bridge; every one ends in an `ask` answer.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("the hook input is not valid: {0}")]
    BadInput(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
