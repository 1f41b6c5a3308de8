//! Legends drawn beside the plot, never over its data: a strip to the right of the panels
//! or under them, sized to hold every line (the figures grow to fit it, nothing is clipped).

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

/// Pixels between lines.
const LINE: u32 = 22;

/// Width of a legend with `title` (its lines split at `\n`) over `entries`, in pixels: room
/// for its longest line (14 px text, which plotters sets at 11.3 px, under 8 px a character).
pub fn width(title: &str, entries: &[Entry]) -> u32 {
    let titles = title.lines().map(|t| 16 + 9 * t.chars().count() as u32);
    let texts = entries
        .iter()
        .map(|(_, t)| 48 + 8 * t.chars().count() as u32);
    titles.chain(texts).max().unwrap_or(0)
}

/// Height of a legend with `title` over `entries`, in pixels.
pub fn height(title: &str, entries: &[Entry]) -> u32 {
    LINE * (title.lines().count() + entries.len()) as u32 + 8
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
    for line in title.lines() {
        area.draw(&Text::new(
            line.to_string(),
            (8, y),
            ("sans-serif", 14).into_font().style(FontStyle::Bold),
        ))
        .map_err(failed)?;
        y += LINE as i32;
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
        y += LINE as i32;
    }
    Ok(())
}
