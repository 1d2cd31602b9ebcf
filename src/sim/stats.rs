//! Counters shared between the simulator thread and whoever watches it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct SimStats {
    /// When the run began (after setup) and how many events setup wrote.
    start: Mutex<(Instant, u64)>,
    /// When the run stopped producing (before closing writes) and the
    /// events by then: rates are measured up to here.
    end: Mutex<Option<(Instant, u64)>>,
    events: AtomicU64,
    sessions: AtomicU64,
    waiting: AtomicU64,
    honoured: AtomicU64,
    refused: AtomicU64,
    errors: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Default for SimStats {
    fn default() -> Self {
        Self {
            start: Mutex::new((Instant::now(), 0)),
            end: Mutex::new(None),
            events: AtomicU64::new(0),
            sessions: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
            honoured: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            last_error: Mutex::new(None),
        }
    }
}

/// A snapshot of the counters.
#[derive(Debug, Clone, PartialEq)]
pub struct SimReport {
    pub events: u64,
    pub sessions: u64,
    pub waiting: u64,
    pub honoured: u64,
    pub refused: u64,
    pub errors: u64,
    pub last_error: Option<String>,
    /// Time since the run began (setup excluded), up to its end once it ended.
    pub elapsed: Duration,
    /// Events written by setup (back-dated history, first messages).
    pub setup_events: u64,
    /// Events written by the end of the run proper (closing writes excluded).
    pub run_events: u64,
    /// The run proper has ended (closing writes may still be going on).
    pub ended: bool,
}

impl SimReport {
    /// Events per second since the run began, setup excluded.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.run_events.saturating_sub(self.setup_events) as f64 / secs
        } else {
            0.0
        }
    }

    /// One line for a progress display.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{:>6.1}s  {} events ({:.0}/s)  {} sessions, {} waiting  decisions: {} honoured, {} refused",
            self.elapsed.as_secs_f64(),
            self.events,
            self.rate(),
            self.sessions,
            self.waiting,
            self.honoured,
            self.refused
        );
        if self.errors > 0 {
            line.push_str(&format!("  errors: {}", self.errors));
            if let Some(last) = &self.last_error {
                line.push_str(&format!(" (last: {last})"));
            }
        }
        line
    }
}

impl SimStats {
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    pub fn add_events(&self, n: u64) {
        self.events.fetch_add(n, Ordering::Relaxed);
    }

    pub fn add_session(&self) {
        self.sessions.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add_sessions(&self, n: u64) {
        self.sessions.fetch_add(n, Ordering::Relaxed);
    }

    pub fn set_waiting(&self, n: u64) {
        self.waiting.store(n, Ordering::Relaxed);
    }

    pub fn add_decisions(&self, honoured: u64, refused: u64) {
        self.honoured.fetch_add(honoured, Ordering::Relaxed);
        self.refused.fetch_add(refused, Ordering::Relaxed);
    }

    pub fn note_error(&self, error: &dyn std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("simulator: {error}");
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error.to_string());
        }
    }

    /// Marks the end of setup: rates count from here.
    pub fn mark_start(&self) {
        if let Ok(mut start) = self.start.lock() {
            *start = (Instant::now(), self.events());
        }
    }

    /// Marks the end of the run proper (the first mark counts); later
    /// writes (closing every session) do not count towards the rate.
    pub fn mark_end(&self) {
        if let Ok(mut end) = self.end.lock()
            && end.is_none()
        {
            *end = Some((Instant::now(), self.events()));
        }
    }

    pub fn report(&self) -> SimReport {
        let (started, setup_events) = self.start.lock().map(|s| *s).unwrap_or((Instant::now(), 0));
        let end = self.end.lock().ok().and_then(|e| *e);
        let (elapsed, run_events) = match end {
            Some((at, events)) => (at.saturating_duration_since(started), events),
            None => (started.elapsed(), self.events()),
        };
        SimReport {
            events: self.events(),
            sessions: self.sessions.load(Ordering::Relaxed),
            waiting: self.waiting.load(Ordering::Relaxed),
            honoured: self.honoured.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            last_error: self.last_error.lock().ok().and_then(|l| l.clone()),
            elapsed,
            setup_events,
            run_events,
            ended: end.is_some(),
        }
    }
}
