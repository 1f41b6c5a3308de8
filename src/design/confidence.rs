//! Designs to a confidence: the stage counts must meet the targets not only at the nominal
//! separation factors but in a share of samples of them (`crate::equilibrium::
//! FactorUncertainty`: sample k draws from its own ChaCha8 stream of the seed, so every stage
//! count the search tries meets the same samples, and the shares it compares are free of
//! sampling noise between counts).

use rayon::prelude::*;

/// Samples a confidence design draws unless the file says: with 400, the standard error of a
/// share near 95 % is sqrt(0.95 x 0.05 / 400) = 1.1 percentage points.
pub const DEFAULT_CONFIDENCE_SAMPLES: usize = 400;
/// The seed unless the file says (a date; any fixed number would do).
pub const DEFAULT_CONFIDENCE_SEED: u64 = 20_261_207;

/// `[cascades.design] confidence_pct` and how it is sampled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Confidence {
    /// Share of samples that must meet every target, %.
    pub pct: f64,
    pub samples: usize,
    pub seed: u64,
}

/// How many samples met which targets.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tally {
    /// Samples judged (all of them, or fewer when the outcome was decided early).
    pub judged: usize,
    /// Samples meeting the targets the extraction section sets (raffinate purity, extract
    /// recovery), the scrub section's (extract purity, raffinate recovery), and both.
    pub extraction: usize,
    pub scrub: usize,
    pub both: usize,
    /// Samples in which each product meets its targets (purity and recovery).
    pub raffinate: usize,
    pub extract: usize,
    /// Percentage points short of the targets, summed over the samples judged.
    pub shortfall: f64,
}

impl Tally {
    pub fn share(count: usize, judged: usize) -> f64 {
        if judged == 0 {
            0.0
        } else {
            count as f64 / judged as f64
        }
    }
}

/// What one sample meets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    pub extraction: bool,
    pub scrub: bool,
    pub raffinate: bool,
    pub extract: bool,
    /// Percentage points short of the targets.
    pub shortfall: f64,
}

/// Judges the samples in chunks, stopping once the verdict on "both sections' targets met in
/// at least `pct` % of all samples" can no longer change (`decide`), or at the end.
/// `judge(k)` says what sample k meets, `None` when its simulation failed (counted as
/// meeting nothing).
pub fn tally(
    samples: usize,
    pct: f64,
    decide: bool,
    judge: impl Fn(usize) -> Option<Judged> + Sync,
) -> Tally {
    // Enough to keep every core busy between checks.
    const CHUNK: usize = 32;
    let needed = (pct / 100.0 * samples as f64).ceil() as usize;
    let mut t = Tally::default();
    let mut start = 0;
    while start < samples {
        let end = (start + CHUNK).min(samples);
        let judged: Vec<Option<Judged>> = (start..end).into_par_iter().map(&judge).collect();
        for j in judged {
            t.judged += 1;
            match j {
                Some(j) => {
                    t.extraction += usize::from(j.extraction);
                    t.scrub += usize::from(j.scrub);
                    t.both += usize::from(j.extraction && j.scrub);
                    t.raffinate += usize::from(j.raffinate);
                    t.extract += usize::from(j.extract);
                    t.shortfall += j.shortfall;
                }
                None => t.shortfall += 100.0,
            }
        }
        start = end;
        let failed = t.judged - t.both;
        if decide && (t.both >= needed || failed > samples - needed) {
            break;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the verdict decided early the tally stops as soon as it cannot change; without, it
    /// judges every sample.
    #[test]
    fn tally_stops_when_the_verdict_is_certain() {
        let judged = |e: bool, s: bool| Judged {
            extraction: e,
            scrub: s,
            raffinate: e && s,
            extract: e && s,
            shortfall: if e && s { 0.0 } else { 1.0 },
        };
        let all_met = tally(1000, 95.0, true, |_| Some(judged(true, true)));
        assert_eq!(all_met.both, all_met.judged);
        assert!(all_met.judged >= 950 && all_met.judged < 1000);
        let none_met = tally(1000, 95.0, true, |_| Some(judged(false, true)));
        assert!(none_met.judged <= 64, "{}", none_met.judged);
        let full = tally(1000, 95.0, false, |k| Some(judged(k % 10 != 0, true)));
        assert_eq!((full.judged, full.both, full.scrub), (1000, 900, 1000));
    }
}
