//! Journal access for the event stream: the trait, the file-backed
//! implementation, and turning lines into rows and detail documents.

pub mod access;
pub mod detail;
pub mod evidence;
pub mod file;
pub mod rows;

pub use access::{JournalAccess, Refresh};
pub use file::FileJournal;
