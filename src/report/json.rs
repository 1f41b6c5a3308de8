use indexmap::IndexMap;
use serde::Serialize;

use super::reo_t_per_year;
use crate::cascade::{CascadeSolution, OperatingPoint};
use crate::flowsheet::{CascadeUnit, Flowsheet, FlowsheetSolution, ProductResult};
use crate::stream::Stream;

/// The result object printed by `sxcascade run --json` (FLOWSHEET.md, "Result").
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub flowsheet: String,
    pub converged: bool,
    pub all_products_meet_spec: bool,
    pub mass_balance_max_rel_error: f64,
    /// Wall time of the solve alone, s.
    pub solve_seconds: f64,
    pub cascades: Vec<CascadeReport>,
    pub streams: IndexMap<String, StreamReport>,
    pub products: Vec<ProductReport>,
}

#[derive(Debug, Serialize)]
pub struct CascadeReport {
    pub name: String,
    pub converged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub stages: usize,
    pub extraction_stages: usize,
    pub scrub_stages: usize,
    pub feed_stage: usize,
    #[serde(flatten)]
    pub operating_point: OperatingReport,
    /// Loaded organic flow, L/h: S times the cascade's feed over the system's organic
    /// capacity (saturated model, when the system gives a capacity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organic_l_per_h: Option<f64>,
    /// `null` when the cascade was not solved.
    pub iterations: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitution_sweeps: Option<usize>,
    pub residual: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mass_balance_overall: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mass_balance_worst_stage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profiles: Option<Profiles>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum OperatingReport {
    Fluxes {
        extraction_ratio: f64,
        scrub_ratio: f64,
        reflux_ratio: f64,
    },
    Volumetric {
        oa_ratio: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        scrub_oa_ratio: Option<f64>,
        reflux_ratio: f64,
    },
}

/// Stage profiles: row k is stage k + 1, columns follow `elements`.
#[derive(Debug, Serialize)]
pub struct Profiles {
    pub elements: Vec<String>,
    pub aqueous_mol_per_h: Vec<Vec<f64>>,
    pub organic_mol_per_h: Vec<Vec<f64>>,
}

#[derive(Debug, Serialize)]
pub struct StreamReport {
    pub total_mol_per_h: f64,
    pub mol_per_h: IndexMap<String, f64>,
    pub reo_kg_per_h: f64,
    pub reo_t_per_year: f64,
}

#[derive(Debug, Serialize)]
pub struct ProductReport {
    pub name: String,
    pub stream: String,
    pub element: String,
    pub oxide: String,
    pub purity_pct: Option<f64>,
    pub purity_mol_pct: Option<f64>,
    pub recovery_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_purity_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_recovery_pct: Option<f64>,
    pub meets_spec: bool,
}

pub fn run_report(
    flowsheet: &Flowsheet,
    solution: &FlowsheetSolution,
    solve_seconds: f64,
    with_profiles: bool,
) -> RunReport {
    RunReport {
        flowsheet: flowsheet.name.clone(),
        converged: solution.converged(),
        all_products_meet_spec: solution.all_products_meet_spec(),
        mass_balance_max_rel_error: solution.mass_balance_max_rel_error,
        solve_seconds,
        cascades: flowsheet
            .cascades
            .iter()
            .zip(&solution.cascades)
            .map(|(unit, outcome)| {
                let capacity = flowsheet.systems[unit.system].organic_capacity_mol_per_l;
                cascade_report(unit, outcome.result.as_ref(), capacity, with_profiles)
            })
            .collect(),
        streams: solution
            .streams
            .iter()
            .map(|(name, s)| (name.clone(), stream_report(flowsheet, s)))
            .collect(),
        products: solution.products.iter().map(product_report).collect(),
    }
}

fn cascade_report<E: ToString>(
    unit: &CascadeUnit,
    result: Result<&CascadeSolution, E>,
    capacity_mol_per_l: Option<f64>,
    with_profiles: bool,
) -> CascadeReport {
    let c = &unit.cascade;
    let operating_point = match c.operating_point {
        OperatingPoint::Fluxes {
            extraction_ratio,
            scrub_ratio,
        } => OperatingReport::Fluxes {
            extraction_ratio,
            scrub_ratio,
            reflux_ratio: scrub_ratio / (extraction_ratio - scrub_ratio),
        },
        OperatingPoint::Volumetric {
            oa_ratio,
            scrub_oa_ratio,
            reflux_ratio,
        } => OperatingReport::Volumetric {
            oa_ratio,
            scrub_oa_ratio: (c.scrub_stages > 0).then_some(scrub_oa_ratio),
            reflux_ratio,
        },
    };
    let solved = result.as_ref().ok();
    let organic_l_per_h = match (c.operating_point, capacity_mol_per_l, solved) {
        (
            OperatingPoint::Fluxes {
                extraction_ratio, ..
            },
            Some(capacity),
            Some(s),
        ) => Some(extraction_ratio * s.feed.total_mol_per_h() / capacity),
        _ => None,
    };
    CascadeReport {
        name: unit.name.clone(),
        converged: solved.is_some(),
        error: result.as_ref().err().map(ToString::to_string),
        stages: c.stages(),
        extraction_stages: c.extraction_stages,
        scrub_stages: c.scrub_stages,
        feed_stage: c.feed_stage(),
        operating_point,
        organic_l_per_h,
        iterations: solved.map(|s| s.convergence.iterations),
        substitution_sweeps: solved.map(|s| s.convergence.sweeps),
        residual: solved.map(|s| s.convergence.residual),
        mass_balance_overall: solved.map(|s| s.mass_balance.overall),
        mass_balance_worst_stage: solved.map(|s| s.mass_balance.worst_stage),
        profiles: solved.filter(|_| with_profiles).map(|s| Profiles {
            elements: s.elements.iter().map(ToString::to_string).collect(),
            aqueous_mol_per_h: s.aqueous.rows().into_iter().map(|r| r.to_vec()).collect(),
            organic_mol_per_h: s.organic.rows().into_iter().map(|r| r.to_vec()).collect(),
        }),
    }
}

fn stream_report(flowsheet: &Flowsheet, s: &Stream) -> StreamReport {
    StreamReport {
        total_mol_per_h: s.total_mol_per_h(),
        mol_per_h: s.flows().map(|(e, f)| (e.to_string(), f)).collect(),
        reo_kg_per_h: s.reo_g_per_h() / 1e3,
        reo_t_per_year: reo_t_per_year(flowsheet, s),
    }
}

fn product_report(p: &ProductResult) -> ProductReport {
    ProductReport {
        name: p.spec.name.clone(),
        stream: p.spec.stream.clone(),
        element: p.spec.element.to_string(),
        oxide: p.spec.element.oxide_name(),
        purity_pct: p.purity_pct,
        purity_mol_pct: p.purity_mol_pct,
        recovery_pct: p.recovery_pct,
        min_purity_pct: p.spec.min_purity_pct,
        min_recovery_pct: p.spec.min_recovery_pct,
        meets_spec: p.meets_spec,
    }
}
