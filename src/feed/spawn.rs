//! Running a root feed in the background: a thread that follows the root and
//! sends `Update`s into the dashboard's channel until stopped.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc::Sender;

use super::root_poll::RootPoller;
use super::update::{FeedHealth, Update};
use crate::model::plan::PlanTools;

/// Stops the feed thread when dropped.
pub struct FeedHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FeedHandle {
    /// A handle for a feed thread that watches `stop` (the socket feed's).
    pub(crate) fn new(stop: Arc<AtomicBool>, thread: JoinHandle<()>) -> Self {
        Self {
            stop,
            thread: Some(thread),
        }
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Follows `root` by polling every `interval`, sending updates to `tx`
/// (blocking when the receiver is behind: the data waits on disk).
pub fn spawn_root_feed(
    root: PathBuf,
    source: usize,
    plan_tools: PlanTools,
    interval: Duration,
    tx: Sender<Update>,
) -> std::io::Result<FeedHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let stop_flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name(format!("feed-{source}"))
        .spawn(move || {
            let mut poller = RootPoller::new(root, source, plan_tools);
            let health = Update::Health {
                source,
                health: FeedHealth::Polling {
                    interval_ms: interval.as_millis() as u64,
                    reason: "polling feed".into(),
                },
            };
            if tx.blocking_send(health).is_err() {
                return;
            }
            while !stop_flag.load(Ordering::Relaxed) {
                for update in poller.poll_all() {
                    if tx.blocking_send(update).is_err() {
                        return;
                    }
                }
                std::thread::sleep(interval);
            }
        })?;
    Ok(FeedHandle {
        stop,
        thread: Some(thread),
    })
}
