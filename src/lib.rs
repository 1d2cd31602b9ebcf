//! Switchboard: supervise fleets of AI coding-agent sessions.
//!
//! `model` is the contract, pure; `store` does the disk IO; the front ends
//! (`cli`, the dashboard, the daemon) sit on top of both.

pub mod model;
pub mod store;
