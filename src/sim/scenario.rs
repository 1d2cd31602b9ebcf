//! Which sessions each scenario creates, and how live sessions are made.

use std::path::Path;

use chrono::Utc;
use rand::RngExt;

use super::SimError;
use super::agent::{SimSession, SpawnRequest};
use super::content;
use super::create::{NewSession, create_session, session_rng};
use super::ids::IdAllocator;
use super::personas::{self, Role, Tempo};
use super::plan_setup::revised_plan;
use super::stuck_setup::create_stuck_sessions;

/// The named scenarios of `switchboard simulate --scenario`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// A realistic fleet: orchestrators with children, planners, workers,
    /// support agents, errors, reschedules, endings, and (with 12 sessions
    /// or more) one session stuck in each of the seven ways.
    Mixed,
    /// Only the stuck cases, one per rule (`--sessions` is ignored).
    Stuck,
    /// Plans, tool confirmations and custom tool uses waiting for review.
    Review,
    /// Uniform cheap events for benchmarks; nothing waits.
    Load,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::Mixed => "mixed",
            Self::Stuck => "stuck",
            Self::Review => "review",
            Self::Load => "load",
        }
    }
}

/// The fewest sessions for `mixed` to include the stuck set.
pub const MIXED_STUCK_MIN: usize = 12;

/// Live roles in `mixed`, in turn.
const MIXED_ROLES: [Role; 10] = [
    Role::Orchestrator,
    Role::Worker,
    Role::Planner,
    Role::Worker,
    Role::Support,
    Role::Worker,
    Role::Planner,
    Role::Worker,
    Role::Worker,
    Role::Support,
];

/// Live roles in `review`, in turn.
const REVIEW_ROLES: [Role; 5] = [
    Role::Planner,
    Role::Worker,
    Role::Worker,
    Role::Support,
    Role::Worker,
];

/// What live sessions need from the engine to be created.
pub struct Maker<'a> {
    pub root: &'a Path,
    pub seed: u64,
    /// Pause range between two steps of one session, in ms.
    pub pace: (u64, u64),
}

impl Maker<'_> {
    /// Creates one live session of `role` (children get their parent's task).
    pub fn live(
        &self,
        ids: &mut IdAllocator,
        role: Role,
        tempo: Tempo,
        spawn: Option<&SpawnRequest>,
    ) -> Result<SimSession, SimError> {
        let (index, id) = match spawn {
            Some(request) => (request.index, request.id.clone()),
            None => ids.next(),
        };
        let mut rng = session_rng(self.seed, index);
        let task = match spawn {
            Some(request) => request.task,
            None => content::task(&mut rng),
        };
        let (title, prompt, lane, script) = match role {
            Role::Planner => (
                format!("Plan: {}", task.title),
                format!("Plan this before changing anything: {}", task.prompt),
                task.lane.to_string(),
                personas::planner(&mut rng, &task, format!("plan_{id}"), tempo),
            ),
            Role::Support => {
                let (title, prompt, script) = personas::support(&mut rng);
                (title, prompt, "support".into(), script)
            }
            Role::Orchestrator => {
                let children = rng.random_range(2..4);
                (
                    "Orchestrate release 2.4".into(),
                    "Ship release 2.4: fix the open bugs, one session per bug.".into(),
                    "release".into(),
                    personas::orchestrator(children),
                )
            }
            Role::Worker | Role::Stuck => (
                task.title.to_string(),
                task.prompt.to_string(),
                task.lane.to_string(),
                personas::worker(&mut rng, &task, tempo),
            ),
        };
        let new = NewSession {
            id,
            role,
            title,
            prompt,
            lane,
            parent_id: spawn.map(|r| r.parent_id.clone()),
            created_at: Utc::now(),
            expect_stuck: Vec::new(),
        };
        create_session(self.root, &new, rng, script, self.pace)
    }

    /// The sessions a scenario starts with.
    pub fn initial(
        &self,
        scenario: Scenario,
        sessions: usize,
        ids: &mut IdAllocator,
    ) -> Result<Vec<SimSession>, SimError> {
        let mut out = Vec::new();
        match scenario {
            Scenario::Stuck => out.extend(create_stuck_sessions(self.root, self.seed, ids)?),
            Scenario::Mixed => {
                // A plan mid-review first, so it heads the lists.
                out.push(revised_plan(self.root, self.seed, ids, self.pace)?);
                let mut live = sessions.saturating_sub(1);
                if sessions >= MIXED_STUCK_MIN {
                    let stuck = create_stuck_sessions(self.root, self.seed, ids)?;
                    live -= stuck.len().min(live);
                    out.extend(stuck);
                }
                for i in 0..live {
                    let role = MIXED_ROLES[i % MIXED_ROLES.len()];
                    out.push(self.live(ids, role, Tempo::Natural, None)?);
                }
            }
            Scenario::Review => {
                let mut workers = 0;
                for i in 0..sessions {
                    let role = REVIEW_ROLES[i % REVIEW_ROLES.len()];
                    // Workers take turns: an edit, a push, a shell command.
                    out.push(self.live(ids, role, Tempo::Review(workers), None)?);
                    if role == Role::Worker {
                        workers += 1;
                    }
                }
            }
            Scenario::Load => {}
        }
        Ok(out)
    }

    /// A new top-level session replacing one that ended (`mixed` only).
    pub fn replacement(&self, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
        let role = MIXED_ROLES[(ids.count() as usize) % MIXED_ROLES.len()];
        self.live(ids, role, Tempo::Natural, None)
    }
}
