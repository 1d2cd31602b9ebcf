//! The kinds of simulated agents and the scripts they follow. Every choice
//! comes from the session's own seeded generator, so a seed replays exactly.

use std::collections::VecDeque;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::content::{self, Task, pick};
use super::script::{Action, Ask, Ending, PlanDraft};

/// What a simulated session is for; written to `metadata.sim_role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Fixes things with tools; some need confirmation.
    Worker,
    /// Submits a plan for approval first.
    Planner,
    /// Asks a custom tool (answered with `respond`).
    Support,
    /// Splits a task across child sessions.
    Orchestrator,
    /// Set up to fire one stuck rule (see `stuck_setup`).
    Stuck,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::Planner => "planner",
            Self::Support => "support",
            Self::Orchestrator => "orchestrator",
            Self::Stuck => "stuck",
        }
    }

    /// The agent's `max_concurrent` (ext). The repo fixer's limit is low on
    /// purpose: a busy demo fleet runs it over, which the agents view flags.
    pub fn max_concurrent(self) -> u64 {
        match self {
            Self::Worker | Self::Stuck => 2,
            Self::Planner => 4,
            Self::Support => 6,
            Self::Orchestrator => 3,
        }
    }

    pub fn agent(self) -> (&'static str, &'static str) {
        match self {
            Self::Worker | Self::Stuck => ("agent_repo_fixer", "repo-fixer"),
            Self::Planner => ("agent_planner", "planner"),
            Self::Support => ("agent_support", "support-desk"),
            Self::Orchestrator => ("agent_orchestrator", "orchestrator"),
        }
    }
}

/// How eager a script is to reach its decision points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tempo {
    /// A realistic life: reading, errors, reschedules, sometimes asks.
    Natural,
    /// Straight to the request (the `review` scenario); the variant picks
    /// which request (an edit, a push, a shell command).
    Review(usize),
}

fn slug(title: &str) -> String {
    title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join("-")
}

pub fn edit_ask(task: &Task) -> Ask {
    Ask::Tool {
        name: "edit_file".into(),
        input: json!({"path": task.file, "diff": content::unified_diff(task.file, task.before, task.after)}),
        output: format!("Applied 1 hunk to {}", task.file),
    }
}

pub fn push_ask(task: &Task) -> Ask {
    let command = format!("git push origin fix/{}", slug(task.title));
    Ask::Tool {
        name: "bash".into(),
        input: json!({"command": command}),
        output: "To origin\n * [new branch]      HEAD -> fix".into(),
    }
}

fn bash_ask(command: &str) -> Ask {
    Ask::Tool {
        name: "bash".into(),
        input: json!({"command": command}),
        output: "done".into(),
    }
}

fn read_tool(rng: &mut ChaCha8Rng, task: &Task) -> Action {
    let command = if rng.random_bool(0.5) {
        format!("sed -n 1,80p {}", task.file)
    } else {
        pick(rng, content::READS).to_string()
    };
    let output = content::command_output(&command, rng);
    Action::Tool {
        name: "bash".into(),
        input: json!({"command": command}),
        output,
    }
}

fn test_tool(rng: &mut ChaCha8Rng, task: &Task) -> Action {
    Action::Tool {
        name: "bash".into(),
        input: json!({"command": task.test}),
        output: content::command_output(task.test, rng),
    }
}

fn error(rng: &mut ChaCha8Rng, exhausted: bool) -> Action {
    Action::Error {
        kind: rng.random_range(0..content::ERRORS.len()),
        exhausted,
    }
}

pub fn plan_draft(task: &Task, plan_id: String) -> PlanDraft {
    PlanDraft {
        plan_id,
        title: task.title.into(),
        steps: task.steps.iter().map(|s| s.to_string()).collect(),
        changes: Vec::new(),
        files: vec![task.file.into()],
    }
}

/// The opening every session shares: the runtime takes the queued task.
fn opening(rng: &mut ChaCha8Rng, script: &mut VecDeque<Action>) {
    script.push_back(Action::Running);
    script.push_back(Action::Thinking(pick(rng, content::THINKING).into()));
}

fn opening_with(thought: String, script: &mut VecDeque<Action>) {
    script.push_back(Action::Running);
    script.push_back(Action::Thinking(thought));
}

pub fn worker(rng: &mut ChaCha8Rng, task: &Task, tempo: Tempo) -> VecDeque<Action> {
    let mut s = VecDeque::new();
    opening(rng, &mut s);
    if let Tempo::Review(variant) = tempo {
        let ask = match variant % 3 {
            0 => edit_ask(task),
            1 => push_ask(task),
            _ => bash_ask(&format!("rm -rf build/ && {}", task.test)),
        };
        s.push_back(Action::Ask(ask));
        s.push_back(test_tool(rng, task));
        s.push_back(Action::Message(format!("{} is done.", task.title)));
        s.push_back(Action::End(Ending::EndTurn));
        return s;
    }
    s.push_back(Action::Message(format!("Looking at {}.", task.file)));
    for _ in 0..rng.random_range(1..3) {
        s.push_back(read_tool(rng, task));
    }
    s.push_back(Action::Usage);
    if rng.random_bool(0.3) {
        s.push_back(error(rng, false));
    }
    if rng.random_bool(0.25) {
        s.push_back(Action::Reschedule {
            secs: rng.random_range(3..9),
            reason: "retry after rate limit",
        });
        s.push_back(Action::Wake);
    }
    s.push_back(Action::Message(pick(rng, content::PROGRESS).into()));
    if rng.random_bool(0.12) {
        // Gives up: two more retries, then the last error is final.
        s.push_back(error(rng, false));
        s.push_back(error(rng, false));
        s.push_back(error(rng, true));
        s.push_back(Action::End(Ending::RetriesExhausted));
        return s;
    }
    if rng.random_bool(0.5) {
        s.push_back(Action::Ask(edit_ask(task)));
    } else {
        s.push_back(Action::Tool {
            name: "edit_file".into(),
            input: json!({"path": task.file, "diff": content::unified_diff(task.file, task.before, task.after)}),
            output: format!("Applied 1 hunk to {}", task.file),
        });
    }
    s.push_back(test_tool(rng, task));
    s.push_back(Action::Usage);
    if rng.random_bool(0.35) {
        s.push_back(Action::Ask(push_ask(task)));
    }
    s.push_back(Action::Message(format!(
        "{}: done. Changed {}; `{}` passes.",
        task.title, task.file, task.test
    )));
    s.push_back(Action::Usage);
    s.push_back(Action::End(Ending::EndTurn));
    s
}

pub fn planner(
    rng: &mut ChaCha8Rng,
    task: &Task,
    plan_id: String,
    tempo: Tempo,
) -> VecDeque<Action> {
    let mut s = VecDeque::new();
    opening(rng, &mut s);
    if let Tempo::Natural = tempo {
        s.push_back(read_tool(rng, task));
        s.push_back(Action::Usage);
    }
    s.push_back(Action::Ask(Ask::Plan(plan_draft(task, plan_id))));
    s.push_back(Action::Tool {
        name: "edit_file".into(),
        input: json!({"path": task.file, "diff": content::unified_diff(task.file, task.before, task.after)}),
        output: format!("Applied 1 hunk to {}", task.file),
    });
    s.push_back(test_tool(rng, task));
    s.push_back(Action::Usage);
    s.push_back(Action::Message(format!(
        "Followed the approved plan for {}.",
        task.title
    )));
    s.push_back(Action::End(Ending::EndTurn));
    s
}

pub fn support(rng: &mut ChaCha8Rng) -> (String, String, VecDeque<Action>) {
    let (tool, key, value) = pick(rng, content::LOOKUPS);
    let title = format!("Customer question about {value}");
    let prompt = format!("A customer asks about {value}. Find out and answer them.");
    let mut s = VecDeque::new();
    opening_with(
        format!("Our systems know more about {value} than I do; ask {tool}."),
        &mut s,
    );
    s.push_back(Action::Ask(Ask::Custom {
        name: tool.into(),
        input: json!({ key: value }),
    }));
    s.push_back(Action::Usage);
    s.push_back(Action::End(Ending::EndTurn));
    (title, prompt, s)
}

pub fn orchestrator(children: u32) -> VecDeque<Action> {
    let mut s = VecDeque::new();
    opening_with(
        "Each bug is independent; one session per bug finishes sooner.".into(),
        &mut s,
    );
    s.push_back(Action::Message(format!(
        "Splitting the release into {children} tasks, one session each."
    )));
    s.push_back(Action::Spawn(children));
    s.push_back(Action::AwaitChildren);
    s.push_back(Action::Message(format!(
        "All {children} tasks have ended. Release notes are ready."
    )));
    s.push_back(Action::Usage);
    s.push_back(Action::End(Ending::Terminated));
    s
}

/// What the agent does after a tool request is denied: something else,
/// never the same thing again.
pub fn after_denial(ask: &Ask, message: &str, denials: u32) -> Vec<Action> {
    let Ask::Tool { name, input, .. } = ask else {
        return Vec::new();
    };
    let command = input.get("command").and_then(|c| c.as_str()).unwrap_or("");
    if name == "edit_file" && denials <= 1 {
        let path = input.get("path").and_then(|p| p.as_str()).unwrap_or("file");
        let comment = comment_prefix(path);
        let diff = format!(
            "--- a/{path}\n+++ b/{path}\n@@ -1 +1,2 @@\n+{comment} TODO(review): {}\n",
            message.replace('\n', " ")
        );
        return vec![
            Action::Thinking(format!(
                "The reviewer objected: \u{201c}{message}\u{201d}. A smaller change that only records the follow-up."
            )),
            Action::Ask(Ask::Tool {
                name: "edit_file".into(),
                input: json!({"path": path, "diff": diff}),
                output: format!("Applied 1 hunk to {path}"),
            }),
        ];
    }
    if command.starts_with("git push") {
        return vec![
            Action::Tool {
                name: "bash".into(),
                input: json!({"command": "git format-patch origin/main -o patches/"}),
                output: "patches/0001-fix.patch".into(),
            },
            Action::Message(
                "Not pushing. The patches are in patches/ for you to review and push.".into(),
            ),
        ];
    }
    vec![Action::Message(format!(
        "Skipping `{}`; continuing without it.",
        if command.is_empty() {
            name.as_str()
        } else {
            command
        }
    ))]
}

fn comment_prefix(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("py") | Some("sh") | Some("toml") | Some("yaml") => "#",
        Some("sql") => "--",
        Some("md") => ">",
        _ => "//",
    }
}
