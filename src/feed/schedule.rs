//! When to look at each folder of a root again. Watched folders are only
//! re-checked as a safety net; polled ones are looked at often while they
//! change and ever more rarely while idle, within a budget of checks per
//! second so 100,000 idle sessions cost little.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

/// Checks (one to four `stat`s each) spent per second at most on long-idle
/// polled folders: with 100,000 of them each is looked at every 400 s.
/// Most of the idle budget goes here, where it finds changes.
pub const POLLED_CHECKS_PER_SEC: u64 = 250;
/// Safety checks per second at most on watched folders (their changes
/// arrive as notifications): 4,096 of them are each re-checked every 82 s.
pub const WATCHED_CHECKS_PER_SEC: u64 = 50;
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
    /// Next check of a polled folder that last changed `idle_for` ago, one
    /// of `polled`: quick after a change, backing off to the idle interval,
    /// and slower still when long idle among many.
    pub fn polled(&self, idle_for: Duration, polled: usize) -> Duration {
        if idle_for >= LONG_IDLE {
            self.idle.max(share(polled, POLLED_CHECKS_PER_SEC))
        } else {
            (idle_for / 8).clamp(self.poll, self.idle)
        }
    }

    /// Next safety check of a watched folder, one of `watched`.
    pub fn watched(&self, watched: usize) -> Duration {
        self.rescan.max(share(watched, WATCHED_CHECKS_PER_SEC))
    }
}

/// The interval that spreads `count` checks at `per_sec`.
fn share(count: usize, per_sec: u64) -> Duration {
    Duration::from_millis(count as u64 * 1000 / per_sec)
}

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    /// Milliseconds since the feed started (negative: before it started).
    last_change_ms: i64,
    due: Instant,
    /// Checks done so far (every few is a full one).
    checks: u32,
}

/// The folders of a root with their next check, soonest first. Folders are
/// numbered so the queue orders plain integers, not strings.
pub struct Schedule {
    start: Instant,
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    index: HashMap<String, u32>,
    queue: BTreeSet<(Instant, u32)>,
}

impl Schedule {
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            slots: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
            queue: BTreeSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    fn ms(&self, at: Instant) -> i64 {
        at.saturating_duration_since(self.start).as_millis() as i64
    }

    fn entry_mut(&mut self, id: &str) -> Option<(u32, &mut Entry)> {
        let slot = *self.index.get(id)?;
        let entry = self.slots.get_mut(slot as usize)?.as_mut()?;
        Some((slot, entry))
    }

    fn entry(&self, id: &str) -> Option<&Entry> {
        let slot = *self.index.get(id)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// Adds a folder that last changed `age` before `now`, first due at
    /// `due`.
    pub fn insert(&mut self, id: &str, now: Instant, age: Duration, due: Instant) {
        self.remove(id);
        let last_change_ms = self.ms(now) - age.as_millis().min(i64::MAX as u128 / 2) as i64;
        let entry = Entry {
            id: id.to_string(),
            last_change_ms,
            due,
            checks: 0,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(entry);
                slot
            }
            None => {
                self.slots.push(Some(entry));
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(id.to_string(), slot);
        self.queue.insert((due, slot));
    }

    pub fn remove(&mut self, id: &str) {
        if let Some(slot) = self.index.remove(id)
            && let Some(entry) = self.slots[slot as usize].take()
        {
            self.queue.remove(&(entry.due, slot));
            self.free.push(slot);
        }
    }

    pub fn clear(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.index.clear();
        self.queue.clear();
    }

    /// Records that the folder changed at `now`.
    pub fn touch(&mut self, id: &str, now: Instant) {
        let now_ms = self.ms(now);
        if let Some((_, entry)) = self.entry_mut(id) {
            entry.last_change_ms = now_ms;
        }
    }

    /// How long ago the folder last changed.
    pub fn idle_for(&self, id: &str, now: Instant) -> Option<Duration> {
        let entry = self.entry(id)?;
        let ms = (self.ms(now) - entry.last_change_ms).max(0) as u64;
        Some(Duration::from_millis(ms))
    }

    /// Counts a check of the folder; returns how many came before it.
    pub fn count_check(&mut self, id: &str) -> u32 {
        match self.entry_mut(id) {
            Some((_, entry)) => {
                entry.checks = entry.checks.wrapping_add(1);
                entry.checks - 1
            }
            None => 0,
        }
    }

    pub fn set_due(&mut self, id: &str, due: Instant) {
        if let Some((slot, entry)) = self.entry_mut(id) {
            let old = std::mem::replace(&mut entry.due, due);
            self.queue.remove(&(old, slot));
            self.queue.insert((due, slot));
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
            .filter_map(|(_, slot)| self.slots[*slot as usize].as_ref())
            .map(|entry| entry.id.clone())
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
        assert_eq!(c.polled(LONG_IDLE, 100_000), Duration::from_secs(400));
        assert_eq!(c.watched(100), Duration::from_secs(5));
        assert_eq!(c.watched(4096), Duration::from_millis(81_920));
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
        s.insert("d", t0, Duration::ZERO, t0);
        assert_eq!(s.due(t0, 10), vec!["d"], "a freed slot is reused");
        assert_eq!(s.count_check("d"), 0);
        assert_eq!(s.count_check("d"), 1);
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
