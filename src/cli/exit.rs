//! How the errors of the layers below become exit codes.

pub use crate::exit::{CliError, CliResult, code};

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
