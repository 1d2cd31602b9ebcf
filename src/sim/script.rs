//! What a simulated agent does next: a queue of actions, each turned into
//! one or two journal events when its turn comes.

use serde_json::{Value, json};

/// One thing an agent does; `SimSession::perform` writes it out.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A task from the user, queued until the runtime takes its turn.
    UserMessage(String),
    Running,
    Thinking(String),
    Message(String),
    /// A tool use the runtime's policy allows; its result follows.
    Tool {
        name: String,
        input: Value,
        output: String,
    },
    ToolResult {
        tool_use_id: String,
        output: String,
    },
    Usage,
    /// A `session.error`; `exhausted` is the last one before giving up.
    Error {
        kind: usize,
        exhausted: bool,
    },
    /// Goes to `rescheduling` with a wake-queue entry due in `secs`.
    Reschedule {
        secs: u64,
        reason: &'static str,
    },
    /// The revisit ran: consume the entry, back to running.
    Wake,
    /// Something that needs a decision: the agent waits for it.
    Ask(Ask),
    /// An orchestrator starts `n` child sessions.
    Spawn(u32),
    /// An orchestrator waits (with a heartbeat) until its children end.
    AwaitChildren,
    End(Ending),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Idle with `end_turn`.
    EndTurn,
    /// Terminated with `end_turn`.
    Terminated,
    /// Terminated with `retries_exhausted`.
    RetriesExhausted,
}

/// A request that waits on a decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// `agent.tool_use` with `evaluated_permission: "ask"`.
    Tool {
        name: String,
        input: Value,
        output: String,
    },
    /// `agent.custom_tool_use` answered with text.
    Custom { name: String, input: Value },
    /// A plan submitted for approval (`submit_plan`).
    Plan(PlanDraft),
}

impl Ask {
    /// Event type, tool name and input of the request.
    pub fn parts(&self) -> (&'static str, String, Value) {
        match self {
            Self::Tool { name, input, .. } => ("agent.tool_use", name.clone(), input.clone()),
            Self::Custom { name, input } => ("agent.custom_tool_use", name.clone(), input.clone()),
            Self::Plan(draft) => (
                "agent.custom_tool_use",
                "submit_plan".into(),
                json!({"plan": draft.markdown(), "plan_id": draft.plan_id}),
            ),
        }
    }
}

/// A plan and how it came to be: revisions keep the `plan_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDraft {
    pub plan_id: String,
    pub title: String,
    pub steps: Vec<String>,
    /// Why this revision differs from the one before (reviewer's words).
    pub changes: Vec<String>,
    pub files: Vec<String>,
}

impl PlanDraft {
    pub fn markdown(&self) -> String {
        let mut md = format!("# Plan: {}\n\n## Steps\n\n", self.title);
        for (i, step) in self.steps.iter().enumerate() {
            md.push_str(&format!("{}. {step}\n", i + 1));
        }
        md.push_str("\n## Files\n\n");
        for file in &self.files {
            md.push_str(&format!("- `{file}`\n"));
        }
        if !self.changes.is_empty() {
            md.push_str("\n## Changes after review\n\n");
            for change in &self.changes {
                md.push_str(&format!("- {change}\n"));
            }
        }
        md
    }

    /// The next revision after a redirect: the reviewer's direction becomes
    /// the first step, and the change is recorded in the plan.
    pub fn redirected(&self, message: &str) -> Self {
        let mut next = self.clone();
        next.steps.insert(
            0,
            format!("{} (as the reviewer asked)", capitalise(message)),
        );
        next.changes.push(format!(
            "Redirected by the reviewer: \u{201c}{message}\u{201d}; now step 1."
        ));
        next
    }

    /// A different approach after a plain rejection: smaller scope, the
    /// reviewer's objection quoted.
    pub fn alternative(&self, message: &str) -> Self {
        let mut next = self.clone();
        let keep = next.steps.len().min(2);
        next.steps.truncate(keep);
        next.steps
            .push("Stop after this and report back before changing anything else".into());
        next.changes.push(format!(
            "Rejected with \u{201c}{message}\u{201d}: narrowed to the first {keep} steps."
        ));
        next
    }
}

fn capitalise(text: &str) -> String {
    let text = text.trim().trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PlanDraft {
        PlanDraft {
            plan_id: "plan_x".into(),
            title: "Fix login".into(),
            steps: vec!["Raise the timeout".into(), "Ship it".into()],
            changes: vec![],
            files: vec!["api/auth.py".into()],
        }
    }

    #[test]
    fn a_redirect_shows_in_the_next_revision() {
        let next = draft().redirected("add a failing test first");
        let md = next.markdown();
        assert!(
            md.contains("1. Add a failing test first (as the reviewer asked)"),
            "{md}"
        );
        assert!(md.contains("2. Raise the timeout"), "{md}");
        assert!(
            md.contains("\u{201c}add a failing test first\u{201d}"),
            "{md}"
        );
        assert_eq!(next.plan_id, "plan_x");
    }

    #[test]
    fn a_rejection_narrows_the_plan() {
        let md = draft().alternative("too risky").markdown();
        assert!(
            md.contains("too risky") && md.contains("Stop after this"),
            "{md}"
        );
    }

    #[test]
    fn plans_are_submit_plan_requests() {
        let (kind, name, input) = Ask::Plan(draft()).parts();
        assert_eq!(
            (kind, name.as_str()),
            ("agent.custom_tool_use", "submit_plan")
        );
        assert_eq!(input["plan_id"], "plan_x");
        assert!(
            input["plan"]
                .as_str()
                .unwrap()
                .starts_with("# Plan: Fix login")
        );
    }
}
