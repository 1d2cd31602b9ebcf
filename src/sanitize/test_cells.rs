//! Test helpers for the width-safety checks of every row formatter: cells
//! made of the characters that shift columns, and where ratatui puts what
//! follows them.

use ratatui::layout::Rect;

/// Wide, combining, zero-width and hostile characters, sanitised as
/// every caller does.
pub fn random_cell(rng: &mut impl rand::RngExt) -> String {
    const ALPHABET: &[char] = &[
        'a',
        ' ',
        '漢',
        '字',
        '😀',
        '\u{301}',
        '\u{200b}',
        '\u{200d}',
        '\u{fe0f}',
        'ل',
        'ا',
        '\u{1100}',
        '\u{1161}',
        '\u{1b}',
        '\t',
        '\n',
        '\u{202e}',
        'é',
        '\u{e0041}',
    ];
    let len = rng.random_range(0..12);
    let raw: String = (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect();
    crate::sanitize::sanitize_line(&raw)
}

/// Where `line` puts the `|` after it, laid out by ratatui as the
/// dashboard draws it.
pub fn bar_column(line: &str) -> Option<u16> {
    let area = Rect::new(0, 0, 200, 1);
    let mut buffer = ratatui::buffer::Buffer::empty(area);
    buffer.set_string(0, 0, format!("{line}|"), ratatui::style::Style::default());
    (0..200).find(|&x| buffer[(x, 0)].symbol() == "|")
}
