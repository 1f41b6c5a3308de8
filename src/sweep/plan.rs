//! What a sweep varies and in which order: a full grid of axes (the first slowest, the last
//! fastest, like nested loops in the order given), times Monte Carlo samples (fastest of all).

use super::axis::Axis;
use super::monte_carlo::MonteCarlo;
use crate::input::FieldPath;

/// The most cases one sweep may have: ten million rows make about 2 GB of CSV and, at tens
/// of milliseconds a case, days of a large cluster's time. Larger grids are mistakes (a COUNT
/// with extra zeros) or belong in several sweeps; refused before anything is allocated.
pub const MAX_CASES: usize = 10_000_000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SweepPlan {
    pub axes: Vec<Axis>,
    pub monte_carlo: Option<MonteCarlo>,
}

impl SweepPlan {
    /// Number of cases, or an error naming it if it is above [`MAX_CASES`].
    pub fn cases(&self) -> Result<usize, String> {
        let samples = self.monte_carlo.as_ref().map_or(1, |m| m.samples);
        let counted = self
            .axes
            .iter()
            .try_fold(samples, |n, a| n.checked_mul(a.values.len()));
        let mut factors: Vec<String> = self
            .axes
            .iter()
            .map(|a| format!("{} {}", a.values.len(), a.path.as_str()))
            .collect();
        if let Some(m) = &self.monte_carlo {
            factors.push(format!("{} samples", m.samples));
        }
        let factors = factors.join(" x ");
        match counted {
            Some(n) if n <= MAX_CASES => Ok(n),
            Some(n) => Err(format!(
                "the sweep has {n} cases ({factors}), more than the limit of {MAX_CASES}: use \
                 fewer values, or split it into several sweeps"
            )),
            None => Err(format!(
                "the sweep has more cases than can be counted ({factors}), far more than the \
                 limit of {MAX_CASES}: use fewer values"
            )),
        }
    }

    /// Every varied field: the axes, then the Monte Carlo fields. Their values are the
    /// columns after `case` in the results.
    pub fn fields(&self) -> Vec<&FieldPath> {
        let sampled = self.monte_carlo.iter().flat_map(|m| &m.fields);
        self.axes
            .iter()
            .map(|a| &a.path)
            .chain(sampled.map(|f| &f.path))
            .collect()
    }

    /// The values of case `case`, one per [`SweepPlan::fields`]; `nominal` holds the file's
    /// value of each Monte Carlo field.
    pub fn values(&self, case: usize, nominal: &[f64]) -> Vec<f64> {
        let (mut grid, sample) = match &self.monte_carlo {
            Some(m) => (case / m.samples, Some(case % m.samples)),
            None => (case, None),
        };
        let mut values = vec![0.0; self.axes.len()];
        for (value, axis) in values.iter_mut().zip(&self.axes).rev() {
            *value = axis.values[grid % axis.values.len()];
            grid /= axis.values.len();
        }
        if let (Some(m), Some(s)) = (&self.monte_carlo, sample) {
            values.extend(m.draw(s, nominal));
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_axis_varies_fastest() {
        let plan = SweepPlan {
            axes: vec![
                Axis::parse("cascades.A.scrub_stages=1,2").unwrap(),
                Axis::parse("cascades.A.reflux_ratio=10,20,30").unwrap(),
            ],
            monte_carlo: None,
        };
        assert_eq!(plan.cases().unwrap(), 6);
        let all: Vec<Vec<f64>> = (0..6).map(|c| plan.values(c, &[])).collect();
        assert_eq!(
            all,
            [
                [1., 10.],
                [1., 20.],
                [1., 30.],
                [2., 10.],
                [2., 20.],
                [2., 30.]
            ]
        );
    }

    #[test]
    fn a_count_that_overflows_is_refused_naming_the_limit() {
        let plan = SweepPlan {
            axes: vec![Axis::parse("cascades.A.reflux_ratio=1,2,3").unwrap()],
            monte_carlo: Some(MonteCarlo {
                samples: usize::MAX / 2,
                seed: 1,
                fields: Vec::new(),
            }),
        };
        let e = plan.cases().unwrap_err();
        assert!(e.contains("more cases than can be counted"), "{e}");
        assert!(e.contains("3 cascades.A.reflux_ratio x"), "{e}");
        assert!(e.contains(&MAX_CASES.to_string()), "{e}");
    }
}
