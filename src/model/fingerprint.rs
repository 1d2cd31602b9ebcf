//! Request fingerprints: `sha256:` + hex(SHA-256(JCS({v, session_id, event_id,
//! type, name, input}))), with RFC 8785 canonicalisation.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::event::Event;

pub const PREFIX: &str = "sha256:";

/// The fingerprint of a request as it stands in the journal.
pub fn fingerprint(session_id: &str, event: &Event) -> String {
    fingerprint_parts(
        session_id,
        &event.id,
        event.kind.as_str(),
        event.body.get("name").unwrap_or(&Value::Null),
        event.input(),
    )
}

/// The fingerprint from its parts; `name` and `input` are JSON as written
/// (`null` when absent).
pub fn fingerprint_parts(
    session_id: &str,
    event_id: &str,
    event_type: &str,
    name: &Value,
    input: &Value,
) -> String {
    let document = json!({
        "v": 1,
        "session_id": session_id,
        "event_id": event_id,
        "type": event_type,
        "name": name,
        "input": input,
    });
    let canonical = canonical_json(&document);
    let digest = Sha256::digest(canonical.as_bytes());
    format!("{PREFIX}{}", hex::encode(digest))
}

/// RFC 8785 canonical form. Every `Value` serde_json can hold is finite, so
/// this cannot fail; an error would be a bug in the canonicaliser.
pub fn canonical_json(value: &Value) -> String {
    serde_json_canonicalizer::to_string(value)
        .unwrap_or_else(|e| unreachable!("JCS of a parsed JSON value failed: {e}"))
}

/// The short form shown in lists: the first 12 hex digits.
pub fn short(fingerprint: &str) -> &str {
    let hex = fingerprint.strip_prefix(PREFIX).unwrap_or(fingerprint);
    hex.get(..12).unwrap_or(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jcs(text: &str) -> String {
        canonical_json(&serde_json::from_str(text).unwrap())
    }

    /// RFC 8785 §3.2.2.
    #[test]
    fn rfc_8785_example_input() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            jcs(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    /// RFC 8785 §3.2.3: properties sorted by UTF-16 code units.
    #[test]
    fn rfc_8785_sorting_by_utf16() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        assert_eq!(
            jcs(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript form.
    #[test]
    fn rfc_8785_appendix_b_numbers() {
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            let value = serde_json::Value::from(f64::from_bits(*bits));
            assert_eq!(canonical_json(&value), *expected, "bits {bits:#018x}");
        }
    }

    #[test]
    fn floats_with_integer_values_print_as_integers() {
        assert_eq!(
            jcs(r#"{"t":30.0,"u":-0.0,"w":1e2}"#),
            r#"{"t":30,"u":0,"w":100}"#
        );
    }

    #[test]
    fn keys_outside_the_bmp_sort_by_surrogates() {
        // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33, unlike by code point.
        assert_eq!(
            jcs("{\"\u{fb33}\":1,\"\u{1f600}\":2}"),
            "{\"\u{1f600}\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn fingerprint_is_stable_and_sensitive() {
        let input = serde_json::json!({"command": "git push origin fix/login", "timeout": 30.0});
        let name = Value::from("bash");
        let a = fingerprint_parts("sesn_1", "sevt_7", "agent.tool_use", &name, &input);
        let b = fingerprint_parts(
            "sesn_1",
            "sevt_7",
            "agent.tool_use",
            &name,
            &serde_json::json!({"timeout": 30, "command": "git push origin fix/login"}),
        );
        assert_eq!(a, b, "key order and 30.0 vs 30 must not matter");
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
        let c = fingerprint_parts("sesn_2", "sevt_7", "agent.tool_use", &name, &input);
        assert_ne!(a, c, "the session id is part of the fingerprint");
        assert_eq!(short(&a).len(), 12);
    }

    /// Pinned against an independent JCS + SHA-256 (Python's json with
    /// sort_keys over UTF-16 order and hashlib), so a library change is caught.
    #[test]
    fn fingerprint_known_answer() {
        let input = serde_json::json!({"command": "echo héllo", "n": 30.0, "\u{1f600}": "x"});
        let fp = fingerprint_parts(
            "sesn_1",
            "sevt_7",
            "agent.tool_use",
            &Value::from("bash"),
            &input,
        );
        let canonical = canonical_json(&serde_json::json!({
            "v": 1, "session_id": "sesn_1", "event_id": "sevt_7",
            "type": "agent.tool_use", "name": "bash", "input": input}));
        assert_eq!(
            canonical,
            "{\"event_id\":\"sevt_7\",\"input\":{\"command\":\"echo héllo\",\"n\":30,\"\u{1f600}\":\"x\"},\"name\":\"bash\",\"session_id\":\"sesn_1\",\"type\":\"agent.tool_use\",\"v\":1}"
        );
        assert_eq!(fp, KNOWN_ANSWER);
    }

    const KNOWN_ANSWER: &str =
        "sha256:2ff225d45120a284bbddf3331df0ccf3d4c8e85454e7c2aca11b136f24bf0e04";
}
