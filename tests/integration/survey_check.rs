//! An independent check of a solved cascade's products: each element's stage balances, at the
//! extraction factors `o_ij / a_ij` the model gives (`beta_i k_j` for the saturated model, with
//! the stage scale `k_j` taken from the solution; `D_i (O/A)_j` for constant D), are a linear
//! system, solved here densely by nalgebra's LU, apart from the crate's own solvers.
//! Shared by tests/integration/survey.rs and examples/survey.rs.

use nalgebra::{DMatrix, DVector};
use sxcascade::CascadeSolution;
use sxcascade::cascade::{DrawPhase, FeedPhase, OperatingPoint, SystemModel};
use sxcascade::reference::Case;

/// The largest difference between a product flow of `solved` and the dense solve's, over
/// products and elements, divided by the element's feed; also checks that the saturated
/// organic carries its fixed total on every stage.
pub fn product_error(case: &Case, solved: &CascadeSolution) -> Result<f64, String> {
    let c = &case.cascade;
    let n = c.stages();
    let f = c.feed_stage() - 1;
    let total = case.feed.total_mol_per_h();
    let draw = c.side_draw;
    let share = |phase: DrawPhase, j: usize| match draw {
        Some(d) if d.phase == phase && d.stage - 1 == j => 1.0 - d.fraction,
        _ => 1.0,
    };
    let on = |j: usize| share(DrawPhase::Aqueous, j);
    let up = |j: usize| share(DrawPhase::Organic, j);
    let kept = |j: usize| match draw {
        Some(d) if d.phase == DrawPhase::Organic && j + 1 > d.stage => 1.0 - d.fraction,
        _ => 1.0,
    };
    let elements = &solved.elements;
    // Extraction factors per stage and element, and the reflux fraction.
    let (factors, reflux): (Vec<Vec<f64>>, f64) = match (&case.model, c.operating_point) {
        (
            SystemModel::Saturated { separation_factors },
            OperatingPoint::Fluxes {
                extraction_ratio: s,
                scrub_ratio: w,
            },
        ) => {
            let organic = |j: usize| {
                let below = c.feed_phase == FeedPhase::Organic && j + 1 < c.feed_stage();
                total * kept(j) * if below { s - 1.0 } else { s }
            };
            let betas: Vec<f64> = elements.iter().map(|e| separation_factors[e]).collect();
            let mut factors = Vec::with_capacity(n);
            for j in 0..n {
                let a = solved.aqueous.row(j);
                let o = solved.organic.row(j);
                let carried: f64 = o.sum();
                if (carried - organic(j)).abs() > 1e-9 * organic(j) {
                    return Err(format!(
                        "stage {}: organic carries {carried}, not {}",
                        j + 1,
                        organic(j)
                    ));
                }
                let pull: f64 = betas.iter().zip(a.iter()).map(|(b, a)| b * a).sum();
                let k = organic(j) / pull;
                factors.push(betas.iter().map(|b| b * k).collect());
            }
            (factors, w * total / organic(n - 1))
        }
        (
            SystemModel::ConstantD {
                distribution_ratios,
            },
            OperatingPoint::Volumetric {
                oa_ratio,
                scrub_oa_ratio,
                reflux_ratio,
            },
        ) => {
            let factors = (0..n)
                .map(|j| {
                    let mut oa = if j < c.extraction_stages {
                        oa_ratio
                    } else {
                        scrub_oa_ratio
                    };
                    match draw {
                        Some(d) if d.phase == DrawPhase::Aqueous && j + 1 < d.stage => {
                            oa /= 1.0 - d.fraction
                        }
                        Some(d) if d.phase == DrawPhase::Organic && j + 1 > d.stage => {
                            oa *= 1.0 - d.fraction
                        }
                        _ => {}
                    }
                    elements
                        .iter()
                        .map(|e| distribution_ratios[e] * oa)
                        .collect()
                })
                .collect();
            (factors, reflux_ratio / (1.0 + reflux_ratio))
        }
        _ => return Err("operating point of the wrong model".into()),
    };
    let mut worst: f64 = 0.0;
    for (i, &element) in elements.iter().enumerate() {
        let fed = case.feed.mol_per_h(element);
        let e = |j: usize| factors[j][i];
        let mut m = DMatrix::<f64>::zeros(n, n);
        let mut rhs = DVector::<f64>::zeros(n);
        for j in 0..n {
            m[(j, j)] -= e(j) + 1.0;
            if j > 0 {
                m[(j, j - 1)] += up(j - 1) * e(j - 1);
            }
            if j + 1 < n {
                m[(j, j + 1)] += on(j + 1);
            } else {
                m[(j, j)] += reflux * e(j);
            }
        }
        rhs[f] = -fed;
        let a = m
            .lu()
            .solve(&rhs)
            .ok_or_else(|| format!("{element}: singular balances"))?;
        let mut products = vec![
            (on(0) * a[0], solved.raffinate.mol_per_h(element)),
            (
                (1.0 - reflux) * e(n - 1) * a[n - 1],
                solved.extract.mol_per_h(element),
            ),
        ];
        if let (Some(d), Some(stream)) = (draw, &solved.side_draw) {
            let j = d.stage - 1;
            let leaving = match d.phase {
                DrawPhase::Aqueous => a[j],
                DrawPhase::Organic => e(j) * a[j],
            };
            products.push((d.fraction * leaving, stream.mol_per_h(element)));
        }
        for (dense, solver) in products {
            worst = worst.max((dense - solver).abs() / fed);
        }
    }
    Ok(worst)
}
