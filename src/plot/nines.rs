//! The "nines" scale for purities near 100 %: n = -log10(1 - p / 100), so 90 % is 1, 99 % is
//! 2, 99.9 % is 3 and 99.99 % is 4, evenly spaced; on a linear axis they would be one line.

/// The largest number of nines shown: purities within 1e-12 of 100 % sit at the top.
const MAX_NINES: f64 = 12.0;

/// `percent` (0-100) on the nines scale.
pub fn nines(percent: f64) -> f64 {
    if !percent.is_finite() {
        return f64::NAN; // no value: left off the plot, never drawn as 100 %
    }
    let impurity = (1.0 - percent / 100.0).max(10f64.powf(-MAX_NINES));
    (-impurity.log10()).max(0.0)
}

/// The percentage at `n` nines.
pub fn percent_of_nines(n: f64) -> f64 {
    100.0 * (1.0 - 10f64.powf(-n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nines_and_back() {
        for (p, n) in [
            (90.0, 1.0),
            (99.0, 2.0),
            (99.9, 3.0),
            (99.99, 4.0),
            (0.0, 0.0),
        ] {
            assert!((nines(p) - n).abs() < 1e-9, "{p}");
            assert!((percent_of_nines(n) - p).abs() < 1e-9, "{n}");
        }
        assert_eq!(nines(100.0), MAX_NINES);
        assert!(nines(f64::NAN).is_nan());
    }
}
