//! The on-call IO the effect runner performs: actions written through the
//! store (under the journal's lock) and recorded in the audit log, and
//! clipboard copies as OSC 52 sequences written to the terminal.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use serde_json::Value;

use crate::model::line::{LineParse, parse_line};
use crate::model::time::{Timestamp, format_rfc3339};
use crate::sanitize::sanitize_line;
use crate::store::actions::{Written, interrupt, schedule_wake, send_message};
use crate::store::audit::{AuditEntry, append_audit};
use crate::tui::state::SessionAction;

/// Terminals commonly refuse OSC 52 payloads beyond about 100 kB.
pub const MAX_CLIPBOARD_BYTES: usize = 74_000;

/// Why a revisit was scheduled, as the wake queue records it.
const REVISIT_REASON: &str = "revisit requested from the dashboard";

/// Writes `action` for session `dir` (its parent is the root) and records
/// it in the audit log. Returns whether it was done, and one sentence.
pub fn act(
    dir: &Path,
    action: &SessionAction,
    who: &str,
    audit_log: &Path,
    now: Timestamp,
) -> (bool, String) {
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(root) = dir.parent() else {
        return (false, format!("cannot act on {id}: it is not under a root"));
    };
    let result = match action {
        SessionAction::Interrupt => interrupt(root, &id, who, now),
        SessionAction::Message(text) => send_message(root, &id, text, who, now),
        SessionAction::Revisit => schedule_wake(root, &id, now, REVISIT_REASON, who),
    };
    let written: Written = match result {
        Ok(written) => written,
        Err(e) => {
            let what = match action {
                SessionAction::Interrupt => "Interrupt",
                SessionAction::Message(_) => "Message",
                SessionAction::Revisit => "Revisit",
            };
            return (false, format!("{what} refused: {e}."));
        }
    };
    let written_id = written
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut entry = AuditEntry::action(root, action.audit_name(), who, &id, now);
    entry.written_event_id = written_id.clone();
    let written_id = written_id.unwrap_or_default();
    let done = match action {
        SessionAction::Interrupt => format!("Interrupted {id} (user.interrupt {written_id})."),
        SessionAction::Message(_) => format!("Sent a message to {id} (user.message {written_id})."),
        SessionAction::Revisit => format!(
            "Scheduled a revisit of {id} at {} ({written_id}).",
            format_rfc3339(now)
        ),
    };
    match append_audit(audit_log, &entry) {
        Ok(()) => (true, done),
        Err(e) => (true, format!("{done} The audit log failed: {e}")),
    }
}

/// The OSC 52 sequence that puts `text` on the system clipboard. Only
/// base64 goes to the terminal, whatever `text` holds.
pub fn osc52(text: &str) -> Vec<u8> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07").into_bytes()
}

/// Copies `text` through the terminal; `what` names it in the result.
pub fn copy(out: &mut dyn Write, what: &str, text: &str) -> (bool, String) {
    if text.len() > MAX_CLIPBOARD_BYTES {
        return (
            false,
            format!(
                "The {what} is {} kB, too big for the terminal's clipboard; use `switchboard show`.",
                text.len() / 1000
            ),
        );
    }
    let written = out.write_all(&osc52(text)).and_then(|()| out.flush());
    match written {
        Ok(()) => (
            true,
            format!(
                "Copied the {what} to the clipboard: {}",
                sanitize_line(&preview(text))
            ),
        ),
        Err(e) => (false, format!("Could not copy the {what}: {e}.")),
    }
}

/// A journal line re-serialised by us as compact JSON, or why it cannot be.
pub fn event_json(line: usize, bytes: &[u8]) -> Result<String, String> {
    match parse_line(bytes) {
        LineParse::Event(event) if event.undecodable.is_none() => {
            serde_json::to_string(&Value::Object(event.body)).map_err(|e| e.to_string())
        }
        LineParse::Event(_) => Err(format!(
            "line {} is too big or deep to decode; only events can be copied",
            line + 1
        )),
        LineParse::Malformed(reason) => Err(format!(
            "line {} is malformed ({reason}); only events can be copied",
            line + 1
        )),
        LineParse::Blank => Err(format!("line {} is blank", line + 1)),
    }
}

fn preview(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_only_base64() {
        let seq = osc52("a\x1b]0;pwned\x07b");
        let text = String::from_utf8(seq).unwrap();
        assert!(text.starts_with("\x1b]52;c;"));
        assert!(text.ends_with('\x07'));
        let payload = &text["\x1b]52;c;".len()..text.len() - 1];
        assert!(
            payload
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        );
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap();
        assert_eq!(decoded, b"a\x1b]0;pwned\x07b");
    }

    #[test]
    fn events_are_reserialised_and_others_refused() {
        let json = event_json(0, br#"{"id":"e", "type":"x","n":1}"#).unwrap();
        assert_eq!(json, r#"{"id":"e","type":"x","n":1}"#);
        assert!(
            event_json(4, b"{nope")
                .unwrap_err()
                .contains("line 5 is malformed")
        );
        let mut out = Vec::new();
        let big = "x".repeat(MAX_CLIPBOARD_BYTES + 1);
        assert!(!copy(&mut out, "event", &big).0);
        assert!(out.is_empty());
    }
}
