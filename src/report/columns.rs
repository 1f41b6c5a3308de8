//! One table, two renderings: plain text for the terminal (`run`, `design`) and HTML for the
//! report. Headings carry their units; a column that every row leaves blank is dropped; in
//! text, columns are as wide as their widest cell with two spaces between, numbers
//! right-aligned, so that a long name widens its column instead of pushing the rest along.

use std::fmt::Write;

/// A cell: text, a number shown to `decimals` places in text (to 6 significant figures in
/// HTML), or nothing (`-` in text, empty in HTML).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number { value: f64, decimals: usize },
    Blank,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell::Text(text.into())
    }

    pub fn number(value: f64, decimals: usize) -> Self {
        Cell::Number { value, decimals }
    }

    /// A number, or blank where there is none.
    pub fn maybe(value: Option<f64>, decimals: usize) -> Self {
        value.map_or(Cell::Blank, |v| Cell::number(v, decimals))
    }

    /// `value` to `digits` significant figures: 2763, 0.8398, 1.234e-12 (exponent form below
    /// 1e-3 and from 1e6 on, where fixed decimals would be all zeros or all digits).
    pub fn significant(value: f64, digits: usize) -> Self {
        Cell::Text(significant(value, digits))
    }

    fn as_text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number { value, decimals } => format!("{value:.decimals$}"),
            Cell::Blank => "-".into(),
        }
    }

    fn as_html(&self) -> String {
        match self {
            Cell::Text(t) => escape(t),
            Cell::Number { value, .. } => escape(&six_figures(*value)),
            Cell::Blank => String::new(),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Cell::Blank => true,
            Cell::Text(t) => t.is_empty() || t == "-",
            Cell::Number { .. } => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column: what it holds, its unit (empty for none), and which side its cells keep to.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub heading: String,
    pub unit: String,
    pub align: Align,
}

/// A label over a run of columns (`aqueous phase, mol/h` over the elements).
#[derive(Debug, Clone, PartialEq)]
struct Group {
    label: String,
    first: usize,
    count: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    columns: Vec<Column>,
    groups: Vec<Group>,
    rows: Vec<Vec<Cell>>,
    /// Rows after a rule: totals.
    totals: Vec<Vec<Cell>>,
}

impl Table {
    /// A table whose first column (names) keeps left and the rest right.
    pub fn new(columns: &[(&str, &str)]) -> Self {
        let columns = columns
            .iter()
            .enumerate()
            .map(|(k, &(heading, unit))| Column {
                heading: heading.into(),
                unit: unit.into(),
                align: if k == 0 { Align::Left } else { Align::Right },
            })
            .collect();
        Self {
            columns,
            ..Self::default()
        }
    }

    /// Adds a column at the end.
    pub fn column(&mut self, heading: &str, unit: &str, align: Align) -> &mut Self {
        self.columns.push(Column {
            heading: heading.into(),
            unit: unit.into(),
            align,
        });
        self
    }

    /// Sets the alignment of column `k`.
    pub fn align(&mut self, k: usize, align: Align) -> &mut Self {
        self.columns[k].align = align;
        self
    }

    /// Puts `label` over `count` columns from `first`.
    pub fn group(&mut self, label: &str, first: usize, count: usize) -> &mut Self {
        self.groups.push(Group {
            label: label.into(),
            first,
            count,
        });
        self
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    /// How many rows (not totals) the table has.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    pub fn total(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.totals.push(cells);
    }

    /// The columns some row fills.
    fn shown(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&k| {
                k == 0
                    || self
                        .rows
                        .iter()
                        .chain(&self.totals)
                        .any(|r| !r[k].is_blank())
            })
            .collect()
    }

    /// The table as text: a heading line, a unit line (where any column has a unit), the
    /// rows, and the totals under a rule.
    pub fn to_text(&self) -> String {
        let shown = self.shown();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .chain(&self.totals)
            .map(|r| shown.iter().map(|&k| r[k].as_text()).collect())
            .collect();
        let headings: Vec<&str> = shown
            .iter()
            .map(|&k| self.columns[k].heading.as_str())
            .collect();
        let units: Vec<&str> = shown
            .iter()
            .map(|&k| self.columns[k].unit.as_str())
            .collect();
        let mut widths: Vec<usize> = headings
            .iter()
            .zip(&units)
            .map(|(h, u)| width(h).max(width(u)))
            .collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        // A group's label must fit over its columns: they widen evenly if it does not.
        let groups: Vec<(String, usize, usize)> = self
            .groups
            .iter()
            .filter_map(|g| {
                let inside: Vec<usize> = shown
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| (g.first..g.first + g.count).contains(k))
                    .map(|(i, _)| i)
                    .collect();
                Some((g.label.clone(), *inside.first()?, *inside.last()?))
            })
            .collect();
        for (label, first, last) in &groups {
            let span: usize = widths[*first..=*last].iter().sum::<usize>() + 2 * (last - first);
            let count = last - first + 1;
            let short = (width(label) + 2).saturating_sub(span);
            for (i, w) in widths[*first..=*last].iter_mut().enumerate() {
                *w += short / count + usize::from(i < short % count);
            }
        }
        let aligns: Vec<Align> = shown.iter().map(|&k| self.columns[k].align).collect();
        let line = |cells: &[&str]| -> String {
            let mut out = String::new();
            for (k, cell) in cells.iter().enumerate() {
                if k > 0 {
                    out.push_str("  ");
                }
                let pad = " ".repeat(widths[k] - width(cell));
                match aligns[k] {
                    Align::Left => {
                        out.push_str(cell);
                        out.push_str(&pad);
                    }
                    Align::Right => {
                        out.push_str(&pad);
                        out.push_str(cell);
                    }
                }
            }
            out.trim_end().to_string()
        };
        let mut out = String::new();
        if !groups.is_empty() {
            let start = |i: usize| widths[..i].iter().sum::<usize>() + 2 * i;
            let mut text = String::new();
            for (label, first, last) in &groups {
                let (from, to) = (start(*first), start(*last) + widths[*last]);
                text.push_str(&" ".repeat(from.saturating_sub(width(&text))));
                let rule = "-".repeat(to - from - width(label) - 1);
                let _ = write!(text, "{label} {rule}");
            }
            let _ = writeln!(out, "{}", text.trim_end());
        }
        let _ = writeln!(out, "{}", line(&headings));
        if units.iter().any(|u| !u.is_empty()) {
            let _ = writeln!(out, "{}", line(&units));
        }
        for (i, row) in rows.iter().enumerate() {
            if i == self.rows.len() {
                let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                let _ = writeln!(out, "{}", "-".repeat(total));
            }
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&cells));
        }
        out
    }

    /// The table as an HTML table: headings `name, unit`, totals in bold in a `<tfoot>`.
    pub fn to_html(&self) -> String {
        let shown = self.shown();
        let mut out = String::from("<div class=\"table\"><table>\n<thead>");
        if !self.groups.is_empty() {
            out.push_str("<tr>");
            let mut k = 0;
            while k < shown.len() {
                let column = shown[k];
                match self
                    .groups
                    .iter()
                    .find(|g| (g.first..g.first + g.count).contains(&column))
                {
                    Some(g) => {
                        let span = shown[k..]
                            .iter()
                            .take_while(|&&c| c < g.first + g.count)
                            .count();
                        let _ = write!(
                            out,
                            "<th colspan=\"{span}\" class=\"group\">{}</th>",
                            escape(&g.label)
                        );
                        k += span;
                    }
                    None => {
                        out.push_str("<th></th>");
                        k += 1;
                    }
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("<tr>");
        for &k in &shown {
            let c = &self.columns[k];
            let heading = if c.unit.is_empty() {
                c.heading.clone()
            } else {
                format!("{}, {}", c.heading, c.unit)
            };
            let _ = write!(out, "<th>{}</th>", escape(&heading));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        let row = |out: &mut String, cells: &[Cell]| {
            out.push_str("<tr>");
            for &k in &shown {
                let class = if k > 0 && self.columns[k].align == Align::Left {
                    " class=\"text\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", cells[k].as_html());
            }
            out.push_str("</tr>\n");
        };
        for cells in &self.rows {
            row(&mut out, cells);
        }
        out.push_str("</tbody>\n");
        if !self.totals.is_empty() {
            out.push_str("<tfoot class=\"total\">\n");
            for cells in &self.totals {
                row(&mut out, cells);
            }
            out.push_str("</tfoot>\n");
        }
        out.push_str("</table></div>\n");
        out
    }
}

/// Characters, as a terminal counts them for the names and numbers here.
fn width(text: &str) -> usize {
    text.chars().count()
}

/// `value` to `digits` significant figures, fixed between 1e-3 and 1e6, else exponent form.
pub fn significant(value: f64, digits: usize) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i64;
    if (-3..6).contains(&magnitude) {
        let decimals = (digits as i64 - 1 - magnitude).max(0) as usize;
        format!("{value:.decimals$}")
    } else {
        format!("{value:.*e}", digits.saturating_sub(1))
    }
}

/// 6 significant figures (the report's precision); tiny numbers in exponent form.
pub fn six_figures(value: f64) -> String {
    if value != 0.0 && value.abs() < 1e-3 {
        format!("{value:.2e}")
    } else {
        crate::plot::plain(value)
    }
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&[("stream", ""), ("flow", "mol/h"), ("empty", "L/h")]);
        t.row(vec![Cell::text("a"), Cell::number(1.5, 2), Cell::Blank]);
        t.row(vec![
            Cell::text("a_very_long_stream_name"),
            Cell::number(-1234.5, 2),
            Cell::Blank,
        ]);
        t.total(vec![
            Cell::text("total"),
            Cell::number(-1233.0, 2),
            Cell::Blank,
        ]);
        t
    }

    #[test]
    fn text_columns_line_up_and_blank_columns_go() {
        let text = sample().to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "stream                       flow",
                "                            mol/h",
                "a                            1.50",
                "a_very_long_stream_name  -1234.50",
                "---------------------------------",
                "total                    -1233.00",
            ]
        );
    }

    #[test]
    fn html_has_units_in_headings_and_totals_in_a_footer() {
        let html = sample().to_html();
        assert!(html.contains("<th>flow, mol/h</th>"));
        assert!(!html.contains("empty"));
        assert!(html.contains("<tfoot class=\"total\">\n<tr><td>total</td><td>-1233</td></tr>"));
    }

    #[test]
    fn groups_sit_over_their_columns() {
        let mut t = Table::new(&[("stage", ""), ("La", ""), ("Ce", "")]);
        t.group("aqueous phase, mol/h", 1, 2);
        t.row(vec![
            Cell::text("1"),
            Cell::significant(2763.2, 4),
            Cell::significant(0.000123, 4),
        ]);
        let text = t.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "       aqueous phase, mol/h -");
        assert_eq!(lines[1], "stage        La            Ce");
        assert_eq!(lines[2], "1          2763      1.230e-4");
    }

    #[test]
    fn significant_figures() {
        assert_eq!(significant(2763.2, 4), "2763");
        assert_eq!(significant(0.83981, 4), "0.8398");
        assert_eq!(significant(402.61, 4), "402.6");
        assert_eq!(significant(1.2e-12, 4), "1.200e-12");
        assert_eq!(significant(-3.5e7, 4), "-3.500e7");
        assert_eq!(significant(0.0, 4), "0");
    }
}
