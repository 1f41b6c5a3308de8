//! Curves against one x: stacked panels sharing the x axis (purity over recovery, aqueous over
//! organic), each on a linear, log or nines y scale, with spec lines, marked x positions and
//! one legend beside them.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Drawn, Figure, failed};
use super::legend::{self, Entry, Key};
use super::ticks::{Ticked, axis, drawn, label, plain};

/// How a panel's y values are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Decades: for compositions spanning many orders of magnitude.
    Log,
    /// Purity in % on the nines scale (see [`super::nines`]).
    Nines,
}

/// One curve. `on_spec`, if given, marks each point filled (meets spec) or hollow.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
    pub on_spec: Option<Vec<bool>>,
}

/// A horizontal line: a product's specification.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecLine {
    pub label: String,
    pub colour: RGBColor,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub y_title: String,
    pub scale: Scale,
    pub series: Vec<Series>,
    pub specs: Vec<SpecLine>,
}

/// Panels stacked over one x axis, with vertical marks (the operating point, a feed stage).
#[derive(Debug, Clone, PartialEq)]
pub struct LinePlot {
    pub title: String,
    pub x_title: String,
    pub panels: Vec<Panel>,
    pub marks: Vec<(String, f64)>,
    pub legend_title: String,
}

impl LinePlot {
    fn legend(&self) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for panel in &self.panels {
            for s in &panel.series {
                let key = if s.dashed {
                    Key::Dashed(s.colour)
                } else {
                    Key::Line(s.colour)
                };
                let entry = (key, s.label.clone());
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            for spec in &panel.specs {
                entries.push((Key::Dashed(spec.colour), spec.label.clone()));
            }
        }
        if self
            .panels
            .iter()
            .flat_map(|p| &p.series)
            .any(|s| s.on_spec.is_some())
        {
            entries.push((Key::Marker(BLACK, true), "meets spec".into()));
            entries.push((Key::Marker(BLACK, false), "misses spec".into()));
        }
        for (label, _) in &self.marks {
            entries.push((Key::Dashed(RGBColor(90, 90, 90)), label.clone()));
        }
        entries
    }

    fn x_range(&self) -> (f64, f64) {
        let xs = self
            .panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(self.marks.iter().map(|m| m.1));
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
        if !lo.is_finite() {
            (0.0, 1.0)
        } else if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        }
    }
}

/// Height of the title band over the panels and the legend, and where the legend starts
/// under it, in pixels.
const TITLE: u32 = 50;
const LEGEND_TOP: u32 = 40;

impl Figure for LinePlot {
    /// 1000 by 450 for one panel; wider for a wide legend (the plot keeps 580 px), taller
    /// for a long one.
    fn size(&self) -> (u32, u32) {
        let entries = self.legend();
        let legend_width = legend::width(&self.legend_title, &entries);
        let legend_height = LEGEND_TOP + legend::height(&self.legend_title, &entries);
        (
            1000.max(580 + legend_width),
            (120 + 330 * self.panels.len().max(1) as u32).max(TITLE + legend_height),
        )
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn {
        let entries = self.legend();
        let (w, _) = area.dim_in_pixel();
        let titled = area
            .titled(&self.title, ("sans-serif", 22))
            .map_err(failed)?;
        let (plots, side) =
            titled.split_horizontally(w - legend::width(&self.legend_title, &entries));
        legend::draw(&side, LEGEND_TOP as i32, &self.legend_title, &entries)?;
        let x = self.x_range();
        let rows = plots.split_evenly((self.panels.len().max(1), 1));
        // One label room for all panels, so that their x axes line up.
        let room = self
            .panels
            .iter()
            .map(|p| y_axis(p).label_room(p.scale))
            .fold(60, u32::max);
        for (i, (panel, row)) in self.panels.iter().zip(&rows).enumerate() {
            let x_title = if i + 1 == self.panels.len() {
                self.x_title.as_str()
            } else {
                ""
            };
            draw_panel(panel, row, x, x_title, room, &self.marks)?;
        }
        Ok(())
    }
}

/// The panel's y axis: room for its curves and spec lines.
fn y_axis(panel: &Panel) -> Ticked {
    let values = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(panel.specs.iter().map(|s| s.y))
        .filter_map(|y| drawn(panel.scale, y));
    axis(panel.scale, values)
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    (x0, x1): (f64, f64),
    x_title: &str,
    label_room: u32,
    marks: &[(String, f64)],
) -> Drawn {
    let y = y_axis(panel);
    let (y0, y1) = y.bounds();
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(if x_title.is_empty() { 30 } else { 50 })
        .y_label_area_size(label_room)
        .build_cartesian_2d(x0..x1, y)
        .map_err(failed)?;
    let scale = panel.scale;
    let y_formatter = |v: &f64| label(scale, *v);
    let x_formatter = |v: &f64| plain(*v);
    chart
        .configure_mesh()
        .x_desc(x_title)
        .y_desc(panel.y_title.as_str())
        .y_label_formatter(&y_formatter)
        .x_label_formatter(&x_formatter)
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 13))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .map_err(failed)?;
    for (_, x) in marks {
        chart
            .draw_series(DashedLineSeries::new(
                [(*x, y0), (*x, y1)],
                6,
                4,
                RGBColor(90, 90, 90).stroke_width(1),
            ))
            .map_err(failed)?;
    }
    for spec in &panel.specs {
        if let Some(v) = drawn(scale, spec.y) {
            chart
                .draw_series(DashedLineSeries::new(
                    [(x0, v), (x1, v)],
                    10,
                    5,
                    spec.colour.stroke_width(2),
                ))
                .map_err(failed)?;
        }
    }
    for s in &panel.series {
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|&(x, y)| Some((x, drawn(scale, y)?)))
            .collect();
        let style = s.colour.stroke_width(2);
        if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(points.iter().copied(), 8, 4, style))
                .map_err(failed)?;
        } else {
            chart
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(failed)?;
        }
        if let Some(on_spec) = &s.on_spec {
            let markers = s.points.iter().zip(on_spec).filter_map(|(&(x, y), &met)| {
                let v = drawn(scale, y)?;
                let style = if met {
                    s.colour.filled()
                } else {
                    s.colour.stroke_width(2)
                };
                Some(Circle::new((x, v), 4, style))
            });
            chart.draw_series(markers).map_err(failed)?;
        }
    }
    Ok(())
}
