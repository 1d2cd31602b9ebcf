//! The one sanitiser for untrusted text (anything from a journal) before it
//! reaches a terminal cell: escape sequences (CSI, OSC, DCS, SOS/PM/APC) are
//! removed, C0/C1 controls and bidi controls become visible escapes, tabs
//! are expanded to spaces.

const TAB_WIDTH: usize = 4;

/// Sanitises text for a single terminal line; newlines become `↵`.
pub fn sanitize_line(text: &str) -> String {
    sanitize(text, false)
}

/// Sanitises text keeping `\n` as line breaks (for multi-line views).
pub fn sanitize_multiline(text: &str) -> String {
    sanitize(text, true)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// After ESC.
    Escape,
    /// Inside CSI parameters until a final byte 0x40..=0x7E.
    Csi,
    /// Inside a string sequence (OSC, DCS, SOS, PM, APC) until BEL or ST.
    Str,
    /// ESC seen inside a string sequence: `\` ends it.
    StrEscape,
}

fn sanitize(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut state = State::Text;
    let mut column = 0usize;
    for c in text.chars() {
        state = match state {
            State::Text => match c {
                '\u{1b}' => State::Escape,
                '\u{9b}' => State::Csi,
                '\u{90}' | '\u{9d}' | '\u{98}' | '\u{9e}' | '\u{9f}' => State::Str,
                _ => {
                    push_visible(&mut out, c, keep_newlines, &mut column);
                    State::Text
                }
            },
            State::Escape => match c {
                '[' => State::Csi,
                ']' | 'P' | 'X' | '^' | '_' => State::Str,
                // Two-byte sequences (ESC 7, ESC c, …) are dropped whole;
                // ESC followed by an intermediate byte takes one more.
                '\u{20}'..='\u{2f}' => State::Escape,
                _ => State::Text,
            },
            State::Csi => match c {
                '\u{40}'..='\u{7e}' => State::Text,
                '\u{1b}' => State::Escape,
                _ => State::Csi,
            },
            State::Str => match c {
                '\u{7}' | '\u{9c}' => State::Text,
                '\u{1b}' => State::StrEscape,
                _ => State::Str,
            },
            State::StrEscape => match c {
                '\\' => State::Text,
                '\u{1b}' => State::StrEscape,
                _ => State::Str,
            },
        };
    }
    out
}

fn push_visible(out: &mut String, c: char, keep_newlines: bool, column: &mut usize) {
    match c {
        '\n' if keep_newlines => {
            out.push('\n');
            *column = 0;
        }
        '\n' => {
            out.push('↵');
            *column += 1;
        }
        '\t' => {
            let spaces = TAB_WIDTH - (*column % TAB_WIDTH);
            out.extend(std::iter::repeat_n(' ', spaces));
            *column += spaces;
        }
        c if is_control(c) || is_bidi_control(c) => {
            let escaped = visible_escape(c);
            *column += escaped.chars().count();
            out.push_str(&escaped);
        }
        c => {
            out.push(c);
            *column += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
}

fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Bidi embeddings, overrides, isolates and marks that can reorder text.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}'
    )
}

fn visible_escape(c: char) -> String {
    let code = c as u32;
    if code <= 0xff {
        format!("\\x{code:02x}")
    } else {
        format!("\\u{{{code:x}}}")
    }
}

/// Whether a string is free of anything a terminal would interpret.
pub fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (is_control(c) && c != '\n') || is_bidi_control(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_sequences() {
        assert_eq!(sanitize_line("a\x1b[2Jb"), "ab");
        assert_eq!(sanitize_line("a\x1b]0;title\x07b"), "ab");
        assert_eq!(
            sanitize_line("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b"),
            "alinkb"
        );
        assert_eq!(sanitize_line("a\x1b]52;c;aGVsbG8=\x07b"), "ab");
        assert_eq!(sanitize_line("a\x1bP1$r\x1b\\b"), "ab");
        assert_eq!(sanitize_line("a\u{9b}31mb"), "ab");
        assert_eq!(sanitize_line("a\x1b7b"), "ab");
    }

    #[test]
    fn shows_controls_and_bidi_as_visible_escapes() {
        assert_eq!(sanitize_line("a\rb\x08c"), "a\\x0db\\x08c");
        assert_eq!(sanitize_line("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(sanitize_line("nul\0"), "nul\\x00");
        assert_eq!(sanitize_line("one\ntwo"), "one↵two");
        assert_eq!(sanitize_multiline("one\ntwo"), "one\ntwo");
    }

    #[test]
    fn expands_tabs_to_stops() {
        assert_eq!(sanitize_line("a\tb"), "a   b");
        assert_eq!(sanitize_line("\tb"), "    b");
        assert_eq!(sanitize_line("漢\tb"), "漢  b");
    }

    #[test]
    fn keeps_ordinary_unicode() {
        let text = "héllo 漢字 😀 zero\u{200b}width";
        assert_eq!(sanitize_line(text), text);
        assert!(is_clean(&sanitize_line("\x1b[31mred\u{9b}1m\r")));
    }

    #[test]
    fn unterminated_sequences_swallow_only_themselves() {
        assert_eq!(sanitize_line("ok\x1b]0;never ends"), "ok");
        assert_eq!(sanitize_line("ok\x1b"), "ok");
    }
}
