//! Plain aligned tables for human output; every cell is sanitised.

use crate::sanitize::{cell_width, sanitize_line};

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.iter().map(|c| sanitize_line(c)).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| cell_width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell_width(cell));
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate().take(columns) {
                line.push_str(cell);
                if i + 1 < columns {
                    let pad = widths[i] - cell_width(cell) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Shortens text to at most `max` characters, marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((cut, _)) if text.chars().count() > max => format!("{}…", &text[..cut]),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::test_cells::{bar_column, random_cell};

    #[test]
    fn aligns_and_sanitises() {
        let mut t = Table::new(&["ID", "TITLE"]);
        t.row(vec!["a".into(), "x\x1b[2Jy".into()]);
        t.row(vec!["long-id".into(), "z".into()]);
        assert_eq!(t.render(), "ID       TITLE\na        x␛[2Jy\nlong-id  z\n");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }

    #[test]
    fn cli_table_columns_line_up_whatever_the_cells_hold() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
        for _ in 0..500 {
            let mut table = Table::new(&["A", "B", "C"]);
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

/// A token count in a few characters: `950`, `22.5k`, `3.1M`.
pub fn format_tokens(tokens: u64) -> String {
    match tokens {
        0 => "-".into(),
        n if n < 1_000 => n.to_string(),
        n if n < 1_000_000 => format!("{:.1}k", n as f64 / 1_000.0),
        n => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

/// Dollars to the cent, or `-` when unknown.
pub fn format_cost(cost: Option<f64>) -> String {
    match cost {
        Some(dollars) => format!("${dollars:.2}"),
        None => "-".into(),
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn tokens_and_costs_read_at_a_glance() {
        assert_eq!(format_tokens(0), "-");
        assert_eq!(format_tokens(950), "950");
        assert_eq!(format_tokens(22_539), "22.5k");
        assert_eq!(format_tokens(3_100_000), "3.1M");
        assert_eq!(format_cost(Some(1.234)), "$1.23");
        assert_eq!(format_cost(None), "-");
    }
}
