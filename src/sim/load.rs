//! Load mode: many sessions, uniform cheap events, at a target rate.
//!
//! 50,000 events a second over 10,000 sessions cannot be fsynced one by one
//! (that is 50,000 fsyncs a second). Instead each session's events are
//! batched for a second and written under the journal's lock in one
//! `write`, without fsync: readers still only ever see whole lines, and a
//! crash can lose at most the last second of a benchmark. `session.json` is
//! replaced atomically but also without fsync. Nothing waits for a decision.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::content::{self, pick};
use super::create::{NewSession, session_doc, session_rng};
use super::ids::IdAllocator;
use super::personas::Role;
use super::stats::SimStats;
use super::writer::SessionWriter;
use super::{SimError, SimOptions};

/// How long events wait in memory before their session's batch is written.
const FLUSH_EVERY: Duration = Duration::from_millis(1000);
/// Events generated between two looks at the clock.
const CHUNK: u64 = 2048;

struct LoadSession {
    writer: SessionWriter,
    rng: ChaCha8Rng,
    step: u64,
    last_tool: Option<String>,
    tokens: u64,
}

pub struct LoadEngine {
    sessions: Vec<LoadSession>,
    options: SimOptions,
    stats: Arc<SimStats>,
    cursor: usize,
}

impl LoadEngine {
    pub fn new(root: PathBuf, options: SimOptions, stats: Arc<SimStats>) -> Result<Self, SimError> {
        let mut ids = IdAllocator::new(options.seed);
        let mut sessions = Vec::with_capacity(options.sessions);
        let now = Utc::now();
        for _ in 0..options.sessions.max(1) {
            let (index, id) = ids.next();
            let mut rng = session_rng(options.seed, index);
            let task = content::task(&mut rng);
            let new = NewSession {
                id,
                role: Role::Worker,
                title: format!("Load: {}", task.title),
                prompt: task.prompt.into(),
                lane: "load".into(),
                parent_id: None,
                created_at: now,
                expect_stuck: Vec::new(),
            };
            let mut doc = session_doc(&new);
            doc.insert("status".into(), json!("running"));
            let mut writer = SessionWriter::create(&root, doc, false)?;
            let mut message = writer.event("user.message", now, true);
            message.insert(
                "content".into(),
                json!([{"type": "text", "text": task.prompt}]),
            );
            let running = writer.event("session.status_running", now, false);
            writer.append(vec![message, running])?;
            writer.flush()?;
            stats.add_events(2);
            sessions.push(LoadSession {
                writer,
                rng,
                step: 0,
                last_tool: None,
                tokens: 0,
            });
        }
        stats.add_sessions(sessions.len() as u64);
        Ok(Self {
            sessions,
            options,
            stats,
            cursor: 0,
        })
    }

    pub fn run(&mut self, stop: &AtomicBool) -> Result<(), SimError> {
        let start = Instant::now();
        let deadline = self.options.duration;
        let mut generated: u64 = 0;
        let mut last_flush = start;
        loop {
            if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| start.elapsed() >= d) {
                break;
            }
            if self
                .options
                .max_events
                .is_some_and(|max| self.stats.events() >= max)
            {
                break;
            }
            let mut target = (self.options.rate * start.elapsed().as_secs_f64()) as u64;
            if let Some(max) = self.options.max_events {
                let setup = self.sessions.len() as u64 * 2;
                target = target.min(max.saturating_sub(setup));
            }
            let todo = target.saturating_sub(generated).min(CHUNK);
            for _ in 0..todo {
                self.generate_one()?;
            }
            generated += todo;
            if last_flush.elapsed() >= FLUSH_EVERY {
                self.flush_all()?;
                last_flush = Instant::now();
            } else if todo == 0 {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        self.flush_all()?;
        self.stats.mark_end();
        self.finish()
    }

    fn generate_one(&mut self) -> Result<(), SimError> {
        let index = self.cursor;
        self.cursor = (self.cursor + 1) % self.sessions.len();
        let session = &mut self.sessions[index];
        let now = Utc::now();
        session.step += 1;
        let event = match session.step % 5 {
            0 => {
                session.tokens += session.rng.random_range(500..3000u64);
                let mut e = session.writer.event("session.usage", now, false);
                e.insert(
                    "usage".into(),
                    json!({"input_tokens": session.tokens, "output_tokens": session.tokens / 3,
                    "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}),
                );
                e
            }
            1 => {
                let mut e = session.writer.event("agent.thinking", now, false);
                let thought = pick(&mut session.rng, content::THINKING);
                e.insert(
                    "content".into(),
                    json!([{"type": "thinking", "thinking": thought}]),
                );
                e
            }
            2 => {
                let command = pick(&mut session.rng, content::READS);
                let mut e = session.writer.request(
                    "agent.tool_use",
                    "bash",
                    json!({"command": command}),
                    now,
                );
                e.insert("evaluated_permission".into(), json!("allow"));
                session.last_tool = e.get("id").and_then(Value::as_str).map(str::to_string);
                e
            }
            3 => {
                let mut e = session.writer.event("agent.tool_result", now, false);
                e.insert("tool_use_id".into(), json!(session.last_tool.take()));
                let output = content::command_output("ls", &mut session.rng);
                e.insert("content".into(), json!([{"type": "text", "text": output}]));
                e
            }
            _ => {
                let mut e = session.writer.event("agent.message", now, false);
                let text = pick(&mut session.rng, content::PROGRESS);
                e.insert("content".into(), json!([{"type": "text", "text": text}]));
                e
            }
        };
        session.writer.append(vec![event])?;
        Ok(())
    }

    fn flush_all(&mut self) -> Result<(), SimError> {
        let mut flushed = 0;
        for session in &mut self.sessions {
            flushed += session.writer.flush()?;
        }
        self.stats.add_events(flushed);
        Ok(())
    }

    /// Ends every session cleanly so the root does not look stuck later.
    fn finish(&mut self) -> Result<(), SimError> {
        let now = Utc::now();
        for session in &mut self.sessions {
            let stop = json!({"type": "end_turn"});
            let mut idle = session.writer.event("session.status_idle", now, false);
            idle.insert("stop_reason".into(), stop.clone());
            session.writer.append(vec![idle])?;
            session.writer.flush()?;
            session.writer.set_status("idle", stop, now)?;
        }
        self.stats.add_events(self.sessions.len() as u64);
        Ok(())
    }
}
