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

    use crate::sanitize::test_cells::{bar_column, random_cell};

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
}
