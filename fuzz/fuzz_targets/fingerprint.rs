//! JCS and fingerprints on arbitrary JSON: canonical output re-parses to the
//! same value, canonicalising it again is a fixed point, and the fingerprint
//! does not depend on key order or number spelling.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use switchboard::model::fingerprint::{canonical_json, fingerprint_parts};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let canonical = canonical_json(&value);
    let reparsed: Value = serde_json::from_str(&canonical).expect("JCS output is JSON");
    assert_eq!(canonical_json(&reparsed), canonical, "JCS is a fixed point");
    let name = Value::from("tool");
    let a = fingerprint_parts("s", "e", "agent.tool_use", &name, &value);
    let b = fingerprint_parts("s", "e", "agent.tool_use", &name, &reparsed);
    assert_eq!(a, b, "fingerprint is stable across a round trip");
});
