//! Running a root feed in the background: a thread that follows the root and
//! sends `Update`s into the dashboard's channel until stopped.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc::Sender;

use super::hints::HintSink;
use super::options::FeedOptions;
use super::update::Update;
use super::watcher::RootFeed;
use crate::model::plan::PlanTools;

/// Stops the feed thread when dropped (also while it waits on a full
/// channel).
pub struct FeedHandle {
    stop: StopSignal,
    thread: Option<JoinHandle<()>>,
}

/// How a feed thread is told to stop: the watcher's hint sink (which also
/// wakes it), or a flag that simpler feeds (socket, transcripts) check.
enum StopSignal {
    Sink(HintSink),
    Flag(Arc<AtomicBool>),
}

impl FeedHandle {
    /// A handle on a feed thread that watches `stop`.
    pub fn from_parts(stop: Arc<AtomicBool>, thread: JoinHandle<()>) -> Self {
        Self {
            stop: StopSignal::Flag(stop),
            thread: Some(thread),
        }
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        match &self.stop {
            StopSignal::Sink(sink) => sink.stop(),
            StopSignal::Flag(flag) => flag.store(true, Ordering::Relaxed),
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Hands the feed a notification as if inotify had sent it (tests reach
    /// the overflow and error paths this way; the feed cannot tell).
    #[cfg(test)]
    pub(crate) fn inject(&self, event: notify::Result<notify::Event>) {
        if let StopSignal::Sink(sink) = &self.stop {
            sink.record(event);
        }
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Follows `root` with the default `[feed]` settings, `interval` being the
/// poll interval for polled sessions that changed recently. Updates go to
/// `tx` (blocking when the receiver is behind: the data waits on disk).
pub fn spawn_root_feed(
    root: PathBuf,
    source: usize,
    plan_tools: PlanTools,
    interval: Duration,
    tx: Sender<Update>,
) -> std::io::Result<FeedHandle> {
    spawn_feed(root_feed_options(root, source, plan_tools, interval), tx)
}

/// The default `[feed]` settings with `interval` as the poll interval.
pub fn root_feed_options(
    root: PathBuf,
    source: usize,
    plan_tools: PlanTools,
    interval: Duration,
) -> FeedOptions {
    let mut options = FeedOptions::new(root, source, plan_tools);
    options.poll_interval = interval.max(Duration::from_millis(1));
    options.idle_poll_interval = options.idle_poll_interval.max(options.poll_interval);
    options
}

/// Follows a root as `options` say. The first updates are the initial
/// snapshot (a `Loaded` per session) followed by the first `Health`; every
/// `Loaded` after that is a session that appeared or was replaced.
pub fn spawn_feed(options: FeedOptions, tx: Sender<Update>) -> std::io::Result<FeedHandle> {
    let name = format!("feed-{}", options.source);
    let feed = RootFeed::new(options, tx);
    let sink = feed.sink();
    let thread = std::thread::Builder::new()
        .name(name)
        .spawn(move || feed.run())?;
    Ok(FeedHandle {
        stop: StopSignal::Sink(sink),
        thread: Some(thread),
    })
}
