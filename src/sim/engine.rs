//! The scheduler: sessions take steps at planned times (milliseconds since
//! the start), in a fixed order, so a seed replays the same events however
//! fast the machine is; waiting and finished sessions are polled for
//! decisions in between.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::agent::{Life, Next, SimSession, StepCtx};
use super::ids::IdAllocator;
use super::personas::{Role, Tempo};
use super::scenario::{MIXED_STUCK_MIN, Maker, Scenario};
use super::stats::SimStats;
use super::stuck_setup::STUCK_SESSIONS;
use super::{SimError, SimOptions};

/// How often waiting and finished sessions look for decisions.
const POLL_MS: u64 = 100;
/// Longest single sleep, so a stop request is seen promptly.
const MAX_SLEEP_MS: u64 = 20;

pub struct ScenarioEngine {
    root: PathBuf,
    options: SimOptions,
    pace: (u64, u64),
    sessions: Vec<SimSession>,
    queue: BinaryHeap<Reverse<(u64, u64, usize)>>,
    seq: u64,
    listening: BTreeSet<usize>,
    finished: HashSet<String>,
    ids: IdAllocator,
    rng: ChaCha8Rng,
    stats: Arc<SimStats>,
}

impl ScenarioEngine {
    pub fn new(root: PathBuf, options: SimOptions, stats: Arc<SimStats>) -> Result<Self, SimError> {
        let live = match options.scenario {
            Scenario::Stuck => 1,
            // Less the stuck set and the plan met mid-review, which wait.
            Scenario::Mixed if options.sessions >= MIXED_STUCK_MIN => {
                options.sessions - STUCK_SESSIONS - 1
            }
            Scenario::Mixed => options.sessions.saturating_sub(1).max(1),
            _ => options.sessions.max(1),
        };
        let mean_ms = (live as f64 * 1000.0 / options.rate).clamp(1.0, 3_600_000.0) as u64;
        let pace = (mean_ms / 2, mean_ms + mean_ms / 2);
        let mut ids = IdAllocator::new(options.seed);
        let maker = Maker {
            root: &root,
            seed: options.seed,
            pace,
        };
        let sessions = maker.initial(options.scenario, options.sessions, &mut ids)?;
        let mut engine = Self {
            root,
            pace,
            sessions: Vec::new(),
            queue: BinaryHeap::new(),
            seq: 0,
            listening: BTreeSet::new(),
            finished: HashSet::new(),
            ids,
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            stats,
            options,
        };
        for session in sessions {
            engine.admit(session, 0);
        }
        Ok(engine)
    }

    /// Adds a session and schedules its first step about one pause from `now`.
    fn admit(&mut self, mut session: SimSession, now: u64) {
        self.stats.add_events(session.writer.written());
        self.stats.add_session();
        let index = self.sessions.len();
        match session.life() {
            Life::Active => {
                let first = now + session.pause();
                self.schedule(first, index);
            }
            Life::Waiting => {
                self.listening.insert(index);
            }
            Life::Ended | Life::Frozen => {}
        }
        self.sessions.push(session);
    }

    fn schedule(&mut self, at: u64, index: usize) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq, index)));
    }

    pub fn run(&mut self, stop: &AtomicBool) -> Result<(), SimError> {
        let start = Instant::now();
        let deadline = self.options.duration.map(|d| d.as_millis() as u64);
        let mut last_poll = 0;
        while !stop.load(Ordering::Relaxed) {
            let now = start.elapsed().as_millis() as u64;
            if deadline.is_some_and(|d| now >= d) || self.limit_reached() {
                break;
            }
            if now >= last_poll + POLL_MS {
                self.poll_listeners(now);
                last_poll = now;
            }
            match self.queue.peek() {
                Some(Reverse((due, _, _))) if *due <= now => {
                    if let Some(Reverse((due, _, index))) = self.queue.pop() {
                        self.step(index, due);
                    }
                }
                Some(Reverse((due, _, _))) => sleep_ms((*due - now).min(MAX_SLEEP_MS)),
                None => sleep_ms(MAX_SLEEP_MS),
            }
        }
        Ok(())
    }

    fn limit_reached(&self) -> bool {
        self.options
            .max_events
            .is_some_and(|max| self.stats.events() >= max)
    }

    /// One step of one session at its planned time `at` (planned, not
    /// actual, so a slow run makes the same choices as a fast one).
    fn step(&mut self, index: usize, at: u64) {
        let before = Tally::of(&self.sessions[index]);
        let mut ctx = StepCtx {
            finished: &self.finished,
            ids: &mut self.ids,
            spawned: Vec::new(),
        };
        let result = self.sessions[index].step(&mut ctx);
        let spawned = std::mem::take(&mut ctx.spawned);
        self.tally(index, before);
        let next = match result {
            Ok(next) => next,
            Err(e) => {
                self.fail(index, e);
                return;
            }
        };
        for request in &spawned {
            let maker = Maker {
                root: &self.root,
                seed: self.options.seed,
                pace: self.pace,
            };
            match maker.live(&mut self.ids, Role::Worker, Tempo::Natural, Some(request)) {
                Ok(child) => self.admit(child, at),
                Err(e) => self.stats.note_error(&e),
            }
        }
        match next {
            Next::After(ms) => self.schedule(at + ms.max(1), index),
            Next::Wait => {
                self.listening.insert(index);
                self.maybe_replace(index, at);
            }
            Next::Ended => {
                self.finished.insert(self.sessions[index].id().to_string());
                self.listening.insert(index);
                self.maybe_replace(index, at);
            }
            Next::Frozen => {}
        }
    }

    /// Keeps `mixed` alive: a top-level session that starts waiting or ends
    /// is replaced by a new one, until as many sessions as three times the
    /// fleet size are open (then the fleet waits on its reviewers).
    fn maybe_replace(&mut self, index: usize, at: u64) {
        let session = &self.sessions[index];
        if self.options.scenario != Scenario::Mixed
            || session.parent_id().is_some()
            || session.role == Role::Stuck
        {
            return;
        }
        let open = self
            .sessions
            .iter()
            .filter(|s| s.life() != Life::Ended)
            .count();
        if open >= self.options.sessions.saturating_mul(3) {
            return;
        }
        let maker = Maker {
            root: &self.root,
            seed: self.options.seed,
            pace: self.pace,
        };
        match maker.replacement(&mut self.ids) {
            Ok(session) => {
                let delay = self
                    .rng
                    .random_range(self.pace.0..=self.pace.1.max(self.pace.0));
                self.admit(session, at + delay);
            }
            Err(e) => self.stats.note_error(&e),
        }
    }

    fn poll_listeners(&mut self, now: u64) {
        let listening: Vec<usize> = self.listening.iter().copied().collect();
        let mut waiting = 0;
        for index in listening {
            let before = Tally::of(&self.sessions[index]);
            let result = self.sessions[index].poll();
            self.tally(index, before);
            match result {
                Ok(true) => {
                    self.listening.remove(&index);
                    self.schedule(now, index);
                }
                Ok(false) => {}
                Err(e) => self.fail(index, e),
            }
            if self.sessions[index].life() == Life::Waiting {
                waiting += 1;
            }
        }
        self.stats.set_waiting(waiting);
    }

    /// A session whose files went away (or any IO error) stops; the rest go on.
    fn fail(&mut self, index: usize, error: SimError) {
        self.stats.note_error(&error);
        self.listening.remove(&index);
        self.sessions[index].freeze();
    }

    fn tally(&mut self, index: usize, before: Tally) {
        let after = Tally::of(&self.sessions[index]);
        self.stats.add_events(after.written - before.written);
        self.stats.add_decisions(
            after.honoured - before.honoured,
            after.refused - before.refused,
        );
    }
}

#[derive(Clone, Copy)]
struct Tally {
    written: u64,
    honoured: u64,
    refused: u64,
}

impl Tally {
    fn of(session: &SimSession) -> Self {
        Self {
            written: session.writer.written(),
            honoured: session.honoured,
            refused: session.refused,
        }
    }
}

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms.max(1)));
}
