//! Legends drawn beside the plot, never over its data: a strip to the right of the panels.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Drawn, failed};

/// How an entry's sample is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Key {
    Line(RGBColor),
    Dashed(RGBColor),
    Marker(RGBColor, bool),
    Swatch(RGBColor),
}

/// One entry: a sample and its text.
pub type Entry = (Key, String);

/// Width of the legend strip for these entries, in pixels (text at 14 px).
pub fn width(entries: &[Entry]) -> u32 {
    let longest = entries.iter().map(|(_, t)| t.chars().count()).max();
    longest.map_or(0, |n| 48 + 8 * n as u32).min(420)
}

/// Draws `entries` top-down in `area` from `top` pixels down, with `title` above them.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: i32,
    title: &str,
    entries: &[Entry],
) -> Drawn {
    let text = ("sans-serif", 14).into_font().color(&BLACK);
    let mut y = top;
    if !title.is_empty() {
        area.draw(&Text::new(
            title.to_string(),
            (8, y),
            ("sans-serif", 14).into_font().style(FontStyle::Bold),
        ))
        .map_err(failed)?;
        y += 22;
    }
    for (key, label) in entries {
        let mid = y + 8;
        match *key {
            Key::Line(c) => area
                .draw(&PathElement::new(
                    vec![(8, mid), (36, mid)],
                    c.stroke_width(2),
                ))
                .map_err(failed)?,
            Key::Dashed(c) => {
                for x in [8, 20, 32] {
                    area.draw(&PathElement::new(
                        vec![(x, mid), (x + 6, mid)],
                        c.stroke_width(2),
                    ))
                    .map_err(failed)?;
                }
            }
            Key::Marker(c, filled) => {
                let style = if filled {
                    c.filled()
                } else {
                    c.stroke_width(2)
                };
                area.draw(&Circle::new((22, mid), 4, style))
                    .map_err(failed)?;
            }
            Key::Swatch(c) => area
                .draw(&Rectangle::new([(12, mid - 6), (32, mid + 6)], c.filled()))
                .map_err(failed)?,
        }
        area.draw(&Text::new(label.clone(), (44, y + 1), text.clone()))
            .map_err(failed)?;
        y += 22;
    }
    Ok(())
}
