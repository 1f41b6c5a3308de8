//! Mixer-settlers of a cascade: how big they must be for the flows they pass, and what the
//! cascade holds at steady state (organic, and rare earths per element).
//!
//! Sizing is the usual first-pass rule for mixer-settlers (Ritcey & Ashbrook, *Solvent
//! Extraction: Principles and Applications to Process Metallurgy*, Elsevier; Lo, Baird &
//! Hanson (eds.), *Handbook of Solvent Extraction*, Wiley 1983): the mixer's volume is the total flow times its residence time, the
//! settler's area the total flow over its specific throughput, its volume that area times its
//! depth. Every stage of a cascade is built alike, for the largest total flow of any of its
//! stages, as plants build a cascade's boxes to one drawing.
//!
//! Hold-up: with no internal recycle each phase occupies a share of a box equal to its share of
//! the flow (both phases stay as long), so stage j holds `(V / Q_j) (a_ij + o_ij)` of element
//! i, with V the box's volume, Q_j the total flow through it and a, o the element's fluxes in
//! the two phases leaving it. The strip section and the tanks are not in the cascade's stages
//! and not counted.

mod holdup;

use serde::Serialize;

pub use holdup::holdup_mol;

/// How a cascade's mixer-settlers are sized (cascade fields `mixer_residence_min`,
/// `settler_flux_m3_per_m2_h`, `settler_depth_m`, or the file's `[equipment]` defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixerSettlerSpec {
    /// Mixer residence time on the total (organic + aqueous) flow, minutes.
    pub mixer_residence_min: f64,
    /// Specific settler throughput: m3/h of total flow per m2 of settler area.
    pub settler_flux_m3_per_m2_h: f64,
    /// Settler depth: dispersion band and both phase layers, m.
    pub settler_depth_m: f64,
}

/// Volumetric flow of each phase leaving each stage (stage 1 first), L/h.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFlows {
    pub organic_l_per_h: Vec<f64>,
    pub aqueous_l_per_h: Vec<f64>,
}

impl StageFlows {
    /// Total flow through stage `j` (0-based), L/h.
    pub fn total_l_per_h(&self, j: usize) -> f64 {
        self.organic_l_per_h[j] + self.aqueous_l_per_h[j]
    }

    pub fn stages(&self) -> usize {
        self.organic_l_per_h.len()
    }
}

/// The mixer-settlers of one cascade, all stages alike; serialised as the result's
/// `cascades[k].equipment` (its stages are the cascade's own).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MixerSettlers {
    #[serde(skip)]
    pub stages: usize,
    /// The largest total flow of any stage, which every box is sized for, m3/h.
    pub design_flow_m3_per_h: f64,
    pub mixer_m3_per_stage: f64,
    pub settler_m2_per_stage: f64,
    pub settler_m3_per_stage: f64,
    /// Organic held in all mixers and settlers, m3.
    pub organic_inventory_m3: f64,
    /// Aqueous held in all mixers and settlers, m3.
    pub aqueous_inventory_m3: f64,
}

impl MixerSettlers {
    /// Mixer and settler of one stage, m3.
    pub fn box_m3(&self) -> f64 {
        self.mixer_m3_per_stage + self.settler_m3_per_stage
    }
}

impl MixerSettlerSpec {
    /// Sizes every stage for the largest total flow in `flows`.
    pub fn size(&self, flows: &StageFlows) -> MixerSettlers {
        let stages = flows.stages();
        let design_l_per_h = (0..stages)
            .map(|j| flows.total_l_per_h(j))
            .fold(0.0, f64::max);
        let q = design_l_per_h / 1000.0;
        let mixer = q * self.mixer_residence_min / 60.0;
        let area = q / self.settler_flux_m3_per_m2_h;
        let settler = area * self.settler_depth_m;
        let box_m3 = mixer + settler;
        // Each phase fills its share of the flow of each box.
        let (mut organic, mut aqueous) = (0.0, 0.0);
        for j in 0..stages {
            let total = flows.total_l_per_h(j);
            if total > 0.0 {
                organic += box_m3 * flows.organic_l_per_h[j] / total;
                aqueous += box_m3 * flows.aqueous_l_per_h[j] / total;
            }
        }
        MixerSettlers {
            stages,
            design_flow_m3_per_h: q,
            mixer_m3_per_stage: mixer,
            settler_m2_per_stage: area,
            settler_m3_per_stage: settler,
            organic_inventory_m3: organic,
            aqueous_inventory_m3: aqueous,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 3 stages; the largest total flow 6,000 L/h = 6 m3/h (stage 3). Mixer 6 x 3/60 =
    /// 0.3 m3; settler 6 / 3 = 2 m2, 2 x 0.8 = 1.6 m3; a box 1.9 m3. Organic shares 2/3, 1/2,
    /// 1/3 of the boxes: 1.9 x 1.5 = 2.85 m3; aqueous the same.
    #[test]
    fn boxes_sized_for_the_largest_flow() {
        let spec = MixerSettlerSpec {
            mixer_residence_min: 3.0,
            settler_flux_m3_per_m2_h: 3.0,
            settler_depth_m: 0.8,
        };
        let flows = StageFlows {
            organic_l_per_h: vec![2000.0, 2000.0, 2000.0],
            aqueous_l_per_h: vec![1000.0, 2000.0, 4000.0],
        };
        let m = spec.size(&flows);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * b.abs().max(1.0);
        assert!(close(m.design_flow_m3_per_h, 6.0));
        assert!(close(m.mixer_m3_per_stage, 0.3));
        assert!(close(m.settler_m2_per_stage, 2.0));
        assert!(close(m.settler_m3_per_stage, 1.6));
        assert!(close(m.box_m3(), 1.9));
        assert!(close(m.organic_inventory_m3, 2.85));
        assert!(close(m.aqueous_inventory_m3, 2.85));
        assert!(close(
            m.organic_inventory_m3 + m.aqueous_inventory_m3,
            3.0 * m.box_m3()
        ));
    }
}
