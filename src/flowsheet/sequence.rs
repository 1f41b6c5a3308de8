//! The order a flowsheet is solved in, sequential-modular style (Westerberg, Hutchison, Motard
//! & Winter, "Process Flowsheeting", 1979, ch. 2-3): units that feed each other in a loop form
//! a strongly connected component of the stream graph (Tarjan 1972) and are solved together as
//! one block by iterating on tear streams; blocks follow each other in topological order.
//!
//! Tear streams are the back edges of a depth-first search that starts at the block's units
//! fed from outside it, in file order: for the usual plant loop (an off-spec stream split and
//! sent back to an earlier feed) that is the recycle stream itself, the one an engineer would
//! tear by hand.

use std::collections::{BTreeSet, HashMap};

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{DfsEvent, EdgeRef, NodeFiltered, depth_first_search};

use super::Flowsheet;

/// A unit of the flowsheet: an index into [`Flowsheet::cascades`] or [`Flowsheet::splitters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitId {
    Cascade(usize),
    Splitter(usize),
}

/// Units solved together: one unit, or a recycle loop in its solve order with its tear streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub units: Vec<UnitId>,
    /// Streams whose values are guessed, then converged; empty for a block without a loop.
    pub tears: Vec<String>,
}

impl Block {
    pub fn is_recycle(&self) -> bool {
        !self.tears.is_empty()
    }
}

/// The blocks of `flowsheet` in solve order: every block after the blocks that feed it.
pub fn sequence(flowsheet: &Flowsheet) -> Vec<Block> {
    let mut graph: DiGraph<UnitId, &str> = DiGraph::new();
    let units: Vec<UnitId> = flowsheet.units().collect();
    let nodes: Vec<NodeIndex> = units.iter().map(|&u| graph.add_node(u)).collect();
    let mut producer: HashMap<&str, NodeIndex> = HashMap::new();
    for (&unit, &node) in units.iter().zip(&nodes) {
        for stream in flowsheet.outlets(unit) {
            producer.insert(stream, node);
        }
    }
    let mut fed_from_outside = vec![false; nodes.len()];
    for (&unit, &node) in units.iter().zip(&nodes) {
        for stream in flowsheet.inlets(unit) {
            match producer.get(stream.as_str()) {
                Some(&from) => {
                    graph.add_edge(from, node, stream);
                }
                None => fed_from_outside[node.index()] = true,
            }
        }
    }
    // Tarjan yields components in reverse topological order.
    let mut components = tarjan_scc(&graph);
    components.reverse();
    components
        .into_iter()
        .map(|component| block(&graph, component, &fed_from_outside))
        .collect()
}

fn block(graph: &DiGraph<UnitId, &str>, mut members: Vec<NodeIndex>, fed: &[bool]) -> Block {
    let single = members[0];
    if members.len() == 1 && !graph.contains_edge(single, single) {
        return Block {
            units: vec![graph[single]],
            tears: Vec::new(),
        };
    }
    members.sort();
    let inside: BTreeSet<NodeIndex> = members.iter().copied().collect();
    let entered = |n: &NodeIndex| {
        fed[n.index()]
            || graph
                .edges_directed(*n, Direction::Incoming)
                .any(|e| !inside.contains(&e.source()))
    };
    let (mut starts, rest): (Vec<NodeIndex>, Vec<NodeIndex>) =
        members.iter().partition(|n| entered(n));
    starts.extend(rest);
    let subgraph = NodeFiltered::from_fn(graph, |n| inside.contains(&n));
    let mut finished = Vec::with_capacity(members.len());
    let mut back_edges = Vec::new();
    depth_first_search(&subgraph, starts, |event| match event {
        DfsEvent::BackEdge(from, to) => back_edges.push((from, to)),
        DfsEvent::Finish(node, _) => finished.push(node),
        _ => {}
    });
    // Without its back edges the loop is acyclic, and reverse postorder is a topological order.
    finished.reverse();
    let tears: BTreeSet<&str> = back_edges
        .iter()
        .flat_map(|&(from, to)| graph.edges_connecting(from, to).map(|e| *e.weight()))
        .collect();
    Block {
        units: finished.into_iter().map(|n| graph[n]).collect(),
        tears: tears.into_iter().map(str::to_string).collect(),
    }
}
