//! The one sanitiser for untrusted text (anything from a journal) before it
//! reaches a terminal cell. One rule: **no text is deleted**. C0/C1
//! controls, DEL, ESC and every escape sequence, bidi controls, zero-width
//! and other invisible characters become visible escapes (`\x07`, `␛[8m`,
//! `\u{202e}`); the payload of a string sequence (OSC, DCS, SOS, PM, APC)
//! is ordinary text. What a reviewer approves is what they saw.
//!
//! Sanitising is idempotent (sanitised text holds nothing left to escape),
//! so a view may sanitise a field its caller already sanitised. Escapes are
//! told from look-alike text by their style ([`spans`]), not their
//! characters.
//!
//! [`Mode::Strict`] (the default, and always for a request's name and
//! input) shows every sequence whole. [`Mode::Relaxed`], for agent output and
//! messages, folds a colour-style CSI sequence (digits, separators, a final
//! letter: nothing that reads as text) into one dim marker.

mod chars;
pub mod decode;
mod scan;
pub mod spans;
#[cfg(test)]
pub mod test_cells;

pub use chars::{is_bidi_control, is_control, is_invisible};

/// How much of a CSI sequence is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every character of every sequence, escaped.
    Strict,
    /// Colour-style CSI sequences fold into [`FOLDED_MARKER`].
    Relaxed,
}

/// Whether newlines are laid out or shown as `↵`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Line,
    Multiline,
}

/// The marker a folded CSI sequence shows as, in relaxed views.
pub const FOLDED_MARKER: &str = "␛";
/// A newline inside a one-line field.
pub const NEWLINE_MARKER: &str = "↵";

/// One visible piece of sanitised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Printable text, shown as it is.
    Text(String),
    /// A control, sequence or invisible character, shown escaped.
    Escape(String),
    /// A colour-style CSI sequence (as written) folded into one marker.
    Folded(String),
    /// A tab, laid out as this many spaces to the next stop.
    Tab(u8),
    /// A newline in a one-line field, shown as `↵`.
    Newline,
    /// A newline laid out as a line break (multi-line fields).
    Break,
}

impl Piece {
    /// What the piece shows.
    pub fn shown(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Piece::Text(text) | Piece::Escape(text) => Cow::Borrowed(text),
            Piece::Folded(_) => Cow::Borrowed(FOLDED_MARKER),
            Piece::Tab(width) => Cow::Owned(" ".repeat(usize::from(*width))),
            Piece::Newline => Cow::Borrowed(NEWLINE_MARKER),
            Piece::Break => Cow::Borrowed("\n"),
        }
    }

    /// Whether the piece is a styled escape (not the text itself).
    pub fn is_escape(&self) -> bool {
        matches!(self, Piece::Escape(_) | Piece::Folded(_) | Piece::Newline)
    }
}

/// Untrusted text made safe to show, piece by piece.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Escaped {
    pub pieces: Vec<Piece>,
    /// How many controls, sequences and invisible characters the text
    /// holds (tabs and laid-out newlines are not counted).
    pub hidden: usize,
}

impl Escaped {
    /// The text as shown, escapes inline.
    pub fn text(&self) -> String {
        self.pieces.iter().map(|p| p.shown()).collect()
    }
}

/// Sanitises valid text.
pub fn escape(text: &str, mode: Mode, layout: Layout) -> Escaped {
    let mut scanner = scan::Scanner::new(mode, layout);
    scanner.text(text);
    let (pieces, hidden) = scanner.finish();
    Escaped { pieces, hidden }
}

/// Sanitises bytes that may not be UTF-8: each invalid byte shows as
/// `\xNN` (never replaced by U+FFFD, which would hide which byte it was).
pub fn escape_bytes(bytes: &[u8], mode: Mode, layout: Layout) -> Escaped {
    let mut scanner = scan::Scanner::new(mode, layout);
    for chunk in bytes.utf8_chunks() {
        scanner.text(chunk.valid());
        for &byte in chunk.invalid() {
            scanner.invalid_byte(byte);
        }
    }
    let (pieces, hidden) = scanner.finish();
    Escaped { pieces, hidden }
}

/// Sanitises text for a single terminal line; newlines become `↵`. Strict:
/// the default for anything that names or identifies.
pub fn sanitize_line(text: &str) -> String {
    shown(text, Mode::Strict, Layout::Line)
}

/// Sanitises text keeping `\n` as line breaks (for multi-line views).
pub fn sanitize_multiline(text: &str) -> String {
    shown(text, Mode::Strict, Layout::Multiline)
}

/// Agent output and messages on one line: colour sequences fold to `␛`.
pub fn sanitize_output_line(text: &str) -> String {
    shown(text, Mode::Relaxed, Layout::Line)
}

/// The shown text; printable ASCII (most ids, titles and rows) is shown as
/// it is without building pieces.
fn shown(text: &str, mode: Mode, layout: Layout) -> String {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_string();
    }
    escape(text, mode, layout).text()
}

/// Bytes (a malformed or torn journal line) on one line, invalid UTF-8
/// shown byte by byte.
pub fn sanitize_bytes_line(bytes: &[u8]) -> String {
    escape_bytes(bytes, Mode::Strict, Layout::Line).text()
}

/// How many controls, sequences and invisible characters `text` holds: what
/// a reviewer is warned of.
pub fn hidden_count(text: &str) -> usize {
    if text.chars().all(|c| !needs_escape(c)) {
        return 0;
    }
    escape(text, Mode::Strict, Layout::Multiline).hidden
}

fn needs_escape(c: char) -> bool {
    (is_control(c) && c != '\n' && c != '\t') || is_invisible(c)
}

/// Columns `text` takes as ratatui lays it out and terminals draw it:
/// character by character. (A whole string's `UnicodeWidthStr::width`
/// can differ, for ligatures such as lam-alef, and shift a column.)
pub fn cell_width(text: &str) -> usize {
    text.chars()
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum()
}

/// Whether a string is free of anything a terminal would interpret.
pub fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (is_control(c) && c != '\n') || is_bidi_control(c))
}

#[cfg(test)]
mod tests;
