//! `wake-queue.jsonl`: scheduled revisits, merged by id.

use serde_json::Value;

use super::time::{Timestamp, parse_rfc3339};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WakeEntry {
    pub id: String,
    pub due_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub consumed_at: Option<Timestamp>,
}

impl WakeEntry {
    /// Due and not consumed.
    pub fn is_outstanding(&self, now: Timestamp) -> bool {
        self.consumed_at.is_none() && self.due_at.is_some_and(|due| due <= now)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WakeQueue {
    pub entries: Vec<WakeEntry>,
    pub malformed_lines: u64,
}

impl WakeQueue {
    /// Parses the file's bytes; lines for the same id merge (the consumed
    /// marker is a later line). A torn last line is not read yet.
    pub fn parse(bytes: &[u8]) -> Self {
        let mut queue = Self::default();
        let complete = match memchr::memrchr(b'\n', bytes) {
            Some(end) => &bytes[..=end],
            None => &[][..],
        };
        for line in complete.split(|b| *b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(map)) => match map.get("id").and_then(Value::as_str) {
                    Some(id) => queue.merge(id, &map),
                    None => queue.malformed_lines += 1,
                },
                _ => queue.malformed_lines += 1,
            }
        }
        queue
    }

    fn merge(&mut self, id: &str, map: &serde_json::Map<String, Value>) {
        let time = |key: &str| map.get(key).and_then(Value::as_str).and_then(parse_rfc3339);
        let index = match self.entries.iter().position(|e| e.id == id) {
            Some(index) => index,
            None => {
                self.entries.push(WakeEntry {
                    id: id.to_string(),
                    due_at: None,
                    reason: None,
                    consumed_at: None,
                });
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        if let Some(due) = time("due_at") {
            entry.due_at = Some(due);
        }
        if let Some(reason) = map.get("reason").and_then(Value::as_str) {
            entry.reason = Some(reason.to_string());
        }
        if let Some(consumed) = time("consumed_at") {
            entry.consumed_at = Some(consumed);
        }
    }

    pub fn outstanding(&self, now: Timestamp) -> impl Iterator<Item = &WakeEntry> {
        self.entries.iter().filter(move |e| e.is_outstanding(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_consumed_markers() {
        let bytes =
            b"{\"id\":\"wake_1\",\"due_at\":\"2026-11-21T09:00:00Z\",\"reason\":\"retry\"}\n\
{\"id\":\"wake_2\",\"due_at\":\"2026-11-21T09:05:00Z\"}\n\
{\"id\":\"wake_1\",\"consumed_at\":\"2026-11-21T09:00:03Z\"}\n\
not json\n\
{\"id\":\"wake_3\",\"due_at\":\"2026-11-21T09:0";
        let queue = WakeQueue::parse(bytes);
        assert_eq!(queue.entries.len(), 2);
        assert_eq!(queue.malformed_lines, 1);
        let now = parse_rfc3339("2026-11-21T09:10:00Z").unwrap();
        let outstanding: Vec<_> = queue.outstanding(now).map(|e| e.id.as_str()).collect();
        assert_eq!(outstanding, vec!["wake_2"]);
        assert_eq!(queue.entries[0].reason.as_deref(), Some("retry"));
    }
}
