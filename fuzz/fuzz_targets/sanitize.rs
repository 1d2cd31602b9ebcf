//! The sanitiser on arbitrary bytes and text: nothing a terminal would
//! interpret ever comes out, nothing is deleted (the escapes, decoded back,
//! give the input), and sanitising twice changes nothing more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::sanitize::decode::decode;
use switchboard::sanitize::{
    Layout, Mode, escape, escape_bytes, is_clean, sanitize_line, sanitize_multiline,
};

fuzz_target!(|data: &[u8]| {
    for layout in [Layout::Line, Layout::Multiline] {
        let escaped = escape_bytes(data, Mode::Strict, layout);
        let shown = escaped.text();
        assert!(is_clean(&shown), "{shown:?}");
        assert_eq!(decode(&escaped.pieces).as_deref(), Ok(data), "{shown:?}");
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (mode, layout) in [
        (Mode::Strict, Layout::Line),
        (Mode::Relaxed, Layout::Line),
        (Mode::Strict, Layout::Multiline),
        (Mode::Relaxed, Layout::Multiline),
    ] {
        let escaped = escape(text, mode, layout);
        assert!(is_clean(&escaped.text()));
        assert_eq!(decode(&escaped.pieces).as_deref(), Ok(data));
    }
    let line = sanitize_line(text);
    assert!(!line.contains('\n'));
    assert_eq!(sanitize_line(&line), line, "idempotent");
    let multi = sanitize_multiline(text);
    assert_eq!(sanitize_multiline(&multi), multi, "idempotent");
});
