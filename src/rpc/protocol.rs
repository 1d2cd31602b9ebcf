//! The daemon's wire protocol: JSON-RPC 2.0, one JSON object per line over a
//! Unix stream socket. Every request, result, notification and error code the
//! daemon and its clients exchange is declared here (see `docs/protocol.md`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::session::SessionDoc;
use crate::model::time::Timestamp;
use crate::model::wake::{WakeEntry, WakeQueue};
use crate::store::DecideError;
use crate::views::{DoctorRow, PendingRow, SessionRow};

/// The largest frame (one line) the daemon reads; a longer one is refused
/// and skipped up to its newline.
pub const MAX_REQUEST_FRAME: usize = 1 << 20;
/// The largest frame a client reads: results carry whole journal lines,
/// which the daemon never splits.
pub const MAX_RESPONSE_FRAME: usize = 256 << 20;
/// `events.read` defaults and ceilings.
pub const DEFAULT_PAGE_LINES: usize = 1000;
pub const MAX_PAGE_LINES: usize = 10_000;
pub const DEFAULT_PAGE_BYTES: usize = 512 << 10;
pub const MAX_PAGE_BYTES: usize = 4 << 20;

pub const JSONRPC: &str = "2.0";

/// Method names.
pub mod method {
    pub const SESSIONS_LIST: &str = "sessions.list";
    pub const SESSIONS_GET: &str = "sessions.get";
    pub const EVENTS_READ: &str = "events.read";
    pub const PENDING_LIST: &str = "pending.list";
    pub const DOCTOR: &str = "doctor";
    pub const DECIDE: &str = "decide";
    pub const SUBSCRIBE: &str = "subscribe";
    pub const UNSUBSCRIBE: &str = "unsubscribe";
    pub const STATUS: &str = "daemon.status";
}

/// Notification names (server to client, no id).
pub mod notification {
    pub const SESSION_LOADED: &str = "session.loaded";
    pub const SESSION_META: &str = "session.meta";
    pub const SESSION_REMOVED: &str = "session.removed";
    pub const EVENTS_APPENDED: &str = "events.appended";
    pub const PENDING_ADDED: &str = "pending.added";
    pub const PENDING_RESOLVED: &str = "pending.resolved";
    pub const HEALTH: &str = "source.health";
    /// The daemon's telemetry changed state (an export started or stopped
    /// working).
    pub const TELEMETRY: &str = "telemetry";
    pub const RESYNC: &str = "resync";
}

/// Error codes: JSON-RPC's own, then the application's (-32001…-32099).
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL: i64 = -32603;
    pub const NOT_FOUND: i64 = -32001;
    pub const ALREADY_DECIDED: i64 = -32002;
    /// Stale fingerprint, or a tampered request (`data.reason` tells which).
    pub const STALE: i64 = -32003;
    pub const INVALID_DECISION: i64 = -32004;
    pub const IO: i64 = -32005;
    pub const FRAME_TOO_LARGE: i64 = -32006;
    pub const PEER_REFUSED: i64 = -32007;
}

/// The CLI exit code a daemon error stands for, so `--connect` exits as
/// `--root` would (`cli.md`: 5 not found, 4 already decided, 3 stale, 2 usage).
pub fn exit_code_of(error_code: i64) -> u8 {
    match error_code {
        code::NOT_FOUND => 5,
        code::ALREADY_DECIDED => 4,
        code::STALE => 3,
        code::INVALID_DECISION | code::INVALID_PARAMS => 2,
        _ => 1,
    }
}

/// A request as read off the wire; checked field by field so that a bad
/// one gets the right error code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub jsonrpc: String,
    /// Absent for a notification (the daemon answers nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    pub method: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub params: Value,
}

/// A response: exactly one of `result` and `error`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Response {
    pub jsonrpc: String,
    pub id: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RpcError>,
}

impl Response {
    pub fn ok(id: Value, result: Value) -> Self {
        Self {
            jsonrpc: JSONRPC.into(),
            id,
            result: Some(result),
            error: None,
        }
    }

    pub fn err(id: Value, error: RpcError) -> Self {
        Self {
            jsonrpc: JSONRPC.into(),
            id,
            result: None,
            error: Some(error),
        }
    }
}

/// A server-to-client notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notification {
    pub jsonrpc: String,
    pub method: String,
    #[serde(default)]
    pub params: Value,
}

impl Notification {
    pub fn new(method: &str, params: impl Serialize) -> Self {
        Self {
            jsonrpc: JSONRPC.into(),
            method: method.into(),
            params: serde_json::to_value(params).unwrap_or(Value::Null),
        }
    }
}

/// Anything the server sends: told apart by whether it has an `id`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ServerMessage {
    Response(Response),
    Notification(Notification),
}

/// A JSON-RPC error object; `data.reason` is a stable machine name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ErrorData>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorData {
    pub reason: String,
}

impl RpcError {
    pub fn new(code: i64, reason: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: Some(ErrorData {
                reason: reason.into(),
            }),
        }
    }

    pub fn parse(message: impl Into<String>) -> Self {
        Self::new(code::PARSE_ERROR, "parse_error", message)
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, "invalid_request", message)
    }

    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            code::METHOD_NOT_FOUND,
            "method_not_found",
            format!("there is no method {method:?}; see docs/protocol.md for the list"),
        )
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_PARAMS, "invalid_params", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(code::NOT_FOUND, "not_found", message)
    }

    pub fn io(message: impl Into<String>) -> Self {
        Self::new(code::IO, "io", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(code::INTERNAL, "internal", message)
    }

    pub fn frame_too_large() -> Self {
        Self::new(
            code::FRAME_TOO_LARGE,
            "frame_too_large",
            format!("a request line may be at most {MAX_REQUEST_FRAME} bytes; it was skipped"),
        )
    }

    pub fn reason(&self) -> Option<&str> {
        self.data.as_ref().map(|d| d.reason.as_str())
    }
}

impl From<DecideError> for RpcError {
    fn from(e: DecideError) -> Self {
        let reason = e.code_name();
        let code = match reason {
            "not_found" => code::NOT_FOUND,
            "already_decided" => code::ALREADY_DECIDED,
            "stale" | "tampered" => code::STALE,
            "invalid" => code::INVALID_DECISION,
            _ => code::IO,
        };
        Self::new(code, reason, e.to_string())
    }
}

// ---- params -------------------------------------------------------------

/// `sessions.list`, `pending.list`, `doctor`: the time the views are
/// computed at (default: the daemon's clock).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetParams {
    pub session: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Timestamp>,
}

/// `events.read`: where to start (at most one of `from_offset`, `from_id`,
/// `tail`; none means the start), where to stop, and how much per page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadParams {
    pub session: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_id: Option<String>,
    /// Start where the last N events begin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<usize>,
    /// Stop before this offset (default: the end of the last complete line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lines: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideParams {
    pub session: String,
    pub event: String,
    pub fingerprint: String,
    /// `allow`, `deny`, `redirect` or `respond`.
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub decided_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Timestamp>,
}

/// What a subscription carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// `session.loaded`, `session.meta`, `session.removed`, `source.health`.
    Sessions,
    /// `events.appended`.
    Events,
    /// `pending.added`, `pending.resolved`.
    Pending,
}

pub const ALL_TOPICS: [Topic; 3] = [Topic::Sessions, Topic::Events, Topic::Pending];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeParams {
    /// Default: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<Topic>>,
}

// ---- results --------------------------------------------------------------

/// A pending row with the time it started waiting (kept out of `--json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingEntry {
    #[serde(flatten)]
    pub row: PendingRow,
    pub pending_since: Option<Timestamp>,
}

impl PendingEntry {
    pub fn new(row: PendingRow) -> Self {
        Self {
            pending_since: row.pending_since,
            row,
        }
    }

    pub fn into_row(self) -> PendingRow {
        PendingRow {
            pending_since: self.pending_since,
            ..self.row
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DoctorResult {
    pub findings: Vec<DoctorRow>,
    /// How many sessions were examined.
    pub sessions: usize,
}

/// One wake-queue entry, times kept exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeEntryWire {
    pub id: String,
    pub due_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub consumed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeWire {
    pub entries: Vec<WakeEntryWire>,
    pub malformed_lines: u64,
}

impl From<&WakeQueue> for WakeWire {
    fn from(q: &WakeQueue) -> Self {
        Self {
            entries: q
                .entries
                .iter()
                .map(|e| WakeEntryWire {
                    id: e.id.clone(),
                    due_at: e.due_at,
                    reason: e.reason.clone(),
                    consumed_at: e.consumed_at,
                })
                .collect(),
            malformed_lines: q.malformed_lines,
        }
    }
}

impl From<WakeWire> for WakeQueue {
    fn from(w: WakeWire) -> Self {
        Self {
            entries: w
                .entries
                .into_iter()
                .map(|e| WakeEntry {
                    id: e.id,
                    due_at: e.due_at,
                    reason: e.reason,
                    consumed_at: e.consumed_at,
                })
                .collect(),
            malformed_lines: w.malformed_lines,
        }
    }
}

/// Everything about a session except its journal: with the journal's lines
/// up to `journal_end` (from `events.read`) a client rebuilds the daemon's
/// `SessionSnapshot` exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    pub id: String,
    /// The session's folder on the daemon's machine.
    pub dir: String,
    /// `session.json` as decoded (empty when `doc_error` says why not).
    pub doc: Map<String, Value>,
    pub doc_error: Option<String>,
    pub wake: WakeWire,
    pub journal_end: u64,
    pub journal_mtime: Option<Timestamp>,
    pub heartbeat_mtime: Option<Timestamp>,
    pub warnings: Vec<String>,
}

impl SessionMeta {
    pub fn session_doc(&self) -> SessionDoc {
        if self.doc_error.is_some() {
            SessionDoc::default()
        } else {
            SessionDoc::from_object(self.doc.clone())
        }
    }
}

/// `sessions.get`: the metadata, the `ls` row and the stuck findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionDetail {
    pub meta: SessionMeta,
    pub row: SessionRow,
    pub stuck: Vec<DoctorRow>,
}

/// One journal line. `text` is the line as UTF-8 (lossy); when the bytes are
/// not UTF-8, `base64` holds them exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineWire {
    pub offset: u64,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    /// Why the line is not an event, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed: Option<String>,
}

impl LineWire {
    pub fn new(offset: u64, bytes: &[u8]) -> Self {
        use base64::Engine;
        let malformed = match crate::model::line::parse_line(bytes) {
            crate::model::line::LineParse::Malformed(reason) => Some(reason.to_string()),
            _ => None,
        };
        let (text, base64) = match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), None),
            Err(_) => (
                String::from_utf8_lossy(bytes).into_owned(),
                Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            ),
        };
        Self {
            offset,
            text,
            base64,
            malformed,
        }
    }

    /// The line's exact bytes.
    pub fn bytes(&self) -> Vec<u8> {
        use base64::Engine;
        self.base64
            .as_deref()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_else(|| self.text.as_bytes().to_vec())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadResult {
    /// Where this read began (the start `from_id` or `tail` resolved to).
    pub start: u64,
    pub lines: Vec<LineWire>,
    /// Pass as `from_offset` for the next page.
    pub next_offset: u64,
    /// The bound this read stops at (pass as `until` to keep it).
    pub end: u64,
}

impl ReadResult {
    pub fn done(&self) -> bool {
        self.next_offset >= self.end
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecideResult {
    /// The answer event as written to the journal.
    pub event: Value,
}

/// How the daemon follows its root (the feed's health).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HealthWire {
    Watching { watched: usize, polled: usize },
    Polling { interval_ms: u64, reason: String },
    Unavailable { reason: String },
}

/// `subscribe`: the state every later notification applies to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscribeResult {
    pub sessions: Vec<SessionMeta>,
    pub health: Option<HealthWire>,
    /// Absent when the daemon exports no telemetry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetryWire>,
}

/// What the daemon's telemetry is doing (`subscribe`, `daemon.status` and
/// the `telemetry` notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelemetryWire {
    /// `HOST:PORT` metrics are served on, if they are.
    pub metrics: Option<String>,
    /// The OTLP/HTTP URL spans are sent to, if they are.
    pub traces: Option<String>,
    /// How the last export went; absent before the first.
    pub last_export: Option<ExportWire>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportWire {
    pub ok: bool,
    pub at: Timestamp,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusResult {
    pub pid: u32,
    pub version: String,
    pub root: String,
    pub socket: String,
    pub started_at: Timestamp,
    pub clients: usize,
    pub subscribers: usize,
    pub sessions: usize,
    pub health: Option<HealthWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetryWire>,
}

// ---- notification params --------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadedParams {
    pub meta: SessionMeta,
    /// The journal was replaced (truncated or a new file): reread it whole.
    pub replaced: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppendedParams {
    pub session: String,
    pub lines: Vec<LineWire>,
    /// Offset just past the last line.
    pub end: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionParams {
    pub session: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResolvedParams {
    pub session: String,
    pub event_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResyncParams {
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decide_errors_map_to_distinct_codes_and_back_to_exit_codes() {
        let cases = [
            (DecideError::SessionNotFound("s".into()), code::NOT_FOUND, 5),
            (
                DecideError::NotPending("e".into()),
                code::ALREADY_DECIDED,
                4,
            ),
            (
                DecideError::Stale {
                    event_id: "e".into(),
                    given: "a".into(),
                    current: "b".into(),
                },
                code::STALE,
                3,
            ),
            (
                DecideError::Tampered {
                    event_id: "e".into(),
                    stored: "a".into(),
                    current: "b".into(),
                },
                code::STALE,
                3,
            ),
            (DecideError::Invalid("x".into()), code::INVALID_DECISION, 2),
        ];
        for (error, rpc_code, exit) in cases {
            let expected_exit = error.exit_code();
            let rpc = RpcError::from(error);
            assert_eq!(rpc.code, rpc_code);
            assert_eq!(exit_code_of(rpc.code), exit);
            assert_eq!(expected_exit, exit);
        }
    }

    #[test]
    fn lines_keep_their_exact_bytes() {
        let line = LineWire::new(7, b"{\"id\":\"\xff\"}");
        assert!(line.base64.is_some());
        assert_eq!(line.bytes(), b"{\"id\":\"\xff\"}");
        assert_eq!(line.malformed.as_deref(), Some("invalid UTF-8"));
        let ok = LineWire::new(0, b"{\"id\":\"a\",\"type\":\"x\"}");
        assert_eq!(ok.base64, None);
        assert_eq!(ok.malformed, None);
    }

    #[test]
    fn server_messages_are_told_apart() {
        let r: ServerMessage =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":1,"result":[]}"#).unwrap();
        assert!(matches!(r, ServerMessage::Response(_)));
        let n: ServerMessage =
            serde_json::from_str(r#"{"jsonrpc":"2.0","method":"resync","params":{"reason":"x"}}"#)
                .unwrap();
        assert!(matches!(n, ServerMessage::Notification(_)));
    }
}
