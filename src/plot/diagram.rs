//! A flowsheet drawn as a separation tree: feeds on the left, units in columns by how many
//! units lie upstream, products in one column on the right in the order the tree puts them
//! (for a train of cuts, the extraction order). Streams are elbow arrows labelled with their
//! flow and main element; recycles are dashed and run back along the bottom.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Drawn, Figure, failed};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Feed,
    Cascade,
    Splitter,
    /// A product: whether it meets its spec.
    Product(bool),
    Effluent,
}

/// A box: its text lines and its place (column, row; rows may be fractional).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub lines: Vec<String>,
    pub kind: NodeKind,
    pub column: usize,
    pub row: f64,
}

/// An arrow between nodes (indices into the nodes), labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub lines: Vec<String>,
    pub recycle: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

const COLUMN: i32 = 380;
const ROW: i32 = 62;
const BOX_W: i32 = 200;
const BOX_H: i32 = 44;
const TOP: i32 = 70;
/// Text sizes as plotters takes them, which it sets at 0.81 of that (15 gives 12.1 px): the
/// report shows the diagram at its drawn size, so 12 px and 13 px are what the reader sees.
const LABEL_PX: i32 = 15;
const TEXT_PX: i32 = 16;
const LEFT: i32 = 20;
const RECYCLE: RGBColor = RGBColor(230, 120, 20);
const INK: RGBColor = RGBColor(40, 40, 40);

fn border(kind: NodeKind) -> (RGBColor, RGBColor) {
    match kind {
        NodeKind::Feed => (RGBColor(31, 119, 180), RGBColor(226, 238, 248)),
        NodeKind::Cascade => (INK, RGBColor(245, 245, 245)),
        NodeKind::Splitter => (RGBColor(120, 120, 120), WHITE),
        NodeKind::Product(true) => (RGBColor(44, 140, 44), RGBColor(228, 244, 228)),
        NodeKind::Product(false) => (RGBColor(214, 39, 40), RGBColor(250, 228, 228)),
        NodeKind::Effluent => (RGBColor(150, 150, 150), WHITE),
    }
}

impl Diagram {
    fn rows(&self) -> f64 {
        self.nodes.iter().map(|n| n.row).fold(0.0, f64::max) + 1.0
    }

    fn columns(&self) -> usize {
        self.nodes.iter().map(|n| n.column).max().unwrap_or(0) + 1
    }

    fn recycles(&self) -> usize {
        self.edges.iter().filter(|e| e.recycle).count()
    }

    /// The centre of a node, in pixels.
    fn centre(&self, node: usize) -> (i32, i32) {
        let n = &self.nodes[node];
        (
            LEFT + BOX_W / 2 + COLUMN * n.column as i32,
            TOP + (ROW as f64 * n.row) as i32 + BOX_H / 2,
        )
    }
}

impl Figure for Diagram {
    fn size(&self) -> (u32, u32) {
        let w = LEFT * 2 + COLUMN * (self.columns() as i32 - 1) + BOX_W + 40;
        let h = TOP + (ROW as f64 * self.rows()) as i32 + 30 * self.recycles() as i32 + 80;
        // At least as wide as the key along the bottom.
        (w.max(1300) as u32, h.max(300) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn {
        let centred = Pos::new(HPos::Center, VPos::Center);
        let title = ("sans-serif", 22).into_font().color(&BLACK);
        let (_, h) = area.dim_in_pixel();
        // At the left, where a reader scrolling a wide diagram starts.
        area.draw(&Text::new(
            self.title.clone(),
            (LEFT, 24),
            title.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(failed)?;
        let label = ("sans-serif", LABEL_PX).into_font().color(&INK);
        let bottom = TOP + (ROW as f64 * self.rows()) as i32;
        let mut lane = 0;
        for edge in &self.edges {
            let (a, b) = (self.centre(edge.from), self.centre(edge.to));
            let start = (a.0 + BOX_W / 2, a.1);
            let end = (b.0 - BOX_W / 2, b.1);
            // Labels sit on the side of the last segment away from the elbow's vertical run.
            let (path, at, anchor) = if edge.recycle {
                lane += 1;
                let y = bottom + 30 * lane;
                let back = end.0 - 24;
                (
                    vec![
                        start,
                        (start.0 + 16, start.1),
                        (start.0 + 16, y),
                        (back, y),
                        (back, end.1),
                        end,
                    ],
                    ((start.0 + back) / 2, y - 16),
                    HPos::Center,
                )
            } else {
                let mid = start.0 + (COLUMN - BOX_W) / 2;
                let above = end.1 <= start.1;
                let lines = edge.lines.len() as i32;
                let y = if above {
                    end.1 - 10
                } else {
                    end.1 + 10 + (LABEL_PX + 1) * lines
                };
                (
                    vec![start, (mid, start.1), (mid, end.1), end],
                    (end.0 - 12, y),
                    HPos::Right,
                )
            };
            let colour = if edge.recycle { RECYCLE } else { INK };
            if edge.recycle {
                for pair in path.windows(2) {
                    dashed(area, pair[0], pair[1], colour)?;
                }
            } else {
                area.draw(&PathElement::new(path.clone(), colour.stroke_width(2)))
                    .map_err(failed)?;
            }
            let tip = *path.last().expect("paths have points");
            area.draw(&Polygon::new(
                vec![tip, (tip.0 - 9, tip.1 - 5), (tip.0 - 9, tip.1 + 5)],
                colour.filled(),
            ))
            .map_err(failed)?;
            let style = label.clone().pos(Pos::new(anchor, VPos::Bottom));
            for (k, line) in edge.lines.iter().enumerate() {
                let y = at.1 - (LABEL_PX + 1) * (edge.lines.len() - 1 - k) as i32;
                area.draw(&Text::new(line.clone(), (at.0, y), style.clone()))
                    .map_err(failed)?;
            }
        }
        let text = ("sans-serif", TEXT_PX).into_font().color(&BLACK);
        for (i, node) in self.nodes.iter().enumerate() {
            let (x, y) = self.centre(i);
            let (edge, fill) = border(node.kind);
            let corners = [
                (x - BOX_W / 2, y - BOX_H / 2),
                (x + BOX_W / 2, y + BOX_H / 2),
            ];
            area.draw(&Rectangle::new(corners, fill.filled()))
                .map_err(failed)?;
            area.draw(&Rectangle::new(corners, edge.stroke_width(2)))
                .map_err(failed)?;
            let n = node.lines.len() as i32;
            for (k, line) in node.lines.iter().enumerate() {
                let dy = (2 * k as i32 - (n - 1)) * 8;
                area.draw(&Text::new(
                    line.clone(),
                    (x, y + dy),
                    text.clone().pos(centred),
                ))
                .map_err(failed)?;
            }
        }
        // The key, along the bottom.
        let keys = [
            (NodeKind::Feed, "feed"),
            (NodeKind::Cascade, "cascade"),
            (NodeKind::Splitter, "splitter"),
            (NodeKind::Product(true), "product on spec"),
            (NodeKind::Product(false), "product off spec"),
            (NodeKind::Effluent, "effluent"),
        ];
        let y = h as i32 - 30;
        let mut x = LEFT;
        for (kind, name) in keys {
            let (edge, fill) = border(kind);
            let corners = [(x, y - 8), (x + 28, y + 8)];
            area.draw(&Rectangle::new(corners, fill.filled()))
                .map_err(failed)?;
            area.draw(&Rectangle::new(corners, edge.stroke_width(2)))
                .map_err(failed)?;
            area.draw(&Text::new(
                name,
                (x + 36, y),
                text.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(failed)?;
            x += 60 + 9 * name.len() as i32;
        }
        dashed(area, (x, y), (x + 28, y), RECYCLE)?;
        area.draw(&Text::new(
            "recycle; labels: stream, t/yr REO, main oxide %",
            (x + 36, y),
            text.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(failed)?;
        Ok(())
    }
}

/// A dashed segment (horizontal or vertical) from `a` to `b`.
fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    colour: RGBColor,
) -> Drawn {
    let length = ((b.0 - a.0).abs() + (b.1 - a.1).abs()).max(1);
    let (dx, dy) = (
        (b.0 - a.0) as f64 / length as f64,
        (b.1 - a.1) as f64 / length as f64,
    );
    let mut s = 0;
    while s < length {
        let e = (s + 7).min(length);
        let p = |t: i32| (a.0 + (dx * t as f64) as i32, a.1 + (dy * t as f64) as i32);
        area.draw(&PathElement::new(vec![p(s), p(e)], colour.stroke_width(2)))
            .map_err(failed)?;
        s += 12;
    }
    Ok(())
}
