//! Telling the reviewer a new request arrived: which requests are new
//! between two inbox states, and what to say about them. Delivery (the
//! bell, `notify-send`) is in `notify_send`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::inbox::{InboxRow, RequestKey};
use crate::sanitize::sanitize_line;

/// How new requests are announced (`[notifications] mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationMode {
    /// The terminal bell.
    #[default]
    Bell,
    /// A desktop notification (`notify-send`), else the bell.
    Desktop,
    None,
}

/// `[notifications]` in `config.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationsConfig {
    pub mode: NotificationMode,
}

/// Rows of `new` whose key `old` does not have, in `new`'s order.
pub fn new_requests<'a>(old: &[InboxRow], new: &'a [InboxRow]) -> Vec<&'a InboxRow> {
    let seen: HashSet<&RequestKey> = old.iter().map(|r| &r.key).collect();
    new.iter().filter(|r| !seen.contains(&r.key)).collect()
}

/// Longest summary or body sent to a desktop notification.
const MAX_TEXT: usize = 120;

/// What a notification says: short, sanitised, markup-free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub summary: String,
    pub body: String,
}

/// The notification for newly arrived requests, `None` if there are none.
pub fn notification_for(new: &[&InboxRow]) -> Option<Notification> {
    let first = new.first()?;
    let summary = match new.len() {
        1 => "Switchboard: 1 new request".to_string(),
        n => format!("Switchboard: {n} new requests"),
    };
    let mut body = format!(
        "{} wants {} ({})",
        first.key.session_id, first.tool, first.kind_label
    );
    if new.len() > 1 {
        body.push_str(&format!(" and {} more", new.len() - 1));
    }
    Some(Notification {
        summary: notification_text(&summary),
        body: notification_text(&body),
    })
}

/// Sanitised, one line, at most `MAX_TEXT` characters; the characters
/// `notify-send` reads as markup or escapes are replaced by look-alikes
/// that it shows as they are (never dropped: no text is deleted).
pub fn notification_text(text: &str) -> String {
    let clean: String = sanitize_line(text)
        .chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '&' => '＆',
            '\\' => '⧵',
            c => c,
        })
        .collect();
    if clean.chars().count() <= MAX_TEXT {
        return clean;
    }
    let mut short: String = clean.chars().take(MAX_TEXT - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::inbox::build_inbox;
    use crate::review::inbox::tests::row;

    fn inbox(events: &[&str]) -> Vec<InboxRow> {
        let rows: Vec<_> = events
            .iter()
            .map(|e| row("sesn_a", e, "tool_confirmation", "bash", None))
            .collect();
        build_inbox(&rows, chrono::Utc::now())
    }

    #[test]
    fn only_requests_not_seen_before_are_new() {
        let old = inbox(&["e1", "e2"]);
        let new = inbox(&["e2", "e3", "e4"]);
        let fresh: Vec<&str> = new_requests(&old, &new)
            .iter()
            .map(|r| r.key.event_id.as_str())
            .collect();
        assert_eq!(fresh, vec!["e3", "e4"]);
        assert!(new_requests(&new, &new).is_empty());
        assert!(notification_for(&[]).is_none());
    }

    #[test]
    fn the_same_event_in_another_source_is_new() {
        let old = inbox(&["e1"]);
        let mut other = old.clone();
        other[0].key.source = Some("/other/root".into());
        assert_eq!(new_requests(&old, &other).len(), 1);
    }

    #[test]
    fn notification_text_is_short_and_clean() {
        let new = inbox(&["e1", "e2"]);
        let refs: Vec<&InboxRow> = new.iter().collect();
        let n = notification_for(&refs).unwrap();
        assert_eq!(n.summary, "Switchboard: 2 new requests");
        assert_eq!(n.body, "sesn_a wants bash (tool) and 1 more");
        let hostile = format!("<b>x</b>\u{1b}]0;title\u{7}{}", "y".repeat(300));
        let text = notification_text(&hostile);
        assert!(text.starts_with("‹b›x‹/b›␛]0;title⧵x07y"), "{text}");
        assert_eq!(text.chars().count(), MAX_TEXT);
        assert!(crate::sanitize::is_clean(&text));
    }

    #[test]
    fn mode_reads_from_toml() {
        let c: NotificationsConfig = toml::from_str("mode = \"desktop\"").unwrap();
        assert_eq!(c.mode, NotificationMode::Desktop);
        assert!(toml::from_str::<NotificationsConfig>("mode = \"loud\"").is_err());
        assert_eq!(NotificationsConfig::default().mode, NotificationMode::Bell);
    }
}
