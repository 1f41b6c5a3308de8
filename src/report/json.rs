use indexmap::IndexMap;
use serde::Serialize;

use super::equipment::{CostReport, EquipmentReport, EquipmentTotals, inventory_kg};
use super::reo_t_per_year;
use crate::cascade::OperatingPoint;
use crate::flowsheet::{
    CascadeEquipment, CascadeOutcome, CascadeUnit, Flowsheet, FlowsheetSolution, PlantFlows,
    ProductResult, Reagents, RecycleOutcome, SaponificationBase, StreamRole,
};
use crate::stream::Stream;

/// The result object printed by `sxcascade run --json` (docs/file-format.md, "The result").
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub flowsheet: String,
    pub converged: bool,
    pub all_products_meet_spec: bool,
    pub mass_balance_max_rel_error: f64,
    /// Wall time of the solve alone, s.
    pub solve_seconds: f64,
    pub cascades: Vec<CascadeReport>,
    pub recycles: Vec<RecycleReport>,
    pub streams: IndexMap<String, StreamReport>,
    pub products: Vec<ProductReport>,
    /// Sum over the cascades that report reagents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reagents_total: Option<ReagentTotals>,
    /// Mixer-settlers and inventory over the cascades the file sizes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equipment_total: Option<EquipmentTotals>,
    /// The plant's cost, when the file gives `[prices]` and sizes mixer-settlers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostReport>,
}

/// A recycle loop and how its tear streams converged.
#[derive(Debug, Serialize)]
pub struct RecycleReport {
    pub units: Vec<String>,
    pub tear_streams: Vec<String>,
    pub converged: bool,
    pub iterations: usize,
    /// Largest change of a tear flux in the last pass / its element's flowsheet feed.
    pub residual: f64,
    pub worst_tear_stream: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Stoichiometric minimum reagent demand (see `flowsheet::plant`).
#[derive(Debug, Serialize)]
pub struct ReagentReport {
    pub basis: &'static str,
    pub base: SaponificationBase,
    pub base_mol_per_h: f64,
    pub base_t_per_year: f64,
    pub scrub_hcl_mol_per_h: f64,
    pub strip_hcl_mol_per_h: f64,
    pub hcl_mol_per_h: f64,
    pub hcl_t_per_year: f64,
    /// Acid-aware models: H+ in with the feed, and leaving with the raffinate and with the
    /// strip liquor (the extract), mol/h, from the solved acid balance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_acid_mol_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raffinate_acid_mol_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract_acid_mol_per_h: Option<f64>,
    /// Relative closure of that acid balance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acid_balance_closure: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct ReagentTotals {
    pub basis: &'static str,
    pub naoh_t_per_year: f64,
    pub nh3_t_per_year: f64,
    pub hcl_t_per_year: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organic_l_per_h: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct SideDrawReport {
    pub stream: String,
    pub stage: usize,
    /// Share of the stage's outflow of `phase` drawn off.
    pub fraction: f64,
    /// "aqueous" or "organic".
    pub phase: &'static str,
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
    /// Murphree efficiency of every stage on the organic phase (1: ideal stages).
    pub stage_efficiency: f64,
    /// A three-outlet cascade's side draw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side_draw: Option<SideDrawReport>,
    #[serde(flatten)]
    pub operating_point: OperatingReport,
    /// Loaded organic flow, L/h: S times the cascade's feed over the system's organic
    /// capacity (saturated model, when the system gives a capacity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organic_l_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aqueous_feed_l_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scrub_l_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strip_l_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raffinate_l_per_h: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reagents: Option<ReagentReport>,
    /// Its mixer-settlers, when the file sizes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equipment: Option<EquipmentReport>,
    /// Rare earths held at steady state, both phases, kg of oxide per element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory_kg: Option<IndexMap<String, f64>>,
    /// `null` when the cascade was not solved.
    pub iterations: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitution_sweeps: Option<usize>,
    pub residual: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mass_balance_overall: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mass_balance_worst_stage: Option<f64>,
    /// Why a converged cascade's closure is above the 1e-10 target, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closure_note: Option<String>,
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
    Acidic {
        oa_ratio: f64,
        feed_concentration_mol_per_l: f64,
        feed_acid_mol_per_l: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        scrub_oa_ratio: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        scrub_acid_mol_per_l: Option<f64>,
        /// Strip stages, whose profiles follow stage N's in `profiles`.
        #[serde(skip_serializing_if = "Option::is_none")]
        strip_stages: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        strip_oa_ratio: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        strip_acid_mol_per_l: Option<f64>,
    },
}

/// Stage profiles: row k is stage k + 1, columns follow `elements`.
#[derive(Debug, Serialize)]
pub struct Profiles {
    pub elements: Vec<String>,
    pub aqueous_mol_per_h: Vec<Vec<f64>>,
    pub organic_mol_per_h: Vec<Vec<f64>>,
    /// pH of the aqueous leaving each stage, where the model has an acid balance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ph: Option<Vec<f64>>,
}

#[derive(Debug, Serialize)]
pub struct StreamReport {
    pub role: StreamRole,
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
    let equipment = solution.equipment(flowsheet);
    let plant_equipment = solution.plant_equipment(flowsheet, &equipment);
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
            .zip(&equipment)
            .map(|((unit, outcome), equipment)| {
                cascade_report(flowsheet, unit, outcome, equipment.as_ref(), with_profiles)
            })
            .collect(),
        recycles: solution.recycles.iter().map(recycle_report).collect(),
        streams: solution
            .streams
            .iter()
            .map(|(name, s)| {
                let role = flowsheet.stream_role(name, &solution.tear_streams());
                (name.clone(), stream_report(flowsheet, role, s))
            })
            .collect(),
        products: solution.products.iter().map(product_report).collect(),
        reagents_total: reagent_totals(flowsheet, solution),
        equipment_total: plant_equipment.as_ref().map(EquipmentTotals::new),
        cost: plant_equipment
            .as_ref()
            .and_then(|p| p.cost.as_ref())
            .map(CostReport::new),
    }
}

fn recycle_report(r: &RecycleOutcome) -> RecycleReport {
    RecycleReport {
        units: r.units.clone(),
        tear_streams: r.tears.clone(),
        converged: r.converged,
        iterations: r.iterations,
        residual: r.residual,
        worst_tear_stream: r.worst_tear.clone(),
        error: (!r.converged).then(|| r.to_string()),
    }
}

fn reagent_totals(flowsheet: &Flowsheet, solution: &FlowsheetSolution) -> Option<ReagentTotals> {
    let hours = flowsheet.hours_per_year();
    let flows: Vec<PlantFlows> = solution
        .plant_flows(flowsheet)
        .into_iter()
        .flatten()
        .collect();
    let reagents: Vec<&Reagents> = flows.iter().filter_map(|p| p.reagents.as_ref()).collect();
    if reagents.is_empty() {
        return None;
    }
    let base = |which| {
        reagents
            .iter()
            .filter(|r| r.base == which)
            .fold(0.0, |total, r| total + r.base_t_per_year(hours))
    };
    let organic: Option<Vec<f64>> = flows.iter().map(|p| p.organic_l_per_h).collect();
    Some(ReagentTotals {
        basis: STOICHIOMETRIC,
        naoh_t_per_year: base(SaponificationBase::NaOH),
        nh3_t_per_year: base(SaponificationBase::NH3),
        hcl_t_per_year: reagents.iter().map(|r| r.acid_t_per_year(hours)).sum(),
        organic_l_per_h: organic.map(|o| o.iter().sum()),
    })
}

const STOICHIOMETRIC: &str = "stoichiometric minimum: 3 mol base or HCl per mol RE";
/// The acid-aware models' reagents: the HCl the scrub and strip liquors carry in, with the acid
/// leaving from the solved acid balance.
const ACID_BALANCE: &str = "acid balance: HCl fed with the scrub and strip liquors";

fn cascade_report(
    flowsheet: &Flowsheet,
    unit: &CascadeUnit,
    outcome: &CascadeOutcome,
    equipment: Option<&CascadeEquipment>,
    with_profiles: bool,
) -> CascadeReport {
    let c = &unit.cascade;
    let result = outcome.result.as_ref();
    let operating_point = match c.operating_point {
        OperatingPoint::Fluxes {
            extraction_ratio,
            scrub_ratio,
        } => OperatingReport::Fluxes {
            extraction_ratio,
            scrub_ratio,
            reflux_ratio: c.reflux_ratio(),
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
        OperatingPoint::Acidic {
            oa_ratio,
            feed_concentration_mol_per_l,
            feed_acid_mol_per_l,
            scrub_oa_ratio,
            scrub_acid_mol_per_l,
            strip_stages,
            strip_oa_ratio,
            strip_acid_mol_per_l,
        } => {
            let scrub = c.scrub_stages > 0;
            let strip = strip_stages > 0;
            OperatingReport::Acidic {
                oa_ratio,
                feed_concentration_mol_per_l,
                feed_acid_mol_per_l,
                scrub_oa_ratio: scrub.then_some(scrub_oa_ratio),
                scrub_acid_mol_per_l: scrub.then_some(scrub_acid_mol_per_l),
                strip_stages: strip.then_some(strip_stages),
                strip_oa_ratio: strip.then_some(strip_oa_ratio),
                strip_acid_mol_per_l: strip.then_some(strip_acid_mol_per_l),
            }
        }
    };
    let solved = result.ok();
    let acid = solved.and_then(|s| s.acid);
    let hours = flowsheet.hours_per_year();
    let plant = solved
        .map(|s| unit.plant_flows(&flowsheet.systems[unit.system], s.feed.total_mol_per_h()))
        .unwrap_or_default();
    CascadeReport {
        name: unit.name.clone(),
        converged: solved.is_some(),
        error: result.as_ref().err().map(ToString::to_string),
        stages: c.stages(),
        extraction_stages: c.extraction_stages,
        scrub_stages: c.scrub_stages,
        feed_stage: c.feed_stage(),
        stage_efficiency: c.stage_efficiency,
        side_draw: unit
            .side_draw
            .clone()
            .zip(c.side_draw)
            .map(|(stream, d)| SideDrawReport {
                stream,
                stage: d.stage,
                fraction: d.fraction,
                phase: d.phase.as_str(),
            }),
        operating_point,
        organic_l_per_h: plant.organic_l_per_h,
        aqueous_feed_l_per_h: plant.aqueous_feed_l_per_h,
        scrub_l_per_h: plant.scrub_l_per_h,
        strip_l_per_h: plant.strip_l_per_h,
        raffinate_l_per_h: plant.raffinate_l_per_h,
        reagents: plant.reagents.map(|r| ReagentReport {
            basis: if matches!(c.operating_point, OperatingPoint::Acidic { .. }) {
                ACID_BALANCE
            } else {
                STOICHIOMETRIC
            },
            base: r.base,
            base_mol_per_h: r.base_mol_per_h,
            base_t_per_year: r.base_t_per_year(hours),
            scrub_hcl_mol_per_h: r.scrub_acid_mol_per_h,
            strip_hcl_mol_per_h: r.strip_acid_mol_per_h,
            hcl_mol_per_h: r.acid_mol_per_h(),
            hcl_t_per_year: r.acid_t_per_year(hours),
            feed_acid_mol_per_h: acid.map(|a| a.feed_acid_mol_per_h),
            raffinate_acid_mol_per_h: acid.map(|a| a.raffinate_acid_mol_per_h),
            extract_acid_mol_per_h: acid.map(|a| a.extract_acid_mol_per_h),
            acid_balance_closure: acid.map(|a| a.closure),
        }),
        equipment: equipment.map(EquipmentReport::new),
        inventory_kg: equipment.map(inventory_kg),
        iterations: solved.map(|s| s.convergence.iterations),
        substitution_sweeps: solved.map(|s| s.convergence.sweeps),
        residual: solved.map(|s| s.convergence.residual),
        mass_balance_overall: solved.map(|s| s.mass_balance.overall),
        mass_balance_worst_stage: solved.map(|s| s.mass_balance.worst_stage),
        closure_note: solved.and_then(|s| s.closure_note()),
        profiles: solved.filter(|_| with_profiles).map(|s| Profiles {
            elements: s.elements.iter().map(ToString::to_string).collect(),
            aqueous_mol_per_h: s.aqueous.rows().into_iter().map(|r| r.to_vec()).collect(),
            organic_mol_per_h: s.organic.rows().into_iter().map(|r| r.to_vec()).collect(),
            ph: s.ph.clone(),
        }),
    }
}

fn stream_report(flowsheet: &Flowsheet, role: StreamRole, s: &Stream) -> StreamReport {
    StreamReport {
        role,
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
