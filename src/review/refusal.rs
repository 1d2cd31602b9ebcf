//! Why a decision did not go through, in words for the reviewer. Every
//! refusal means nothing was written.

use crate::sanitize::sanitize_line;
use crate::store::DecideError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The request changed after the reviewer opened it.
    Stale,
    /// A newer revision of the plan arrived after the reviewer opened it.
    Superseded,
    /// Someone (or something) answered it first.
    AlreadyDecided,
    /// It is no longer (or was never) waiting for a decision.
    NotPending,
    NotFound,
    Tampered,
    /// The decision itself is not allowed (wrong verdict, empty message).
    Invalid,
    /// The journal could not be read or written.
    Io,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// One or two sentences, sanitised, ready to show.
    pub message: String,
}

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn stale() -> Self {
        Self::new(
            RefusalKind::Stale,
            "This request changed after you opened it; review it again.",
        )
    }
}

/// The reviewer's message for a refusal from `store::decide`.
pub fn refusal_for(error: &DecideError) -> Refusal {
    let clean = |s: &str| sanitize_line(s);
    match error {
        DecideError::Stale { .. } => Refusal::stale(),
        DecideError::Tampered { .. } => Refusal::new(
            RefusalKind::Tampered,
            "This request was tampered with: its stored fingerprint does not match its content, so it cannot be decided.",
        ),
        DecideError::AlreadyDecided {
            answer_id,
            result,
            decided_by,
            ..
        } => Refusal::new(
            RefusalKind::AlreadyDecided,
            format!(
                "Already decided elsewhere: {} answered {} ({}). Nothing was written.",
                clean(decided_by),
                clean(result),
                clean(answer_id)
            ),
        ),
        DecideError::NotPending(_) => Refusal::new(
            RefusalKind::NotPending,
            "This request is not waiting for a decision any more. Nothing was written.",
        ),
        DecideError::SessionNotFound(session) => Refusal::new(
            RefusalKind::NotFound,
            format!(
                "Session {} is gone from the root. Nothing was written.",
                clean(session)
            ),
        ),
        DecideError::RequestNotFound {
            session_id,
            event_id,
        } => Refusal::new(
            RefusalKind::NotFound,
            format!(
                "Request {} is no longer in session {}'s journal. Nothing was written.",
                clean(event_id),
                clean(session_id)
            ),
        ),
        DecideError::Invalid(message) => Refusal::new(
            RefusalKind::Invalid,
            format!("Not sent: {}.", clean(message.trim_end_matches('.'))),
        ),
        DecideError::Store(e) => Refusal::new(
            RefusalKind::Io,
            format!(
                "Could not write the decision: {}. Check the disk and try again.",
                clean(&e.to_string())
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn every_refusal_in_words() {
        let errors = [
            DecideError::Stale {
                event_id: "sevt_0005".into(),
                given: "sha256:aa".into(),
                current: "sha256:bb".into(),
            },
            DecideError::Tampered {
                event_id: "e".into(),
                stored: "sha256:aa".into(),
                current: "sha256:bb".into(),
            },
            DecideError::AlreadyDecided {
                event_id: "sevt_0005".into(),
                answer_id: "sevt_01J".into(),
                result: "allow".into(),
                decided_by: "human:bob@ci\u{1b}]0;x\u{7}".into(),
            },
            DecideError::NotPending("e".into()),
            DecideError::SessionNotFound("sesn_gone".into()),
            DecideError::RequestNotFound {
                session_id: "sesn_plan".into(),
                event_id: "sevt_0099".into(),
            },
            DecideError::Invalid("deny needs a non-empty message".into()),
            DecideError::Store(StoreError::Refused("disk full".into())),
        ];
        let text: String = errors
            .iter()
            .map(|e| {
                let r = refusal_for(e);
                format!("{:?}: {}\n", r.kind, r.message)
            })
            .collect();
        assert!(crate::sanitize::is_clean(&text));
        insta::assert_snapshot!("refusal_messages", text);
    }
}
