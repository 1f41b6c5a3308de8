//! The flowsheet file as written: serde records that mirror the TOML, every value with its
//! span so that validation can point at the line. Nothing here is checked beyond TOML types;
//! see `validate.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type Spanned64 = Spanned<f64>;
/// A table of element (or oxide) names to numbers, e.g. `{ Pr = 1.0, Nd = 1.5 }`.
pub type NamedValues = Spanned<BTreeMap<String, Spanned64>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlowsheet {
    pub name: Spanned<String>,
    /// Free text: where the flowsheet's numbers come from.
    pub source: Option<String>,
    pub basis: Option<Spanned<RawBasis>>,
    #[serde(default)]
    pub systems: BTreeMap<String, Spanned<RawSystem>>,
    #[serde(default)]
    pub streams: BTreeMap<String, Spanned<RawStream>>,
    #[serde(default)]
    pub cascades: Vec<Spanned<RawCascade>>,
    #[serde(default)]
    pub splitters: Vec<Spanned<RawSplitter>>,
    #[serde(default)]
    pub products: Vec<Spanned<RawProduct>>,
    /// Mixer-settler sizing for every cascade that does not give its own.
    pub equipment: Option<Spanned<RawEquipment>>,
    pub prices: Option<Spanned<RawPrices>>,
}

/// How mixer-settlers are sized: in `[equipment]` for every cascade, or in a cascade.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEquipment {
    pub mixer_residence_min: Option<Spanned64>,
    pub settler_flux_m3_per_m2_h: Option<Spanned64>,
    pub settler_depth_m: Option<Spanned64>,
    pub source: Option<String>,
}

/// `[prices]`: what the plant's reagents, organic and products cost, USD.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrices {
    /// Cost index (CEPCI) of the prices' year.
    pub cost_index: Option<Spanned64>,
    pub hcl_usd_per_t: Option<Spanned64>,
    pub naoh_usd_per_t: Option<Spanned64>,
    pub nh3_usd_per_t: Option<Spanned64>,
    pub organic_usd_per_m3: Option<Spanned64>,
    pub organic_loss_l_per_m3_aqueous: Option<Spanned64>,
    /// Keyed by oxide: `{ Nd2O3 = 60.0 }`.
    pub oxides_usd_per_kg: Option<NamedValues>,
    pub mixer_settler: Option<Spanned<RawCapitalLaw>>,
    pub source: Option<String>,
}

/// `[prices.mixer_settler]`: the capital law's parameters, replacing the default's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapitalLaw {
    pub base_usd: Spanned64,
    pub base_volume_gal: Spanned64,
    pub exponent: Spanned64,
    pub base_cost_index: Spanned64,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBasis {
    pub reo_t_per_year: Spanned64,
    pub hours_per_year: Option<Spanned64>,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystem {
    pub model: Option<Spanned<String>>,
    pub separation_factors: Option<NamedValues>,
    pub distribution_ratios: Option<NamedValues>,
    /// `ph_correlation`: per element `{ m0, m1, b0, b1 }`.
    pub coefficients: Option<Spanned<BTreeMap<String, Spanned<RawPhCoefficients>>>>,
    pub extractant_dose_vol_pct: Option<Spanned64>,
    pub extractant_mol_per_l_per_vol_pct: Option<Spanned64>,
    pub acid_released_per_mol: Option<Spanned64>,
    /// `mass_action`: log10 K per element, K of `D = K [(HA)2]^3 / [H+]^3` in mol/L.
    pub log10_k: Option<NamedValues>,
    /// `mass_action`: total extractant, mol/L as monomer HA.
    pub extractant_mol_per_l: Option<Spanned64>,
    /// `mass_action`: share of the HA saponified before the organic enters, 0 to 1.
    pub saponification_fraction: Option<Spanned64>,
    /// `mass_action`: log10 K of the saponified cation (Na+ + 1/2 (HA)2 = NaA + H+).
    pub saponification_log10_k: Option<Spanned64>,
    pub organic_capacity_mol_per_l: Option<Spanned64>,
    /// "NaOH" (default) or "NH3".
    pub saponification_base: Option<Spanned<String>>,
    /// Standard deviation of ln(separation factor) per element, for designs to a confidence.
    pub separation_factor_sigma: Option<NamedValues>,
    /// The same against the element before it in extraction order (literature ranges of
    /// adjacent pairs).
    pub separation_factor_sigma_adjacent: Option<NamedValues>,
    /// Free text: where the parameters come from and under what conditions.
    pub source: Option<String>,
}

/// One element's coefficients of `log10 D = (m0 + m1 dose) pH + b0 + b1 log10(dose)`; the
/// dose terms default to 0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPhCoefficients {
    pub m0: f64,
    #[serde(default)]
    pub m1: f64,
    pub b0: f64,
    #[serde(default)]
    pub b1: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStream {
    pub flow_mol_per_h: Option<Spanned64>,
    pub share_of_basis: Option<Spanned64>,
    pub composition_mol: Option<NamedValues>,
    pub composition_oxide_pct: Option<NamedValues>,
    pub source: Option<String>,
}

/// `feed = "name"` or `feed = ["a", "b"]`.
#[derive(Debug)]
pub enum RawFeed {
    One(String),
    Many(Vec<String>),
}

/// By hand rather than `#[serde(untagged)]`, whose error ("data did not match any variant of
/// untagged enum RawFeed") names a Rust type instead of what to write.
impl<'de> Deserialize<'de> for RawFeed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> serde::de::Visitor<'de> for Names {
            type Value = RawFeed;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a stream name in double quotes, or a list of them in brackets")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<RawFeed, E> {
                Ok(RawFeed::One(name.to_string()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawFeed, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(RawFeed::Many(names))
            }
        }
        deserializer.deserialize_any(Names)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCascade {
    pub name: Spanned<String>,
    pub system: Spanned<String>,
    pub feed: Spanned<RawFeed>,
    pub feed_phase: Option<Spanned<String>>,
    pub feed_stage: Option<Spanned<u32>>,
    pub extraction_stages: Option<Spanned<u32>>,
    pub scrub_stages: Option<Spanned<u32>>,
    pub extraction_ratio: Option<Spanned64>,
    /// P = S - W, the alternative to `extraction_ratio` that holds the product split when the
    /// reflux changes.
    pub extract_product_ratio: Option<Spanned64>,
    pub reflux_ratio: Option<Spanned64>,
    pub scrub_ratio: Option<Spanned64>,
    pub oa_ratio: Option<Spanned64>,
    pub scrub_oa_ratio: Option<Spanned64>,
    pub raffinate: Spanned<String>,
    pub extract: Spanned<String>,
    /// A third outlet: the stream drawn off, the stage (1-based) and the share of that stage's
    /// aqueous outflow taken.
    pub side_draw: Option<Spanned<String>>,
    pub side_draw_stage: Option<Spanned<u32>>,
    pub side_draw_fraction: Option<Spanned64>,
    /// "aqueous" (default) or "organic".
    pub side_draw_phase: Option<Spanned<String>>,
    pub feed_concentration_mol_per_l: Option<Spanned64>,
    /// Free H+ of the aqueous feed, mol/L (acid-aware models).
    pub feed_acid_mol_per_l: Option<Spanned64>,
    pub scrub_acid_mol_per_l: Option<Spanned64>,
    pub strip_acid_mol_per_l: Option<Spanned64>,
    /// Stages of a strip section (acid-aware models): the loaded organic is stripped by the
    /// strip liquor and returns to stage 1.
    pub strip_stages: Option<Spanned<u32>>,
    /// Organic / strip liquor volume ratio of the strip section.
    pub strip_oa_ratio: Option<Spanned64>,
    /// Murphree efficiency of every stage on the organic phase, 0 < E <= 1 (default 1).
    pub stage_efficiency: Option<Spanned64>,
    /// Mixer-settler sizing, over the file's `[equipment]`.
    pub mixer_residence_min: Option<Spanned64>,
    pub settler_flux_m3_per_m2_h: Option<Spanned64>,
    pub settler_depth_m: Option<Spanned64>,
    /// What `sxcascade design` sizes the cascade for.
    pub design: Option<Spanned<RawDesign>>,
}

/// `[cascades.design]`: the split and the purities a cascade must reach.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    /// The last element (in extraction order) of the raffinate group.
    pub split_after: Option<Spanned<String>>,
    pub raffinate_elements: Option<Spanned<Vec<String>>>,
    pub extract_elements: Option<Spanned<Vec<String>>>,
    pub raffinate_purity_pct: Option<Spanned64>,
    pub extract_purity_pct: Option<Spanned64>,
    pub raffinate_recovery_pct: Option<Spanned64>,
    pub extract_recovery_pct: Option<Spanned64>,
    /// Reflux ratio as a multiple of the minimum; Xu's optimum when absent.
    pub reflux_factor: Option<Spanned64>,
    /// Three-outlet cascades: stages from the feed stage down to an aqueous side draw, or up
    /// to an organic one.
    pub side_draw_below_feed: Option<Spanned<u32>>,
    pub side_draw_above_feed: Option<Spanned<u32>>,
    /// Meet every target in at least this share of samples of the system's separation
    /// factors (`separation_factor_sigma`), %.
    pub confidence_pct: Option<Spanned64>,
    pub confidence_samples: Option<Spanned<u64>>,
    pub confidence_seed: Option<Spanned<u64>>,
}

impl RawFeed {
    pub fn names(&self) -> Vec<String> {
        match self {
            RawFeed::One(s) => vec![s.clone()],
            RawFeed::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplitter {
    pub name: Spanned<String>,
    pub inlet: Spanned<String>,
    /// Outlet stream names and their fractions of the inlet, e.g. `{ recycle = 0.3, out = 0.7 }`.
    pub outlets: NamedValues,
    /// Free text: why this split.
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    pub name: Spanned<String>,
    pub stream: Spanned<String>,
    pub element: Spanned<String>,
    pub min_purity_pct: Option<Spanned64>,
    pub min_recovery_pct: Option<Spanned64>,
    /// Free text: where the purity specification comes from.
    pub source: Option<String>,
}
