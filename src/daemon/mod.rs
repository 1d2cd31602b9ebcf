//! `switchboard daemon`: serves a root over a Unix socket with JSON-RPC 2.0
//! (`docs/protocol.md`; the protocol and its client are in `rpc`).
//!
//! The daemon follows its root with the same feed the dashboard uses, keeps
//! a mirror of every session, and fans each change out to subscribers.
//! Decisions go through `store::decide`, with the CLI's checks and audit log.

pub mod connection;
pub mod handlers;
pub mod lifecycle;
pub mod outbox;
pub mod peer;
pub mod server;
pub mod shutdown;
pub mod socket;
pub mod state;
