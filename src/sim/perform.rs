//! Turning one action into journal events and `session.json` updates.

use chrono::Utc;
use rand::RngExt;
use serde_json::{Value, json};

use super::SimError;
use super::agent::{Life, Next, SimSession, SpawnRequest, StepCtx};
use super::content::{self, ERRORS};
use super::script::{Action, Ask, Ending};

fn text(text: &str) -> Value {
    json!([{"type": "text", "text": text}])
}

impl SimSession {
    pub(super) fn perform(&mut self, action: Action, ctx: &mut StepCtx) -> Result<Next, SimError> {
        let now = Utc::now();
        let w = &mut self.writer;
        match action {
            Action::UserMessage(message) => {
                let mut event = w.event("user.message", now, true);
                event.insert("content".into(), text(&message));
                w.append(vec![event])?;
            }
            Action::Running => {
                let event = w.event("session.status_running", now, false);
                w.append(vec![event])?;
                w.set_status("running", Value::Null, now)?;
            }
            Action::Thinking(thought) => {
                let mut event = w.event("agent.thinking", now, false);
                event.insert(
                    "content".into(),
                    json!([{"type": "thinking", "thinking": thought}]),
                );
                w.append(vec![event])?;
            }
            Action::Message(message) => {
                let mut event = w.event("agent.message", now, false);
                event.insert("content".into(), text(&message));
                w.append(vec![event])?;
            }
            Action::Tool {
                name,
                input,
                output,
            } => {
                let mut event = w.request("agent.tool_use", &name, input, now);
                event.insert("evaluated_permission".into(), json!("allow"));
                let id = w.append(vec![event])?;
                self.script.push_front(Action::ToolResult {
                    tool_use_id: id,
                    output,
                });
            }
            Action::ToolResult {
                tool_use_id,
                output,
            } => {
                let mut event = w.event("agent.tool_result", now, false);
                event.insert("tool_use_id".into(), json!(tool_use_id));
                event.insert("content".into(), text(&output));
                event.insert("is_error".into(), json!(false));
                w.append(vec![event])?;
            }
            Action::Usage => self.add_usage(now)?,
            Action::Error { kind, exhausted } => {
                let (kind, message) = ERRORS[kind % ERRORS.len()];
                let retry = if exhausted { "exhausted" } else { "retrying" };
                let mut event = w.event("session.error", now, false);
                event.insert(
                    "error".into(),
                    json!({"type": kind, "message": message, "retry_status": {"type": retry}}),
                );
                w.append(vec![event])?;
            }
            Action::Reschedule { secs, reason } => {
                let due = now + chrono::Duration::seconds(secs as i64);
                let wake = w.schedule_wake(due, reason)?;
                let mut event = w.event("session.status_rescheduled", now, false);
                event.insert("wake_id".into(), json!(wake));
                w.append(vec![event])?;
                w.set_status("rescheduling", Value::Null, now)?;
                self.wake = Some(wake);
                return Ok(Next::After(secs * 1000));
            }
            Action::Wake => {
                if let Some(wake) = self.wake.take() {
                    w.consume_wake(&wake, now)?;
                }
                let event = w.event("session.status_running", now, false);
                w.append(vec![event])?;
                w.set_status("running", Value::Null, now)?;
            }
            Action::Ask(ask) => return self.ask(ask),
            Action::Spawn(count) => self.spawn(count, ctx)?,
            Action::AwaitChildren => {
                if !self.children.iter().all(|c| ctx.finished.contains(c)) {
                    w.heartbeat()?;
                    self.script.push_front(Action::AwaitChildren);
                    return Ok(Next::After(3000));
                }
            }
            Action::End(ending) => return self.end(ending),
        }
        Ok(Next::After(self.pause()))
    }

    /// Writes the request and the idle event listing it in one append,
    /// then waits.
    pub(super) fn ask(&mut self, ask: Ask) -> Result<Next, SimError> {
        let now = Utc::now();
        let (kind, name, input) = ask.parts();
        let mut request = self.writer.request(kind, &name, input, now);
        if kind == "agent.tool_use" {
            request.insert("evaluated_permission".into(), json!("ask"));
        }
        let request_id = request["id"].as_str().unwrap_or_default().to_string();
        let stop = json!({"type": "requires_action", "event_ids": [request_id]});
        let mut idle = self.writer.event("session.status_idle", now, false);
        idle.insert("stop_reason".into(), stop.clone());
        self.writer.append(vec![request, idle])?;
        self.writer.set_status("idle", stop, now)?;
        self.wait_on(request_id, ask);
        Ok(Next::Wait)
    }

    fn spawn(&mut self, count: u32, ctx: &mut StepCtx) -> Result<(), SimError> {
        let now = Utc::now();
        for _ in 0..count {
            let (index, id) = ctx.ids.next();
            let task = content::task(&mut self.rng);
            let mut event = self.writer.event("agent.thread_message_sent", now, false);
            event.insert("to_session_id".into(), json!(id));
            event.insert(
                "content".into(),
                text(&format!("Started {id}: {}", task.title)),
            );
            self.writer.append(vec![event])?;
            ctx.spawned.push(SpawnRequest {
                index,
                id: id.clone(),
                parent_id: self.id().to_string(),
                task,
            });
            self.children.push(id);
        }
        Ok(())
    }

    /// No decision came: say so and end, as a runtime whose request timed
    /// out would (the request is then no longer pending).
    pub(super) fn give_up(&mut self) -> Result<(), SimError> {
        let Some(waiting) = self.waiting.take() else {
            return Ok(());
        };
        let mut event = self.writer.event("agent.message", Utc::now(), false);
        let text = format!(
            "No decision on {} came; giving up on it and ending here.",
            waiting.request_id
        );
        event.insert("content".into(), self::text(&text));
        self.writer.append(vec![event])?;
        self.script.clear();
        self.end(Ending::Terminated)?;
        self.life = Life::Ended;
        Ok(())
    }

    fn end(&mut self, ending: Ending) -> Result<Next, SimError> {
        let now = Utc::now();
        // A child's task done, it terminates: idle under a parent that then
        // ends would be orphaned, and a finished fleet is not a stuck one.
        let ending = match ending {
            Ending::EndTurn if self.parent_id().is_some() => Ending::Terminated,
            other => other,
        };
        let (kind, status, reason) = match ending {
            Ending::EndTurn => ("session.status_idle", "idle", "end_turn"),
            Ending::Terminated => ("session.status_terminated", "terminated", "end_turn"),
            Ending::RetriesExhausted => (
                "session.status_terminated",
                "terminated",
                "retries_exhausted",
            ),
        };
        if ending == Ending::RetriesExhausted {
            // The contract counts this as an error loop: say the sim meant it.
            let metadata = self
                .writer
                .doc_mut()
                .entry("metadata")
                .or_insert_with(|| json!({}));
            if let Some(map) = metadata.as_object_mut() {
                map.insert("sim_expect_stuck".into(), json!(["error_loop"]));
            }
        }
        let stop = json!({"type": reason});
        let mut event = self.writer.event(kind, now, false);
        event.insert("stop_reason".into(), stop.clone());
        self.writer.append(vec![event])?;
        self.writer.set_status(status, stop, now)?;
        self.life = Life::Ended;
        self.script.clear();
        Ok(Next::Ended)
    }

    fn add_usage(&mut self, now: chrono::DateTime<Utc>) -> Result<(), SimError> {
        let input = self.rng.random_range(800..6000u64);
        let output = self.rng.random_range(200..2500u64);
        let cached = self.rng.random_range(0..20000u64);
        let usage = self
            .writer
            .doc_mut()
            .entry("usage")
            .or_insert_with(|| json!({}));
        let add = |usage: &mut Value, key: &str, n: u64| {
            let total = usage.get(key).and_then(Value::as_u64).unwrap_or(0) + n;
            if let Some(map) = usage.as_object_mut() {
                map.insert(key.into(), json!(total));
            }
        };
        add(usage, "input_tokens", input);
        add(usage, "output_tokens", output);
        add(usage, "cache_creation_input_tokens", 0);
        add(usage, "cache_read_input_tokens", cached);
        let usage = usage.clone();
        let mut event = self.writer.event("session.usage", now, false);
        event.insert("usage".into(), usage);
        self.writer.append(vec![event])?;
        self.writer.save(now)
    }
}
