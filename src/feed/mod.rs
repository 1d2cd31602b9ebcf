//! Live updates from a source (a root on disk, later a daemon socket). Every
//! source emits the same `Update` values into one channel, so the dashboard
//! never knows where a session came from.

pub mod adapters;
mod health;
mod health_wire;
pub mod hints;
pub mod options;
pub mod root_poll;
pub mod schedule;
pub mod socket;
pub mod source;
pub mod spawn;
pub mod stamp;
pub mod update;
pub mod watch_set;
pub mod watcher;
#[cfg(test)]
mod watcher_tests;
mod watching;

pub use adapters::{AdapterPoller, spawn_adapter_feed};
pub use options::{FeedConfig, FeedOptions};
pub use root_poll::RootPoller;
pub use socket::spawn_socket_feed;
pub use source::FeedSource;
pub use spawn::{FeedHandle, spawn_feed, spawn_root_feed};
pub use update::{FeedHealth, SessionKey, TelemetryStatus, Update};
