//! How a root feed runs: intervals and the watch budget, from the `[feed]`
//! section of the config, plus the knobs tests use to reach fault paths.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::plan::PlanTools;

/// The `[feed]` config section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedConfig {
    /// Most session folders watched with inotify; the rest are polled.
    /// 0 turns watching off (for network file systems, where inotify does
    /// not see other machines' writes).
    pub watch_budget: usize,
    /// Poll interval for a polled session that changed recently.
    pub poll_interval_ms: u64,
    /// Poll interval a polled session backs off to while idle.
    pub idle_poll_interval_ms: u64,
    /// The safety re-check (hints can be lost): the root and each session are
    /// re-stat'ed at least this often while watching.
    pub rescan_interval_secs: u64,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            watch_budget: 4096,
            poll_interval_ms: 250,
            idle_poll_interval_ms: 2000,
            rescan_interval_secs: 5,
        }
    }
}

/// Everything a root feed needs to start.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    pub root: PathBuf,
    /// The source number carried by every update.
    pub source: usize,
    pub plan_tools: PlanTools,
    pub poll_interval: Duration,
    pub idle_poll_interval: Duration,
    pub rescan_interval: Duration,
    pub watch_budget: usize,
    /// Acts as if the kernel allowed only this many inotify watches (the root
    /// included): the add that would pass it fails exactly like ENOSPC.
    /// `None`: the real limit.
    pub watch_limit: Option<usize>,
    /// How long after a queue overflow everything is polled before trusting
    /// notifications again.
    pub overflow_cooldown: Duration,
    /// How long to wait before trying to watch again after watching failed.
    pub retry_interval: Duration,
    /// Send a session whose journal needs this many bytes folded or more
    /// from its tail first, its counts after (`RootPoller::with_tail_first`);
    /// `None`: every `Loaded` is whole.
    pub tail_first: Option<u64>,
}

impl FeedOptions {
    pub fn new(root: impl Into<PathBuf>, source: usize, plan_tools: PlanTools) -> Self {
        Self {
            root: root.into(),
            source,
            plan_tools,
            poll_interval: Duration::ZERO,
            idle_poll_interval: Duration::ZERO,
            rescan_interval: Duration::ZERO,
            watch_budget: 0,
            watch_limit: None,
            overflow_cooldown: Duration::from_secs(10),
            retry_interval: Duration::from_secs(30),
            tail_first: None,
        }
        .with_config(&FeedConfig::default())
    }

    pub fn with_config(mut self, config: &FeedConfig) -> Self {
        self.watch_budget = config.watch_budget;
        self.poll_interval = Duration::from_millis(config.poll_interval_ms.max(1));
        self.idle_poll_interval =
            Duration::from_millis(config.idle_poll_interval_ms).max(self.poll_interval);
        self.rescan_interval = Duration::from_secs(config.rescan_interval_secs.max(1));
        self
    }
}
