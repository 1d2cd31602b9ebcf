//! Stable exit codes and the one-sentence error a failed command prints:
//! the CLI exits with them, a daemon's refusals map to them, and the
//! dashboard reads them back. Knows no other module; the conversions from
//! each layer's errors live with the CLI (`cli/exit.rs`).

use std::process::ExitCode;

/// 0 done, 1 anything else, 2 usage, 3 stale, 4 already decided, 5 not found.
pub mod code {
    pub const OK: u8 = 0;
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const STALE: u8 = 3;
    pub const ALREADY_DECIDED: u8 = 4;
    pub const NOT_FOUND: u8 = 5;
}

/// A failure with its exit code and a sentence for stderr.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(code::USAGE, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(code::OTHER, message)
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
