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

fn dehpa(coefficients: &[sxcascade::equilibrium::PhCoefficients], dose: f64) -> PhCorrelation {
    PhCorrelation {
        coefficients: coefficients.to_vec(),
        dose_vol_pct: dose,
        mol_per_l_per_vol_pct: DEHPA_MOL_PER_L_PER_VOL_PCT,
        acid_released_per_mol: ACID_RELEASED_PER_MOL,
    }
}

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
/// Measured (seed 77, 120 cases): all 120 converge, closures at most 2.6e-13, Newton
/// iterations median 5, at most 438 (continuation on the feed). Before the continuation and the
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
            model: dehpa(&coefficients, dose),
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
/// (total - 3 sum o / O, from the profile) falls, below 2 % of the fresh organic's at the
/// last, and `species`' D there rises as it falls. (Measured on the strong-scrub case: 1.110,
/// 1.080, 1.078 %, while the solver's own last point on its path keeps 0.003 %: near that share
/// of the feed the steady states are not unique, and the path turns back there.)
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
    if !(path[0] > path[1] && path[1] > path[2] && path[2] < NEARLY_OUT) {
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
/// solver says so, and the claim holds independently (`check_exhausted`).
#[test]
fn a_strong_scrub_runs_the_organic_out_of_extractant() {
    let (names, coefficients, base) = liquor();
    let (dose, oa) = (2.9, 0.68);
    let organic = oa * FLOW;
    let capacity = dose * DEHPA_MOL_PER_L_PER_VOL_PCT * organic / ACID_RELEASED_PER_MOL;
    let scale = 0.83 * capacity / base.iter().map(|c| c * FLOW).sum::<f64>();
    let case = Case {
        label: String::new(),
        model: dehpa(&coefficients, dose),
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
