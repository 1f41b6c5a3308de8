//! Colours: each element keeps one colour in every plot (a stage profile's Nd line and a sweep's
//! Nd2O3 curve match), from a qualitative palette ordered by atomic number so neighbours in a
//! separation differ. Other series take Tableau 10's colours in turn.

use plotters::style::RGBColor;

use crate::elements::Element;

/// Tableau 10 (Tableau Software, 2016), then five darker companions for 15 elements.
const PALETTE: [RGBColor; 15] = [
    RGBColor(31, 119, 180),  // blue
    RGBColor(255, 127, 14),  // orange
    RGBColor(44, 160, 44),   // green
    RGBColor(214, 39, 40),   // red
    RGBColor(148, 103, 189), // purple
    RGBColor(140, 86, 75),   // brown
    RGBColor(227, 119, 194), // pink
    RGBColor(127, 127, 127), // grey
    RGBColor(188, 189, 34),  // olive
    RGBColor(23, 190, 207),  // cyan
    RGBColor(8, 48, 107),    // navy
    RGBColor(166, 54, 3),    // rust
    RGBColor(0, 109, 44),    // forest
    RGBColor(103, 0, 13),    // maroon
    RGBColor(63, 0, 125),    // indigo
];

/// The colour of `element` in every plot.
pub fn element_colour(element: Element) -> RGBColor {
    let index = Element::ALL
        .iter()
        .position(|&e| e == element)
        .expect("every element is in ALL");
    PALETTE[index]
}

/// The `k`-th colour of a plot whose series are not elements.
pub fn series_colour(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}
