//! Creating a simulated session: its `session.json` and the queued task.

use std::collections::VecDeque;
use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::SimError;
use super::agent::SimSession;
use super::ids::session_seed;
use super::personas::Role;
use super::script::Action;
use super::writer::SessionWriter;
use crate::model::time::{Timestamp, format_rfc3339};

/// Everything `session.json` says about a new session.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub role: Role,
    pub title: String,
    pub prompt: String,
    pub lane: String,
    pub parent_id: Option<String>,
    pub created_at: Timestamp,
    /// Stuck rules the scenario means this session to fire.
    pub expect_stuck: Vec<&'static str>,
}

/// The session's own generator: one independent stream per index.
pub fn session_rng(seed: u64, index: u32) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(session_seed(seed, index))
}

pub fn session_doc(new: &NewSession) -> Map<String, Value> {
    let (agent_id, agent_name) = new.role.agent();
    let created = format_rfc3339(new.created_at);
    let doc = json!({
        "id": new.id,
        "type": "session",
        "agent": {"id": agent_id, "name": agent_name, "max_concurrent": new.role.max_concurrent()},
        "environment_id": "env_sim",
        "parent_id": new.parent_id,
        "title": new.title,
        "status": "idle",
        "stop_reason": null,
        "metadata": {
            "lane": new.lane,
            "sim_role": new.role.as_str(),
            "sim_expect_stuck": new.expect_stuck,
        },
        "resources": [{"type": "worktree", "path": format!("../worktrees/{}", new.id)}],
        "usage": {"input_tokens": 0, "output_tokens": 0,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        "created_at": created,
        "updated_at": created,
        "archived_at": null,
    });
    match doc {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Creates the folder with `session.json` and the queued user message,
/// ready to run `script`.
pub fn create_session(
    root: &Path,
    new: &NewSession,
    rng: ChaCha8Rng,
    script: VecDeque<Action>,
    pace: (u64, u64),
) -> Result<SimSession, SimError> {
    let writer = SessionWriter::create(root, session_doc(new), true)?;
    let mut session = SimSession::new(writer, new.role, rng, script, pace);
    session.task_id = Some(session.write_task(&new.prompt, new.created_at)?);
    Ok(session)
}

impl SimSession {
    /// The task arrives as a queued `user.message`; the runtime's first
    /// step (`session.status_running`) takes it.
    pub(super) fn write_task(&mut self, prompt: &str, at: Timestamp) -> Result<String, SimError> {
        let mut event = self.writer.event("user.message", at, true);
        event.insert("content".into(), json!([{"type": "text", "text": prompt}]));
        self.writer.append(vec![event])
    }
}
