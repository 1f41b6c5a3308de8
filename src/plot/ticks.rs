//! Axes drawn on a [`Scale`]: the range that holds the values, ticks chosen here (whole nines
//! with 2-5 steps between, decades, round linear steps) rather than by plotters, and labels
//! in the values' own units.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;

use super::lines::Scale;
use super::nines::{nines, percent_of_nines};

/// `v` as drawn on `scale`: None where it cannot be (zero or negative on a log axis).
pub fn drawn(scale: Scale, v: f64) -> Option<f64> {
    match scale {
        Scale::Linear => Some(v),
        Scale::Log => (v > 0.0).then(|| v.log10()),
        Scale::Nines => Some(nines(v)),
    }
    .filter(|d| d.is_finite())
}

/// The axis for `drawn` values (already on `scale`): whole nines or decades around them, or
/// the linear range with a little room.
pub fn axis(scale: Scale, drawn: impl Iterator<Item = f64>) -> Ticked {
    let (lo, hi) = drawn
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = match (lo.is_finite(), scale) {
        (false, _) => (0.0, 1.0),
        (true, Scale::Nines | Scale::Log) => {
            let lo = if scale == Scale::Nines {
                lo.floor().max(0.0)
            } else {
                lo.floor()
            };
            (lo, hi.ceil().max(lo + 1.0))
        }
        (true, Scale::Linear) => {
            let pad = ((hi - lo) * 0.05).max(hi.abs() * 1e-3).max(1e-12);
            (lo - pad, hi + pad)
        }
    };
    Ticked::new(lo..hi, ticks(scale, lo, hi))
}

/// Tick positions (drawn units) between `lo` and `hi`.
fn ticks(scale: Scale, lo: f64, hi: f64) -> Vec<f64> {
    match scale {
        Scale::Nines | Scale::Log => {
            let step = ((hi - lo) / 10.0).ceil().max(1.0);
            let mut whole = Vec::new();
            let mut t = lo;
            while t <= hi + 1e-9 {
                whole.push(t);
                t += step;
            }
            if scale == Scale::Log || hi - lo > 4.0 {
                return whole;
            }
            // Few nines: 99.5 and 99.8 between 99 and 99.9, as on probability paper.
            let mut all = Vec::new();
            for &k in &whole {
                all.push(k);
                for m in [5.0f64, 2.0] {
                    let t = k + 1.0 - m.log10();
                    if t < hi {
                        all.push(t);
                    }
                }
            }
            all
        }
        Scale::Linear => {
            let step = nice_step((hi - lo) / 8.0);
            let first = (lo / step).ceil() as i64;
            let last = (hi / step).floor() as i64;
            (first..=last).map(|k| k as f64 * step).collect()
        }
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// The label of the tick at `v` (drawn units), in the values' units.
pub fn label(scale: Scale, v: f64) -> String {
    match scale {
        Scale::Nines => {
            let whole = v.round();
            let decimals = if (v - whole).abs() < 1e-6 {
                (whole as usize).saturating_sub(2)
            } else {
                (v.floor() as usize).saturating_sub(1)
            };
            format!("{:.*}", decimals, percent_of_nines(v))
        }
        Scale::Log => format!("1e{}", v.round() as i64),
        Scale::Linear => plain(v),
    }
}

/// `v` in the fewest digits (to 6 significant): 65 not 65.0, 2.5, 0.001.
pub fn plain(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = 6 - (v.abs().log10().floor() as i32 + 1);
    let scale = 10f64.powi(digits.clamp(0, 15));
    let rounded = (v * scale).round() / scale;
    format!("{rounded}")
}

/// An f64 axis with the ticks given (plotters' own would fall between whole nines).
pub struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            inner: range.into(),
            ticks,
        }
    }

    /// Room for the longest tick label, in pixels (13 px text).
    pub fn label_room(&self, scale: Scale) -> u32 {
        let longest = self.ticks.iter().map(|&t| label(scale, t).len()).max();
        24 + 8 * longest.unwrap_or(1) as u32
    }

    pub fn bounds(&self) -> (f64, f64) {
        let r = self.inner.range();
        (r.start, r.end)
    }
}

impl Ranged for Ticked {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bold lines and labels at the chosen ticks; no light lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

impl ValueFormatter<f64> for Ticked {
    fn format(value: &f64) -> String {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_and_labels_plain() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(plain(65.0), "65");
        assert_eq!(plain(2.5), "2.5");
        assert_eq!(plain(3.3000000000000003), "3.3");
    }

    #[test]
    fn nines_ticks_read_as_purities() {
        let labels: Vec<String> = ticks(Scale::Nines, 2.0, 4.0)
            .into_iter()
            .map(|t| label(Scale::Nines, t))
            .collect();
        assert_eq!(
            labels,
            ["99", "99.5", "99.8", "99.9", "99.95", "99.98", "99.99"]
        );
    }
}
