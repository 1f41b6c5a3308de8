//! Rare earths held in a cascade's mixer-settlers at steady state.

use ndarray::ArrayView2;

use super::{MixerSettlers, StageFlows};

/// Moles of each element (the profiles' columns) held in all stages: stage j holds
/// `(V / Q_j) (a_ij + o_ij)`, V the volume of a box, Q_j the total flow through it (L/h) and
/// a, o the element's fluxes (mol/h) in the aqueous and organic leaving it (rows = stages).
pub fn holdup_mol(
    boxes: &MixerSettlers,
    flows: &StageFlows,
    aqueous: ArrayView2<f64>,
    organic: ArrayView2<f64>,
) -> Vec<f64> {
    let box_l = boxes.box_m3() * 1000.0;
    let mut held = vec![0.0; aqueous.ncols()];
    for j in 0..flows.stages() {
        let total = flows.total_l_per_h(j);
        if total <= 0.0 {
            continue;
        }
        let hours = box_l / total;
        for (i, h) in held.iter_mut().enumerate() {
            *h += hours * (aqueous[[j, i]] + organic[[j, i]]);
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equipment::MixerSettlerSpec;
    use ndarray::array;

    /// Concentrations times phase volumes, stage by stage, by hand: one stage, organic 2,000
    /// L/h carrying 10 mol/h of element 0, aqueous 1,000 L/h carrying 4 mol/h; a box of
    /// 0.3 m3 (mixer 3 m3/h x 6 min) and no settler. Organic holds 0.2 m3 at 0.005 mol/L =
    /// 1 mol, aqueous 0.1 m3 at 0.004 mol/L = 0.4 mol: 1.4 mol.
    #[test]
    fn holdup_is_concentration_times_phase_volume() {
        let spec = MixerSettlerSpec {
            mixer_residence_min: 6.0,
            settler_flux_m3_per_m2_h: 1e300,
            settler_depth_m: 0.0,
        };
        let flows = StageFlows {
            organic_l_per_h: vec![2000.0],
            aqueous_l_per_h: vec![1000.0],
        };
        let boxes = spec.size(&flows);
        let held = holdup_mol(
            &boxes,
            &flows,
            array![[4.0, 0.0]].view(),
            array![[10.0, 1.0]].view(),
        );
        assert!((held[0] - 1.4).abs() < 1e-12, "{held:?}");
        assert!((held[1] - 0.1).abs() < 1e-12, "{held:?}");
    }
}
