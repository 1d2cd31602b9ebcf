//! Table columns fitted to a width by priority: the most important ones
//! are kept when the room runs out, each shown no wider than its content,
//! and whatever is left goes to the columns that can use it (long text).

/// One column: how narrow it may get, how wide its content is, and how
/// much it matters (0 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub min: usize,
    /// The widest cell (or header) of the column.
    pub content: usize,
    pub priority: u8,
    /// Takes the room left over (free text: titles, summaries).
    pub flex: bool,
}

impl Column {
    /// A column as wide as its content, never narrower.
    pub fn fixed(content: usize, priority: u8) -> Self {
        Self {
            min: content,
            content,
            priority,
            flex: false,
        }
    }

    /// A column of free text: at least `min`, wider when there is room.
    pub fn flex(min: usize, content: usize, priority: u8) -> Self {
        Self {
            min: min.min(content.max(1)),
            content,
            priority,
            flex: true,
        }
    }
}

/// How wide a flex column grows before the others get their share.
const FLEX_SHARE: usize = 40;

/// The width of each column (0: left out) in `width` columns, `gap`
/// between the columns shown. Columns are dropped lowest priority first
/// until the minimums fit; then each grows towards its content, flex
/// columns last, in priority order, sharing what remains.
pub fn fit(columns: &[Column], width: usize, gap: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| (columns[i].priority, i));
    let mut shown = vec![false; columns.len()];
    let mut used = 0;
    for &i in &order {
        let extra = columns[i].min + if used == 0 { 0 } else { gap };
        if used + extra <= width {
            shown[i] = true;
            used += extra;
        }
    }
    let mut widths: Vec<usize> = columns
        .iter()
        .zip(&shown)
        .map(|(c, s)| if *s { c.min } else { 0 })
        .collect();
    let mut left = width.saturating_sub(used);
    // Fixed-size columns first (their content is short), then free text,
    // each flex column at most FLEX_SHARE wider at first so one long text
    // does not starve the others.
    for flex in [false, true] {
        for &i in order
            .iter()
            .filter(|&&i| shown[i] && columns[i].flex == flex)
        {
            let content = if flex {
                columns[i].content.min(FLEX_SHARE.max(columns[i].min))
            } else {
                columns[i].content
            };
            let take = content.saturating_sub(widths[i]).min(left);
            widths[i] += take;
            left -= take;
        }
    }
    // Still room: the flex column that matters most takes it (left-aligned
    // text reads better with the space after it than spread thin).
    if left > 0
        && let Some(&i) = order.iter().find(|&&i| shown[i] && columns[i].flex)
    {
        widths[i] += left;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_fits_at_content_width_and_the_first_flex_takes_the_rest() {
        let cols = [
            Column::fixed(4, 1),
            Column::flex(5, 10, 0),
            Column::flex(5, 8, 2),
        ];
        assert_eq!(fit(&cols, 40, 1), vec![4, 26, 8]);
    }

    #[test]
    fn low_priority_columns_go_first_and_flex_ones_shrink_to_their_minimum() {
        let cols = [
            Column::fixed(4, 1),
            Column::flex(5, 30, 0),
            Column::fixed(12, 3),
        ];
        // 4 + 1 + 5 fit in 12; the fingerprint (12) does not.
        assert_eq!(fit(&cols, 12, 1), vec![4, 7, 0]);
        assert_eq!(fit(&cols, 23, 1), vec![4, 5, 12]);
        assert_eq!(fit(&cols, 40, 1), vec![4, 22, 12]);
    }

    #[test]
    fn one_long_text_does_not_starve_the_other_flex_columns() {
        let cols = [Column::flex(10, 300, 0), Column::flex(8, 16, 1)];
        assert_eq!(fit(&cols, 60, 1), vec![43, 16]);
    }

    #[test]
    fn a_column_never_gets_less_than_its_minimum() {
        let cols = [Column::fixed(10, 0), Column::fixed(10, 1)];
        assert_eq!(fit(&cols, 15, 1), vec![10, 0]);
        assert_eq!(fit(&cols, 5, 1), vec![0, 0]);
    }
}
