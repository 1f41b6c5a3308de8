//! The smallest stage counts that meet a cascade's targets. Purity and recovery rise with the
//! stages of either section (tests/integration/properties.rs checks it for binaries), so the
//! counts are doubled until every target is met, then each is bisected down with the other
//! held, until neither moves. That point can trade stages between the sections: the search
//! then walks the front of smallest scrub counts for each extraction count, both ways, to the
//! fewest stages in all. The result meets every target, and neither count can lose a stage.

use crate::input::MAX_STAGES;

/// Which sections have enough stages: the extraction section sets the raffinate's purity and
/// the extract group's recovery, the scrub section the extract's purity and the raffinate
/// group's recovery.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Met {
    pub extraction: bool,
    pub scrub: bool,
    /// How far from the targets, in any unit that falls as they are approached (zero when met).
    pub shortfall: f64,
}

impl Met {
    fn both(self) -> bool {
        self.extraction && self.scrub
    }
}

pub enum Failure<E, P> {
    Solve(E),
    /// The targets are not met at `limit` stages in all, or doubling the stages no longer
    /// brings them closer (the operating lines pinch); `at` is what the last try reached.
    Limit {
        limit: usize,
        at: P,
    },
}

/// Doubling the failing sections' stages must cut the shortfall to below this fraction of
/// what it was, or the cascade is pinched at this reflux and more stages will not help.
const PINCH: f64 = 0.9;

/// `(n, m, performance)` for the smallest counts from `start`, with at least `fewest.0`
/// extraction and `fewest.1` scrub stages (where a side draw must stay); `evaluate(n, m)`
/// simulates.
pub fn smallest_stages<P: Copy, E>(
    start: (usize, usize),
    fewest: (usize, usize),
    evaluate: &mut impl FnMut(usize, usize) -> Result<P, E>,
    meets: impl Fn(&P) -> Met,
) -> Result<(usize, usize, P), Failure<E, P>> {
    let limit = MAX_STAGES as usize;
    let (least_n, least_m) = (fewest.0.max(1), fewest.1);
    let (mut n, mut m) = (start.0.max(least_n), start.1.max(least_m));
    let mut at = evaluate(n, m).map_err(Failure::Solve)?;
    let mut previous_shortfall = f64::INFINITY;
    loop {
        let met = meets(&at);
        if met.both() {
            break;
        }
        let (next_n, next_m) = (
            if met.extraction { n } else { 2 * n },
            if met.scrub { m } else { (2 * m).max(1) },
        );
        let pinched = n + m >= 32 && met.shortfall > PINCH * previous_shortfall;
        if next_n + next_m > limit || pinched {
            return Err(Failure::Limit { limit: n + m, at });
        }
        previous_shortfall = met.shortfall;
        (n, m) = (next_n, next_m);
        at = evaluate(n, m).map_err(Failure::Solve)?;
    }
    let mut ok = |n: usize, m: usize| -> Result<bool, Failure<E, P>> {
        let p = evaluate(n, m).map_err(Failure::Solve)?;
        Ok(meets(&p).both())
    };
    loop {
        let before = (n, m);
        // Counts are at most MAX_STAGES: the casts are exact.
        n = lowest(least_n as i64 - 1, n as i64, |x| ok(x as usize, m))? as usize;
        m = lowest(least_m as i64 - 1, m as i64, |x| ok(n, x as usize))? as usize;
        if (n, m) == before {
            break;
        }
    }
    let mut best = (n, m);
    for step in [1i64, -1] {
        let (mut x, mut scrub) = (n as i64 + step, m);
        let mut worse = 0;
        while x >= least_n as i64 && worse < FRONT_PATIENCE {
            // Only fewer stages in all are of interest: at most this many scrub stages.
            let Some(cap) = (best.0 + best.1).checked_sub(x as usize + 1) else {
                break;
            };
            match fewest_scrub(x as usize, (scrub.min(cap), least_m), cap, &mut ok)? {
                Some(y) if x as usize + y < best.0 + best.1 => {
                    best = (x as usize, y);
                    worse = 0;
                    scrub = y;
                }
                Some(y) => {
                    worse += 1;
                    scrub = y;
                }
                // No better total here; the front may still dip further on.
                None => worse += 1,
            }
            x += step;
        }
    }
    let at = evaluate(best.0, best.1).map_err(Failure::Solve)?;
    Ok((best.0, best.1, at))
}

/// Steps along the front without a smaller total before the walk stops (the front's total is
/// unimodal in practice; a little patience rides over a flat stretch).
const FRONT_PATIENCE: usize = 3;

/// The fewest scrub stages, from `least` to `cap`, meeting the targets with `n` extraction
/// stages, searched from `hint`; `None` if `cap` does not.
fn fewest_scrub<E>(
    n: usize,
    (hint, least): (usize, usize),
    cap: usize,
    ok: &mut impl FnMut(usize, usize) -> Result<bool, E>,
) -> Result<Option<usize>, E> {
    if cap < least {
        return Ok(None);
    }
    let mut hi = hint.max(least);
    while !ok(n, hi)? {
        if hi >= cap {
            return Ok(None);
        }
        hi = (2 * hi.max(1)).min(cap);
    }
    Ok(Some(
        lowest(least as i64 - 1, hi as i64, |x| ok(n, x as usize))? as usize,
    ))
}

/// The smallest `x` in `(lo, hi]` for which `ok(x)`, given `ok(hi)`: bisection.
fn lowest<E>(
    mut lo: i64,
    mut hi: i64,
    mut ok: impl FnMut(i64) -> Result<bool, E>,
) -> Result<i64, E> {
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A monotone stand-in: the extraction section needs 7 stages, the scrub section 4.
    #[test]
    fn finds_the_smallest_counts_from_below_and_from_above() {
        for start in [(1, 0), (3, 1), (40, 33), (7, 4)] {
            let mut calls = 0;
            let mut evaluate = |n: usize, m: usize| -> Result<(usize, usize), ()> {
                calls += 1;
                Ok((n, m))
            };
            let meets = |&(n, m): &(usize, usize)| Met {
                extraction: n >= 7,
                scrub: m >= 4,
                shortfall: (7usize.saturating_sub(n) + 4usize.saturating_sub(m)) as f64,
            };
            let found = smallest_stages(start, (1, 0), &mut evaluate, meets);
            let Ok((n, m, at)) = found else {
                panic!("found")
            };
            assert_eq!((n, m, at), (7, 4, (7, 4)), "from {start:?}");
            assert!(calls < 60, "{calls} simulations from {start:?}");
        }
    }

    /// Stages trade between the sections: the targets hold when n * m >= 60 (and n, m >= 2).
    /// The fewest in all is n = m = 8 (64; 7 + 9 = 16 too), not wherever the bisection lands.
    #[test]
    fn walks_the_front_to_the_fewest_stages_in_all() {
        for start in [(2, 2), (30, 2), (2, 30)] {
            let mut evaluate = |n: usize, m: usize| -> Result<(usize, usize), ()> { Ok((n, m)) };
            let meets = |&(n, m): &(usize, usize)| {
                let ok = n * m >= 60 && n >= 2 && m >= 2;
                Met {
                    extraction: ok,
                    scrub: ok,
                    shortfall: if ok { 0.0 } else { 1.0 / (n * m) as f64 },
                }
            };
            let Ok((n, m, _)) = smallest_stages(start, (1, 0), &mut evaluate, meets) else {
                panic!("found")
            };
            assert_eq!(n + m, 16, "from {start:?}: {n} + {m}");
            assert!(n * m >= 60 && (n - 1) * m < 60 && n * (m - 1) < 60);
        }
    }

    /// A cascade pinched at 90 % whatever its stages: the search stops long before the limit.
    #[test]
    fn stops_when_more_stages_no_longer_help() {
        let mut calls = 0;
        let mut evaluate = |n: usize, _m: usize| -> Result<f64, ()> {
            calls += 1;
            Ok(90.0 - 10.0 / n as f64)
        };
        let pinched = |&p: &f64| Met {
            extraction: p >= 99.0,
            scrub: true,
            shortfall: 99.0 - p,
        };
        assert!(matches!(
            smallest_stages((2, 2), (1, 0), &mut evaluate, pinched),
            Err(Failure::Limit { .. })
        ));
        assert!(calls < 10, "{calls} simulations");
    }

    #[test]
    fn stops_at_the_stage_limit() {
        let mut evaluate = |n: usize, m: usize| -> Result<(usize, usize), ()> { Ok((n, m)) };
        let never = |&(n, _): &(usize, usize)| Met {
            extraction: false,
            scrub: true,
            shortfall: 1.0 / n as f64,
        };
        assert!(matches!(
            smallest_stages((5, 5), (1, 0), &mut evaluate, never),
            Err(Failure::Limit { .. })
        ));
    }
}
