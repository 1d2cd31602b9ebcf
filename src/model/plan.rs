//! Plans: requests whose tool is a plan tool and whose `input.plan` is Markdown.

use serde_json::Value;

use super::event::Event;
use super::line::RawHead;

/// The tool names that submit plans (configurable; the contract's default).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanTools(pub Vec<String>);

impl Default for PlanTools {
    fn default() -> Self {
        Self(vec!["submit_plan".into(), "ExitPlanMode".into()])
    }
}

impl PlanTools {
    /// Whether a request event is a plan; `Some(plan_id)` (itself optional) if so.
    pub fn plan_group(&self, event: &Event) -> Option<Option<String>> {
        if !event.kind.is_request() {
            return None;
        }
        self.plan_group_of(event.name(), event.input())
    }

    /// `plan_group` for a request's `name` and `input`, taken apart.
    fn plan_group_of(&self, name: Option<&str>, input: &Value) -> Option<Option<String>> {
        self.is_plan_tool(name?).then(|| group_of(input))?
    }

    /// `plan_group_of` for a request's head: its `input` is decoded only
    /// when the tool is a plan tool.
    pub fn plan_group_of_head(&self, head: &RawHead<'_>) -> Option<Option<String>> {
        if !self.is_plan_tool(&head.name_str()?) {
            return None;
        }
        group_of(&head.input_value())
    }

    fn is_plan_tool(&self, name: &str) -> bool {
        self.0.iter().any(|tool| tool == name)
    }
}

/// The plan group of a plan tool's `input`: `None` unless `input.plan` is a
/// string; then its `plan_id`, if any.
fn group_of(input: &Value) -> Option<Option<String>> {
    input.get("plan")?.as_str()?;
    Some(match input.get("plan_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(other) => Some(other.to_string()),
    })
}

/// The Markdown of a plan request.
pub fn plan_markdown(event: &Event) -> Option<&str> {
    event.input().get("plan")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: Value) -> Event {
        Event::from_object(v.as_object().cloned().unwrap()).unwrap()
    }

    #[test]
    fn recognises_plans() {
        let tools = PlanTools::default();
        let plan = event(
            json!({"id":"1","type":"agent.custom_tool_use","name":"submit_plan",
            "input":{"plan":"# Plan","plan_id":"p1"}}),
        );
        assert_eq!(tools.plan_group(&plan), Some(Some("p1".into())));
        let no_id = event(
            json!({"id":"1","type":"agent.tool_use","name":"ExitPlanMode",
            "input":{"plan":"# Plan"}}),
        );
        assert_eq!(tools.plan_group(&no_id), Some(None));
        let not_markdown = event(
            json!({"id":"1","type":"agent.tool_use","name":"submit_plan",
            "input":{"plan":{"steps":[]}}}),
        );
        assert_eq!(tools.plan_group(&not_markdown), None);
        let other_tool = event(json!({"id":"1","type":"agent.tool_use","name":"bash",
            "input":{"plan":"x"}}));
        assert_eq!(tools.plan_group(&other_tool), None);
        let not_request = event(json!({"id":"1","type":"agent.message","name":"submit_plan",
            "input":{"plan":"x"}}));
        assert_eq!(tools.plan_group(&not_request), None);
    }
}
