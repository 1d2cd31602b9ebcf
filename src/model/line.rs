//! Classifies one complete journal line: blank, an event, or malformed.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::event::{Event, EventHead, ProcessedAt};
use super::event_type::EventType;
use super::line_scan::{
    LONG_DIGIT_RUN, LONG_EXPONENT, MAX_OPENINGS, ScannedHead, is_plain_ascii, scan_checked,
    scan_head,
};
use super::time::parse_rfc3339;

/// What one complete (newline-terminated) journal line holds.
#[derive(Debug, Clone, PartialEq)]
pub enum LineParse {
    /// Only white space: neither an event nor malformed.
    Blank,
    Event(Box<Event>),
    /// Not a JSON object with string `id` and `type`; shown, never rewritten.
    Malformed(MalformedReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MalformedReason {
    InvalidUtf8,
    InvalidJson(String),
    NotAnObject,
    MissingIdOrType,
}

impl std::fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidUtf8 => f.write_str("invalid UTF-8"),
            Self::InvalidJson(e) => write!(f, "invalid JSON: {e}"),
            Self::NotAnObject => f.write_str("not a JSON object"),
            Self::MissingIdOrType => f.write_str("no string id or type"),
        }
    }
}

/// Parses a line without its trailing `\n`. Never panics, whatever the bytes.
pub fn parse_line(bytes: &[u8]) -> LineParse {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return LineParse::Blank;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return LineParse::Malformed(MalformedReason::InvalidUtf8),
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => object_to_event(map),
        Ok(_) => LineParse::Malformed(MalformedReason::NotAnObject),
        Err(e) => match parse_head(bytes) {
            // Valid JSON past the decoder's limits: an event, flagged.
            Some(head) => LineParse::Event(Box::new(head.to_undecodable_event(e.to_string()))),
            None => LineParse::Malformed(MalformedReason::InvalidJson(e.to_string())),
        },
    }
}

fn object_to_event(map: Map<String, Value>) -> LineParse {
    match Event::from_object(map) {
        Some(event) => LineParse::Event(Box::new(event)),
        None => LineParse::Malformed(MalformedReason::MissingIdOrType),
    }
}

/// The head of a well-formed event line, decoded without building the body.
/// JSON-valued fields are kept as written.
#[derive(Debug)]
pub struct RawHead<'a> {
    id: Cow<'a, str>,
    kind: Cow<'a, str>,
    created_at: Option<Cow<'a, str>>,
    /// Only whether it is null, a string, or anything else matters.
    processed_at: Option<&'a str>,
    // A request's own fields (`None` when absent or `null`, as the full
    // decoder's `Event` reads them): enough to fold a request without
    // decoding it whole.
    name: Option<&'a str>,
    input: Option<&'a str>,
    fingerprint: Option<&'a str>,
    /// Whether the full decoder surely reads the line, when the scanner
    /// found out on the way; `None` when serde read the head.
    within_decoder_limits: Option<bool>,
}

/// Equal when they read the same fields from a line; what the scanner
/// learnt about the rest of the line is not part of the head.
impl PartialEq for RawHead<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.kind == other.kind
            && self.created_at == other.created_at
            && self.processed_at == other.processed_at
            && self.name == other.name
            && self.input == other.input
            && self.fingerprint == other.fingerprint
    }
}

impl Eq for RawHead<'_> {}

/// serde's reading of the head, for the lines the scanner leaves to it.
#[derive(Deserialize)]
struct SerdeHead<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    processed_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    input: Option<&'a RawValue>,
    #[serde(borrow, default)]
    fingerprint: Option<&'a RawValue>,
}

/// `Some` whenever the field is present, `null` included (a plain `Option`
/// reads `null` as absent).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue>::deserialize(deserializer).map(Some)
}

impl<'a> From<SerdeHead<'a>> for RawHead<'a> {
    fn from(head: SerdeHead<'a>) -> Self {
        Self {
            id: head.id,
            kind: head.kind,
            created_at: head.created_at,
            processed_at: head.processed_at.map(RawValue::get),
            name: head.name.map(RawValue::get),
            input: head.input.map(RawValue::get),
            fingerprint: head.fingerprint.map(RawValue::get),
            within_decoder_limits: None,
        }
    }
}

impl<'a> From<ScannedHead<'a>> for RawHead<'a> {
    fn from(head: ScannedHead<'a>) -> Self {
        Self {
            id: Cow::Borrowed(head.id),
            kind: Cow::Borrowed(head.kind),
            created_at: head.created_at.map(Cow::Borrowed),
            processed_at: head.processed_at,
            name: head.name,
            input: head.input,
            fingerprint: head.fingerprint,
            within_decoder_limits: Some(head.within_decoder_limits),
        }
    }
}

impl RawHead<'_> {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> EventType {
        EventType::parse(&self.kind)
    }

    /// `within_decoder_limits` for this head's line: known already when
    /// the scanner read it.
    pub fn within_decoder_limits(&self, line: &[u8]) -> bool {
        self.within_decoder_limits
            .unwrap_or_else(|| within_decoder_limits(line))
    }

    /// `created_at` as written, when it is a string.
    pub fn created_at_text(&self) -> Option<&str> {
        self.created_at.as_deref()
    }

    /// `name` decoded (`null` when absent).
    pub fn name(&self) -> Value {
        self.name.map_or(Value::Null, decode_small)
    }

    /// `name` when it is a string, borrowed when written without escapes.
    pub fn name_str(&self) -> Option<Cow<'_, str>> {
        let raw = self.name?;
        match plain_json_string(raw) {
            Some(inner) => Some(Cow::Borrowed(inner)),
            None => match decode_small(raw) {
                Value::String(text) => Some(Cow::Owned(text)),
                _ => None,
            },
        }
    }

    /// `input` decoded (`null` when absent).
    pub fn input_value(&self) -> Value {
        self.input.map_or(Value::Null, decode_small)
    }

    /// `input` as written (`None` when absent or `null`).
    pub fn input(&self) -> Option<&str> {
        self.input
    }

    /// `fingerprint` when it is a string, as `Event::str_field` reads it.
    pub fn stored_fingerprint(&self) -> Option<String> {
        match self.fingerprint.map(decode_small)? {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// An event with only the common fields, for a body the decoder refused.
    fn to_undecodable_event(&self, reason: String) -> Event {
        let mut body = Map::new();
        body.insert("id".into(), Value::String(self.id.to_string()));
        body.insert("type".into(), Value::String(self.kind.to_string()));
        if let Some(at) = &self.created_at {
            body.insert("created_at".into(), Value::String(at.to_string()));
        }
        let head = self.to_head(self.kind());
        Event {
            id: self.id.to_string(),
            kind: head.kind,
            created_at: head.created_at,
            processed_at: head.processed_at,
            body,
            undecodable: Some(reason),
        }
    }

    /// As `Event::from_object` reads it: anything but null or a string
    /// counts as absent.
    pub fn processed_at(&self) -> ProcessedAt {
        match self.processed_at.map(str::as_bytes) {
            Some([b'n', ..]) => ProcessedAt::Queued,
            Some([b'"', ..]) => ProcessedAt::At,
            _ => ProcessedAt::Absent,
        }
    }

    pub fn to_head(&self, kind: EventType) -> EventHead<'_> {
        EventHead {
            id: &self.id,
            kind,
            created_at: self.created_at.as_deref().and_then(parse_rfc3339),
            processed_at: self.processed_at(),
        }
    }
}

/// Decodes only an event line's head. `Some` implies `parse_line` would give
/// an `Event` with the same head; `None` means "decode it fully to know".
pub fn parse_head(bytes: &[u8]) -> Option<RawHead<'_>> {
    // Most lines are plain ASCII: one cheap pass says so, and spares the
    // UTF-8 check.
    if is_plain_ascii(bytes) {
        // SAFETY: every byte is ASCII, and ASCII text is valid UTF-8.
        let text = unsafe { std::str::from_utf8_unchecked(bytes) };
        return match scan_checked(text) {
            Some(head) => Some(head.into()),
            None => parse_head_with_serde(text),
        };
    }
    // serde_json does not check UTF-8 inside the strings it skips, nor does
    // the scanner, so the whole line is checked first: invalid UTF-8
    // anywhere is malformed.
    let text = std::str::from_utf8(bytes).ok()?;
    match scan_head(text) {
        Some(head) => Some(head.into()),
        None => parse_head_with_serde(text),
    }
}

/// `parse_head` by serde alone: the reference the scanner must agree with.
pub fn parse_head_with_serde(text: &str) -> Option<RawHead<'_>> {
    // A derived struct also accepts a JSON array (fields by position); an
    // event is an object, so anything else is left to the full parse.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<SerdeHead>(text)
        .ok()
        .map(RawHead::from)
}

/// A field the head decoder captured: it passed the same grammar, so it
/// decodes, unless it is beyond the decoder's limits (see
/// `within_decoder_limits`), when it reads as `null`.
fn decode_small(raw: &str) -> Value {
    match plain_json_string(raw) {
        Some(inner) => Value::String(inner.to_owned()),
        None => serde_json::from_str(raw).unwrap_or(Value::Null),
    }
}

/// The value of a checked JSON string written without escapes: the text
/// between its quotes (a checked string holds no control characters and,
/// without a backslash, no escapes). Most fields the fold reads are such.
fn plain_json_string(raw: &str) -> Option<&str> {
    raw.strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| !inner.contains(['\\', '"']))
}

/// Whether the full decoder (`parse_line`) surely accepts a line the head
/// decoder accepted. The head decoder skips what it does not keep without
/// the full decoder's limits, which flag an event `undecodable`: nesting
/// deeper than 128, a number beyond `f64`, a lone UTF-16 surrogate in a
/// `\u` escape. Conservative: a line that could come near any of them says
/// no, and is decoded whole to know.
pub fn within_decoder_limits(line: &[u8]) -> bool {
    if memchr::memchr2_iter(b'[', b'{', line)
        .nth(MAX_OPENINGS)
        .is_some()
    {
        return false;
    }
    let surrogate_escape = memchr::memmem::find_iter(line, b"\\u")
        .any(|at| matches!(line.get(at + 2), Some(b'd' | b'D')));
    !surrogate_escape && !number_may_overflow(line)
}

/// A run of 200 or more digits, or a digit followed by an exponent of three
/// or more digits: the only ways a JSON number gets near `f64::MAX`.
fn number_may_overflow(line: &[u8]) -> bool {
    let mut run = 0;
    for (at, byte) in line.iter().enumerate() {
        if byte.is_ascii_digit() {
            run += 1;
            if run >= LONG_DIGIT_RUN {
                return true;
            }
            continue;
        }
        if run > 0 && matches!(byte, b'e' | b'E') {
            let rest = &line[at + 1..];
            let rest = rest
                .strip_prefix(b"-")
                .or(rest.strip_prefix(b"+"))
                .unwrap_or(rest);
            if rest.iter().take_while(|b| b.is_ascii_digit()).count() >= LONG_EXPONENT {
                return true;
            }
        }
        run = 0;
    }
    false
}

/// Splits a line's bytes off any trailing `\r` so CRLF journals read cleanly.
pub fn trim_line_end(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines() {
        assert_eq!(parse_line(b"   \t"), LineParse::Blank);
        assert_eq!(parse_line(b""), LineParse::Blank);
        assert!(matches!(
            parse_line(br#"{"id":"a","type":"user.message"}"#),
            LineParse::Event(_)
        ));
        assert_eq!(
            parse_line(b"[1,2]"),
            LineParse::Malformed(MalformedReason::NotAnObject)
        );
        assert_eq!(
            parse_line(br#"{"id":"a"}"#),
            LineParse::Malformed(MalformedReason::MissingIdOrType)
        );
        assert_eq!(
            parse_line(b"\xff\xfe"),
            LineParse::Malformed(MalformedReason::InvalidUtf8)
        );
        assert!(matches!(
            parse_line(b"{\"id\":"),
            LineParse::Malformed(MalformedReason::InvalidJson(_))
        ));
    }

    #[test]
    fn head_agrees_with_the_full_parse() {
        let lines: &[&[u8]] = &[
            br#"{"id":"a","type":"agent.message","created_at":"2026-11-21T09:00:00Z","processed_at":null,"content":[1]}"#,
            br#"{"id":"a","type":"user.message","processed_at":"2026-11-21T09:00:00Z"}"#,
            br#"{"type":"x","id":"aA"}"#,
        ];
        for line in lines {
            let head = parse_head(line).unwrap();
            let LineParse::Event(event) = parse_line(line) else {
                panic!()
            };
            assert_eq!(head.to_head(head.kind()), event.head());
        }
        for bad in [
            &br#"{"id":1,"type":"x"}"#[..],
            b"[1]",
            b"{",
            br#"{"id":"a","type":"x"} x"#,
            b"  ",
        ] {
            assert!(parse_head(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_malformed_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse_line(deep.as_bytes()),
            LineParse::Malformed(_)
        ));
    }

    #[test]
    fn valid_events_past_the_decoders_limits_are_flagged_events() {
        let deep = format!(
            r#"{{"id":"d","type":"agent.tool_use","input":{}1{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        );
        let huge = r#"{"id":"h","type":"agent.message","n":1e400}"#;
        for line in [deep.as_str(), huge] {
            match parse_line(line.as_bytes()) {
                LineParse::Event(e) => {
                    assert!(e.undecodable.is_some(), "{line}");
                    assert_eq!(e.input(), &Value::Null);
                }
                other => panic!("{other:?}"),
            }
            assert!(parse_head(line.as_bytes()).is_some());
        }
    }

    #[test]
    fn small_fields_decode_like_serde() {
        for raw in [
            r#""bash""#,
            r#""a\"b""#,
            r#""\u0041""#,
            "null",
            "12",
            r#"{"a":1}"#,
            r#""""#,
        ] {
            let expected: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(decode_small(raw), expected, "{raw}");
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        match parse_line(br#"{"id":"a","type":"x","id":"b"}"#) {
            LineParse::Event(e) => assert_eq!(e.id, "b"),
            other => panic!("{other:?}"),
        }
    }
}
