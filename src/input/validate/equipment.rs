//! Mixer-settler sizing (a cascade's fields over the file's `[equipment]`) and `[prices]`.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Validator;
use crate::cascade::SystemModel;
use crate::economics::{CapitalLaw, Prices};
use crate::elements::Element;
use crate::equipment::MixerSettlerSpec;
use crate::flowsheet::{Concentrations, ExtractantSystem};
use crate::input::raw::{RawCascade, RawEquipment, RawPrices};

/// Largest mixer residence time accepted, minutes: a day, far beyond any mixer.
const MAX_RESIDENCE_MIN: f64 = 1440.0;
/// Largest settler depth accepted, m.
const MAX_SETTLER_DEPTH_M: f64 = 100.0;
/// Smallest specific settler throughput accepted, m3/m2/h: below it the settler's area is
/// absurd (real settlers run at 1-10).
const MIN_SETTLER_FLUX: f64 = 1e-6;

impl Validator {
    /// The cascade's mixer-settler sizing: each field from the cascade or, failing that, from
    /// `[equipment]`; `None` when neither gives any. All three are needed, and the phase
    /// volumes they act on: a saturated system with an organic capacity, the scrub acid and,
    /// for an aqueous feed, its concentration.
    pub(super) fn mixer_settlers(
        &mut self,
        c: &RawCascade,
        defaults: Option<&RawEquipment>,
        system: &ExtractantSystem,
        concentrations: Concentrations,
    ) -> Option<MixerSettlerSpec> {
        let pick = |own: &Option<Spanned<f64>>, default: Option<&Option<Spanned<f64>>>| {
            own.clone().or_else(|| default.and_then(Clone::clone))
        };
        let fields = [
            (
                "mixer_residence_min",
                pick(
                    &c.mixer_residence_min,
                    defaults.map(|d| &d.mixer_residence_min),
                ),
            ),
            (
                "settler_flux_m3_per_m2_h",
                pick(
                    &c.settler_flux_m3_per_m2_h,
                    defaults.map(|d| &d.settler_flux_m3_per_m2_h),
                ),
            ),
            (
                "settler_depth_m",
                pick(&c.settler_depth_m, defaults.map(|d| &d.settler_depth_m)),
            ),
        ];
        let given: Vec<_> = fields.iter().filter_map(|(_, v)| v.as_ref()).collect();
        let first = given.first()?.span();
        let cascade = c.name.get_ref();
        let missing: Vec<&str> = fields
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| *k)
            .collect();
        if !missing.is_empty() {
            self.error(
                first,
                format!(
                    "cascade `{cascade}`: sizing mixer-settlers needs `mixer_residence_min`, \
                     `settler_flux_m3_per_m2_h` and `settler_depth_m` (in the cascade or in \
                     `[equipment]`); missing {}",
                    quoted(&missing)
                ),
            );
            return None;
        }
        let [(_, residence), (_, flux), (_, depth)] = &fields;
        let (residence, flux, depth) = (residence.as_ref()?, flux.as_ref()?, depth.as_ref()?);
        let owner = format!("cascade `{cascade}`");
        let residence = self.bounded(
            &owner,
            "mixer_residence_min",
            residence,
            |x| x > 0.0 && x <= MAX_RESIDENCE_MIN,
            "must be a positive number of minutes, at most a day (1440)",
        );
        let flux = self.bounded(
            &owner,
            "settler_flux_m3_per_m2_h",
            flux,
            |x| (MIN_SETTLER_FLUX..=1e6).contains(&x),
            "must be a positive specific throughput, m3/h per m2 (real settlers run at 1-10)",
        );
        let depth = self.bounded(
            &owner,
            "settler_depth_m",
            depth,
            |x| x > 0.0 && x <= MAX_SETTLER_DEPTH_M,
            "must be a positive depth in metres, at most 100",
        );
        let volumes = self.phase_volumes(c, system, concentrations);
        if let Some(need) = volumes {
            self.error(
                first,
                format!(
                    "cascade `{cascade}`: sizing mixer-settlers needs the phase volumes: {need}"
                ),
            );
            return None;
        }
        Some(MixerSettlerSpec {
            mixer_residence_min: residence?,
            settler_flux_m3_per_m2_h: flux?,
            settler_depth_m: depth?,
        })
    }

    /// What the file lacks for a cascade's phase volumes, if anything.
    fn phase_volumes(
        &self,
        c: &RawCascade,
        system: &ExtractantSystem,
        concentrations: Concentrations,
    ) -> Option<String> {
        if !matches!(system.model, SystemModel::Saturated { .. }) {
            return Some(format!(
                "only a saturated system's are known (`{}` is constant_d)",
                system.name
            ));
        }
        let aqueous_feed = c
            .feed_phase
            .as_ref()
            .is_none_or(|p| p.get_ref() != "organic");
        let mut lacking = Vec::new();
        if system.organic_capacity_mol_per_l.is_none() {
            lacking.push(format!(
                "`organic_capacity_mol_per_l` in `[systems.{}]`",
                system.name
            ));
        }
        if concentrations.scrub_acid_mol_per_l.is_none() {
            lacking.push("`scrub_acid_mol_per_l`".to_string());
        }
        if aqueous_feed && concentrations.feed_mol_per_l.is_none() {
            lacking.push("`feed_concentration_mol_per_l`".to_string());
        }
        (!lacking.is_empty()).then(|| format!("give {}", lacking.join(", ")))
    }

    /// `[prices]`: every price zero or positive; oxide keys are oxides.
    pub(super) fn prices(&mut self, raw: &RawPrices) -> Option<Prices> {
        let mut ok = true;
        let mut price = |v: &mut Self, field: &str, value: &Option<Spanned<f64>>| {
            let value = value.as_ref()?;
            let checked = v.bounded(
                "`[prices]`",
                field,
                value,
                |x| x >= 0.0 && x.is_finite(),
                "must be zero or a positive number",
            );
            ok &= checked.is_some();
            checked
        };
        let cost_index = price(self, "cost_index", &raw.cost_index);
        let hcl = price(self, "hcl_usd_per_t", &raw.hcl_usd_per_t);
        let naoh = price(self, "naoh_usd_per_t", &raw.naoh_usd_per_t);
        let nh3 = price(self, "nh3_usd_per_t", &raw.nh3_usd_per_t);
        let organic = price(self, "organic_usd_per_m3", &raw.organic_usd_per_m3);
        let loss = price(
            self,
            "organic_loss_l_per_m3_aqueous",
            &raw.organic_loss_l_per_m3_aqueous,
        );
        if let Some(index) = &raw.cost_index
            && *index.get_ref() == 0.0
        {
            self.error(index.span(), "`[prices]`: `cost_index` must be positive");
            ok = false;
        }
        let mut oxides = BTreeMap::new();
        if let Some(table) = &raw.oxides_usd_per_kg {
            for (key, value) in table.get_ref() {
                let x = *value.get_ref();
                match Element::from_oxide_name(key) {
                    Ok(e) if x >= 0.0 && x.is_finite() => {
                        oxides.insert(e, x);
                    }
                    Ok(_) => {
                        self.error(
                            value.span(),
                            format!(
                                "`[prices]`: `oxides_usd_per_kg` {key} = {x} must be zero or \
                                 a positive number"
                            ),
                        );
                        ok = false;
                    }
                    Err(unknown) => {
                        let hint = key
                            .parse::<Element>()
                            .map(|e| format!(" (write the oxide, `{}`)", e.oxide_name()))
                            .unwrap_or_default();
                        self.error(
                            value.span(),
                            format!("`[prices]`: `oxides_usd_per_kg`: {unknown}{hint}"),
                        );
                        ok = false;
                    }
                }
            }
        }
        let mixer_settler = match &raw.mixer_settler {
            Some(law) => {
                let law = law.get_ref();
                let owner = "`[prices.mixer_settler]`";
                let positive = |x: f64| x > 0.0 && x.is_finite();
                let base_usd = self.bounded(
                    owner,
                    "base_usd",
                    &law.base_usd,
                    positive,
                    "must be positive",
                );
                let volume = self.bounded(
                    owner,
                    "base_volume_gal",
                    &law.base_volume_gal,
                    positive,
                    "must be positive",
                );
                let exponent = self.bounded(
                    owner,
                    "exponent",
                    &law.exponent,
                    |x| x > 0.0 && x <= 2.0,
                    "must be between 0 and 2 (cost laws run 0.3-1)",
                );
                let index = self.bounded(
                    owner,
                    "base_cost_index",
                    &law.base_cost_index,
                    positive,
                    "must be positive",
                );
                match (base_usd, volume, exponent, index) {
                    (
                        Some(base_usd),
                        Some(base_volume_gal),
                        Some(exponent),
                        Some(base_cost_index),
                    ) => CapitalLaw {
                        base_usd,
                        base_volume_gal,
                        exponent,
                        base_cost_index,
                    },
                    _ => {
                        ok = false;
                        CapitalLaw::default()
                    }
                }
            }
            None => CapitalLaw::default(),
        };
        ok.then_some(Prices {
            cost_index,
            hcl_usd_per_t: hcl,
            naoh_usd_per_t: naoh,
            nh3_usd_per_t: nh3,
            organic_usd_per_m3: organic,
            organic_loss_l_per_m3_aqueous: loss,
            oxides_usd_per_kg: oxides,
            mixer_settler,
        })
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
