//! A plain text table: columns two spaces apart, each aligned left or right, trailing spaces
//! trimmed.

/// How a column is aligned: text left, numbers right.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone)]
enum Line {
    Cells(Vec<String>),
    /// Cells whose last one runs on past the columns: a note (a failure's reason) that would
    /// otherwise widen its column for every row.
    Spanning(Vec<String>),
}

/// A text table with a header row.
///
/// ```
/// use epbench::text::Table;
///
/// let mut table = Table::new(&["id", "value", "note"]).left(2);
/// table.row(vec!["long-id".into(), "1".into(), "x".into()]);
/// table.spanning_row(vec!["b".into(), "failed: the reason is long".into()]);
/// assert_eq!(
///     table.render(),
///     "id       value  note\nlong-id      1  x\nb        failed: the reason is long\n"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    align: Vec<Align>,
    lines: Vec<Line>,
}

impl Table {
    /// A table with these column headers; the first column is left-aligned, the others right.
    pub fn new(header: &[&str]) -> Self {
        let mut align = vec![Align::Right; header.len()];
        if let Some(first) = align.first_mut() {
            *first = Align::Left;
        }
        Table {
            align,
            lines: vec![Line::Cells(header.iter().map(|h| h.to_string()).collect())],
        }
    }

    /// A table whose columns are all left-aligned.
    pub fn left_aligned(header: &[&str]) -> Self {
        let mut table = Table::new(header);
        table.align.fill(Align::Left);
        table
    }

    /// Left-aligns column `index`.
    pub fn left(mut self, index: usize) -> Self {
        if let Some(align) = self.align.get_mut(index) {
            *align = Align::Left;
        }
        self
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.lines.push(Line::Cells(cells));
    }

    /// Adds a row whose last cell is written as it is, left-aligned, and does not count towards
    /// its column's width.
    pub fn spanning_row(&mut self, cells: Vec<String>) {
        self.lines.push(Line::Spanning(cells));
    }

    /// The table as text, one line per row.
    pub fn render(&self) -> String {
        let measured = |line: &Line| -> Vec<usize> {
            let cells = match line {
                Line::Cells(cells) => &cells[..],
                Line::Spanning(cells) => &cells[..cells.len().saturating_sub(1)],
            };
            cells.iter().map(|cell| cell.chars().count()).collect()
        };
        let mut widths: Vec<usize> = Vec::new();
        for line in &self.lines {
            for (c, width) in measured(line).into_iter().enumerate() {
                match widths.get_mut(c) {
                    Some(w) => *w = (*w).max(width),
                    None => widths.push(width),
                }
            }
        }
        let mut out = String::new();
        for line in &self.lines {
            let (cells, spanning) = match line {
                Line::Cells(cells) => (cells, false),
                Line::Spanning(cells) => (cells, true),
            };
            let mut text = String::new();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    text.push_str("  ");
                }
                if spanning && c + 1 == cells.len() {
                    text.push_str(cell);
                    break;
                }
                let pad = " ".repeat(widths[c].saturating_sub(cell.chars().count()));
                match self.align.get(c).copied().unwrap_or(Align::Right) {
                    Align::Left => {
                        text.push_str(cell);
                        text.push_str(&pad);
                    }
                    Align::Right => {
                        text.push_str(&pad);
                        text.push_str(cell);
                    }
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let mut table = Table::new(&["id", "value", "note"]).left(2);
        table.row(vec!["long-id".into(), "1".into(), "x".into()]);
        assert_eq!(table.render(), "id       value  note\nlong-id      1  x\n");
        let mut left = Table::left_aligned(&["a", "b"]);
        left.row(vec!["xyz".into(), "1".into()]);
        assert_eq!(left.render(), "a    b\nxyz  1\n");
    }
}
