//! The flowsheet diagram's layout: a depth-first walk from the feeds that places each unit one
//! column right of the unit feeding it, each product on the next row of the right-hand column,
//! and each unit midway between what it sends on. A stream back to a unit already placed is
//! a recycle.

use std::collections::HashMap;

use crate::flowsheet::{Flowsheet, FlowsheetSolution, UnitId};
use crate::plot::{Diagram, Edge, Node, NodeKind};
use crate::stream::Stream;

use super::reo_t_per_year;

/// Where the walk has got to.
struct Layout<'f> {
    flowsheet: &'f Flowsheet,
    solution: &'f FlowsheetSolution,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    placed: HashMap<UnitId, usize>,
    /// Units on the walk's path from a feed: a stream back to one of them is a recycle.
    path: Vec<UnitId>,
    next_row: f64,
}

/// The diagram of `flowsheet` with the flows of `solution`.
pub fn flowsheet_diagram(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> Diagram {
    let mut layout = Layout {
        flowsheet,
        solution,
        nodes: Vec::new(),
        edges: Vec::new(),
        placed: HashMap::new(),
        path: Vec::new(),
        next_row: 0.0,
    };
    let mut feeds = Vec::new();
    for (name, stream) in &flowsheet.feeds {
        // A feed's flow is written in its box; its arrow needs no label.
        let lines = vec![name.clone(), flow_label(flowsheet, stream)];
        let node = layout.add(lines, NodeKind::Feed, 0);
        feeds.push(node);
        if let Some(unit) = flowsheet.consumer(name) {
            let target = layout.visit(unit, 1);
            layout.edges.push(Edge {
                from: node,
                to: target,
                lines: Vec::new(),
                recycle: false,
            });
        }
    }
    // Feeds sit level with what they feed, stacked when several feed one unit.
    for (k, &node) in feeds.iter().enumerate() {
        let target = layout.edges.iter().find(|e| e.from == node).map(|e| e.to);
        let row = target.map_or(layout.next_row, |t| layout.nodes[t].row);
        let siblings: Vec<usize> = feeds
            .iter()
            .copied()
            .filter(|&f| layout.edges.iter().find(|e| e.from == f).map(|e| e.to) == target)
            .collect();
        let index = siblings.iter().position(|&f| f == feeds[k]).unwrap_or(0) as f64;
        layout.nodes[node].row = row + index - (siblings.len() as f64 - 1.0) / 2.0;
    }
    let leaf = |n: &Node| matches!(n.kind, NodeKind::Product(_) | NodeKind::Effluent);
    let units = layout.nodes.iter().filter(|n| !leaf(n));
    let last_column = units.map(|n| n.column).max().unwrap_or(0) + 1;
    for node in layout.nodes.iter_mut().filter(|n| leaf(n)) {
        node.column = last_column;
    }
    let top = layout.nodes.iter().map(|n| n.row).fold(0.0, f64::min);
    for node in &mut layout.nodes {
        node.row -= top;
    }
    Diagram {
        title: flowsheet.name.clone(),
        nodes: layout.nodes,
        edges: layout.edges,
    }
}

impl Layout<'_> {
    fn add(&mut self, lines: Vec<String>, kind: NodeKind, column: usize) -> usize {
        self.nodes.push(Node {
            lines,
            kind,
            column,
            row: 0.0,
        });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, stream: &str, recycle: bool) {
        let mut lines = vec![stream.to_string()];
        if let Some(s) = self.solution.streams.get(stream) {
            lines.push(flow_label(self.flowsheet, s));
        }
        self.edges.push(Edge {
            from,
            to,
            lines,
            recycle,
        });
    }

    /// Places `unit` (if not yet placed) and what it sends on; returns its node.
    fn visit(&mut self, unit: UnitId, column: usize) -> usize {
        if let Some(&node) = self.placed.get(&unit) {
            return node;
        }
        let flowsheet = self.flowsheet;
        let (lines, kind) = match unit {
            UnitId::Cascade(k) => {
                let c = &flowsheet.cascades[k];
                let stages = format!(
                    "{} + {} stages",
                    c.cascade.extraction_stages, c.cascade.scrub_stages
                );
                (vec![c.name.clone(), stages], NodeKind::Cascade)
            }
            UnitId::Splitter(k) => (
                vec![flowsheet.splitters[k].name.clone()],
                NodeKind::Splitter,
            ),
        };
        let node = self.add(lines, kind, column);
        self.placed.insert(unit, node);
        self.path.push(unit);
        let mut rows = Vec::new();
        for stream in flowsheet.outlets(unit) {
            match flowsheet.consumer(stream) {
                // Back up the path: a recycle. Into a unit placed on another branch: a merge.
                Some(next) if self.placed.contains_key(&next) => {
                    let target = self.placed[&next];
                    let recycle = self.path.contains(&next);
                    self.edge(node, target, stream, recycle);
                }
                Some(next) => {
                    let target = self.visit(next, column + 1);
                    rows.push(self.nodes[target].row);
                    self.edge(node, target, stream, false);
                }
                None => {
                    let product = flowsheet.products.iter().position(|p| p.stream == stream);
                    let kind = match product {
                        Some(p) => NodeKind::Product(
                            self.solution.products.get(p).is_some_and(|r| r.meets_spec),
                        ),
                        None => NodeKind::Effluent,
                    };
                    // What leaves carries its flow in its box; the arrow is named only.
                    let mut lines = vec![
                        product.map_or(stream.to_string(), |p| flowsheet.products[p].name.clone()),
                    ];
                    if let Some(s) = self.solution.streams.get(stream) {
                        lines.push(flow_label(flowsheet, s));
                    }
                    let leaf = self.add(lines, kind, column + 1);
                    self.nodes[leaf].row = self.next_row;
                    self.next_row += 1.0;
                    rows.push(self.nodes[leaf].row);
                    self.edges.push(Edge {
                        from: node,
                        to: leaf,
                        lines: vec![stream.to_string()],
                        recycle: false,
                    });
                }
            }
        }
        self.path.pop();
        self.nodes[node].row = if rows.is_empty() {
            self.next_row += 1.0;
            self.next_row - 1.0
        } else {
            rows.iter().sum::<f64>() / rows.len() as f64
        };
        node
    }
}

/// "1,085 t/yr, Nd2O3 99.91 %": the stream's REO flow and its largest oxide's share.
fn flow_label(flowsheet: &Flowsheet, stream: &Stream) -> String {
    let t = reo_t_per_year(flowsheet, stream);
    let main = stream
        .flows()
        .map(|(e, f)| (e, e.oxide_g_from_mol(f)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match main {
        Some((e, _)) if t > 0.0 => {
            let purity = stream.purity_pct(&[e]);
            let digits = if purity >= 99.0 { 3 } else { 1 };
            format!(
                "{} t/yr, {} {purity:.digits$} %",
                thousands(t),
                e.oxide_name()
            )
        }
        _ => format!("{} t/yr", thousands(t)),
    }
}

/// `t` rounded, with thousands separated: 1,085; small flows to two decimals (0.14).
fn thousands(t: f64) -> String {
    if t.abs() < 10.0 {
        return format!("{t:.2}");
    }
    let digits = format!("{:.0}", t.abs());
    let mut out = String::from(if t.round() < 0.0 { "-" } else { "" });
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1085.4), "1,085");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(0.1412), "0.14");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-123.0), "-123");
        assert_eq!(thousands(-12.0), "-12");
        assert_eq!(thousands(-1234.0), "-1,234");
    }
}
