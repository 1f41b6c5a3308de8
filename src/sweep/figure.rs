//! `plot-sweep`: a sweep's CSV read back and drawn. Two varied columns make a heatmap with the
//! edge of the on-spec region, one makes curves (one per value of `--by`), none makes
//! histograms of the Monte Carlo samples (one per value of `--by`) with percentiles.

use std::collections::BTreeSet;

use plotters::style::{BLACK, RGBColor};

use crate::plot::{
    Heatmap, Histogram, HistogramGroup, LinePlot, Panel, Region, Scale, Series, render_svg,
    series_colour, write_figure,
};

/// A sweep's result table: header and rows as text.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTable {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl SweepTable {
    /// Reads the CSV `text` that `sxcascade sweep` or `merge` wrote (`name` for messages).
    pub fn parse(name: &str, text: &str) -> Result<Self, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format!("{name}: {e}"))?
            .iter()
            .map(String::from)
            .collect();
        if header.first().map(String::as_str) != Some("case") || !header.contains(&"status".into())
        {
            return Err(format!(
                "{name}: not a sweep result (its first column is not `case`, or it has no \
                 `status`)"
            ));
        }
        let rows = reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(String::from).collect())
                    .map_err(|e| format!("{name}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            name: name.to_string(),
            header,
            rows,
        })
    }

    /// The varied fields: the columns between `case` and `status`.
    pub fn varied(&self) -> &[String] {
        let status = self.header.iter().position(|h| h == "status").unwrap_or(1);
        &self.header[1..status]
    }

    /// The column named `name`, or `name` + "_pct" (`Nd2O3.purity` for `Nd2O3.purity_pct`).
    fn column(&self, name: &str) -> Result<usize, String> {
        let found = self
            .header
            .iter()
            .position(|h| h == name)
            .or_else(|| self.header.iter().position(|h| *h == format!("{name}_pct")));
        found.ok_or_else(|| {
            format!(
                "{}: no column `{name}`; the columns are {}",
                self.name,
                self.header.join(", ")
            )
        })
    }

    fn number(&self, row: &[String], column: usize) -> Option<f64> {
        row.get(column)?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }

    /// Keeps the rows whose `column` equals `value` (`--where`).
    pub fn filter(&mut self, condition: &str) -> Result<(), String> {
        let (name, value) = condition
            .split_once('=')
            .ok_or_else(|| format!("--where `{condition}`: write COLUMN=VALUE"))?;
        let column = self.column(name.trim())?;
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("--where `{condition}`: `{value}` is not a number"))?;
        self.rows
            .retain(|row| row.get(column).and_then(|v| v.parse::<f64>().ok()) == Some(value));
        if self.rows.is_empty() {
            return Err(format!(
                "--where `{condition}`: no row of {} has it",
                self.name
            ));
        }
        Ok(())
    }
}

/// What to draw: `z` against `x` and `y` (varied columns), in groups by `by`.
#[derive(Debug, Clone, Default)]
pub struct SweepPlotSpec {
    pub z: String,
    pub x: Option<String>,
    pub y: Option<String>,
    pub by: Option<String>,
}

/// The figure a spec asks for.
pub enum SweepFigure {
    Heatmap(Heatmap),
    Lines(LinePlot),
    Histogram(Histogram),
}

impl SweepFigure {
    pub fn write(&self, path: &std::path::Path) -> Result<(), String> {
        match self {
            SweepFigure::Heatmap(f) => write_figure(f, path),
            SweepFigure::Lines(f) => write_figure(f, path),
            SweepFigure::Histogram(f) => write_figure(f, path),
        }
    }

    pub fn svg(&self) -> Result<String, String> {
        match self {
            SweepFigure::Heatmap(f) => render_svg(f),
            SweepFigure::Lines(f) => render_svg(f),
            SweepFigure::Histogram(f) => render_svg(f),
        }
    }
}

/// A column's axis title: the trade's name for a field, and whose it is.
pub fn describe(path: &str) -> String {
    let segments: Vec<&str> = path.split('.').collect();
    let last = segments.last().copied().unwrap_or(path);
    let owner = match segments.first() {
        Some(&("cascades" | "streams" | "systems" | "splitters" | "products")) => {
            segments.get(1).map(|o| format!(" ({o})"))
        }
        _ => None,
    }
    .unwrap_or_default();
    let parent = segments.iter().rev().nth(1).copied().unwrap_or("");
    let what = match (parent, last) {
        (_, "extraction_stages") => "extraction stages n".to_string(),
        (_, "scrub_stages") => "scrub stages m".to_string(),
        (_, "reflux_ratio") => "reflux ratio R = W/(S-W)".to_string(),
        (_, "extraction_ratio") => "extraction ratio S, mol/mol feed".to_string(),
        (_, "scrub_ratio") => "scrub ratio W, mol/mol feed".to_string(),
        (_, "extract_product_ratio") => "extract product ratio P = S-W".to_string(),
        (_, "stage_efficiency") => "Murphree stage efficiency E".to_string(),
        ("separation_factors", e) => format!("separation factor beta({e})"),
        ("composition_mol", e) => format!("{e} in feed, mole fraction"),
        ("composition_oxide_pct", e) => format!("{e} in feed, % of REO"),
        (_, "reo_t_per_year") => "REO feed, t/yr".to_string(),
        (_, "purity_pct") => format!("{parent} purity, % (oxide/TREO)"),
        (_, "recovery_pct") => format!("{parent} recovery, %"),
        _ => path.to_string(),
    };
    match (parent, last) {
        (_, "purity_pct" | "recovery_pct") => what,
        _ => format!("{what}{owner}"),
    }
}

/// How a result column is best drawn: purities and recoveries in nines, residuals in decades.
fn scale_of(column: &str) -> Scale {
    if column.ends_with("purity_pct") || column.ends_with("recovery_pct") {
        Scale::Nines
    } else if column == "residual" || column == "mass_balance_max_rel_error" {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// Builds the figure `spec` asks for from `table`.
pub fn sweep_figure(table: &SweepTable, spec: &SweepPlotSpec) -> Result<SweepFigure, String> {
    let z = table.column(&spec.z)?;
    let z_name = table.header[z].clone();
    let product = z_name.split('.').next().unwrap_or("").to_string();
    let meets = table.column(&format!("{product}.meets_spec")).ok();
    let status = table.column("status")?;
    let varied_column = |name: &str| -> Result<usize, String> {
        let c = table.column(name)?;
        if table.varied().contains(&table.header[c]) {
            Ok(c)
        } else {
            Err(format!(
                "`{name}` is not a varied column of {}: those are {}",
                table.name,
                table.varied().join(", ")
            ))
        }
    };
    let x = spec.x.as_deref().map(varied_column).transpose()?;
    let y = spec.y.as_deref().map(varied_column).transpose()?;
    let by = spec.by.as_deref().map(varied_column).transpose()?;
    // Every other varied column must hold one value, or the plot would mix cases.
    let used: Vec<usize> = [x, y, by].into_iter().flatten().collect();
    for (k, name) in table.varied().iter().enumerate() {
        let c = k + 1;
        let distinct: BTreeSet<&str> = table.rows.iter().map(|r| r[c].as_str()).collect();
        // Histograms pool Monte Carlo samples, which vary fastest: row to row. A column that
        // holds its value over runs of rows is a grid axis, and pooling it would mix
        // operating points.
        let repeats = table.rows.windows(2).filter(|w| w[0][c] == w[1][c]).count();
        let grid_axis = x.is_some() || 2 * repeats >= table.rows.len();
        if !used.contains(&c) && distinct.len() > 1 && grid_axis {
            return Err(format!(
                "`{name}` varies too ({} values): pick one with --where {name}=VALUE, or \
                 plot it with --y or --by",
                distinct.len()
            ));
        }
    }
    let title_of = |what: &str| format!("{what} ({})", table.name);
    let z_title = describe(&z_name);
    let scale = scale_of(&z_name);
    match (x, y) {
        (Some(x), Some(y)) => {
            let values = |c: usize| -> Vec<f64> {
                let set: BTreeSet<u64> = table
                    .rows
                    .iter()
                    .filter_map(|r| table.number(r, c))
                    .map(f64::to_bits)
                    .collect();
                let mut v: Vec<f64> = set.into_iter().map(f64::from_bits).collect();
                v.sort_by(f64::total_cmp);
                v
            };
            let (xs, ys) = (values(x), values(y));
            if xs.is_empty() || ys.is_empty() {
                return Err(format!("{}: no numeric values to plot", table.name));
            }
            let mut z_grid = vec![None; xs.len() * ys.len()];
            let mut seen = vec![false; xs.len() * ys.len()];
            let mut on_spec = vec![false; xs.len() * ys.len()];
            let mut all_ok = vec![false; xs.len() * ys.len()];
            for row in &table.rows {
                let (Some(vx), Some(vy)) = (table.number(row, x), table.number(row, y)) else {
                    continue;
                };
                let ix = xs.partition_point(|&v| v < vx);
                let iy = ys.partition_point(|&v| v < vy);
                let k = iy * xs.len() + ix;
                if seen[k] {
                    return Err(format!(
                        "two rows of {} at {} = {vx}, {} = {vy}: another column varies; pick \
                         one value with --where",
                        table.name, table.header[x], table.header[y]
                    ));
                }
                seen[k] = true;
                z_grid[k] = table.number(row, z);
                on_spec[k] = meets.is_some_and(|m| row[m] == "true");
                all_ok[k] = row[status] == "ok";
            }
            let mut regions = Vec::new();
            if meets.is_some() {
                regions.push(Region {
                    label: format!("edge of {product} on spec"),
                    colour: BLACK,
                    inside: on_spec,
                });
            }
            let products = table
                .header
                .iter()
                .filter(|h| h.ends_with(".meets_spec"))
                .count();
            if products > 1 {
                regions.push(Region {
                    label: "edge of every product on spec".into(),
                    colour: RGBColor(214, 39, 40),
                    inside: all_ok,
                });
            }
            Ok(SweepFigure::Heatmap(Heatmap {
                title: title_of(&format!(
                    "{z_title} over {} and {}",
                    short_name(&table.header[x]),
                    short_name(&table.header[y])
                )),
                x_title: describe(&table.header[x]),
                y_title: describe(&table.header[y]),
                z_title: z_title.clone(),
                scale,
                xs,
                ys,
                z: z_grid,
                regions,
            }))
        }
        (Some(x), None) => {
            let (groups, shown) = groups(table, by);
            let series = groups
                .into_iter()
                .enumerate()
                .map(|(k, (label, rows))| {
                    let mut points: Vec<(f64, f64, bool)> = rows
                        .iter()
                        .filter_map(|r| {
                            let met = meets.is_some_and(|m| r[m] == "true");
                            Some((table.number(r, x)?, table.number(r, z)?, met))
                        })
                        .collect();
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    Series {
                        label: label.unwrap_or_else(|| z_title.clone()),
                        colour: series_colour(k),
                        on_spec: meets.map(|_| points.iter().map(|p| p.2).collect()),
                        points: points.iter().map(|p| (p.0, p.1)).collect(),
                        dashed: false,
                    }
                })
                .collect();
            Ok(SweepFigure::Lines(LinePlot {
                title: title_of(&format!(
                    "{z_title} against {}",
                    short_name(&table.header[x])
                )),
                x_title: describe(&table.header[x]),
                panels: vec![Panel {
                    y_title: z_title.clone(),
                    scale,
                    series,
                    specs: Vec::new(),
                }],
                marks: Vec::new(),
                legend_title: legend_title(table, by, &shown),
            }))
        }
        (None, Some(_)) => Err("--y needs --x".into()),
        (None, None) => {
            let (groups, shown) = groups(table, by);
            let groups = groups
                .into_iter()
                .map(|(label, rows)| {
                    let values: Vec<f64> = rows.iter().filter_map(|r| table.number(r, z)).collect();
                    HistogramGroup {
                        label: label.unwrap_or_else(|| "all samples".into()),
                        failed: rows.len() - values.len(),
                        on_spec: meets.map(|m| rows.iter().filter(|r| r[m] == "true").count()),
                        values,
                    }
                })
                .collect();
            Ok(SweepFigure::Histogram(Histogram {
                title: title_of(&format!("{z_title}: distribution over the samples")),
                x_title: z_title,
                scale,
                groups,
                // Each line names its value: a title only to say that some are left out.
                legend_title: if shown.shown < shown.of {
                    legend_title(table, by, &shown)
                } else {
                    String::new()
                },
            }))
        }
    }
}

/// Most curves or histograms one plot draws: past this the colours repeat and the lines
/// cannot be told apart.
pub const MAX_GROUPS: usize = 8;

/// How many of the values of `--by` a plot shows, of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub shown: usize,
    pub of: usize,
}

/// Rows of one value of `--by`: its label (`PATH = VALUE`; none without `--by`) and rows.
type Group<'t> = (Option<String>, Vec<&'t Vec<String>>);

/// The rows in groups by the value of column `by` (one group of all rows without it), in
/// order of first appearance; each group labelled `PATH = VALUE`. Of more than
/// [`MAX_GROUPS`] values, that many evenly spaced over the values in order, the smallest and
/// the largest among them.
fn groups(table: &SweepTable, by: Option<usize>) -> (Vec<Group<'_>>, Shown) {
    let Some(by) = by else {
        let all = vec![(None, table.rows.iter().collect())];
        return (all, Shown { shown: 1, of: 1 });
    };
    let mut groups: Vec<(&str, Group<'_>)> = Vec::new();
    for row in &table.rows {
        match groups.iter_mut().find(|(value, _)| *value == row[by]) {
            Some((_, (_, rows))) => rows.push(row),
            None => {
                let label = format!("{} = {}", short_name(&table.header[by]), row[by]);
                groups.push((&row[by], (Some(label), vec![row])));
            }
        }
    }
    let of = groups.len();
    if of > MAX_GROUPS {
        // In order of value (numbers as numbers), then every (of - 1)/(MAX - 1)-th.
        groups.sort_by(|a, b| match (a.0.parse::<f64>(), b.0.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.0.cmp(b.0),
        });
        let picked: Vec<usize> = (0..MAX_GROUPS)
            .map(|i| (i * (of - 1) + (MAX_GROUPS - 1) / 2) / (MAX_GROUPS - 1))
            .collect();
        groups = groups
            .into_iter()
            .enumerate()
            .filter(|(k, _)| picked.contains(k))
            .map(|(_, g)| g)
            .collect();
    }
    let shown = Shown {
        shown: groups.len(),
        of,
    };
    (groups.into_iter().map(|(_, g)| g).collect(), shown)
}

/// The legend's title: what `--by` varies, and, when not every value is drawn, how many are.
fn legend_title(table: &SweepTable, by: Option<usize>, shown: &Shown) -> String {
    let Some(by) = by else {
        return String::new();
    };
    let what = describe(&table.header[by]);
    if shown.shown < shown.of {
        format!(
            "{what}\n{} of its {} values, evenly spaced",
            shown.shown, shown.of
        )
    } else {
        what
    }
}

/// A field's last two segments: `PrNd.reflux_ratio`, `separation_factors.Nd`.
fn short_name(path: &str) -> String {
    let segments: Vec<&str> = path.split('.').collect();
    segments[segments.len().saturating_sub(2)..].join(".")
}
