//! JSON kept as text until something reads it. A journal holds millions of
//! tool uses whose `input` is never looked at; keeping it as one string
//! instead of a decoded tree is most of what folding them costs.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// JSON `null`: what an absent field stands for.
    pub fn null() -> Self {
        Self(RawValue::from_string("null".to_owned()).expect("`null` is JSON"))
    }

    /// The text of a value already decoded.
    pub fn from_value(value: &Value) -> Self {
        // A `Value` always serialises, and its text is valid JSON.
        match serde_json::value::to_raw_value(value) {
            Ok(raw) => Self(raw),
            Err(_) => Self::null(),
        }
    }

    /// A copy of JSON text borrowed from a line; `null` if it is not JSON
    /// (callers pass text a decoder has already checked).
    pub fn from_text(text: &str) -> Self {
        match RawValue::from_string(text.to_owned()) {
            Ok(raw) => Self(raw),
            Err(_) => Self::null(),
        }
    }

    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The value decoded. Text that does not decode into a `Value` (deeper
    /// than the decoder's limit, a number out of range) gives `null`; the
    /// fold only keeps text as raw when it is known to decode.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

/// Equal when they decode to the same value: the same JSON written with
/// different white space is the same input.
impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() || self.to_value() == other.to_value()
    }
}

impl Default for RawJson {
    fn default() -> Self {
        Self::null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_text_and_decodes_on_demand() {
        let kept = RawJson::from_text(r#"{"command": "ls",  "n": 30.0}"#);
        assert_eq!(kept.text(), r#"{"command": "ls",  "n": 30.0}"#);
        assert_eq!(kept.to_value(), json!({"command": "ls", "n": 30.0}));
        assert_eq!(kept.to_value()["command"], json!("ls"));
    }

    #[test]
    fn equality_is_by_value_not_by_spacing() {
        let spaced = RawJson::from_text(r#"{ "a" : [1, 2] }"#);
        assert_eq!(spaced, RawJson::from_value(&json!({"a": [1, 2]})));
        assert_ne!(spaced, RawJson::from_value(&json!({"a": [2, 1]})));
        assert_eq!(RawJson::null().to_value(), Value::Null);
        assert_eq!(RawJson::from_text("{not json").to_value(), Value::Null);
    }

    #[test]
    fn round_trips_through_serde_as_json_not_as_a_string() {
        let kept = RawJson::from_value(&json!({"plan": "# Plan"}));
        let text = serde_json::to_string(&kept).unwrap();
        assert_eq!(text, r##"{"plan":"# Plan"}"##);
        let back: RawJson = serde_json::from_str(&text).unwrap();
        assert_eq!(back, kept);
    }
}
