//! Where a figure is drawn: an SVG string or a PNG image, in memory, then written atomically.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::atomic::write_atomically;

/// DejaVu Sans 2.37 (Bitstream Vera license, `font/LICENSE`).
static FONT: &[u8] = include_bytes!("font/DejaVuSans.ttf");

/// Registers the bundled font as plotters' "sans-serif" (its default family), once.
fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The font is the bundled file, which parses; were it not to, drawing text would
            // fail with plotters' font error, reported like any drawing error.
            let _ = plotters::style::register_font("sans-serif", style, FONT);
        }
    });
}

/// Something that draws itself on any plotters backend.
pub trait Figure {
    /// Width and height in pixels (SVG user units).
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, plotters::coord::Shift>) -> Drawn;
}

/// The result of drawing: plotters' errors as text.
pub type Drawn = Result<(), String>;

/// Converts a plotters error into [`Drawn`]'s.
pub(super) fn failed<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw the plot: {e}")
}

/// The figure as an SVG document.
pub fn render_svg(figure: &impl Figure) -> Result<String, String> {
    register_font();
    let mut text = String::new();
    {
        let area = SVGBackend::with_string(&mut text, figure.size()).into_drawing_area();
        area.fill(&WHITE).map_err(failed)?;
        figure.draw(&area)?;
        area.present().map_err(failed)?;
    }
    Ok(text)
}

/// The figure as a PNG file's bytes.
pub fn render_png(figure: &impl Figure) -> Result<Vec<u8>, String> {
    register_font();
    let (w, h) = figure.size();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        area.fill(&WHITE).map_err(failed)?;
        figure.draw(&area)?;
        area.present().map_err(failed)?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&rgb))
        .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    Ok(png)
}

/// The image formats, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub fn of(path: &Path) -> Result<Self, String> {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("svg") => Ok(Format::Svg),
            Some(e) if e.eq_ignore_ascii_case("png") => Ok(Format::Png),
            _ => Err(format!(
                "{}: the plot's file name must end in .svg or .png",
                path.display()
            )),
        }
    }
}

/// Draws `figure` into `path` (SVG or PNG by extension), whole or not at all.
pub fn write_figure(figure: &impl Figure, path: &Path) -> Result<(), String> {
    let bytes = match Format::of(path)? {
        Format::Svg => render_svg(figure)?.into_bytes(),
        Format::Png => render_png(figure)?,
    };
    write_atomically(path, &bytes)
}
