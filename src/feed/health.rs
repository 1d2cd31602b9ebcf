//! What the status bar says about a root feed, sent when it changes.

use std::time::Instant;

use super::update::{FeedHealth, Update};
use super::watcher::{HEALTH_EVERY, RootFeed, Stopped};

impl RootFeed {
    pub fn health(&self) -> FeedHealth {
        if self.root_present == Some(false) {
            return FeedHealth::Unavailable {
                reason: self.root_missing_reason.clone(),
            };
        }
        let interval_ms = self.cadence.poll.as_millis() as u64;
        if let Some(fallback) = &self.fallback {
            return FeedHealth::Polling {
                interval_ms,
                reason: fallback.reason.clone(),
            };
        }
        if self.overflow_until.is_some() {
            return FeedHealth::Polling {
                interval_ms,
                reason: format!(
                    "event queue overflowed; rescanned, watching again after {}s",
                    self.opts.overflow_cooldown.as_secs_f64().ceil() as u64
                ),
            };
        }
        match &self.watches {
            Some(watches) => FeedHealth::Watching {
                watched: watches.watched(),
                polled: self.schedule.len().saturating_sub(watches.watched()),
            },
            None => FeedHealth::Polling {
                interval_ms,
                reason: "not watching".into(),
            },
        }
    }

    /// Sends the health when it changed: at once when its kind changed, at
    /// most once a second when only the counts did.
    pub(super) fn send_health(&mut self, now: Instant, force: bool) -> Result<(), Stopped> {
        let health = self.health();
        if self.sent_health.as_ref() == Some(&health) {
            self.sent_health_at = None;
            return Ok(());
        }
        let counts_only = matches!(
            (&self.sent_health, &health),
            (
                Some(FeedHealth::Watching { .. }),
                FeedHealth::Watching { .. }
            )
        );
        let too_soon = self
            .sent_health_at
            .is_some_and(|at| now.saturating_duration_since(at) < HEALTH_EVERY);
        if counts_only && too_soon && !force {
            return Ok(());
        }
        self.sent_health = Some(health.clone());
        self.sent_health_at = Some(now);
        self.send(Update::Health {
            source: self.opts.source,
            health,
        })
    }
}
