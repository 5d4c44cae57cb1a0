//! Plain-text tables aligned by display width: a CJK character or an
//! emoji such as 🚧 takes two terminal columns while being one `char`, so
//! `format!("{:>3}")` (which counts `char`s) puts every cell after one
//! of them a column off.

use unicode_width::UnicodeWidthStr;

/// How a column's cells sit in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// The columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns (whole characters; `…` marks the cut).
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `s` padded with spaces to `cols` columns.
pub fn pad(s: &str, cols: usize, align: Align) -> String {
    let fill = " ".repeat(cols.saturating_sub(width(s)));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// A table: a header row, then rows; each column as wide as its widest
/// cell, columns one space apart, no trailing blanks.
pub struct Table {
    cols: Vec<(String, Align, usize)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers and alignments; `max` limits a
    /// column's width (its longer cells are cut), 0 for none.
    pub fn new(cols: &[(&str, Align, usize)]) -> Table {
        Table {
            cols: cols
                .iter()
                .map(|(h, a, m)| ((*h).to_owned(), *a, *m))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank, extra ones dropped).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as lines of text.
    pub fn render(&self) -> String {
        let cell = |r: &[String], k: usize| -> String {
            let s = r.get(k).map(String::as_str).unwrap_or("");
            match self.cols[k].2 {
                0 => s.to_owned(),
                m => truncate(s, m),
            }
        };
        let header: Vec<String> = self.cols.iter().map(|c| c.0.clone()).collect();
        let all: Vec<Vec<String>> = std::iter::once(header)
            .chain(self.rows.iter().cloned())
            .map(|r| (0..self.cols.len()).map(|k| cell(&r, k)).collect())
            .collect();
        let widths: Vec<usize> = (0..self.cols.len())
            .map(|k| all.iter().map(|r| width(&r[k])).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for r in &all {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(k, s)| pad(s, widths[k], self.cols[k].1))
                .collect();
            out.push_str(line.join(" ").trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("🚧"), 2);
        assert_eq!(width("内存"), 4);
        assert_eq!(pad("🚧", 3, Align::Right), " 🚧");
        assert_eq!(pad("内存", 6, Align::Left), "内存  ");
        assert_eq!(truncate("内存管理", 5), "内存…");
        assert_eq!(truncate("mm", 5), "mm");
    }

    #[test]
    fn columns_line_up_by_display_width() {
        let mut t = Table::new(&[
            ("topic", Align::Left, 8),
            ("🚧", Align::Right, 0),
            ("open?", Align::Right, 0),
        ]);
        t.row(vec!["内存管理内存".into(), "1".into(), "12".into()]);
        t.row(vec!["mm".into(), "10".into(), "3".into()]);
        let s = t.render();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(
            lines,
            ["topic   🚧 open?", "内存管…  1    12", "mm      10     3"]
        );
        // Every column ends at the same display column on every line.
        assert!(lines.iter().all(|l| width(l) == width(lines[0])));
    }
}
