//! Fitting text into cells by display width.

use ratatui::layout::Rect;
use unicode_width::UnicodeWidthChar;

use crate::sanitize::cell_width;

use crate::tui::state::Area;

pub fn rect(area: Area) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height)
}

/// `text` cut to `width` columns (with `…` when cut), padded with spaces.
pub fn fit(text: &str, width: usize) -> String {
    let mut out = cut(text, width);
    let used = cell_width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `text` cut to `width` columns, `…` marking the cut; not padded.
pub fn cut(text: &str, width: usize) -> String {
    if cell_width(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Right-aligned in `width` columns.
pub fn right(text: &str, width: usize) -> String {
    let text = cut(text, width);
    format!(
        "{}{text}",
        " ".repeat(width.saturating_sub(cell_width(&text)))
    )
}

/// Splits `text` into pieces of at most `width` columns (for soft wrap).
pub fn wrap_width(text: &str, width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width && i > start {
            pieces.push((start, i));
            start = i;
            used = 0;
        }
        used += w;
    }
    pieces.push((start, text.len()));
    pieces
}

/// A compact token count: 950, 28.2k, 3.1M.
pub fn tokens(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => format!("{:.1}k", n as f64 / 1_000.0),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("漢字漢字", 5), "漢字…");
        assert_eq!(fit("漢字漢字", 6), "漢字… ");
        assert_eq!(right("7", 3), "  7");
        assert_eq!(tokens(28_200), "28.2k");
        assert_eq!(wrap_width("abcdef", 4), vec![(0, 4), (4, 6)]);
    }

    /// Wide, combining, zero-width and hostile characters, sanitised as
    /// every caller does.
    fn random_cell(rng: &mut impl rand::RngExt) -> String {
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
    fn bar_column(line: &str) -> Option<u16> {
        let area = Rect::new(0, 0, 200, 1);
        let mut buffer = ratatui::buffer::Buffer::empty(area);
        buffer.set_string(0, 0, format!("{line}|"), ratatui::style::Style::default());
        (0..200).find(|&x| buffer[(x, 0)].symbol() == "|")
    }

    #[test]
    fn fitted_cells_never_shift_columns() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20);
        for _ in 0..3_000 {
            let cell = random_cell(&mut rng);
            for width in 0..16 {
                let fitted = fit(&cell, width);
                assert_eq!(cell_width(&fitted), width, "{cell:?} at {width}");
                assert_eq!(
                    bar_column(&fitted),
                    Some(width as u16),
                    "{cell:?} at {width}"
                );
                let cut_text = cut(&cell, width);
                assert!(cell_width(&cut_text) <= width, "{cell:?} at {width}");
                if cut_text != cell && width > 0 {
                    assert!(cut_text.ends_with('…'), "a cut is marked: {cut_text:?}");
                }
                assert_eq!(bar_column(&right(&cell, width)), Some(width as u16));
            }
        }
    }

    #[test]
    fn cli_table_columns_line_up_whatever_the_cells_hold() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
        for _ in 0..500 {
            let mut table = crate::cli::table::Table::new(&["A", "B", "C"]);
            for _ in 0..4 {
                table.row(vec![
                    random_cell(&mut rng),
                    random_cell(&mut rng),
                    "|".into(),
                ]);
            }
            let rendered = table.render();
            let columns: Vec<Option<u16>> = rendered
                .lines()
                .skip(1)
                .map(|line| bar_column(line.trim_end_matches('|')).map(|c| c - 1))
                .collect();
            assert!(
                columns.windows(2).all(|w| w[0] == w[1]),
                "the last column moved:\n{rendered}"
            );
        }
    }
}
