//! Closed-form theory of countercurrent extraction (docs/model.md section 5): Kremser, Fenske and
//! Xu Guangxian's design relations for a binary with constant separation factor.
//!
//! Purities and feed fractions here are mole fractions, as in Xu's theory. A is the more
//! extractable element (extract product), B the less extractable (raffinate product); fluxes
//! are per mole of feed.

/// Fraction of a solute left in the raffinate by `stages` ideal countercurrent stages with
/// extraction factor `e = D * O/A` and barren organic (Kremser 1930):
/// `(E - 1) / (E^(N+1) - 1)`, or `1 / (N + 1)` at `E = 1`.
pub fn kremser_raffinate_fraction(e: f64, stages: u32) -> f64 {
    let n1 = f64::from(stages + 1);
    if (e - 1.0).abs() < 1e-9 {
        // The limit, with its first-order term so the formula stays continuous across E = 1.
        return 1.0 / n1 - (e - 1.0) * (n1 - 1.0) / (2.0 * n1);
    }
    (e - 1.0) / (e.powf(n1) - 1.0)
}

/// Kremser's raffinate fraction for stages of Murphree efficiency `efficiency` on the organic
/// phase: `(E - 1) / (E r^N - 1)` with `r = 1 + efficiency (E - 1)`, and `1 / (1 + N
/// efficiency)` at `E = 1`. Each stage multiplies the deviations from the end values by `r`
/// where an ideal stage multiplies them by `E`; with barren organic the end condition gives
/// the rest (derived in docs/model.md section 5). At `efficiency = 1` it is Kremser's.
pub fn kremser_murphree_raffinate_fraction(e: f64, efficiency: f64, stages: u32) -> f64 {
    let n = f64::from(stages);
    if (e - 1.0).abs() < 1e-9 {
        return 1.0 / (1.0 + n * efficiency);
    }
    let r = 1.0 + efficiency * (e - 1.0);
    (e - 1.0) / (e * r.powf(n) - 1.0)
}

/// Minimum number of stages at total reflux for a binary split to purities `purity_a`
/// (extract) and `purity_b` (raffinate) (Fenske 1932):
/// `ln[(P_A/(1-P_A)) (P_B/(1-P_B))] / ln(beta)`.
pub fn fenske_minimum_stages(separation_factor: f64, purity_a: f64, purity_b: f64) -> f64 {
    (odds(purity_a) * odds(purity_b)).ln() / separation_factor.ln()
}

fn odds(p: f64) -> f64 {
    p / (1.0 - p)
}

/// Fractions of the feed that leave as extract (`a`) and raffinate (`b`) when both products
/// meet their purities: `f'_A = (f_A - (1 - P_B)) / (P_A + P_B - 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProductFractions {
    pub a: f64,
    pub b: f64,
}

pub fn product_fractions(feed_fraction_a: f64, purity_a: f64, purity_b: f64) -> ProductFractions {
    let a = (feed_fraction_a - (1.0 - purity_b)) / (purity_a + purity_b - 1.0);
    ProductFractions { a, b: 1.0 - a }
}

/// Which section's separation limits the cascade at Xu's optimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControllingSection {
    Extraction,
    Scrub,
}

/// Xu's optimum extraction and scrub ratios for a binary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimumRatios {
    /// S, RE flux of the loaded organic per mol of feed.
    pub extraction_ratio: f64,
    /// W, RE flux of the scrub per mol of feed.
    pub scrub_ratio: f64,
    pub controlling: ControllingSection,
}

impl OptimumRatios {
    /// R = W / (S - W).
    pub fn reflux_ratio(&self) -> f64 {
        self.scrub_ratio / (self.extraction_ratio - self.scrub_ratio)
    }
}

/// Xu's optimum: the extraction section controls when `f'_B > sqrt(beta) / (sqrt(beta) + 1)`,
/// and then `S = f'_B / (sqrt(beta) - 1)`, `W = S - f'_A`; otherwise the scrub section
/// controls and `W = f'_A / (sqrt(beta) - 1)`, `S = W + f'_A`.
pub fn optimum_ratios(separation_factor: f64, fractions: ProductFractions) -> OptimumRatios {
    let root = separation_factor.sqrt();
    if fractions.b > root / (root + 1.0) {
        let s = fractions.b / (root - 1.0);
        OptimumRatios {
            extraction_ratio: s,
            scrub_ratio: s - fractions.a,
            controlling: ControllingSection::Extraction,
        }
    } else {
        let w = fractions.a / (root - 1.0);
        OptimumRatios {
            extraction_ratio: w + fractions.a,
            scrub_ratio: w,
            controlling: ControllingSection::Scrub,
        }
    }
}

/// Minimum reflux ratio for a binary split (Underwood's binary form). A saturated cascade is
/// exactly a distillation column with constant molar overflow: the organic is the vapour, the
/// separation factor the relative volatility, the extract the distillate and the scrub the
/// reflux. With an aqueous feed (a liquid at its bubble point, q = 1) the operating lines pinch
/// at the feed composition when
/// `R_min = [x_D / x_F - beta (1 - x_D) / (1 - x_F)] / (beta - 1)`;
/// with an organic feed (a saturated vapour, q = 0)
/// `R_min = [beta x_D / x_F - (1 - x_D) / (1 - x_F)] / (beta - 1) - 1`
/// (Seader, Henley & Roper, *Separation Process Principles*, 3rd ed., Wiley 2011, section
/// 7.3). `x_F` is the feed's mole fraction of the extract group, `x_D` the extract's purity.
pub fn minimum_reflux_ratio(
    separation_factor: f64,
    feed_fraction_a: f64,
    purity_a: f64,
    organic_feed: bool,
) -> f64 {
    let (beta, x_f, x_d) = (separation_factor, feed_fraction_a, purity_a);
    if organic_feed {
        (beta * x_d / x_f - (1.0 - x_d) / (1.0 - x_f)) / (beta - 1.0) - 1.0
    } else {
        (x_d / x_f - beta * (1.0 - x_d) / (1.0 - x_f)) / (beta - 1.0)
    }
}

/// Mixed extraction ratio of the extraction section, `E_M = S / (W + 1)`.
pub fn extraction_mixed_ratio(extraction_ratio: f64, scrub_ratio: f64) -> f64 {
    extraction_ratio / (scrub_ratio + 1.0)
}

/// Mixed extraction ratio of the scrub section, `E'_M = S / W`.
pub fn scrub_mixed_ratio(extraction_ratio: f64, scrub_ratio: f64) -> f64 {
    extraction_ratio / scrub_ratio
}

/// Xu's stage estimates, as real numbers (round up for a design).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageEstimate {
    pub extraction_stages: f64,
    pub scrub_stages: f64,
}

/// `n ~ lg b / lg(beta E_M)` and `m + 1 ~ lg a / lg(beta / E'_M)`, with purification factors
/// `a = [P_A/(1-P_A)] / (f_A/f_B)` and `b = [P_B/(1-P_B)] / (f_B/f_A)`. `None` when a section
/// cannot purify at these ratios (`beta E_M <= 1` or `E'_M >= beta`).
pub fn stage_estimate(
    separation_factor: f64,
    feed_fraction_a: f64,
    purity_a: f64,
    purity_b: f64,
    extraction_ratio: f64,
    scrub_ratio: f64,
) -> Option<StageEstimate> {
    let beta = separation_factor;
    let feed_odds = odds(feed_fraction_a);
    let a = odds(purity_a) / feed_odds;
    let b = odds(purity_b) * feed_odds;
    let e_m = extraction_mixed_ratio(extraction_ratio, scrub_ratio);
    let e_m_scrub = scrub_mixed_ratio(extraction_ratio, scrub_ratio);
    if beta * e_m <= 1.0 || e_m_scrub >= beta {
        return None;
    }
    Some(StageEstimate {
        extraction_stages: b.log10() / (beta * e_m).log10(),
        scrub_stages: a.log10() / (beta / e_m_scrub).log10() - 1.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand check: beta 1.5, x_F 0.5, x_D 0.999: R_min = (1.998 - 1.5 x 0.002) / 0.5 = 3.99.
    #[test]
    fn minimum_reflux_by_hand() {
        assert!((minimum_reflux_ratio(1.5, 0.5, 0.999, false) - 3.99).abs() < 1e-12);
        // An organic feed (saturated vapour) needs one more unit of reflux, less the
        // enrichment beta gives it: (1.5 x 1.998 - 0.002) / 0.5 - 1 = 4.99.
        assert!((minimum_reflux_ratio(1.5, 0.5, 0.999, true) - 4.99).abs() < 1e-12);
    }

    #[test]
    fn kremser_is_continuous_through_e_equal_one() {
        for n in [1, 5, 40] {
            let below = kremser_raffinate_fraction(1.0 - 1e-7, n);
            let at = kremser_raffinate_fraction(1.0, n);
            let above = kremser_raffinate_fraction(1.0 + 1e-7, n);
            assert!((at - 1.0 / f64::from(n + 1)).abs() < 1e-15);
            assert!(below > at && at > above);
            assert!((below - above).abs() < 1e-6);
        }
    }

    #[test]
    fn product_fractions_close_the_binary_balance() {
        // A feed of 60 % A split into 99.9 % A and 99.5 % B: the A balance
        // f'_A P_A + f'_B (1 - P_B) = f_A must hold.
        let f = product_fractions(0.6, 0.999, 0.995);
        assert!((f.a + f.b - 1.0).abs() < 1e-15);
        assert!((f.a * 0.999 + f.b * (1.0 - 0.995) - 0.6).abs() < 1e-15);
    }

    #[test]
    fn optimum_ratios_satisfy_xu_relations() {
        for (beta, f_a) in [
            (1.5, 0.25),
            (1.5, 0.75),
            (3.0, 0.5),
            (1.2, 0.1),
            (10.0, 0.9),
        ] {
            let fr = product_fractions(f_a, 0.999, 0.999);
            let opt = optimum_ratios(beta, fr);
            let (s, w) = (opt.extraction_ratio, opt.scrub_ratio);
            // S - W = f'_A: the extract product.
            assert!((s - w - fr.a).abs() < 1e-12);
            let root = beta.sqrt();
            match opt.controlling {
                // Extraction controls: beta E_M = sqrt(beta), i.e. E_M = 1/sqrt(beta).
                ControllingSection::Extraction => {
                    assert!(fr.b > root / (root + 1.0));
                    assert!((beta * extraction_mixed_ratio(s, w) - root).abs() < 1e-12);
                    assert!(beta / scrub_mixed_ratio(s, w) >= root - 1e-12);
                }
                // Scrub controls: beta / E'_M = sqrt(beta).
                ControllingSection::Scrub => {
                    assert!(fr.b <= root / (root + 1.0));
                    assert!((beta / scrub_mixed_ratio(s, w) - root).abs() < 1e-12);
                    assert!(beta * extraction_mixed_ratio(s, w) >= root - 1e-12);
                }
            }
        }
    }

    #[test]
    fn fenske_matches_hand_calculation() {
        // beta = 1.5, 99.9 % both ends: ln(999^2) / ln 1.5 = 13.8135 / 0.405465 = 34.068.
        let n = fenske_minimum_stages(1.5, 0.999, 0.999);
        assert!((n - 2.0 * 999f64.ln() / 1.5f64.ln()).abs() < 1e-12);
        assert!((n - 34.068).abs() < 1e-3);
    }

    #[test]
    fn stage_estimate_needs_a_purifying_section() {
        // E'_M >= beta: the scrub section cannot purify A.
        assert!(stage_estimate(1.5, 0.5, 0.99, 0.99, 2.0, 1.0).is_none());
        let est = stage_estimate(1.5, 0.5, 0.99, 0.99, 1.6, 1.2).unwrap();
        assert!(est.extraction_stages > 0.0 && est.scrub_stages > 0.0);
    }
}
