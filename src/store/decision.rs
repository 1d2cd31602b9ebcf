//! A decision as a front end submits it, before any check: shared by
//! `decide` (which checks and writes it) and the audit log (which records it).

/// What the reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
    /// Deny with `redirect: true`: the message carries the new direction.
    Redirect,
    /// Answer a custom tool use with text.
    Respond,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
            Self::Redirect => "redirect",
            Self::Respond => "respond",
        }
    }
}

/// A decision as submitted by a front end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub session_id: String,
    pub event_id: String,
    pub fingerprint: String,
    pub verdict: Verdict,
    /// `deny_message` for deny and redirect; the answer text for respond.
    pub message: Option<String>,
    pub decided_by: String,
}
