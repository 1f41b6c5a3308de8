//! The University of Kentucky's pH correlation for DEHPA + TBP in kerosene, as PrOMMiS ships it
//! (`solvent_extraction_reaction_package.py`, PrOMMiS 1.1.0; its source: the UKy Phase 1
//! report): `log10 D = (m0 + m1 dose) pH + b0 + b1 log10(dose)`, dose in % v/v. Transcribed
//! in tests/data/prommis/EQUATIONS.md, section 2, from the installed package.

use std::collections::BTreeMap;

use crate::elements::Element;
use crate::equilibrium::PhCoefficients;

/// The eight rare earths PrOMMiS's correlation covers (Sc, with a constant D there, is not one
/// of sxcascade's products).
pub fn uky_dehpa_coefficients() -> BTreeMap<Element, PhCoefficients> {
    let c = |m0, m1, b0, b1| PhCoefficients { m0, m1, b0, b1 };
    BTreeMap::from([
        (Element::La, c(0.54, 0.0, -1.93, 0.0)),
        (Element::Ce, c(0.30916, 0.04816, -1.66021, -0.38599)),
        (Element::Pr, c(0.29, 0.0, -1.48, 0.0)),
        (Element::Nd, c(0.31183, 0.03763, -1.62372, -0.38096)),
        (Element::Sm, c(0.81233, -0.02247, -2.12172, 0.17414)),
        (Element::Gd, c(1.0225, 0.0195, -2.24143, 0.03065)),
        (Element::Dy, c(1.70783, 0.06443, -2.42226, -0.02538)),
        (Element::Y, c(1.63166, 0.15166, -2.12601, 0.26612)),
    ])
}
