//! The seeded convergence survey (issue 24), short enough for `cargo test --release`: 80
//! cascades of up to 300 stages drawn over the whole space the file allows
//! (src/reference/survey.rs). Every one converges with closure below 1e-10, and every product
//! flow agrees with a dense solve of the element balances (survey_check.rs). The long survey,
//! up to 5,000 stages, is examples/survey.rs.

use sxcascade::SolverOptions;
use sxcascade::reference::survey;

use super::survey_check::product_error;

#[test]
fn seeded_survey_converges_and_agrees_with_dense_balances() {
    let mut failures = Vec::new();
    for (k, drawn) in survey::cases(7, 80, 300).iter().enumerate() {
        let case = &drawn.case;
        let outcome = case
            .cascade
            .solve(&case.model, &case.feed, &SolverOptions::default())
            .map_err(|e| e.to_string())
            .and_then(|s| {
                let closure = s.mass_balance.overall.max(s.mass_balance.worst_stage);
                let dense = product_error(case, &s)?;
                if closure < 1e-10 && dense <= 1e-9 {
                    Ok(())
                } else {
                    Err(format!("closure {closure:.1e}, dense {dense:.1e}"))
                }
            });
        if let Err(e) = outcome {
            failures.push(format!("#{k} {}: {e}", drawn.label()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The survey draws every kind of case it claims to: both models, organic feeds, side draws
/// of both phases, one-stage cascades and the full range of element counts.
#[test]
fn seeded_survey_covers_the_space() {
    use sxcascade::cascade::{DrawPhase, FeedPhase};
    let cases = survey::cases(7, 80, 300);
    let has = |f: &dyn Fn(&survey::SurveyCase) -> bool| cases.iter().any(f);
    assert!(has(&|c| c.model == "constant_d"));
    assert!(has(&|c| c.case.cascade.feed_phase == FeedPhase::Organic));
    for phase in [DrawPhase::Aqueous, DrawPhase::Organic] {
        assert!(has(&|c| c
            .case
            .cascade
            .side_draw
            .is_some_and(|d| d.phase == phase)));
    }
    assert!(has(&|c| c.case.cascade.stages() == 1));
    assert!(has(&|c| c.case.cascade.stages() > 200));
    assert!(has(&|c| c.case.feed.flows().count() == 2));
    assert!(has(&|c| c.case.feed.flows().count() >= 14));
}
