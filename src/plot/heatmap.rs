//! A value over a two-axis sweep grid, one coloured cell per case, with the edges of regions
//! (where a product meets its spec) drawn over it: the design window at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Drawn, Figure, failed};
use super::legend::{self, Entry, Key};
use super::lines::Scale;
use super::ticks::{Ticked, axis, drawn, label, plain};

/// Cells that belong to a region, in the grid's order; its edge is drawn in `colour`.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub label: String,
    pub colour: RGBColor,
    pub inside: Vec<bool>,
}

/// `z[iy * xs.len() + ix]` is the value at (`xs[ix]`, `ys[iy]`); `None` where the case has
/// none (infeasible, not converged).
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub x_title: String,
    pub y_title: String,
    pub z_title: String,
    pub scale: Scale,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub z: Vec<Option<f64>>,
    pub regions: Vec<Region>,
}

const NO_RESULT: RGBColor = RGBColor(200, 200, 200);

/// Cell edges: midway between neighbouring values, half a step beyond the ends.
fn edges(values: &[f64]) -> Vec<f64> {
    if values.len() == 1 {
        return vec![values[0] - 0.5, values[0] + 0.5];
    }
    let n = values.len();
    let mut e = Vec::with_capacity(n + 1);
    e.push(values[0] - (values[1] - values[0]) / 2.0);
    e.extend(values.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    e.push(values[n - 1] + (values[n - 1] - values[n - 2]) / 2.0);
    e
}

impl Heatmap {
    /// The colour scale's axis, in drawn units.
    fn z_axis(&self) -> Ticked {
        axis(
            self.scale,
            self.z
                .iter()
                .flatten()
                .filter_map(|&z| drawn(self.scale, z)),
        )
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        (1000, 720)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn {
        let mut entries: Vec<Entry> = self
            .regions
            .iter()
            .map(|r| (Key::Line(r.colour), r.label.clone()))
            .collect();
        if self.z.iter().any(Option::is_none) {
            entries.push((
                Key::Swatch(NO_RESULT),
                "no result (infeasible, not converged)".into(),
            ));
        }
        let (w, _) = area.dim_in_pixel();
        let titled = area
            .titled(&self.title, ("sans-serif", 22))
            .map_err(failed)?;
        let (plot, side) = titled.split_horizontally(w - legend::width("", &entries).max(300));
        let (bar, keys) = side.split_vertically(380);
        legend::draw(&keys, 10, "", &entries)?;

        let (ex, ey) = (edges(&self.xs), edges(&self.ys));
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(ex[0]..ex[ex.len() - 1], ey[0]..ey[ey.len() - 1])
            .map_err(failed)?;
        let tick = |v: &f64| plain(*v);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_desc(self.x_title.as_str())
            .y_desc(self.y_title.as_str())
            .axis_desc_style(("sans-serif", 16))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(failed)?;
        let z_axis = self.z_axis();
        let (z0, z1) = z_axis.bounds();
        let colour = |z: Option<f64>| match z {
            None => NO_RESULT,
            Some(z) => {
                let d = drawn(self.scale, z).unwrap_or(z0);
                let t = ((d - z0) / (z1 - z0)).clamp(0.0, 1.0);
                ViridisRGB::get_color(t)
            }
        };
        let nx = self.xs.len();
        let cells = self.z.iter().enumerate().map(|(k, &z)| {
            let (ix, iy) = (k % nx, k / nx);
            Rectangle::new(
                [(ex[ix], ey[iy]), (ex[ix + 1], ey[iy + 1])],
                colour(z).filled(),
            )
        });
        chart.draw_series(cells).map_err(failed)?;
        for region in &self.regions {
            let inside = |ix: usize, iy: usize| region.inside[iy * nx + ix];
            let mut segments = Vec::new();
            for iy in 0..self.ys.len() {
                for ix in 0..nx {
                    if ix + 1 < nx && inside(ix, iy) != inside(ix + 1, iy) {
                        segments.push([(ex[ix + 1], ey[iy]), (ex[ix + 1], ey[iy + 1])]);
                    }
                    if iy + 1 < self.ys.len() && inside(ix, iy) != inside(ix, iy + 1) {
                        segments.push([(ex[ix], ey[iy + 1]), (ex[ix + 1], ey[iy + 1])]);
                    }
                }
            }
            let style = region.colour.stroke_width(3);
            chart
                .draw_series(
                    segments
                        .into_iter()
                        .map(|s| PathElement::new(s.to_vec(), style)),
                )
                .map_err(failed)?;
        }

        // The colour bar.
        let mut scale = ChartBuilder::on(&bar)
            .margin_top(40)
            .margin_bottom(20)
            .margin_left(12)
            .margin_right(150)
            .set_label_area_size(LabelAreaPosition::Right, 90)
            .caption(&self.z_title, ("sans-serif", 14))
            .build_cartesian_2d(0.0..1.0, z_axis)
            .map_err(failed)?;
        let scale_of_z = self.scale;
        let z_label = |v: &f64| label(scale_of_z, *v);
        scale
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_label_formatter(&z_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(failed)?;
        let steps = 120;
        let strips = (0..steps).map(|k| {
            let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
            let c = ViridisRGB::get_color(a);
            Rectangle::new(
                [(0.0, z0 + (z1 - z0) * a), (1.0, z0 + (z1 - z0) * b)],
                c.filled(),
            )
        });
        scale.draw_series(strips).map_err(failed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_are_midway() {
        assert_eq!(edges(&[1.0, 2.0, 4.0]), [0.5, 1.5, 3.0, 5.0]);
        assert_eq!(edges(&[3.0]), [2.5, 3.5]);
    }
}
