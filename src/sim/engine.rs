//! The scheduler: sessions take steps at planned times (milliseconds since
//! the start), in a fixed order, so a seed replays the same events however
//! fast the machine is; waiting and finished sessions are polled for
//! decisions in between.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
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
    /// Errands by when they are due (planned ms): archiving a finished
    /// session, or giving up on a request nobody answered.
    errands: BinaryHeap<Reverse<(u64, usize, Errand)>>,
    /// When each waiting session started waiting (planned ms).
    waiting_since: HashMap<usize, u64>,
    archived: HashSet<usize>,
    /// The most top-level sessions in view at once (children come and go
    /// with their orchestrators).
    peak_in_view: usize,
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
            errands: BinaryHeap::new(),
            waiting_since: HashMap::new(),
            archived: HashSet::new(),
            peak_in_view: 0,
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
        let in_view = (0..self.sessions.len())
            .filter(|i| !self.archived.contains(i) && self.sessions[*i].parent_id().is_none())
            .count();
        self.peak_in_view = self.peak_in_view.max(in_view);
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
            // Steps and archivals in planned order, so a seed replays alike.
            let archive_due = self.errands.peek().map(|Reverse((due, _, _))| *due);
            let step_due = self.queue.peek().map(|Reverse((due, _, _))| *due);
            match (step_due, archive_due) {
                (_, Some(due)) if due <= now && step_due.is_none_or(|s| due < s) => {
                    if let Some(Reverse((due, index, errand))) = self.errands.pop() {
                        self.run_errand(index, due, errand);
                    }
                }
                (Some(due), _) if due <= now => {
                    if let Some(Reverse((due, _, index))) = self.queue.pop() {
                        self.step(index, due);
                    }
                }
                (None, None) => sleep_ms(MAX_SLEEP_MS),
                (step, archive) => {
                    let next = step.into_iter().chain(archive).min().unwrap_or(now);
                    sleep_ms(next.saturating_sub(now).min(MAX_SLEEP_MS));
                }
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
                self.wait(index, at);
                self.maybe_replace(index, at);
            }
            Next::Ended => {
                self.finished.insert(self.sessions[index].id().to_string());
                self.listening.insert(index);
                self.ended(index, at);
            }
            Next::Frozen => {}
        }
    }

    /// Keeps `mixed` alive: a top-level session that starts waiting is
    /// joined by a new one while fewer than `living_cap` sessions are in
    /// view, so the fleet goes on moving while requests wait, yet stays
    /// about the size it started at.
    fn maybe_replace(&mut self, index: usize, at: u64) {
        let session = &self.sessions[index];
        if self.options.scenario != Scenario::Mixed
            || session.parent_id().is_some()
            || session.role == Role::Stuck
        {
            return;
        }
        self.admit_replacement(at);
    }

    /// A new top-level session about one pause from `at`, if the fleet in
    /// view has room for it.
    fn admit_replacement(&mut self, at: u64) {
        if self.living() >= self.options.living_cap() {
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

    /// Sessions in view: every one not archived.
    fn living(&self) -> usize {
        self.sessions.len() - self.archived.len()
    }

    /// How long a finished session stays in view: a dozen of a session's
    /// mean pauses (half a minute in the demo).
    fn archive_after(&self) -> u64 {
        ARCHIVE_AFTER_PAUSES * (self.pace.0 + self.pace.1) / 2
    }

    /// A session of `mixed` that finished is archived a while later.
    fn ended(&mut self, index: usize, at: u64) {
        if self.options.scenario == Scenario::Mixed && self.sessions[index].role != Role::Stuck {
            let due = at + self.archive_after();
            self.errands.push(Reverse((due, index, Errand::Archive)));
        }
    }

    /// A session started waiting for a decision. In `mixed`, live
    /// top-level sessions give up after a while, as a real agent's request
    /// times out, so a fleet nobody reviews keeps moving; the plan met
    /// mid-review (the first session), the stuck set and orchestrators
    /// (whose children would be orphaned) wait on.
    fn wait(&mut self, index: usize, at: u64) {
        let session = &self.sessions[index];
        if self.options.scenario != Scenario::Mixed
            || index == 0
            || matches!(session.role, Role::Stuck | Role::Orchestrator)
            || session.parent_id().is_some()
        {
            return;
        }
        self.waiting_since.insert(index, at);
        let due = at + GIVE_UP_AFTER_ARCHIVES * self.archive_after();
        self.errands
            .push(Reverse((due, index, Errand::GiveUp { since: at })));
    }

    fn run_errand(&mut self, index: usize, at: u64, errand: Errand) {
        match errand {
            Errand::Archive => self.archive(index, at),
            Errand::GiveUp { since } => {
                let still_waiting = self.sessions[index].life() == Life::Waiting
                    && self.waiting_since.get(&index) == Some(&since);
                if !still_waiting {
                    return;
                }
                self.waiting_since.remove(&index);
                let before = Tally::of(&self.sessions[index]);
                let result = self.sessions[index].give_up();
                self.tally(index, before);
                match result {
                    Ok(()) => {
                        self.finished.insert(self.sessions[index].id().to_string());
                        self.ended(index, at);
                    }
                    Err(e) => self.fail(index, e),
                }
            }
        }
    }

    /// A finished session leaves the view (`archived_at` set, as `switchboard
    /// archive` would) and a new one takes its place.
    fn archive(&mut self, index: usize, at: u64) {
        let now = chrono::Utc::now();
        let writer = &mut self.sessions[index].writer;
        writer.doc_mut().insert(
            "archived_at".into(),
            serde_json::Value::String(crate::model::time::format_rfc3339(now)),
        );
        match writer.save(now) {
            Ok(()) => {
                self.archived.insert(index);
                self.admit_replacement(at);
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

/// Finished sessions are archived after this many mean pauses.
const ARCHIVE_AFTER_PAUSES: u64 = 12;
/// Unanswered requests are given up after this many archive delays.
const GIVE_UP_AFTER_ARCHIVES: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Errand {
    Archive,
    GiveUp { since: u64 },
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Sessions on disk, and how many of them are archived.
    fn on_disk(root: &std::path::Path) -> (usize, usize) {
        let mut total = 0;
        let mut archived = 0;
        for entry in std::fs::read_dir(root).unwrap().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path().join("session.json")) else {
                continue;
            };
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            total += 1;
            archived += usize::from(!doc["archived_at"].is_null());
        }
        (total, archived)
    }

    #[test]
    fn the_mixed_fleet_stays_about_its_size_archiving_and_replacing_finished_sessions() {
        let root = tempfile::tempdir().unwrap();
        let options = SimOptions {
            sessions: 18,
            rate: 400.0,
            seed: 42,
            max_events: Some(4000),
            duration: Some(Duration::from_secs(5)),
            ..SimOptions::default()
        };
        let cap = options.living_cap();
        let mut engine =
            ScenarioEngine::new(root.path().to_path_buf(), options, Arc::default()).unwrap();
        engine.run(&AtomicBool::new(false)).unwrap();
        let (total, archived) = on_disk(root.path());
        assert_eq!(archived, engine.archived.len());
        assert!(
            engine.peak_in_view <= cap,
            "at most {cap} top-level sessions in view, not {}",
            engine.peak_in_view
        );
        assert!(engine.peak_in_view >= 18, "{}", engine.peak_in_view);
        assert!(archived > 0, "finished sessions are archived");
        assert!(total > cap, "new sessions replaced them: {total}");
    }
}
