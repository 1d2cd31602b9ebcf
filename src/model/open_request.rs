//! An unanswered request as a summary keeps it. A big journal holds
//! hundreds of thousands of tool uses that no idle event ever lists, and
//! the summary forgets all but the newest few thousand of them; decoding
//! each into a `RequestRecord` was a third of a first fold's cost. So a
//! request folded from its head stays the line it was written on
//! until something reads it.

use std::borrow::Cow;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serializer};

use super::event_type::EventType;
use super::line::parse_head;
use super::pending::{PlanRevision, RequestRecord};

/// A request line whose head decoded and which is within the full
/// decoder's limits (see `PreparedEvent::request_from_head`).
#[derive(Debug, Clone)]
pub struct WrittenRequest {
    line: Box<[u8]>,
    kind: EventType,
}

impl WrittenRequest {
    /// Only for a line `parse_head` reads and `within_decoder_limits`
    /// accepts, whose type is `kind`, a request type.
    pub fn new(line: &[u8], kind: EventType) -> Self {
        debug_assert!(kind.is_request());
        Self {
            line: line.into(),
            kind,
        }
    }

    /// The request decoded, as `RequestRecord::from_head` reads its line.
    fn read(&self, plan: Option<&PlanRevision>) -> RequestRecord {
        let mut record = match parse_head(&self.line) {
            Some(head) => RequestRecord::from_head(&head, self.kind.clone()),
            // Unreachable: the head decoded when the request was folded,
            // and decoding is deterministic. Were it not, the request could
            // not be matched, so it could never be approved.
            None => RequestRecord::unreadable(self.kind.clone()),
        };
        record.plan = plan.cloned();
        record
    }
}

/// An open request: decoded, or still as written.
#[derive(Debug, Clone)]
pub enum OpenRequest {
    Read(Box<RequestRecord>),
    Written {
        request: WrittenRequest,
        plan: Option<PlanRevision>,
    },
}

impl OpenRequest {
    pub fn event_type(&self) -> &EventType {
        match self {
            Self::Read(record) => &record.event_type,
            Self::Written { request, .. } => &request.kind,
        }
    }

    /// The request, decoded if it is not yet.
    pub fn record(&self) -> Cow<'_, RequestRecord> {
        match self {
            Self::Read(record) => Cow::Borrowed(record),
            Self::Written { request, plan } => Cow::Owned(request.read(plan.as_ref())),
        }
    }

    /// The request, decoded once and for all, to change it.
    pub fn record_mut(&mut self) -> &mut RequestRecord {
        if let Self::Written { request, plan } = self {
            *self = Self::Read(Box::new(request.read(plan.as_ref())));
        }
        match self {
            Self::Read(record) => record,
            Self::Written { .. } => unreachable!("decoded just above"),
        }
    }
}

/// Equal when they decode to the same request.
impl PartialEq for OpenRequest {
    fn eq(&self, other: &Self) -> bool {
        self.record() == other.record()
    }
}

/// Open requests by id, written and read as decoded records, so a cached
/// summary does not depend on how its requests were folded.
pub mod by_id {
    use super::*;
    use indexmap::IndexMap;

    pub fn serialize<S: Serializer>(
        requests: &IndexMap<String, OpenRequest>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(requests.len()))?;
        for (id, request) in requests {
            map.serialize_entry(id, &*request.record())?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<IndexMap<String, OpenRequest>, D::Error> {
        let records = IndexMap::<String, RequestRecord>::deserialize(deserializer)?;
        Ok(records
            .into_iter()
            .map(|(id, record)| (id, OpenRequest::Read(Box::new(record))))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::line::parse_head;

    const TOOL: &[u8] = br#"{"id":"e1","type":"agent.tool_use","created_at":"2026-11-21T09:00:00Z","name":"bash","input":{"command":"ls"},"fingerprint":"sha256:x"}"#;

    #[test]
    fn a_written_request_reads_as_one_decoded_from_its_head() {
        let head = parse_head(TOOL).unwrap();
        let decoded = RequestRecord::from_head(&head, EventType::AgentToolUse);
        let plan = PlanRevision {
            plan_id: None,
            revision: 2,
        };
        let mut written = OpenRequest::Written {
            request: WrittenRequest::new(TOOL, EventType::AgentToolUse),
            plan: Some(plan.clone()),
        };
        let mut expected = decoded.clone();
        expected.plan = Some(plan);
        assert_eq!(*written.record(), expected);
        assert_eq!(written.event_type(), &EventType::AgentToolUse);
        assert_eq!(written, OpenRequest::Read(Box::new(expected.clone())));
        written.record_mut().fingerprint = "sha256:y".into();
        assert!(matches!(&written, OpenRequest::Read(r) if r.fingerprint == "sha256:y"));
    }

    #[test]
    fn written_requests_are_cached_as_decoded_records() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Holder {
            #[serde(with = "by_id")]
            requests: indexmap::IndexMap<String, OpenRequest>,
        }
        let written = OpenRequest::Written {
            request: WrittenRequest::new(TOOL, EventType::AgentToolUse),
            plan: None,
        };
        let holder = Holder {
            requests: [("e1".to_string(), written)].into_iter().collect(),
        };
        let text = serde_json::to_string(&holder).unwrap();
        assert!(text.contains(r#""input":{"command":"ls"}"#), "{text}");
        let back: Holder = serde_json::from_str(&text).unwrap();
        assert!(matches!(back.requests["e1"], OpenRequest::Read(_)));
        assert_eq!(back, holder);
    }
}
