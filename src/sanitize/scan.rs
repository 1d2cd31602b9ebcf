//! The tokenizer behind the sanitiser: untrusted text in, visible pieces
//! out. Nothing is dropped: every control, sequence and invisible character
//! becomes an [`Piece::Escape`] that shows what it was, and the text of a
//! string sequence's payload (an OSC 8 link's target, an OSC 0 title) stays
//! ordinary text.

use super::chars::{is_control, is_invisible};
use super::{Layout, Mode, Piece};

pub(super) const TAB_WIDTH: usize = 4;

/// What the next character continues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    /// Inside a string sequence's payload (OSC, DCS, SOS, PM, APC), which a
    /// BEL or ST ends.
    StringSequence,
}

pub(super) struct Scanner {
    mode: Mode,
    layout: Layout,
    pieces: Vec<Piece>,
    column: usize,
    open: Open,
    hidden: usize,
}

impl Scanner {
    pub(super) fn new(mode: Mode, layout: Layout) -> Self {
        Self {
            mode,
            layout,
            pieces: Vec::new(),
            column: 0,
            open: Open::Nothing,
            hidden: 0,
        }
    }

    pub(super) fn finish(self) -> (Vec<Piece>, usize) {
        (self.pieces, self.hidden)
    }

    /// Scans one run of valid text.
    pub(super) fn text(&mut self, text: &str) {
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let taken = match c {
                '\u{1b}' => self.escape_sequence(rest),
                '\u{9b}' => self.csi(rest, c.len_utf8()),
                '\u{90}' | '\u{9d}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                    self.open_string(&rest[..c.len_utf8()]);
                    c.len_utf8()
                }
                '\u{7}' | '\u{9c}' if self.open == Open::StringSequence => {
                    // The terminator belongs to the sequence already counted.
                    self.open = Open::Nothing;
                    self.push_escape(escape_char(c), false);
                    c.len_utf8()
                }
                _ => {
                    self.visible(c);
                    c.len_utf8()
                }
            };
            rest = &rest[taken..];
        }
    }

    /// A byte that is not UTF-8: shown as `\xNN` (C1 characters, which are
    /// valid text, show as `\u{9b}`, so the two never read alike).
    pub(super) fn invalid_byte(&mut self, byte: u8) {
        self.push_escape(format!("\\x{byte:02x}"), true);
    }

    fn visible(&mut self, c: char) {
        match c {
            '\n' if self.layout == Layout::Multiline => {
                self.pieces.push(Piece::Break);
                self.column = 0;
            }
            '\n' => self.push_marker(Piece::Newline),
            '\t' => {
                let width = TAB_WIDTH - (self.column % TAB_WIDTH);
                self.pieces.push(Piece::Tab(width as u8));
                self.column += width;
            }
            c if is_control(c) || is_invisible(c) => {
                self.push_escape(escape_char(c), true);
            }
            c => {
                self.column += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                match self.pieces.last_mut() {
                    Some(Piece::Text(text)) => text.push(c),
                    _ => self.pieces.push(Piece::Text(c.to_string())),
                }
            }
        }
    }

    /// `rest` starts with ESC; returns the bytes taken.
    fn escape_sequence(&mut self, rest: &str) -> usize {
        let next = rest[1..].chars().next();
        match next {
            Some('[') => self.csi(rest, 2),
            Some(']' | 'P' | 'X' | '^' | '_') => {
                self.open_string(&rest[..2]);
                2
            }
            Some('\\') if self.open == Open::StringSequence => {
                self.open = Open::Nothing;
                self.push_escape("␛\\".to_string(), false);
                2
            }
            Some(c @ '\u{20}'..='\u{7e}') => {
                // Two-byte and charset sequences: ESC, intermediates, final.
                let mut end = 1 + c.len_utf8();
                if ('\u{20}'..='\u{2f}').contains(&c) {
                    end += rest[end..]
                        .chars()
                        .take_while(|c| ('\u{20}'..='\u{2f}').contains(c))
                        .count();
                    if let Some(f @ '\u{30}'..='\u{7e}') = rest[end..].chars().next() {
                        end += f.len_utf8();
                    }
                }
                self.push_escape(format!("␛{}", &rest[1..end]), true);
                end
            }
            _ => {
                self.push_escape("␛".to_string(), true);
                1
            }
        }
    }

    /// A CSI sequence whose introducer (ESC `[` or 0x9B) is `intro` bytes
    /// long: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final byte
    /// 0x40–0x7E. A character outside that grammar ends it and is scanned
    /// as text, so a malformed sequence can never swallow text.
    fn csi(&mut self, rest: &str, intro: usize) -> usize {
        let body = &rest[intro..];
        let params = body
            .bytes()
            .take_while(|b| (0x30..=0x3f).contains(b))
            .count();
        let inter = body[params..]
            .bytes()
            .take_while(|b| (0x20..=0x2f).contains(b))
            .count();
        let after = params + inter;
        let fin = body[after..]
            .bytes()
            .next()
            .filter(|b| (0x40..=0x7e).contains(b))
            .map_or(0, |_| 1);
        let end = intro + after + fin;
        let whole = &rest[..end];
        let complete = fin == 1;
        // Relaxed views may fold a whole colour-style sequence (digits and
        // separators only, a letter to end it) into one marker: it carries
        // no text. Anything else shows every character.
        let foldable = complete
            && inter == 0
            && body[..params]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b';' || b == b':' || b == b'?')
            && body.as_bytes()[after].is_ascii_alphabetic();
        self.hidden += 1;
        if self.mode == Mode::Relaxed && foldable {
            self.column += 1;
            self.pieces.push(Piece::Folded(whole.to_string()));
        } else {
            let shown = format!("{}{}", escape_intro(&whole[..intro]), &whole[intro..]);
            self.push_escape(shown, false);
        }
        end
    }

    fn open_string(&mut self, intro: &str) {
        self.open = Open::StringSequence;
        self.push_escape(escape_intro(intro), true);
    }

    fn push_escape(&mut self, shown: String, counts: bool) {
        if counts {
            self.hidden += 1;
        }
        self.column += unicode_width::UnicodeWidthStr::width(shown.as_str());
        self.pieces.push(Piece::Escape(shown));
    }

    fn push_marker(&mut self, piece: Piece) {
        self.column += 1;
        self.pieces.push(piece);
    }
}

/// ESC shows as `␛`, so `ESC ]` reads `␛]`; an 8-bit introducer as `\u{9d}`.
fn escape_intro(intro: &str) -> String {
    match intro.strip_prefix('\u{1b}') {
        Some(rest) => format!("␛{rest}"),
        None => intro.chars().map(escape_char).collect(),
    }
}

/// `\x07` for C0 controls and DEL, `␛` for ESC, `\u{…}` for the rest.
pub(super) fn escape_char(c: char) -> String {
    let code = c as u32;
    match c {
        '\u{1b}' => "␛".to_string(),
        '\u{0}'..='\u{1f}' | '\u{7f}' => format!("\\x{code:02x}"),
        _ => format!("\\u{{{code:x}}}"),
    }
}
