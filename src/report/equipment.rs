//! The JSON of mixer-settlers, inventory and cost (docs/file-format.md, "Equipment, inventory
//! and cost").

use indexmap::IndexMap;
use serde::Serialize;

use crate::equipment::MixerSettlers;
use crate::flowsheet::{CascadeEquipment, PlantCost, PlantEquipment};

/// A cascade's mixer-settlers (`cascades[k].equipment`): the boxes' sizes and what they hold,
/// and their capital where the file gives prices.
#[derive(Debug, Serialize)]
pub struct EquipmentReport {
    #[serde(flatten)]
    pub boxes: MixerSettlers,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capital_usd: Option<f64>,
}

impl EquipmentReport {
    pub fn new(e: &CascadeEquipment) -> Self {
        Self {
            boxes: e.boxes,
            capital_usd: e.capital_usd,
        }
    }
}

/// Rare earths held, kg of oxide per element (`cascades[k].inventory_kg`).
pub fn inventory_kg(e: &CascadeEquipment) -> IndexMap<String, f64> {
    e.inventory_kg()
        .map(|(el, kg)| (el.to_string(), kg))
        .collect()
}

/// Plant totals over the sized cascades (`equipment_total`).
#[derive(Debug, Serialize)]
pub struct EquipmentTotals {
    pub cascades_sized: usize,
    pub mixer_m3: f64,
    pub settler_m2: f64,
    pub settler_m3: f64,
    pub organic_inventory_m3: f64,
    /// kg of oxide per element.
    pub inventory_kg: IndexMap<String, f64>,
    pub inventory_kg_total: f64,
}

impl EquipmentTotals {
    pub fn new(p: &PlantEquipment) -> Self {
        Self {
            cascades_sized: p.cascades_sized,
            mixer_m3: p.mixer_m3,
            settler_m2: p.settler_m2,
            settler_m3: p.settler_m3,
            organic_inventory_m3: p.organic_inventory_m3,
            inventory_kg: p
                .inventory_kg
                .iter()
                .map(|(e, kg)| (e.to_string(), *kg))
                .collect(),
            inventory_kg_total: p.inventory_kg.iter().map(|(_, kg)| kg).sum(),
        }
    }
}

/// The plant's cost at the file's prices (`cost`).
#[derive(Debug, Serialize)]
pub struct CostReport {
    pub capital_usd: f64,
    pub capital_basis: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organic_fill_usd: Option<f64>,
    pub operating_usd_per_year: IndexMap<&'static str, Option<f64>>,
    pub operating_total_usd_per_year: f64,
    /// Operating lines left out of the total for want of a price.
    pub operating_missing: Vec<&'static str>,
    pub products_t_per_year: f64,
    pub operating_usd_per_t_reo: Option<f64>,
    /// Of the products whose oxide has a price.
    pub product_value_usd_per_year: f64,
    /// Of the rare earths held whose oxide has a price.
    pub inventory_value_usd: f64,
    /// Oxides made or held without a price, left out of both values.
    pub unpriced_oxides: Vec<String>,
}

const CAPITAL_BASIS: &str = "mixer-settlers only: stages x base_usd (V_box / base_volume)^exponent, \
     escalated by cost_index / base_cost_index";

impl CostReport {
    pub fn new(c: &PlantCost) -> Self {
        let o = &c.operating;
        Self {
            capital_usd: c.capital_usd,
            capital_basis: CAPITAL_BASIS,
            organic_fill_usd: c.organic_fill_usd,
            operating_usd_per_year: IndexMap::from([
                ("hcl", o.hcl_usd_per_year),
                ("naoh", o.naoh_usd_per_year),
                ("nh3", o.nh3_usd_per_year),
                ("organic_makeup", o.organic_makeup_usd_per_year),
            ]),
            operating_total_usd_per_year: o.total_usd_per_year(),
            operating_missing: o.missing(),
            products_t_per_year: c.products_t_per_year,
            operating_usd_per_t_reo: c.operating_usd_per_t_reo(),
            product_value_usd_per_year: c.product_value_usd_per_year,
            inventory_value_usd: c.inventory_value_usd,
            unpriced_oxides: c.unpriced_oxides.iter().map(|e| e.oxide_name()).collect(),
        }
    }
}
