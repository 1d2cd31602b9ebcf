//! Journal access for the event stream: the trait, its implementations (a
//! file on disk, a daemon's socket, a transcript converted in memory), and
//! turning lines into rows and detail documents.

pub mod access;
pub mod bridged;
pub mod detail;
pub mod evidence;
pub mod file;
pub mod memory;
pub mod origin;
pub mod rows;
pub mod socket;

pub use access::{JournalAccess, Refresh};
pub use bridged::BridgedJournal;
pub use file::FileJournal;
pub use memory::MemoryJournal;
pub use origin::JournalOrigin;
pub use socket::SocketJournal;
