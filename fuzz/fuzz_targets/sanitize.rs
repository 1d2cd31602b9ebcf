//! The sanitiser on arbitrary text: nothing a terminal would interpret ever
//! comes out, and sanitising twice changes nothing more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::sanitize::{is_clean, sanitize_line, sanitize_multiline};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let line = sanitize_line(&text);
    assert!(is_clean(&line), "{line:?}");
    assert!(!line.contains('\n'));
    assert_eq!(sanitize_line(&line), line, "idempotent");
    let multi = sanitize_multiline(&text);
    assert!(is_clean(&multi), "{multi:?}");
});
