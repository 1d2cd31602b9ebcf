//! Stable exit codes and the one-sentence error a failed command prints.

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

impl From<crate::store::StoreError> for CliError {
    fn from(e: crate::store::StoreError) -> Self {
        let code = match e {
            crate::store::StoreError::SessionNotFound(_) => code::NOT_FOUND,
            _ => code::OTHER,
        };
        Self::new(code, e.to_string())
    }
}

impl From<crate::store::DecideError> for CliError {
    fn from(e: crate::store::DecideError) -> Self {
        Self::new(e.exit_code(), e.to_string())
    }
}

impl From<crate::config::ConfigError> for CliError {
    fn from(e: crate::config::ConfigError) -> Self {
        Self::new(code::USAGE, format!("invalid config: {e}"))
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::other(e.to_string())
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
