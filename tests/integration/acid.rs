//! The acid-aware stage equations on cases unlike PrOMMiS's: up to 150 stages, feeds up to
//! 80 % of the extractant's capacity, little and much acid, O/A from 0.2 to 5, lower
//! efficiencies. Every case converges, closes its element balances below 1e-10 and its acid balance over the
//! cascade (H+ in with the feed plus 3 per RE extracted = H+ out with the raffinate).

use sxcascade::SolverOptions;
use sxcascade::equilibrium::{ACID_RELEASED_PER_MOL, DEHPA_MOL_PER_L_PER_VOL_PCT, PhCorrelation};
use sxcascade::reference::uky_dehpa_coefficients;
use sxcascade::solver::{AcidProblem, AcidSections, solve_acid};

#[test]
fn acid_survey_converges_and_closes_its_balances() {
    let table = uky_dehpa_coefficients();
    let elements: Vec<_> = table.keys().copied().collect();
    let coefficients: Vec<_> = table.values().copied().collect();
    // PrOMMiS's default REE liquor, mol/L (tests/data/prommis), in `table`'s element order.
    let base: Vec<f64> = elements
        .iter()
        .map(|e| match e.symbol() {
            "Y" => 0.124 / 88.905,
            "La" => 0.986 / 138.905,
            "Ce" => 2.277 / 140.116,
            "Pr" => 0.303 / 140.907,
            "Nd" => 0.946 / 144.242,
            "Sm" => 0.097 / 150.36,
            "Gd" => 0.2584 / 157.25,
            "Dy" => 0.047 / 162.5,
            other => panic!("{other}"),
        } / 1000.0)
        .collect();
    let mut seed = 2026_u64;
    let mut uniform = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut failures = Vec::new();
    let mut solved_cases = 0;
    let options = SolverOptions::default();
    for k in 0..120 {
        let stages = 1 + (uniform() * 150.0) as usize;
        let scale = 10f64.powf(uniform() * 4.0); // up to 10,000 x the liquor
        let dose = 1.0 + uniform() * 19.0;
        let oa = 0.2 * 25f64.powf(uniform());
        let acid = 10f64.powf(-3.0 + 3.0 * uniform());
        let efficiency = if k % 3 == 0 {
            0.6 + 0.4 * uniform()
        } else {
            1.0
        };
        let flow = 100.0;
        let feed: Vec<f64> = base.iter().map(|c| c * scale * flow).collect();
        let capacity = dose * DEHPA_MOL_PER_L_PER_VOL_PCT * oa * flow / ACID_RELEASED_PER_MOL;
        let total: f64 = feed.iter().sum();
        // The extractant must be able to hold the whole feed, with a fifth to spare.
        if total > 0.8 * capacity {
            continue;
        }
        let inlet = vec![0.0; feed.len()];
        let model = PhCorrelation::dehpa(coefficients.clone(), dose);
        let problem = AcidProblem {
            equilibrium: &model,
            feed: &feed,
            organic_inlet: &inlet,
            stages,
            aqueous_l_per_h: flow,
            organic_l_per_h: oa * flow,
            feed_acid_mol_per_h: acid * flow,
            efficiency,
            sections: AcidSections::default(),
        };
        let label = format!(
            "#{k}: {stages} stages, x{scale:.0}, dose {dose:.1}, O/A {oa:.2}, acid {acid:.1e}, E {efficiency:.2}"
        );
        let solved = match solve_acid(&problem, &options) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{label}: {e:?}"));
                continue;
            }
        };
        solved_cases += 1;
        let c = feed.len();
        let top = (stages - 1) * c;
        let mut worst: f64 = 0.0;
        let mut extracted = 0.0;
        for (i, fed) in feed.iter().enumerate() {
            let out = solved.aqueous[i] + solved.organic[top + i];
            worst = worst.max((fed - out).abs() / fed);
            extracted += solved.organic[top + i];
        }
        let acid_in = acid * flow + ACID_RELEASED_PER_MOL * extracted;
        let acid_out = solved.hydrogen_mol_per_l[0] * flow;
        let acid_error = (acid_in - acid_out).abs() / acid_in;
        if worst.is_nan() || worst >= 1e-10 || acid_error.is_nan() || acid_error >= 1e-10 {
            failures.push(format!(
                "{label}: element closure {worst:.1e}, acid closure {acid_error:.1e}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(solved_cases >= 80, "{solved_cases} cases solved");
}
