//! Adapters: other tools' transcripts, found on disk and read as Switchboard
//! sessions. The conversion is pure (`transcripts`); reading one file is the
//! store's (`store::transcript`); finding them lives in `source`.

pub mod source;

pub use source::{AdapterKind, AdapterSource};
