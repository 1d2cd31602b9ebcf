//! JSON kept as text until something reads it. A journal holds millions of
//! tool uses whose `input` is never looked at; keeping it as one string
//! instead of a decoded tree is most of what folding them costs.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// Plain text rather than serde's `RawValue`, whose constructor checks the
/// text again: the fold copies the input of every tool use it meets, and
/// that text has just been checked by the line's decoder.
#[derive(Debug, Clone)]
pub struct RawJson(Box<str>);

impl RawJson {
    /// JSON `null`: what an absent field stands for.
    pub fn null() -> Self {
        Self("null".into())
    }

    /// The text of a value already decoded.
    pub fn from_value(value: &Value) -> Self {
        Self(value.to_string().into())
    }

    /// A copy of JSON text borrowed from a line whose decoder has checked
    /// it. Text that is not JSON after all decodes as `null`.
    pub fn from_text(text: &str) -> Self {
        Self(text.into())
    }

    pub fn text(&self) -> &str {
        &self.0
    }

    /// The value decoded. Text that does not decode into a `Value` (deeper
    /// than the decoder's limit, a number out of range) gives `null`; the
    /// fold only keeps text as raw when it is known to decode.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

/// Equal when they decode to the same value: the same JSON written with
/// different white space is the same input.
impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() || self.to_value() == other.to_value()
    }
}

/// Written as the JSON it holds, not as a string of it. Text that is not
/// JSON is written as `null`, so the output is always JSON.
impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match RawValue::from_string(self.0.to_string()) {
            Ok(raw) => raw.serialize(serializer),
            Err(_) => serializer.serialize_unit(),
        }
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| Self(raw.into()))
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
        assert_eq!(
            serde_json::to_string(&RawJson::from_text("{x")).unwrap(),
            "null"
        );
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
