//! Scrub and strip sections of the acid-aware model (docs/model.md section 2 numbering:
//! extraction 1..n, scrub n+1..N, strip N+1..N+t; the stripped organic returns to stage 1):
//! a seeded survey that converges and closes or reports the extractant running out (checked
//! here independently), the stage equations written out plainly and solved by a dense
//! finite-difference Newton, heavy rare earths stripping incompletely as Kremser says, and the
//! file's fields.

use sxcascade::SolverOptions;
use sxcascade::equilibrium::{ACID_RELEASED_PER_MOL, DEHPA_MOL_PER_L_PER_VOL_PCT, PhCorrelation};
use sxcascade::reference::uky_dehpa_coefficients;
use sxcascade::solver::{
    AcidLiquor, AcidProblem, AcidSections, AcidSolution, EXHAUSTED_FREE_FRACTION, SolveFailure,
    solve_acid,
};

/// PrOMMiS's default REE liquor, mol/L (tests/data/prommis), in the table's element order.
fn liquor() -> (Vec<String>, PhCorrelationParts, Vec<f64>) {
    let table = uky_dehpa_coefficients();
    let names = table.keys().map(|e| e.to_string()).collect();
    let base = table
        .keys()
        .map(|e| {
            let mg_per_l_over_mw = match e.symbol() {
                "Y" => 0.124 / 88.905,
                "La" => 0.986 / 138.905,
                "Ce" => 2.277 / 140.116,
                "Pr" => 0.303 / 140.907,
                "Nd" => 0.946 / 144.242,
                "Sm" => 0.097 / 150.36,
                "Gd" => 0.2584 / 157.25,
                "Dy" => 0.047 / 162.5,
                other => panic!("{other}"),
            };
            mg_per_l_over_mw / 1000.0
        })
        .collect();
    (names, table.values().copied().collect(), base)
}

type PhCorrelationParts = Vec<sxcascade::equilibrium::PhCoefficients>;

/// Worst relative closure over elements and acid: feed in = raffinate + loaded organic (or,
/// with a strip section, + strip liquor); H+ in with the feed and the liquors, plus 3 per RE
/// the organic gains over the cascade = H+ out with the raffinate (and the strip liquor).
fn closures(p: &AcidProblem<'_>, s: &AcidSolution) -> (f64, f64) {
    let c = p.feed.len();
    let scrub = p.sections.scrub;
    let strip = p.sections.strip;
    let main = p.stages + scrub.map_or(0, |l| l.stages);
    let scrub_l = scrub.map_or(0.0, |l| l.liquor_l_per_h);
    let mut worst: f64 = 0.0;
    let mut released = 0.0;
    for i in 0..c {
        let inlet = if strip.is_some() {
            0.0
        } else {
            p.organic_inlet[i]
        };
        let fed = p.feed[i] + inlet;
        let out = s.aqueous[i]
            + match strip {
                Some(_) => s.aqueous[main * c + i],
                None => s.organic[(main - 1) * c + i],
            };
        worst = worst.max((fed - out).abs() / fed);
        if strip.is_none() {
            released += ACID_RELEASED_PER_MOL * (s.organic[(main - 1) * c + i] - inlet);
        }
    }
    let liquor_acid =
        |l: Option<AcidLiquor>| l.map_or(0.0, |l| l.acid_mol_per_l * l.liquor_l_per_h);
    let acid_in = p.feed_acid_mol_per_h + liquor_acid(scrub) + liquor_acid(strip) + released;
    let acid_out = s.hydrogen_mol_per_l[0] * (p.aqueous_l_per_h + scrub_l)
        + strip.map_or(0.0, |l| s.hydrogen_mol_per_l[main] * l.liquor_l_per_h);
    (worst, (acid_in - acid_out).abs() / acid_in)
}

fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

/// One survey case: its numbers, the model and the problem's own parts.
struct Case {
    label: String,
    model: PhCorrelation,
    feed: Vec<f64>,
    inlet: Vec<f64>,
    extraction: usize,
    organic: f64,
    acid: f64,
    efficiency: f64,
    sections: AcidSections,
}

impl Case {
    fn problem<'a>(&'a self, feed: &'a [f64]) -> AcidProblem<'a> {
        AcidProblem {
            equilibrium: &self.model,
            feed,
            organic_inlet: &self.inlet,
            stages: self.extraction,
            aqueous_l_per_h: FLOW,
            organic_l_per_h: self.organic,
            feed_acid_mol_per_h: self.acid * FLOW,
            efficiency: self.efficiency,
            sections: self.sections,
        }
    }
}

const FLOW: f64 = 100.0;

/// Scrub sections (scrub acid 0.01-1 mol/L; in every other case 0.6-0.9 mol/L at scrub O/A
/// 1.6-8, where earlier attempts stalled), every third case with a strip section closing the
/// organic loop, every fourth with Murphree stages. Each case either converges, its element
/// and acid balances closing below 1e-10, or fails as the extractant running out; such a claim
/// is checked here (`check_exhausted`).
///
/// Measured (seed 77, 120 cases): all 120 converge, closures at most 4.2e-13, Newton
/// iterations median 5, at most 571 (continuation on the feed). Before the continuation and the
/// start's cap on loading, 6 of a similar 60 stalled at their first iteration: the constant-D
/// start loaded the organic past its capacity (free extractant -0.34 to -591 mol/L), while the
/// converged solutions keep 77-93 % of it free; in 400 cases of the strong-scrub range alone,
/// one runs out (`a_strong_scrub_runs_the_organic_out_of_extractant`'s kind).
#[test]
fn section_survey_converges_or_reports_the_extractant_running_out() {
    let (names, coefficients, base) = liquor();
    let mut seed = 77_u64;
    let options = SolverOptions::default();
    let (mut converged, mut exhausted) = (0, 0);
    let mut failures = Vec::new();
    for k in 0..120 {
        let mut u = || lcg(&mut seed);
        let extraction = 2 + (u() * 20.0) as usize;
        let scrub_stages = 1 + (u() * 10.0) as usize;
        let scale = 10f64.powf(1.0 + u() * 2.5);
        let dose = 2.0 + u() * 18.0;
        let oa = 0.3 * 10f64.powf(u());
        let acid = 10f64.powf(-3.0 + 2.0 * u());
        let (scrub_acid, scrub_oa) = if k % 2 == 0 {
            (0.6 + 0.3 * u(), 1.6 + 6.4 * u())
        } else {
            (10f64.powf(-2.0 + 2.0 * u()), 1.0 + 9.0 * u())
        };
        let strip_stages = 1 + (u() * 6.0) as usize;
        let strip_acid = 0.5 + 2.5 * u();
        let strip_oa = 1.0 + 9.0 * u();
        let efficiency = if k % 4 == 1 { 0.7 + 0.3 * u() } else { 1.0 };
        let organic = oa * FLOW;
        let case = Case {
            label: format!(
                "#{k}: {extraction}+{scrub_stages}, x{scale:.0}, dose {dose:.1}, O/A {oa:.2}, \
                 acid {acid:.1e}, scrub {scrub_acid:.2} at O/A {scrub_oa:.1}, E {efficiency:.2}"
            ),
            model: PhCorrelation::dehpa(coefficients.clone(), dose),
            feed: base.iter().map(|c| c * scale * FLOW).collect(),
            inlet: vec![0.0; base.len()],
            extraction,
            organic,
            acid,
            efficiency,
            sections: AcidSections {
                feed_stage: None,
                scrub: Some(AcidLiquor {
                    stages: scrub_stages,
                    liquor_l_per_h: organic / scrub_oa,
                    acid_mol_per_l: scrub_acid,
                }),
                strip: (k % 3 == 2).then_some(AcidLiquor {
                    stages: strip_stages,
                    liquor_l_per_h: organic / strip_oa,
                    acid_mol_per_l: strip_acid,
                }),
            },
        };
        let problem = case.problem(&case.feed);
        match solve_acid(&problem, &options) {
            Ok(s) => {
                let (elements, acid) = closures(&problem, &s);
                if elements.is_nan() || elements >= 1e-10 || acid.is_nan() || acid >= 1e-10 {
                    failures.push(format!(
                        "{}: closures {elements:.1e} (elements), {acid:.1e} (acid)",
                        case.label
                    ));
                }
                converged += 1;
            }
            Err(SolveFailure::ExtractantExhausted {
                stage,
                species,
                feed_fraction,
                ..
            }) => {
                if let Err(why) = check_exhausted(&case, stage, species, feed_fraction, &names) {
                    failures.push(format!("{}: {why}", case.label));
                }
                exhausted += 1;
            }
            Err(other) => failures.push(format!("{}: {other:?}", case.label)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        converged >= 110,
        "{converged} converged, {exhausted} exhausted"
    );
}

/// Share of the fresh organic's extractant under which an independent solve just short of the
/// reported share of the feed must find the named stage's organic.
const NEARLY_OUT: f64 = 0.02;

/// The independent check of a reported exhaustion: at 99 %, 99.9 % and 99.99 % of the share
/// of the feed reached the cascade solves, the free extractant of its organic on `stage`
/// (total - 3 sum o / O, from the profile) is below 2 % of the fresh organic's, and
/// `species`' D there rises as it falls. (Measured on the strong-scrub case, reported at
/// 97.5 % of the feed: 0.25, 0.13, 0.14 % free; near there the steady states are not unique.)
fn check_exhausted(
    case: &Case,
    stage: usize,
    species: usize,
    fraction: f64,
    names: &[String],
) -> Result<(), String> {
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(format!("share of the feed reached {fraction}"));
    }
    let total = case.model.dose_vol_pct * DEHPA_MOL_PER_L_PER_VOL_PCT;
    let mut path = Vec::new();
    let mut s = None;
    for below in [0.99, 0.999, 0.9999] {
        let feed: Vec<f64> = case.feed.iter().map(|f| below * fraction * f).collect();
        let problem = case.problem(&feed);
        let solved = solve_acid(&problem, &SolverOptions::default())
            .map_err(|e| format!("at {below} of the share reached it does not solve: {e:?}"))?;
        let c = feed.len();
        let held: f64 = solved.organic[(stage - 1) * c..stage * c]
            .iter()
            .sum::<f64>()
            * ACID_RELEASED_PER_MOL
            / case.organic;
        path.push((total - held) / total);
        s = Some(solved);
    }
    let s = s.unwrap();
    let free = *path.last().unwrap() * total;
    if !path.iter().all(|free| *free < NEARLY_OUT) {
        return Err(format!(
            "free extractant on stage {stage} along the path: {path:?}"
        ));
    }
    let k = &case.model.coefficients[species];
    let ph = -s.hydrogen_mol_per_l[stage - 1].log10();
    let dose = free / DEHPA_MOL_PER_L_PER_VOL_PCT;
    let (d_here, _, _) = k.distribution(ph, dose);
    let (d_lower, _, _) = k.distribution(ph, 0.5 * dose);
    if d_lower <= d_here {
        return Err(format!("{}'s D falls with the dose", names[species]));
    }
    Ok(())
}

/// A strong scrub (0.79 mol/L HCl at scrub O/A 6.6) over 15 + 4 stages of 2.9 % DEHPA at O/A
/// 0.68, fed 83 % of what the organic can hold: the RE the scrub strips goes back down to the
/// feed stage and is extracted again, and Ce's and Nd's D (b1 < 0 in the UKy correlation) keep
/// rising as the free dose falls, so the organic there is driven to carry all it can. The
/// solver says so (measured: stage 15, the feed stage, Ce, at 97.5 % of the feed with 0.15 %
/// of the extractant free), and the claim holds independently (`check_exhausted`).
#[test]
fn a_strong_scrub_runs_the_organic_out_of_extractant() {
    let (names, coefficients, base) = liquor();
    let (dose, oa) = (2.9, 0.68);
    let organic = oa * FLOW;
    let capacity = dose * DEHPA_MOL_PER_L_PER_VOL_PCT * organic / ACID_RELEASED_PER_MOL;
    let scale = 0.83 * capacity / base.iter().map(|c| c * FLOW).sum::<f64>();
    let case = Case {
        label: String::new(),
        model: PhCorrelation::dehpa(coefficients.clone(), dose),
        feed: base.iter().map(|c| c * scale * FLOW).collect(),
        inlet: vec![0.0; base.len()],
        extraction: 15,
        organic,
        acid: 1e-3,
        efficiency: 1.0,
        sections: AcidSections {
            feed_stage: None,
            scrub: Some(AcidLiquor {
                stages: 4,
                liquor_l_per_h: organic / 6.6,
                acid_mol_per_l: 0.79,
            }),
            strip: None,
        },
    };
    let failure = solve_acid(&case.problem(&case.feed), &SolverOptions::default()).unwrap_err();
    let SolveFailure::ExtractantExhausted {
        stage,
        species,
        feed_fraction,
        free_mol_per_l,
        total_mol_per_l,
        ..
    } = failure
    else {
        panic!("{failure:?}");
    };
    assert!(free_mol_per_l < EXHAUSTED_FREE_FRACTION * total_mol_per_l);
    check_exhausted(&case, stage, species, feed_fraction, &names).unwrap();
}

/// Three elements over 3 extraction + 2 scrub + 2 strip stages, Murphree stages (E = 0.85),
/// the organic in a closed loop: the stage equations written out here plainly (balances of
/// each element, Murphree's relation with the UKy correlation at the stage's pH and free dose,
/// each stage's H+ balance, the returning organic) and solved by Newton with a
/// finite-difference Jacobian and a dense LU, from the solver's answer moved 5 %; both agree to
/// 1e-9 of each element's feed (and of the H+ fed).
#[test]
fn sections_match_the_stage_equations_solved_directly() {
    use nalgebra::{DMatrix, DVector};
    let table = uky_dehpa_coefficients();
    let k: Vec<_> = ["La", "Nd", "Y"]
        .iter()
        .map(|e| table[&e.parse().unwrap()])
        .collect();
    let (c, n, s, t) = (3, 3, 2, 2);
    let m = n + s + t;
    let (dose, eff) = (8.0, 0.85);
    let feed = [0.4, 0.3, 0.1];
    let (a_feed, organic) = (100.0, 120.0);
    let (scrub_l, scrub_h) = (organic / 4.0, 0.3);
    let (strip_l, strip_h) = (organic / 3.0, 0.8);
    let feed_h = 0.02;
    let model = PhCorrelation::dehpa(k.clone(), dose);
    let problem = AcidProblem {
        equilibrium: &model,
        feed: &feed,
        organic_inlet: &[0.0; 3],
        stages: n,
        aqueous_l_per_h: a_feed,
        organic_l_per_h: organic,
        feed_acid_mol_per_h: feed_h * a_feed,
        efficiency: eff,
        sections: AcidSections {
            feed_stage: None,
            scrub: Some(AcidLiquor {
                stages: s,
                liquor_l_per_h: scrub_l,
                acid_mol_per_l: scrub_h,
            }),
            strip: Some(AcidLiquor {
                stages: t,
                liquor_l_per_h: strip_l,
                acid_mol_per_l: strip_h,
            }),
        },
    };
    let solved = solve_acid(&problem, &SolverOptions::default()).unwrap();
    // Unknowns: per stage a(3), o(3), h; then the returning organic u(3).
    let w = 2 * c + 1;
    let size = m * w + c;
    let total = dose * DEHPA_MOL_PER_L_PER_VOL_PCT;
    let residual = |x: &[f64]| -> Vec<f64> {
        let mut r = vec![0.0; size];
        for j in 0..m {
            let a = &x[j * w..j * w + c];
            let o = &x[j * w + c..j * w + 2 * c];
            let h = x[j * w + 2 * c];
            let below: Vec<f64> = if j == 0 {
                x[m * w..].to_vec()
            } else {
                x[(j - 1) * w + c..(j - 1) * w + 2 * c].to_vec()
            };
            // The aqueous: strip liquor in at the last strip stage, leaving at the first;
            // scrub liquor in at stage n + s, feed at stage n, both leaving at stage 1.
            let in_strip = j >= n + s;
            let volume = if in_strip {
                strip_l
            } else if j < n {
                scrub_l + a_feed
            } else {
                scrub_l
            };
            let top_of_section = j == n + s - 1 || j == m - 1;
            let (above, above_acid) = if top_of_section {
                (
                    vec![0.0; c],
                    if in_strip {
                        strip_h * strip_l
                    } else {
                        scrub_h * scrub_l
                    },
                )
            } else {
                let volume_above = if j + 1 < n {
                    scrub_l + a_feed
                } else if in_strip {
                    strip_l
                } else {
                    scrub_l
                };
                (
                    x[(j + 1) * w..(j + 1) * w + c].to_vec(),
                    volume_above * x[(j + 1) * w + 2 * c],
                )
            };
            let fed_acid = if j == n - 1 { feed_h * a_feed } else { 0.0 };
            let free = total - 3.0 * o.iter().sum::<f64>() / organic;
            let ph = -h.log10();
            let mut released = 0.0;
            for i in 0..c {
                let fed = if j == n - 1 { feed[i] } else { 0.0 };
                let d = k[i].distribution(ph, free / DEHPA_MOL_PER_L_PER_VOL_PCT).0;
                let equilibrium = d * a[i] * organic / volume;
                r[j * w + i] = below[i] + above[i] + fed - a[i] - o[i];
                r[j * w + c + i] = o[i] - below[i] - eff * (equilibrium - below[i]);
                released += 3.0 * (o[i] - below[i]);
            }
            r[j * w + 2 * c] = above_acid + fed_acid + released - volume * h;
        }
        for i in 0..c {
            r[m * w + i] = x[m * w + i] - x[(m - 1) * w + c + i];
        }
        r
    };
    let mut x = vec![0.0; size];
    for j in 0..m {
        for i in 0..c {
            x[j * w + i] = solved.aqueous[j * c + i];
            x[j * w + c + i] = solved.organic[j * c + i];
        }
        x[j * w + 2 * c] = solved.hydrogen_mol_per_l[j];
    }
    for i in 0..c {
        x[m * w + i] = solved.organic[(m - 1) * c + i];
    }
    let answer = x.clone();
    let mut seed = 5_u64;
    for v in x.iter_mut() {
        *v *= 1.0 + 0.1 * (lcg(&mut seed) - 0.5);
    }
    for _ in 0..50 {
        let r = residual(&x);
        if r.iter().all(|v| v.abs() < 1e-14) {
            break;
        }
        let mut jacobian = DMatrix::<f64>::zeros(size, size);
        for col in 0..size {
            let dx = 1e-7 * x[col].abs().max(1e-12);
            let mut shifted = x.clone();
            shifted[col] += dx;
            let rs = residual(&shifted);
            for row in 0..size {
                jacobian[(row, col)] = (rs[row] - r[row]) / dx;
            }
        }
        let step = jacobian
            .lu()
            .solve(&DVector::from_iterator(size, r.iter().map(|v| -v)))
            .unwrap();
        for (v, d) in x.iter_mut().zip(step.iter()) {
            *v += d;
        }
    }
    let fed_h = feed_h * a_feed + scrub_h * scrub_l + strip_h * strip_l;
    for (idx, (ours, direct)) in answer.iter().zip(&x).enumerate() {
        let within = idx % w;
        let scale = if idx >= m * w {
            feed[idx - m * w]
        } else if within == 2 * c {
            fed_h / strip_l
        } else {
            feed[within % c]
        };
        assert!(
            (ours - direct).abs() <= 1e-9 * scale,
            "unknown {idx}: solver {ours} against the direct solve {direct}"
        );
    }
}

/// The shipped loop (flowsheets/leach_dehpa_loop.toml: 4 + 2 stages, a weak strip of 0.05 mol/L
/// HCl over 3 stages at strip O/A 2): Y and Dy strip incompletely and go round with the organic,
/// La and Ce strip out (measured: Y keeps 96.5 % of what the loaded organic carries, Dy 69 %,
/// La and Ce 0.15 %); the share each element keeps through the strip section agrees with
/// Kremser's `(s - 1) / (s^(t+1) - 1)`, `s = A / (O D)`, D at each strip stage's own pH and
/// free dose (its loading is trace), to 1 %. The profiles have the strip stages, pH too; the
/// extract is the strip liquor; the acid balance closes.
#[test]
fn heavy_rare_earths_strip_incompletely_in_the_loop() {
    use super::support::sxcascade;
    let out = sxcascade(&[
        "run",
        "flowsheets/leach_dehpa_loop.toml",
        "--json",
        "--profiles",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cascade = &result["cascades"][0];
    let profiles = &cascade["profiles"];
    let ph: Vec<f64> = serde_json::from_value(profiles["ph"].clone()).unwrap();
    let organic: Vec<Vec<f64>> =
        serde_json::from_value(profiles["organic_mol_per_h"].clone()).unwrap();
    let elements: Vec<String> = serde_json::from_value(profiles["elements"].clone()).unwrap();
    assert_eq!((ph.len(), organic.len()), (9, 9));
    let (main, t) = (6, 3);
    let strip_oa = 2.0;
    let dose = 5.0;
    let table = uky_dehpa_coefficients();
    let mut kept = std::collections::BTreeMap::new();
    for (i, e) in elements.iter().enumerate() {
        let loaded = organic[main - 1][i];
        let returning = organic[main + t - 1][i];
        let share = returning / loaded;
        // Kremser over the strip stages with each stage's own D: the product over stages of a
        // stage-by-stage march is exact only for constant D; the stages' pH differ by < 0.01.
        let k = table[&e.parse().unwrap()];
        let d: f64 = (main..main + t)
            .map(|j| {
                let free_dose = dose
                    - ACID_RELEASED_PER_MOL * organic[j].iter().sum::<f64>()
                        / (cascade["organic_l_per_h"].as_f64().unwrap()
                            * DEHPA_MOL_PER_L_PER_VOL_PCT);
                k.distribution(ph[j], free_dose).0
            })
            .sum::<f64>()
            / t as f64;
        let s = 1.0 / (strip_oa * d);
        let kremser = (s - 1.0) / (s.powi(t as i32 + 1) - 1.0);
        assert!(
            (share - kremser).abs() <= 0.01 * kremser,
            "{e}: keeps {share:.4} of its loaded organic through the strip, Kremser {kremser:.4}"
        );
        kept.insert(e.clone(), share);
    }
    assert!(kept["Y"] > 0.5 && kept["Dy"] > 0.1, "{kept:?}");
    assert!(kept["La"] < 0.01 && kept["Ce"] < 0.01, "{kept:?}");
    // The extract is the strip liquor leaving stage N + 1; the acid balance closes.
    let aqueous: Vec<Vec<f64>> =
        serde_json::from_value(profiles["aqueous_mol_per_h"].clone()).unwrap();
    let extract = &result["streams"]["strip_liquor"]["mol_per_h"];
    for (i, e) in elements.iter().enumerate() {
        let reported = extract[e].as_f64().unwrap();
        assert!(
            (reported - aqueous[main][i]).abs() <= 1e-12 * reported,
            "{e}"
        );
    }
    let reagents = &cascade["reagents"];
    assert!(
        reagents["acid_balance_closure"].as_f64().unwrap() < 1e-10,
        "{reagents}"
    );
    assert!(reagents["strip_hcl_mol_per_h"].as_f64().unwrap() > 0.0);
}

/// Strip fields in a system without an acid balance are an error at their line, exit 2.
#[test]
fn strip_fields_need_an_acid_model() {
    use super::support::{scratch, sxcascade};
    let dir = scratch("strip-fields");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/prnd_binary.toml"),
    )
    .unwrap_or_default();
    let Some(at) = text.find("scrub_stages") else {
        panic!("flowsheets/prnd_binary.toml has no scrub_stages");
    };
    let line_start = text[..at].rfind('\n').map_or(0, |k| k + 1);
    let bad = format!(
        "{}strip_stages = 3\n{}",
        &text[..line_start],
        &text[line_start..]
    );
    let line = text[..line_start].lines().count() + 1;
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, bad).unwrap();
    let out = sxcascade(&["run", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains(&format!(":{line}:")) && first.contains("strip_stages"),
        "{first}"
    );
}

/// The strong-scrub case as a flowsheet (`leach_dehpa.toml` at 2.9 % DEHPA, 15 + 4 stages, O/A
/// 0.68, scrub 0.79 mol/L HCl at scrub O/A 6.6, feed at 83 % of the organic's capacity): `run`
/// exits 1 and says, in a process engineer's words, where the organic runs out and why.
#[test]
fn running_out_of_extractant_is_reported_in_plain_words() {
    use super::support::{scratch, sxcascade};
    let dir = scratch("exhausted");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/leach_dehpa.toml"),
    )
    .unwrap();
    let mut bad = text.clone();
    for (from, to) in [
        (
            "extractant_dose_vol_pct = 5.0",
            "extractant_dose_vol_pct = 2.9",
        ),
        (
            "extraction_stages = 3\nscrub_stages = 0\noa_ratio = 1.0",
            "extraction_stages = 15\nscrub_stages = 4\nscrub_oa_ratio = 6.6\n\
             scrub_acid_mol_per_l = 0.79\noa_ratio = 0.68",
        ),
        (
            "feed_concentration_mol_per_l = 3.6030e-5",
            "feed_concentration_mol_per_l = 0.016511",
        ),
        (
            "feed_acid_mol_per_l = 0.01075",
            "feed_acid_mol_per_l = 0.001",
        ),
    ] {
        assert!(bad.contains(from), "{from}");
        bad = bad.replacen(from, to, 1);
    }
    let file = dir.path().join("strong_scrub.toml");
    std::fs::write(&file, bad).unwrap();
    let out = sxcascade(&["run", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for words in [
        "the organic runs out of extractant",
        "on stage 15",
        "D of Ce",
        "% of the fresh organic's",
    ] {
        assert!(stderr.contains(words), "{words}: {stderr}");
    }
}
