//! Mixer-settlers, inventory and cost of a solved flowsheet: each cascade's boxes sized for
//! its flows (`crate::equipment`), the rare earths they hold, and the plant's capital and
//! operating cost at the file's prices (`crate::economics`).

use super::{Flowsheet, FlowsheetSolution, SaponificationBase};
use crate::economics::{AnnualUse, OperatingCost};
use crate::elements::Element;
use crate::equipment::{MixerSettlers, holdup_mol};

/// One cascade's mixer-settlers and what they hold.
#[derive(Debug, Clone, PartialEq)]
pub struct CascadeEquipment {
    pub boxes: MixerSettlers,
    /// Rare earths held at steady state, both phases, mol, in extraction order.
    pub holdup_mol: Vec<(Element, f64)>,
    /// Capital of all its boxes at the file's cost law and index; `None` without `[prices]`.
    pub capital_usd: Option<f64>,
}

impl CascadeEquipment {
    /// Rare earths held, kg of oxide (REO), per element.
    pub fn inventory_kg(&self) -> impl Iterator<Item = (Element, f64)> + '_ {
        self.holdup_mol
            .iter()
            .map(|&(e, mol)| (e, e.oxide_g_from_mol(mol) / 1000.0))
    }
}

/// The plant's equipment totals and economics, over the cascades that have equipment.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantEquipment {
    pub cascades_sized: usize,
    pub mixer_m3: f64,
    pub settler_m2: f64,
    pub settler_m3: f64,
    pub organic_inventory_m3: f64,
    /// Per element, kg of oxide, in `Element` order.
    pub inventory_kg: Vec<(Element, f64)>,
    pub cost: Option<PlantCost>,
}

/// Capital, operating cost and values at the file's prices.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantCost {
    /// Mixer-settlers of every sized cascade.
    pub capital_usd: f64,
    /// The first fill of the organic held in the boxes.
    pub organic_fill_usd: Option<f64>,
    pub operating: OperatingCost,
    /// Oxide made a year in the flowsheet's products, t.
    pub products_t_per_year: f64,
    /// Value of the products whose oxide has a price.
    pub product_value_usd_per_year: f64,
    /// Value of the rare earths held in the cascades whose oxide has a price.
    pub inventory_value_usd: f64,
    /// Oxides made or held that have no price, left out of the two values above.
    pub unpriced_oxides: Vec<Element>,
}

impl PlantCost {
    pub fn operating_usd_per_t_reo(&self) -> Option<f64> {
        (self.products_t_per_year > 0.0)
            .then(|| self.operating.total_usd_per_year() / self.products_t_per_year)
    }
}

impl FlowsheetSolution {
    /// Each cascade's equipment (in the order of [`Flowsheet::cascades`]): `None` where the
    /// file sizes no mixer-settlers for it or it was not solved.
    pub fn equipment(&self, flowsheet: &Flowsheet) -> Vec<Option<CascadeEquipment>> {
        let prices = flowsheet.prices.as_ref();
        flowsheet
            .cascades
            .iter()
            .zip(&self.cascades)
            .map(|(unit, outcome)| {
                let spec = unit.mixer_settlers?;
                let solved = outcome.result.as_ref().ok()?;
                let system = &flowsheet.systems[unit.system];
                let flows = unit.stage_flows(system, solved.feed.total_mol_per_h())?;
                let boxes = spec.size(&flows);
                let held = holdup_mol(&boxes, &flows, solved.aqueous.view(), solved.organic.view());
                let capital_usd = prices.map(|p| {
                    boxes.stages as f64 * p.mixer_settler.box_usd(boxes.box_m3(), p.cost_index)
                });
                Some(CascadeEquipment {
                    boxes,
                    holdup_mol: solved.elements.iter().copied().zip(held).collect(),
                    capital_usd,
                })
            })
            .collect()
    }

    /// Plant totals of `equipment` (from [`Self::equipment`]) and, with `[prices]`, the
    /// plant's cost; `None` when no cascade is sized.
    pub fn plant_equipment(
        &self,
        flowsheet: &Flowsheet,
        equipment: &[Option<CascadeEquipment>],
    ) -> Option<PlantEquipment> {
        let sized: Vec<&CascadeEquipment> = equipment.iter().flatten().collect();
        if sized.is_empty() {
            return None;
        }
        let sum = |f: &dyn Fn(&MixerSettlers) -> f64| -> f64 {
            sized
                .iter()
                .map(|e| e.boxes.stages as f64 * f(&e.boxes))
                .sum()
        };
        let mut inventory_kg: Vec<(Element, f64)> = Vec::new();
        for e in Element::ALL {
            let kg: f64 = sized
                .iter()
                .flat_map(|c| c.inventory_kg())
                .filter(|&(held, _)| held == e)
                .map(|(_, kg)| kg)
                .sum();
            if kg > 0.0 {
                inventory_kg.push((e, kg));
            }
        }
        let organic_inventory_m3 = sized.iter().map(|e| e.boxes.organic_inventory_m3).sum();
        let cost = flowsheet.prices.as_ref().map(|prices| PlantCost {
            capital_usd: sized.iter().filter_map(|e| e.capital_usd).sum(),
            organic_fill_usd: prices.organic_usd_per_m3.map(|p| p * organic_inventory_m3),
            operating: prices.operating(&self.annual_use(flowsheet)),
            products_t_per_year: self.products_t_per_year(flowsheet),
            product_value_usd_per_year: self.product_value(flowsheet),
            inventory_value_usd: inventory_kg
                .iter()
                .filter_map(|&(e, kg)| prices.oxide_usd(e, kg))
                .sum(),
            unpriced_oxides: self
                .products
                .iter()
                .map(|p| p.spec.element)
                .chain(inventory_kg.iter().map(|&(e, _)| e))
                .filter(|e| !prices.oxides_usd_per_kg.contains_key(e))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
        Some(PlantEquipment {
            cascades_sized: sized.len(),
            mixer_m3: sum(&|b| b.mixer_m3_per_stage),
            settler_m2: sum(&|b| b.settler_m2_per_stage),
            settler_m3: sum(&|b| b.settler_m3_per_stage),
            organic_inventory_m3,
            inventory_kg,
            cost,
        })
    }

    /// Reagents and aqueous volumes of every solved cascade, a year.
    fn annual_use(&self, flowsheet: &Flowsheet) -> AnnualUse {
        let hours = flowsheet.hours_per_year();
        let mut used = AnnualUse {
            aqueous_m3: Some(0.0),
            ..AnnualUse::default()
        };
        for flows in self.plant_flows(flowsheet).into_iter().flatten() {
            if let Some(r) = flows.reagents {
                used.hcl_t += r.acid_t_per_year(hours);
                match r.base {
                    SaponificationBase::NaOH => used.naoh_t += r.base_t_per_year(hours),
                    SaponificationBase::NH3 => used.nh3_t += r.base_t_per_year(hours),
                }
            }
            let leaving = flows
                .raffinate_l_per_h
                .zip(flows.strip_l_per_h)
                .map(|(r, s)| (r + s) * hours / 1000.0);
            used.aqueous_m3 = used.aqueous_m3.zip(leaving).map(|(a, b)| a + b);
        }
        used
    }

    /// Oxide in the products' streams, t/yr: each product counts its element's oxide.
    fn products_t_per_year(&self, flowsheet: &Flowsheet) -> f64 {
        let hours = flowsheet.hours_per_year();
        self.products
            .iter()
            .filter_map(|p| {
                let stream = self.streams.get(&p.spec.stream)?;
                let e = p.spec.element;
                Some(e.oxide_g_from_mol(stream.mol_per_h(e)) * hours / 1e6)
            })
            .sum()
    }

    /// Products at their oxide's price, those without one left out, USD/yr.
    fn product_value(&self, flowsheet: &Flowsheet) -> f64 {
        let Some(prices) = flowsheet.prices.as_ref() else {
            return 0.0;
        };
        let hours = flowsheet.hours_per_year();
        self.products
            .iter()
            .filter_map(|p| {
                let e = p.spec.element;
                let mol_per_h = self
                    .streams
                    .get(&p.spec.stream)
                    .map_or(0.0, |s| s.mol_per_h(e));
                prices.oxide_usd(e, e.oxide_g_from_mol(mol_per_h) * hours / 1000.0)
            })
            .sum()
    }
}
