//! The live feed of one root: inotify says *where* to look, the poller looks.
//! Every notification is only a hint: the session it points at is re-stat'ed
//! and its journal read from the last offset, so lost, doubled or reordered
//! notifications change nothing but latency. Folders beyond the watch budget,
//! and everything when watching is impossible, are polled instead.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

use super::hints::{HintSink, Hints};
use super::options::FeedOptions;
use super::root_poll::RootPoller;
use super::schedule::{Cadence, Schedule, spread};
use super::update::{FeedHealth, Update};
use super::watch_set::WatchSet;
use crate::store::fleet::session_ids;

/// Due checks done before hints are looked at again (keeps latency low
/// while a big pass is under way).
const CHECKS_PER_ROUND: usize = 256;
/// The largest batch of sessions the initial pass reads and sends at once.
const MAX_INITIAL_BATCH: usize = 4096;
/// One periodic check in this many re-stats every file of a session.
const FULL_CHECK_EVERY: u32 = 4;
/// How early a due check may be done to share a wake-up with others.
const MAX_SLACK: Duration = Duration::from_millis(100);
/// A folder with no `session.json` yet counts as idle this long.
const LONG_AGO: Duration = Duration::from_secs(86_400);
/// Root scans may take at most 1/this of the time: 1/1000 while the root is
/// watched (the scan is only a safety net then), 1/50 while polling.
const WATCHED_ROOT_SCAN_DUTY: u32 = 1000;
const POLLED_ROOT_SCAN_DUTY: u32 = 50;
/// Counts-only health changes are sent at most this often.
pub(super) const HEALTH_EVERY: Duration = Duration::from_secs(1);

/// The feed thread stops: the receiver went away or it was asked to.
pub struct Stopped;

/// Why the root is polled rather than watched.
pub(super) struct Fallback {
    pub(super) reason: String,
    pub(super) retry_at: Option<Instant>,
}

pub struct RootFeed {
    pub(super) opts: FeedOptions,
    pub(super) root: PathBuf,
    pub(super) poller: RootPoller,
    pub(super) sink: HintSink,
    pub(super) watches: Option<WatchSet>,
    pub(super) schedule: Schedule,
    pub(super) cadence: Cadence,
    pub(super) tx: Sender<Update>,
    /// `None` before the first scan.
    pub(super) root_present: Option<bool>,
    pub(super) root_missing_reason: String,
    pub(super) root_changed_at: Instant,
    pub(super) next_root_scan: Instant,
    pub(super) fallback: Option<Fallback>,
    pub(super) overflow_until: Option<Instant>,
    pub(super) no_victim_until: Option<Instant>,
    pub(super) sent_health: Option<FeedHealth>,
    pub(super) sent_health_at: Option<Instant>,
    /// Updates found but not sent yet.
    pub(super) out: Vec<Update>,
}

impl RootFeed {
    pub fn new(opts: FeedOptions, tx: Sender<Update>) -> Self {
        let root = absolute_root(&opts.root);
        let now = Instant::now();
        Self {
            sink: HintSink::new(root.clone()),
            poller: match opts.tail_first {
                Some(threshold) => {
                    RootPoller::new(root.clone(), opts.source, opts.plan_tools.clone())
                        .with_tail_first(threshold)
                }
                None => RootPoller::new(root.clone(), opts.source, opts.plan_tools.clone()),
            },
            cadence: Cadence {
                poll: opts.poll_interval,
                idle: opts.idle_poll_interval,
                rescan: opts.rescan_interval,
            },
            root,
            watches: None,
            schedule: Schedule::new(now),
            tx,
            root_present: None,
            root_missing_reason: String::new(),
            root_changed_at: now,
            next_root_scan: now,
            fallback: None,
            overflow_until: None,
            no_victim_until: None,
            sent_health: None,
            sent_health_at: None,
            out: Vec::new(),
            opts,
        }
    }

    /// The root as the watches name it (absolute).
    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// Where notifications go; also how the feed is stopped or, in tests,
    /// handed synthetic notifications.
    pub fn sink(&self) -> HintSink {
        self.sink.clone()
    }

    /// Runs until stopped: the initial pass (every session `Loaded`, then the
    /// first `Health`), then hints and due checks.
    pub fn run(mut self) {
        let _ = self.run_inner();
    }

    fn run_inner(&mut self) -> Result<(), Stopped> {
        let now = Instant::now();
        self.start_watching(now);
        self.scan_root(now, true)?;
        self.watch_most_recent(now);
        self.flush()?;
        self.count_pending()?;
        self.send_health(Instant::now(), true)?;
        loop {
            let deadline = self.next_deadline();
            let hints = self.sink.wait(deadline);
            if hints.stop {
                return Err(Stopped);
            }
            self.apply_hints(hints, Instant::now())?;
            self.flush()?;
            self.count_pending()?;
            self.run_due(Instant::now())?;
            self.flush()?;
            self.count_pending()?;
            self.send_health(Instant::now(), false)?;
        }
    }

    fn flush(&mut self) -> Result<(), Stopped> {
        let updates = std::mem::take(&mut self.out);
        for update in updates {
            self.send(update)?;
        }
        Ok(())
    }

    /// Sends one update, waiting while the receiver is behind (the data
    /// waits on disk) but not past a stop: a handle dropped before its
    /// receiver must not hang on a full channel.
    pub(super) fn send(&self, update: Update) -> Result<(), Stopped> {
        let mut update = update;
        let mut pause = Duration::from_micros(100);
        loop {
            match self.tx.try_send(update) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Closed(_)) => return Err(Stopped),
                Err(TrySendError::Full(back)) => {
                    if self.sink.is_stopped() {
                        return Err(Stopped);
                    }
                    update = back;
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(10));
                }
            }
        }
    }

    /// Sends the counts of sessions just sent from their journal's tail.
    fn count_pending(&mut self) -> Result<(), Stopped> {
        if !self.poller.is_counting() {
            return Ok(());
        }
        for update in self.poller.count_pending() {
            self.send(update)?;
        }
        Ok(())
    }

    /// Sends what is gathered once there is a fair amount (long passes).
    fn flush_if_big(&mut self) -> Result<(), Stopped> {
        if self.out.len() >= CHECKS_PER_ROUND {
            self.flush()?;
        }
        Ok(())
    }

    fn next_deadline(&self) -> Instant {
        let mut deadline = self.next_root_scan;
        let mut consider = |at: Option<Instant>| {
            if let Some(at) = at {
                deadline = deadline.min(at);
            }
        };
        consider(self.schedule.next_due());
        consider(self.fallback.as_ref().and_then(|f| f.retry_at));
        consider(self.overflow_until);
        consider(self.sent_health_at.map(|at| at + HEALTH_EVERY));
        deadline
    }

    // ----- hints ----------------------------------------------------------

    fn apply_hints(&mut self, hints: Hints, now: Instant) -> Result<(), Stopped> {
        if let Some(error) = hints.errors.first() {
            self.fall_back(format!("watch error: {error}"), now);
        }
        if hints.rescan {
            self.overflowed(now)?;
        }
        if hints.root {
            self.scan_root(now, false)?;
        }
        let mut entries: Vec<String> = hints.entries.into_iter().collect();
        entries.sort();
        for id in &entries {
            self.entry_hint(id, now);
            self.flush_if_big()?;
        }
        let mut sessions: Vec<String> = hints
            .sessions
            .into_iter()
            .filter(|id| entries.binary_search(id).is_err())
            .collect();
        sessions.sort();
        for id in sessions {
            if self.schedule.contains(&id) {
                let found = self.poller.poll_session(&id);
                self.observed(&id, found, now);
            } else {
                self.entry_hint(&id, now);
            }
            self.flush_if_big()?;
        }
        Ok(())
    }

    /// Notifications were lost: look at everything now, and poll for a while.
    fn overflowed(&mut self, now: Instant) -> Result<(), Stopped> {
        tracing::warn!(
            "{}: event queue overflowed; rescanning",
            self.root.display()
        );
        self.overflow_until = Some(now + self.opts.overflow_cooldown);
        self.scan_root(now, false)?;
        let ids: Vec<String> = self.schedule.ids().map(str::to_string).collect();
        for id in ids {
            let found = self.poller.check_session(&id);
            self.observed(&id, found, now);
            self.reschedule(&id, now);
            self.flush_if_big()?;
        }
        Ok(())
    }

    /// A root entry was created, deleted or renamed.
    fn entry_hint(&mut self, id: &str, now: Instant) {
        let is_dir = self.root.join(id).is_dir();
        match (is_dir, self.schedule.contains(id)) {
            (true, false) => self.appeared(id, now),
            (true, true) => {
                // Maybe deleted and made anew: the old watch went with it.
                if let Some(watches) = self.watches.as_mut()
                    && let Err(e) = watches.rewatch_session(id)
                {
                    tracing::debug!("{e}");
                }
                let found = self.poller.poll_session(id);
                self.observed(id, found, now);
            }
            (false, true) => self.vanished(id),
            (false, false) => {}
        }
    }

    /// A new folder: watch it if possible (it is active by definition), then
    /// read it, so nothing written in between is missed.
    fn appeared(&mut self, id: &str, now: Instant) {
        self.schedule.insert(id, now, Duration::ZERO, now);
        self.promote(id, now);
        let found = self.poller.poll_session(id);
        self.out.extend(found);
        self.reschedule(id, now);
    }

    /// The initial pass's `appeared` for many folders, read on every core:
    /// the session's own last activity decides what gets watched later.
    fn appeared_initially(&mut self, ids: &[String], now: Instant) {
        let found = self.poller.poll_sessions(ids);
        // All are in the schedule before any is rescheduled: the polled
        // interval depends on how many there are.
        for (id, found) in ids.iter().zip(&found) {
            let last_activity = found.iter().find_map(|u| match u {
                Update::Loaded { snapshot, .. } => snapshot.last_activity(),
                _ => None,
            });
            let age = match last_activity {
                Some(at) => (chrono::Utc::now() - at).to_std().unwrap_or_default(),
                None if found.is_empty() => LONG_AGO,
                None => Duration::ZERO,
            };
            self.schedule.insert(id, now, age, now);
        }
        for (id, found) in ids.iter().zip(found) {
            self.out.extend(found);
            self.reschedule(id, now);
        }
    }

    fn vanished(&mut self, id: &str) {
        if let Some(watches) = self.watches.as_mut() {
            watches.unwatch_session(id);
        }
        self.schedule.remove(id);
        self.out.extend(self.poller.poll_session(id));
    }

    /// Bookkeeping after looking at a folder: a change makes it active.
    fn observed(&mut self, id: &str, found: Vec<Update>, now: Instant) {
        if found.is_empty() {
            return;
        }
        self.out.extend(found);
        self.schedule.touch(id, now);
        if !self.watched(id) {
            self.promote(id, now);
        }
    }

    pub(super) fn reschedule(&mut self, id: &str, now: Instant) {
        let watched = self.watches.as_ref().map_or(0, WatchSet::watched);
        let interval = if self.watched(id) {
            self.cadence.watched(watched)
        } else {
            let polled = self.schedule.len().saturating_sub(watched);
            let idle = self.schedule.idle_for(id, now).unwrap_or_default();
            self.cadence.polled(idle, polled)
        };
        // Spread by up to a tenth so folders do not fall due together.
        let jitter = interval.mul_f64(spread(id) / 10.0);
        self.schedule.set_due(id, now + interval + jitter);
    }

    // ----- periodic work ---------------------------------------------------

    fn run_due(&mut self, now: Instant) -> Result<(), Stopped> {
        if self.overflow_until.is_some_and(|until| now >= until) {
            self.overflow_until = None;
        }
        if self
            .fallback
            .as_ref()
            .and_then(|f| f.retry_at)
            .is_some_and(|at| now >= at)
            && self.root_present == Some(true)
        {
            self.retry_watching(now);
        }
        if now >= self.next_root_scan {
            self.scan_root(now, false)?;
        }
        // Checks due soon are done now too: one wake-up per batch, not one
        // per folder (10,000 idle folders would otherwise mean 300 a second).
        let slack = (self.cadence.poll / 2).min(MAX_SLACK);
        for id in self.schedule.due(now + slack, CHECKS_PER_ROUND) {
            // Mostly only the journal is re-stat'ed (a session that wakes up
            // writes to it); every few checks all its files are.
            let found = if self
                .schedule
                .count_check(&id)
                .is_multiple_of(FULL_CHECK_EVERY)
            {
                self.poller.check_session(&id)
            } else {
                self.poller.check_journal(&id)
            };
            self.observed(&id, found, now);
            self.reschedule(&id, now);
        }
        Ok(())
    }

    /// Lists the root: folders that appeared or vanished, and whether the
    /// root itself is there.
    fn scan_root(&mut self, now: Instant, initial: bool) -> Result<(), Stopped> {
        if self.root_present == Some(false)
            && self.watches.is_none()
            && self.fallback.is_none()
            && self.root.is_dir()
        {
            // Back from missing: watch before listing, so nothing made in
            // between is missed.
            self.start_watching(now);
        }
        let started = Instant::now();
        let listed = session_ids(&self.root);
        let cost = started.elapsed();
        match listed {
            Err(e) => self.root_missing(e.to_string(), now),
            Ok(present) => {
                if self.root_present != Some(true) {
                    self.root_present = Some(true);
                    self.root_changed_at = now;
                    if self.watches.is_none() && self.fallback.is_none() {
                        self.start_watching(now);
                    }
                }
                let listed: HashSet<&str> = present.iter().map(String::as_str).collect();
                let gone: Vec<String> = self
                    .schedule
                    .ids()
                    .filter(|id| !listed.contains(id))
                    .map(str::to_string)
                    .collect();
                drop(listed);
                for id in gone {
                    self.root_changed_at = now;
                    self.vanished(&id);
                }
                let fresh: Vec<String> = present
                    .into_iter()
                    .filter(|id| !self.schedule.contains(id))
                    .collect();
                if !fresh.is_empty() {
                    self.root_changed_at = now;
                }
                if initial {
                    // The first batch is small so the first frame comes
                    // fast; later ones double, as the dashboard does work
                    // per batch that grows with the fleet.
                    let mut start = 0;
                    let mut size = CHECKS_PER_ROUND;
                    while start < fresh.len() {
                        let end = (start + size).min(fresh.len());
                        self.appeared_initially(&fresh[start..end], now);
                        self.flush_if_big()?;
                        start = end;
                        size = (size * 2).min(MAX_INITIAL_BATCH);
                    }
                } else {
                    for id in fresh {
                        self.appeared(&id, now);
                        self.flush_if_big()?;
                    }
                }
            }
        }
        self.next_root_scan = now + self.root_scan_interval(now, cost);
        Ok(())
    }

    /// The root is gone: every session with it; watch it again when back.
    fn root_missing(&mut self, reason: String, now: Instant) {
        if self.root_present == Some(false) {
            return;
        }
        self.root_present = Some(false);
        self.root_missing_reason = reason;
        self.root_changed_at = now;
        self.watches = None;
        if self.fallback.as_ref().is_some_and(|f| f.retry_at.is_some()) {
            self.fallback = None;
        }
        let ids: Vec<String> = self.poller.tracked_ids().map(str::to_string).collect();
        self.schedule.clear();
        for id in ids {
            self.out.extend(self.poller.poll_session(&id));
        }
    }

    fn root_scan_interval(&self, now: Instant, cost: Duration) -> Duration {
        if self.watches.is_some() && self.root_present == Some(true) {
            self.cadence.rescan.max(cost * WATCHED_ROOT_SCAN_DUTY)
        } else {
            let idle = now.saturating_duration_since(self.root_changed_at);
            let base = (idle / 8).clamp(self.cadence.poll, self.cadence.idle);
            base.max(cost * POLLED_ROOT_SCAN_DUTY)
        }
    }
}

fn absolute_root(root: &std::path::Path) -> PathBuf {
    std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf())
}
