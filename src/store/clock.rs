//! The time "now" is: the clock, or `$SWITCHBOARD_NOW` when pinned. The
//! store reads it where it has no caller's time (a bridged session's
//! transcript status in `SessionSnapshot::load`); `config::now` is this.

use crate::model::time::{Timestamp, parse_rfc3339};

/// The current time, or `$SWITCHBOARD_NOW` (RFC 3339) for reproducible
/// output; `Err` says why the variable is not a time.
pub fn now() -> Result<Timestamp, String> {
    match std::env::var("SWITCHBOARD_NOW") {
        Ok(text) if !text.is_empty() => parse_rfc3339(&text)
            .ok_or_else(|| format!("SWITCHBOARD_NOW={text:?} is not an RFC 3339 time")),
        _ => Ok(chrono::Utc::now()),
    }
}
