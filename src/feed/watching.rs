//! Which folders of a root get an inotify watch: the root, then the most
//! recently active sessions up to the budget; an active polled session takes
//! the watch of the one idle the longest. When watching fails, everything is
//! polled and watching is tried again later.

use std::time::{Duration, Instant};

use super::schedule::spread;
use super::watch_set::{WatchError, WatchSet};
use super::watcher::{Fallback, RootFeed};

/// A watched folder idle this long may give its watch to an active one.
const EVICT_AFTER: Duration = Duration::from_secs(60);
/// After finding no watch to take, wait this long before looking again.
const EVICT_BACKOFF: Duration = Duration::from_secs(1);

impl RootFeed {
    fn watching_wanted(&self) -> bool {
        self.opts.watch_budget > 0
    }

    /// Starts the watcher and watches the root; on failure polls, saying why.
    pub(super) fn start_watching(&mut self, now: Instant) {
        if !self.watching_wanted() {
            self.fallback = Some(Fallback {
                reason: "watching is off (feed.watch_budget = 0)".into(),
                retry_at: None,
            });
            return;
        }
        match WatchSet::start(
            &self.root,
            self.sink.clone(),
            self.opts.watch_budget,
            self.opts.watch_limit,
        ) {
            Ok(set) => {
                self.watches = Some(set);
                self.fallback = None;
            }
            // A missing root is reported as unavailable by the scan, and
            // watched again when it is back.
            Err(WatchError::Gone(_)) => self.fallback = None,
            Err(e) => self.fall_back(e.to_string(), now),
        }
    }

    /// Stops trusting notifications: drops the watcher and polls everything,
    /// trying to watch again after the retry interval.
    pub(super) fn fall_back(&mut self, reason: String, now: Instant) {
        let was_watching = self.watches.take().is_some();
        let retry = self.opts.retry_interval;
        if was_watching || self.fallback.is_none() {
            tracing::warn!("{}: polling: {reason}", self.root.display());
        }
        self.fallback = Some(Fallback {
            reason: format!("{reason}; retrying every {}s", retry.as_secs().max(1)),
            retry_at: Some(now + retry),
        });
        if was_watching {
            let ids: Vec<String> = self.schedule.ids().map(str::to_string).collect();
            for id in ids {
                let due = now + self.cadence.poll.mul_f64(spread(&id));
                self.schedule.set_due(&id, due);
            }
            self.next_root_scan = self.next_root_scan.min(now);
        }
    }

    pub(super) fn retry_watching(&mut self, now: Instant) {
        self.start_watching(now);
        if self.watches.is_some() {
            tracing::info!("{}: watching again", self.root.display());
            self.watch_most_recent(now);
            // Anything missed while starting is found by a scan now.
            self.next_root_scan = now;
        }
    }

    /// Whether notifications for `id` are trusted right now.
    pub(super) fn watched(&self, id: &str) -> bool {
        self.overflow_until.is_none() && self.watches.as_ref().is_some_and(|w| w.is_watched(id))
    }

    /// Watches the most recently active folders, up to the budget.
    pub(super) fn watch_most_recent(&mut self, now: Instant) {
        let Some(watches) = self.watches.as_mut() else {
            return;
        };
        let mut by_recency: Vec<(Duration, String)> = self
            .schedule
            .ids()
            .map(|id| {
                let idle = self.schedule.idle_for(id, now).unwrap_or(Duration::MAX);
                (idle, id.to_string())
            })
            .collect();
        by_recency.sort();
        for (_, id) in by_recency {
            if !watches.has_room() {
                break;
            }
            match watches.watch_session(&id) {
                // Anything written between the scan and the watch is caught
                // by checking once more now.
                Ok(()) => self.schedule.set_due(&id, now),
                Err(WatchError::Limit) => break,
                Err(e) => tracing::debug!("{e}"),
            }
        }
    }

    /// Gives an active polled folder a watch, taking it from the watched
    /// folder idle the longest if the budget is spent.
    pub(super) fn promote(&mut self, id: &str, now: Instant) {
        let Some(watches) = self.watches.as_mut() else {
            return;
        };
        if watches.is_watched(id) {
            return;
        }
        if !watches.has_room() {
            if self.no_victim_until.is_some_and(|until| now < until) {
                return;
            }
            let victim = watches
                .watched_ids()
                .map(|v| (self.schedule.idle_for(v, now).unwrap_or(Duration::MAX), v))
                .max()
                .filter(|(idle, _)| *idle >= EVICT_AFTER)
                .map(|(_, v)| v.to_string());
            let Some(victim) = victim else {
                self.no_victim_until = Some(now + EVICT_BACKOFF);
                return;
            };
            watches.unwatch_session(&victim);
            self.reschedule(&victim, now);
        }
        let Some(watches) = self.watches.as_mut() else {
            return;
        };
        match watches.watch_session(id) {
            Ok(()) => {}
            Err(WatchError::Limit) => {
                tracing::warn!("{}: inotify watch limit reached", self.root.display())
            }
            Err(e) => tracing::debug!("{e}"),
        }
    }
}
