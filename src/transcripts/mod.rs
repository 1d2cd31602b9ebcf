//! Other tools' transcripts converted into Switchboard sessions, purely.
//!
//! Each converter turns a transcript, line by line, into synthetic journal
//! lines (serialized contract events) and a synthetic `session.json`, so the
//! summary fold, pending, stuck rules, views and the event stream work on
//! them unchanged. Reading and following the files is the store's
//! (`store::transcript`); discovering them is `adapters`'.

pub mod bridge_agent;
pub mod claude_code;
pub mod codex;
pub mod events;
pub mod inference;

use serde_json::{Map, Value};

use crate::model::time::Timestamp;

pub use bridge_agent::BridgeAgent;

/// Which tool's transcripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdapterKind {
    ClaudeCode,
    Codex,
}

impl AdapterKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::ClaudeCode => claude_code::SOURCE,
            Self::Codex => codex::SOURCE,
        }
    }
}

/// Converts one transcript into contract events, one complete line at a time.
pub trait TranscriptConverter: Send {
    /// Counts one more transcript line (ids of events without their own
    /// derive from the line number).
    fn next_line(&mut self);

    /// The contract events for one transcript record (a JSON object).
    fn convert_record(&mut self, record: Map<String, Value>) -> Vec<Map<String, Value>>;

    /// The synthetic journal lines (no `\n`) for one complete transcript line.
    /// Lines that are not JSON objects pass through unchanged, so readers
    /// count them as malformed exactly as they would in a native journal.
    fn convert_line(&mut self, line: &[u8]) -> Vec<Vec<u8>> {
        self.next_line();
        if line.iter().all(u8::is_ascii_whitespace) {
            return Vec::new();
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(Value::Object(record)) => self
                .convert_record(record)
                .into_iter()
                .map(events::to_line)
                .collect(),
            _ => vec![line.to_vec()],
        }
    }

    /// The synthetic `session.json` as it stands after the lines so far, with
    /// its status inferred at `now`.
    fn session_doc(&self, now: Timestamp) -> Map<String, Value>;
}

/// Test helpers both converters' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::Value;

    use super::TranscriptConverter;

    /// Feeds `lines` to `converter`; the events it made, decoded.
    pub fn convert_all<C: TranscriptConverter>(
        mut converter: C,
        lines: &[&str],
    ) -> (C, Vec<Value>) {
        let mut events = Vec::new();
        for line in lines {
            for out in converter.convert_line(line.as_bytes()) {
                events.push(serde_json::from_slice(&out).unwrap_or(Value::Null));
            }
        }
        (converter, events)
    }

    /// Each event's `type`.
    pub fn types(events: &[Value]) -> Vec<&str> {
        events
            .iter()
            .map(|e| e["type"].as_str().unwrap_or("?"))
            .collect()
    }
}
