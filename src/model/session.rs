//! `session.json`: the session's durable state, read leniently.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::time::{Timestamp, parse_rfc3339};

/// `stop_reason`: `{"type": …, "event_ids": […]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StopReason {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_ids: Vec<String>,
}

/// Tokens a session used. Anthropic's convention by default: the four
/// counts are disjoint (`input_tokens` excludes cache reads and writes).
/// OpenAI's models (Codex) count cache reads inside `input_tokens`, as Codex
/// and ccusage show them; `input_includes_cache_read` says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub input_includes_cache_read: bool,
}

impl Usage {
    /// Every token once.
    pub fn total(&self) -> u64 {
        let cache_read = if self.input_includes_cache_read {
            0
        } else {
            self.cache_read_input_tokens
        };
        self.input_tokens
            .saturating_add(self.output_tokens)
            .saturating_add(self.cache_creation_input_tokens)
            .saturating_add(cache_read)
    }

    /// Input tokens billed at the full input price.
    pub fn uncached_input(&self) -> u64 {
        if self.input_includes_cache_read {
            self.input_tokens
                .saturating_sub(self.cache_read_input_tokens)
        } else {
            self.input_tokens
        }
    }

    /// The same counts with disjoint fields (Anthropic's convention).
    pub fn disjoint(&self) -> Usage {
        Usage {
            input_tokens: self.uncached_input(),
            input_includes_cache_read: false,
            ..self.clone()
        }
    }

    /// Adds `more`; when the two count input differently the sum is kept
    /// disjoint, so no token is counted twice.
    pub fn add(&mut self, more: &Usage) {
        if *self == Usage::default() {
            self.input_includes_cache_read = more.input_includes_cache_read;
        }
        if self.input_includes_cache_read != more.input_includes_cache_read {
            *self = self.disjoint();
            return self.add(&more.disjoint());
        }
        self.input_tokens = self.input_tokens.saturating_add(more.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(more.output_tokens);
        self.cache_creation_input_tokens = self
            .cache_creation_input_tokens
            .saturating_add(more.cache_creation_input_tokens);
        self.cache_read_input_tokens = self
            .cache_read_input_tokens
            .saturating_add(more.cache_read_input_tokens);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Agent {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub max_concurrent: Option<u64>,
}

/// `session.json`, every field optional so that a partial file still shows.
/// `raw` keeps the whole document, unknown fields included.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionDoc {
    pub id: Option<String>,
    pub agent: Agent,
    pub environment_id: Option<String>,
    pub parent_id: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub stop_reason: Option<StopReason>,
    pub metadata: Map<String, Value>,
    pub resources: Vec<Value>,
    pub usage: Usage,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub archived_at: Option<Timestamp>,
    pub raw: Map<String, Value>,
}

impl SessionDoc {
    /// Reads the document from a decoded JSON object. Fields of the wrong
    /// type are ignored rather than failing the whole session.
    pub fn from_object(raw: Map<String, Value>) -> Self {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_string);
        let time = |key: &str| raw.get(key).and_then(Value::as_str).and_then(parse_rfc3339);
        let typed = |key: &str| raw.get(key).cloned().unwrap_or(Value::Null);
        Self {
            id: text("id"),
            agent: serde_json::from_value(typed("agent")).unwrap_or_default(),
            environment_id: text("environment_id"),
            parent_id: text("parent_id"),
            title: text("title"),
            status: text("status"),
            stop_reason: serde_json::from_value(typed("stop_reason")).ok(),
            metadata: raw
                .get("metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            resources: raw
                .get("resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            usage: serde_json::from_value(typed("usage")).unwrap_or_default(),
            created_at: time("created_at"),
            updated_at: time("updated_at"),
            archived_at: time("archived_at"),
            raw,
        }
    }

    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, String> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self::from_object(map)),
            Ok(_) => Err("session.json is not a JSON object".into()),
            Err(e) => Err(format!("session.json is not valid JSON: {e}")),
        }
    }

    pub fn agent_id(&self) -> Option<&str> {
        self.agent.id.as_deref()
    }

    pub fn agent_label(&self) -> &str {
        self.agent
            .name
            .as_deref()
            .or(self.agent.id.as_deref())
            .unwrap_or("-")
    }

    pub fn lane(&self) -> Option<&str> {
        self.metadata.get("lane").and_then(Value::as_str)
    }

    /// `metadata.ttl_minutes` when it is a positive number.
    pub fn ttl_minutes(&self) -> Option<u64> {
        self.metadata.get("ttl_minutes").and_then(Value::as_u64)
    }

    pub fn is_archived(&self) -> bool {
        self.raw.get("archived_at").is_some_and(|v| !v.is_null())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_contract_example() {
        let doc = SessionDoc::from_json_bytes(
            br#"{"id":"sesn_01HV7M2K9","type":"session",
            "agent":{"id":"agent_repo_fixer","name":"repo-fixer","max_concurrent":2},
            "environment_id":"env_local","parent_id":null,"title":"Fix login timeout",
            "status":"idle","stop_reason":{"type":"requires_action","event_ids":["sevt_0007"]},
            "metadata":{"lane":"repo-fix","user_scope":"alice","ttl_minutes":90},
            "resources":[{"type":"worktree","path":"../tasks/task-42"}],
            "usage":{"input_tokens":5000,"output_tokens":3200,"cache_creation_input_tokens":0,"cache_read_input_tokens":20000},
            "created_at":"2026-11-21T09:00:00Z","updated_at":"2026-11-21T09:04:10Z","archived_at":null,
            "future_field":true}"#,
        )
        .unwrap();
        assert_eq!(doc.agent_id(), Some("agent_repo_fixer"));
        assert_eq!(doc.agent.max_concurrent, Some(2));
        assert_eq!(
            doc.stop_reason.clone().unwrap().event_ids,
            vec!["sevt_0007"]
        );
        assert_eq!(doc.usage.total(), 28_200);
        assert_eq!(doc.lane(), Some("repo-fix"));
        assert_eq!(doc.ttl_minutes(), Some(90));
        assert!(!doc.is_archived());
        assert!(doc.raw.contains_key("future_field"));
    }

    #[test]
    fn wrong_types_do_not_fail_the_session() {
        let doc =
            SessionDoc::from_json_bytes(br#"{"agent":"oops","usage":"lots","title":3}"#).unwrap();
        assert_eq!(doc.agent_label(), "-");
        assert_eq!(doc.usage.total(), 0);
        assert!(doc.title.is_none());
        assert!(SessionDoc::from_json_bytes(b"[]").is_err());
        assert!(SessionDoc::from_json_bytes(b"{").is_err());
    }
}
