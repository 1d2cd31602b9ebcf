//! Typed store errors; every one says what was wrong and where.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("root {0} does not exist; pass --root DIR or set SWITCHBOARD_ROOT")]
    NoRoot(PathBuf),
    #[error("session {0} not found")]
    SessionNotFound(String),
    #[error("{0}")]
    Refused(String),
}

impl StoreError {
    pub fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Read {
            path: path.into(),
            source,
        }
    }

    pub fn write(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Write {
            path: path.into(),
            source,
        }
    }
}
