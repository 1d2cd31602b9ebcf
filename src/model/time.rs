//! RFC 3339 parsing and formatting shared by every reader and writer.

use chrono::{DateTime, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

/// Parses an RFC 3339 timestamp; anything else is `None` (never an error:
/// timestamps come from untrusted journals).
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Formats a timestamp the way the contract writes them (`…Z`, shortest exact
/// fraction).
pub fn format_rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A short human duration such as `45s`, `23m`, `3h`, `2d`.
pub fn format_age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Duration in whole minutes for plain-word explanations ("23 min").
pub fn format_minutes(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 * 2 {
        format!("{} min", s / 60)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_z() {
        let a = parse_rfc3339("2026-11-21T09:00:00Z").unwrap();
        let b = parse_rfc3339("2026-11-21T10:00:00+01:00").unwrap();
        assert_eq!(a, b);
        assert!(parse_rfc3339("yesterday").is_none());
    }

    #[test]
    fn formats_shortest() {
        let a = parse_rfc3339("2026-11-21T09:00:00Z").unwrap();
        assert_eq!(format_rfc3339(a), "2026-11-21T09:00:00Z");
        let b = parse_rfc3339("2026-11-21T09:00:00.250Z").unwrap();
        assert_eq!(format_rfc3339(b), "2026-11-21T09:00:00.250Z");
    }

    #[test]
    fn ages() {
        assert_eq!(format_age(5), "5s");
        assert_eq!(format_age(125), "2m");
        assert_eq!(format_age(7300), "2h");
        assert_eq!(format_age(-3), "0s");
        assert_eq!(format_minutes(23 * 60 + 5), "23 min");
    }
}
