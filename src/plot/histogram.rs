//! Distributions of a result over Monte Carlo samples: one outline per group (an operating
//! point), its 5th, 50th and 95th percentiles, and the share of samples on spec.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Drawn, Figure, failed};
use super::legend::{self, Entry, Key};
use super::lines::Scale;
use super::nines::nines;
use super::palette::series_colour;
use super::ticks::{axis, drawn, label, plain};

/// The samples of one group. `failed` counts samples without a value (infeasible, not
/// converged); `on_spec` how many met the product's spec.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramGroup {
    pub label: String,
    pub values: Vec<f64>,
    pub failed: usize,
    pub on_spec: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub title: String,
    pub x_title: String,
    pub scale: Scale,
    pub groups: Vec<HistogramGroup>,
    /// Over the legend: what the groups are (empty for none).
    pub legend_title: String,
}

/// The `q`-th quantile (0-1) of `sorted`, linearly interpolated between order statistics
/// (Hyndman & Fan's type 7, the default of R and NumPy).
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + frac * (sorted[hi] - sorted[lo]))
}

const PERCENTILES: [f64; 3] = [0.05, 0.5, 0.95];

impl HistogramGroup {
    fn sorted(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .values
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }

    /// The legend's line: percentiles and the share on spec.
    fn summary(&self) -> String {
        let sorted = self.sorted();
        let p: Vec<String> = PERCENTILES
            .iter()
            .filter_map(|&q| {
                Some(format!(
                    "P{:.0} {}",
                    q * 100.0,
                    short(percentile(&sorted, q)?)
                ))
            })
            .collect();
        let total = self.values.len() + self.failed;
        let mut s = format!("{}: {}", self.label, p.join(", "));
        if let Some(ok) = self.on_spec {
            s.push_str(&format!(
                "; on spec {:.1} %",
                100.0 * ok as f64 / total.max(1) as f64
            ));
        }
        if self.failed > 0 {
            s.push_str(&format!("; {} without result", self.failed));
        }
        s
    }
}

/// A value for the legend: enough digits to tell 99.95 from 99.99.
fn short(v: f64) -> String {
    if (90.0..100.0).contains(&v) {
        let digits = (nines(v).ceil() as usize + 1).min(10);
        format!("{v:.digits$}")
    } else {
        format!("{v:.4}")
    }
}

impl Figure for Histogram {
    fn size(&self) -> (u32, u32) {
        // Room for the plot, then one legend line per group under it.
        let title = self.legend_title.lines().count() as u32;
        (1100, 560 + 22 * (self.groups.len() as u32 + 1 + title))
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn {
        let scale = self.scale;
        let drawn = |v: f64| drawn(scale, v);
        let x_axis = axis(
            scale,
            self.groups
                .iter()
                .flat_map(|g| g.values.iter().copied())
                .filter_map(drawn),
        );
        let (lo, hi) = x_axis.bounds();
        let largest = self
            .groups
            .iter()
            .map(|g| g.values.len())
            .max()
            .unwrap_or(0);
        let bins = ((largest as f64).sqrt().round() as usize).clamp(10, 60);
        let width = (hi - lo) / bins as f64;
        let shares: Vec<Vec<f64>> = self
            .groups
            .iter()
            .map(|g| {
                let mut counts = vec![0usize; bins];
                for d in g.values.iter().copied().filter_map(drawn) {
                    let k = (((d - lo) / width).max(0.0) as usize).min(bins - 1);
                    counts[k] += 1;
                }
                let total = (g.values.len() + g.failed).max(1) as f64;
                counts
                    .into_iter()
                    .map(|c| 100.0 * c as f64 / total)
                    .collect()
            })
            .collect();
        let top = shares.iter().flatten().copied().fold(0.0, f64::max) * 1.08;

        let entries: Vec<Entry> = self
            .groups
            .iter()
            .enumerate()
            .map(|(k, g)| (Key::Line(series_colour(k)), g.summary()))
            .chain([(Key::Dashed(BLACK), "percentiles P5, P50, P95".to_string())])
            .collect();
        let titled = area
            .titled(&self.title, ("sans-serif", 22))
            .map_err(failed)?;
        // The legend goes under the plot: its lines are long.
        let (_, h) = titled.dim_in_pixel();
        let legend_height = 4 + legend::height(&self.legend_title, &entries);
        let (plot, keys) = titled.split_vertically(h.saturating_sub(legend_height));
        legend::draw(&keys, 4, &self.legend_title, &entries)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x_axis, 0.0..top.max(1.0))
            .map_err(failed)?;
        let x_label = |v: &f64| label(scale, *v);
        let y_label = |v: &f64| plain(*v);
        chart
            .configure_mesh()
            .x_desc(self.x_title.as_str())
            .y_desc("share of samples, %")
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .axis_desc_style(("sans-serif", 16))
            .label_style(("sans-serif", 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(failed)?;
        for (k, (group, share)) in self.groups.iter().zip(&shares).enumerate() {
            let colour = series_colour(k);
            // A step outline, so overlapping groups stay readable.
            let mut outline = vec![(lo, 0.0)];
            for (b, &s) in share.iter().enumerate() {
                let x = lo + b as f64 * width;
                outline.push((x, s));
                outline.push((x + width, s));
            }
            outline.push((hi, 0.0));
            chart
                .draw_series(LineSeries::new(outline, colour.stroke_width(2)))
                .map_err(failed)?;
            let sorted = group.sorted();
            for q in PERCENTILES {
                if let Some(x) = percentile(&sorted, q).and_then(drawn) {
                    chart
                        .draw_series(DashedLineSeries::new(
                            [(x, 0.0), (x, top)],
                            6,
                            4,
                            colour.stroke_width(1),
                        ))
                        .map_err(failed)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.5), Some(2.5));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&v, 1.0), Some(4.0));
        // numpy.percentile([1, 2, 3, 4], 5) = 1.15
        assert!((percentile(&v, 0.05).unwrap() - 1.15).abs() < 1e-12);
        assert_eq!(percentile(&[], 0.5), None);
    }
}
