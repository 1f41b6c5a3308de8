//! Where the streams of an acid-aware cascade enter and how much aqueous each stage carries
//! (docs/model.md section 2 numbering): stages `1..n` extraction, `n+1..N` scrub, then the
//! strip stages `N+1..N+t` in the order the organic passes them. The organic flows up the
//! whole chain at one volume flow; the aqueous flows down within a section group: the scrub
//! liquor enters stage `N` and leaves with the raffinate at stage 1, joined by the feed at the
//! feed stage; the strip liquor enters stage `N+t` and leaves, as the extract, at `N+1`.

use super::acid::AcidProblem;

/// The stream layout of one [`AcidProblem`]; stages 0-based.
pub(super) struct Layout {
    /// All stages, strip stages included.
    pub stages: usize,
    /// Extraction and scrub stages: the strip section starts here.
    pub main: usize,
    pub feed_stage: usize,
    /// Aqueous volume flow leaving each stage, L/h.
    pub aqueous_l_per_h: Vec<f64>,
    /// H+ fed on each stage with the feed or a liquor, mol/h.
    pub acid_fed: Vec<f64>,
    /// A first guess of each stage's H+, mol/L: what is fed to its section over its flow.
    pub guess_h: Vec<f64>,
    /// The organic leaving the last strip stage returns to stage 1.
    pub ring: bool,
}

impl Layout {
    pub fn new(p: &AcidProblem<'_>) -> Self {
        let s = &p.sections;
        let scrub_stages = s.scrub.map_or(0, |l| l.stages);
        let strip_stages = s.strip.map_or(0, |l| l.stages);
        let main = p.stages + scrub_stages;
        let stages = main + strip_stages;
        let feed_stage = s.feed_stage.unwrap_or(p.stages) - 1;
        let (scrub_l, scrub_acid) = s.scrub.map_or((0.0, 0.0), |l| {
            (l.liquor_l_per_h, l.acid_mol_per_l * l.liquor_l_per_h)
        });
        let (strip_l, strip_acid) = s.strip.map_or((0.0, 0.0), |l| {
            (l.liquor_l_per_h, l.acid_mol_per_l * l.liquor_l_per_h)
        });
        let mut aqueous_l_per_h = vec![0.0; stages];
        let mut acid_fed = vec![0.0; stages];
        let mut guess_h = vec![0.0; stages];
        let below_feed_h = (p.feed_acid_mol_per_h + scrub_acid) / (p.aqueous_l_per_h + scrub_l);
        for j in 0..stages {
            if j < main {
                aqueous_l_per_h[j] = scrub_l
                    + if j <= feed_stage {
                        p.aqueous_l_per_h
                    } else {
                        0.0
                    };
                guess_h[j] = if j <= feed_stage {
                    below_feed_h
                } else {
                    scrub_acid / scrub_l
                };
            } else {
                aqueous_l_per_h[j] = strip_l;
                guess_h[j] = strip_acid / strip_l;
            }
        }
        acid_fed[feed_stage] += p.feed_acid_mol_per_h;
        if scrub_stages > 0 {
            acid_fed[main - 1] += scrub_acid;
        }
        if strip_stages > 0 {
            acid_fed[stages - 1] += strip_acid;
        }
        Self {
            stages,
            main,
            feed_stage,
            aqueous_l_per_h,
            acid_fed,
            guess_h,
            ring: strip_stages > 0,
        }
    }

    /// True when the aqueous leaving stage `j + 1` enters stage `j`.
    pub fn fed_from_above(&self, j: usize) -> bool {
        j + 1 < self.stages && j + 1 != self.main
    }
}
