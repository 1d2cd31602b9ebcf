//! When to look at each folder of a root again. Watched folders are only
//! re-checked as a safety net; polled ones are looked at often while they
//! change and ever more rarely while idle, within a budget of checks per
//! second so 100,000 idle sessions cost little.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

/// Idle checks (a few `stat`s each) spent per second across all idle
/// folders, at most: with 10,000 sessions each is re-checked every 20 s.
pub const IDLE_CHECKS_PER_SEC: u64 = 500;
/// A polled folder unchanged this long is polled at the slowest rate.
pub const LONG_IDLE: Duration = Duration::from_secs(300);

/// The intervals a feed was configured with.
#[derive(Debug, Clone, Copy)]
pub struct Cadence {
    pub poll: Duration,
    pub idle: Duration,
    pub rescan: Duration,
}

impl Cadence {
    /// The slowest any folder is looked at, given how many there are.
    fn slowest(&self, floor: Duration, entries: usize) -> Duration {
        floor.max(Duration::from_millis(
            entries as u64 * 1000 / IDLE_CHECKS_PER_SEC,
        ))
    }

    /// Next check of a polled folder that last changed `idle_for` ago:
    /// quick after a change, backing off to the idle interval.
    pub fn polled(&self, idle_for: Duration, entries: usize) -> Duration {
        if idle_for >= LONG_IDLE {
            self.slowest(self.idle, entries)
        } else {
            (idle_for / 8).clamp(self.poll, self.idle)
        }
    }

    /// Next safety check of a watched folder.
    pub fn watched(&self, entries: usize) -> Duration {
        self.slowest(self.rescan, entries)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Milliseconds since the feed started (negative: before it started).
    last_change_ms: i64,
    due: Instant,
}

/// The folders of a root with their next check, soonest first.
pub struct Schedule {
    start: Instant,
    entries: HashMap<String, Entry>,
    queue: BTreeSet<(Instant, String)>,
}

impl Schedule {
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            entries: HashMap::new(),
            queue: BTreeSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.entries.contains_key(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    fn ms(&self, at: Instant) -> i64 {
        at.saturating_duration_since(self.start).as_millis() as i64
    }

    /// Adds a folder that last changed `age` before `now`, first due at
    /// `due`.
    pub fn insert(&mut self, id: &str, now: Instant, age: Duration, due: Instant) {
        self.remove(id);
        let last_change_ms = self.ms(now) - age.as_millis().min(i64::MAX as u128 / 2) as i64;
        self.entries.insert(
            id.to_string(),
            Entry {
                last_change_ms,
                due,
            },
        );
        self.queue.insert((due, id.to_string()));
    }

    pub fn remove(&mut self, id: &str) {
        if let Some(entry) = self.entries.remove(id) {
            self.queue.remove(&(entry.due, id.to_string()));
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.queue.clear();
    }

    /// Records that the folder changed at `now`.
    pub fn touch(&mut self, id: &str, now: Instant) {
        let now_ms = self.ms(now);
        if let Some(entry) = self.entries.get_mut(id) {
            entry.last_change_ms = now_ms;
        }
    }

    /// How long ago the folder last changed.
    pub fn idle_for(&self, id: &str, now: Instant) -> Option<Duration> {
        let entry = self.entries.get(id)?;
        let ms = (self.ms(now) - entry.last_change_ms).max(0) as u64;
        Some(Duration::from_millis(ms))
    }

    pub fn set_due(&mut self, id: &str, due: Instant) {
        if let Some(entry) = self.entries.get_mut(id) {
            self.queue.remove(&(entry.due, id.to_string()));
            entry.due = due;
            self.queue.insert((due, id.to_string()));
        }
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.queue.first().map(|(due, _)| *due)
    }

    /// Up to `max` folders due at `now`, soonest first. They stay due until
    /// given a new time with `set_due`.
    pub fn due(&self, now: Instant, max: usize) -> Vec<String> {
        self.queue
            .iter()
            .take_while(|(due, _)| *due <= now)
            .take(max)
            .map(|(_, id)| id.clone())
            .collect()
    }
}

/// A stable fraction in [0, 1) per id, to spread checks over an interval
/// instead of doing them all at once.
pub fn spread(id: &str) -> f64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    (hasher.finish() % 10_000) as f64 / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cadence() -> Cadence {
        Cadence {
            poll: Duration::from_millis(250),
            idle: Duration::from_secs(2),
            rescan: Duration::from_secs(5),
        }
    }

    #[test]
    fn polled_backs_off_with_idleness_and_fleet_size() {
        let c = cadence();
        assert_eq!(c.polled(Duration::ZERO, 10), Duration::from_millis(250));
        assert_eq!(c.polled(Duration::from_secs(8), 10), Duration::from_secs(1));
        assert_eq!(
            c.polled(Duration::from_secs(60), 10),
            Duration::from_secs(2)
        );
        assert_eq!(c.polled(LONG_IDLE, 10), Duration::from_secs(2));
        assert_eq!(c.polled(LONG_IDLE, 100_000), Duration::from_secs(200));
        assert_eq!(c.watched(100), Duration::from_secs(5));
        assert_eq!(c.watched(10_000), Duration::from_secs(20));
    }

    #[test]
    fn due_in_order_and_rescheduled() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0);
        s.insert("b", t0, Duration::ZERO, t0 + Duration::from_secs(2));
        s.insert(
            "a",
            t0,
            Duration::from_secs(3600),
            t0 + Duration::from_secs(1),
        );
        s.insert("c", t0, Duration::ZERO, t0 + Duration::from_secs(9));
        assert_eq!(s.due(t0 + Duration::from_secs(5), 10), vec!["a", "b"]);
        assert_eq!(s.due(t0 + Duration::from_secs(5), 1), vec!["a"]);
        s.set_due("a", t0 + Duration::from_secs(10));
        assert_eq!(s.next_due(), Some(t0 + Duration::from_secs(2)));
        assert_eq!(s.idle_for("a", t0), Some(Duration::from_secs(3600)));
        s.touch("a", t0 + Duration::from_secs(4));
        assert_eq!(
            s.idle_for("a", t0 + Duration::from_secs(5)),
            Some(Duration::from_secs(1))
        );
        s.remove("b");
        assert_eq!(s.len(), 2);
        assert_eq!(s.next_due(), Some(t0 + Duration::from_secs(9)));
    }

    #[test]
    fn spread_is_a_fraction() {
        for id in ["a", "b", "sesn_01"] {
            let f = spread(id);
            assert!((0.0..1.0).contains(&f));
            assert_eq!(f, spread(id));
        }
    }
}
