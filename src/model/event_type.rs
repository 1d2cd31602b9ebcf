//! Every event `type` the contract names; anything else is kept as `Unknown`.

use std::fmt;

macro_rules! event_types {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// An event's `type`. Unknown types are kept verbatim, never dropped.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum EventType {
            $($variant,)*
            Unknown(String),
        }

        impl EventType {
            pub const KNOWN: &'static [&'static str] = &[$($name),*];

            pub fn parse(text: &str) -> Self {
                match text {
                    $($name => Self::$variant,)*
                    other => Self::Unknown(other.to_string()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $name,)*
                    Self::Unknown(other) => other,
                }
            }
        }
    };
}

event_types! {
    UserMessage => "user.message",
    UserInterrupt => "user.interrupt",
    UserToolConfirmation => "user.tool_confirmation",
    UserCustomToolResult => "user.custom_tool_result",
    UserToolResult => "user.tool_result",
    UserDefineOutcome => "user.define_outcome",
    AgentMessage => "agent.message",
    AgentThinking => "agent.thinking",
    AgentToolUse => "agent.tool_use",
    AgentToolResult => "agent.tool_result",
    AgentMcpToolUse => "agent.mcp_tool_use",
    AgentMcpToolResult => "agent.mcp_tool_result",
    AgentCustomToolUse => "agent.custom_tool_use",
    AgentThreadMessageSent => "agent.thread_message_sent",
    AgentThreadMessageReceived => "agent.thread_message_received",
    AgentThreadContextCompacted => "agent.thread_context_compacted",
    SessionStatusRunning => "session.status_running",
    SessionStatusIdle => "session.status_idle",
    SessionStatusRescheduled => "session.status_rescheduled",
    SessionStatusTerminated => "session.status_terminated",
    SessionError => "session.error",
    SessionUpdated => "session.updated",
    SessionUsage => "session.usage",
    SpanModelRequestStart => "span.model_request_start",
    SpanModelRequestEnd => "span.model_request_end",
    SystemMessage => "system.message",
}

impl EventType {
    /// A request that may wait on a human: tool, MCP tool or custom tool use.
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            Self::AgentToolUse | Self::AgentMcpToolUse | Self::AgentCustomToolUse
        )
    }

    /// An answer to a request: a tool confirmation or a custom tool result.
    pub fn is_answer(&self) -> bool {
        matches!(
            self,
            Self::UserToolConfirmation | Self::UserCustomToolResult
        )
    }

    /// The answer type that resolves a request of this type.
    pub fn answer_type(&self) -> Option<EventType> {
        match self {
            Self::AgentToolUse | Self::AgentMcpToolUse => Some(Self::UserToolConfirmation),
            Self::AgentCustomToolUse => Some(Self::UserCustomToolResult),
            _ => None,
        }
    }

    /// The family prefix (`user`, `agent`, `session`, `span`, `system`, …).
    pub fn family(&self) -> &str {
        let text = self.as_str();
        text.split_once('.').map_or(text, |(family, _)| family)
    }

    /// Whether the family is `user` (asked of every line a fold reads, so
    /// without splitting the name).
    pub fn is_user(&self) -> bool {
        let text = self.as_str();
        text == "user" || text.starts_with("user.")
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::parse(&text))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_known_type() {
        for name in EventType::KNOWN {
            let parsed = EventType::parse(name);
            assert!(parsed.is_known(), "{name}");
            assert_eq!(parsed.as_str(), *name);
        }
        assert_eq!(EventType::KNOWN.len(), 26);
    }

    #[test]
    fn unknown_types_are_kept() {
        let t = EventType::parse("agent.future_thing");
        assert_eq!(t, EventType::Unknown("agent.future_thing".into()));
        assert_eq!(t.family(), "agent");
        assert!(!t.is_known());
    }

    #[test]
    fn answers_match_requests() {
        assert_eq!(
            EventType::AgentMcpToolUse.answer_type(),
            Some(EventType::UserToolConfirmation)
        );
        assert_eq!(
            EventType::AgentCustomToolUse.answer_type(),
            Some(EventType::UserCustomToolResult)
        );
        assert!(EventType::UserMessage.answer_type().is_none());
    }

    #[test]
    fn user_events_are_those_of_the_user_family() {
        for name in [
            "user",
            "user.message",
            "user.future",
            "users.x",
            "agent.user",
            "user_x.y",
            "",
        ] {
            let kind = EventType::parse(name);
            assert_eq!(kind.is_user(), kind.family() == "user", "{name}");
        }
    }
}
