//! The daemon's wire: the JSON-RPC 2.0 protocol (`docs/protocol.md`), its
//! line framing, and the blocking client the CLI, the dashboard and the
//! socket feed use. Below both the daemon's server and every client, so
//! neither reaches into the other.

pub mod client;
pub mod frame;
pub mod protocol;
pub mod remote;

pub use client::{Client, ClientError};
