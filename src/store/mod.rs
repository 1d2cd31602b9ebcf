//! Everything that touches the disk: scanning a root, reading journals
//! through a line index, locked appends, atomic `session.json` writes.

pub mod actions;
pub mod append;
pub mod archive;
pub mod atomic;
pub mod audit;
pub mod bridge;
pub mod clock;
pub mod decide;
pub mod decision;
pub mod error;
pub mod fleet;
pub mod journal_fold;
pub mod journal_index;
pub mod journal_lines;
pub mod journal_select;
pub mod journal_tail;
pub mod parallel;
pub mod paths;
pub mod session_snapshot;
pub mod summary_cache;
pub mod transcript;
pub mod transcript_snapshot;
pub mod wake_queue;

pub use decide::{DecideError, Decision, Verdict, decide};
pub use error::StoreError;
pub use fleet::Fleet;
pub use journal_index::JournalIndex;
pub use session_snapshot::SessionSnapshot;
