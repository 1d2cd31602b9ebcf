//! Switchboard: supervise fleets of AI coding-agent sessions.
//!
//! `model` is the contract, pure; `store` does the disk IO; the front ends
//! (`cli`, the dashboard, the daemon) sit on top of both.

pub mod adapters;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod exit;
pub mod feed;
pub mod hook;
pub mod keys;
pub mod model;
pub mod review;
pub mod rpc;
pub mod sanitize;
pub mod sim;
pub mod store;
pub mod telemetry;
pub mod toml_error;
pub mod transcripts;
pub mod tui;
pub mod views;

/// The version with the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SWITCHBOARD_COMMIT"),
    ")"
);
