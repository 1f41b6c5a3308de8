//! Sweep files: a plan written down, for sweeps too long for the command line and for Monte
//! Carlo. Paths in it are relative to the file.
//!
//! ```toml
//! flowsheet = "prnd_binary.toml"
//!
//! [[vary]]                                   # grid axes, first slowest
//! path = "cascades.PrNd.reflux_ratio"
//! values = "3:6:31"                          # or log:START:STOP:COUNT, or [3.0, 4.5, 6.0]
//!
//! [monte_carlo]                              # optional: samples at every grid point
//! samples = 1000
//! seed = 2026
//! [[monte_carlo.fields]]
//! path = "systems.p507.separation_factors.Nd"
//! distribution = "lognormal"                 # or "normal" (sigma in the field's units)
//! sigma = 0.02                               # of ln(value): about 2 %
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::axis::{Axis, values};
use super::monte_carlo::{Distribution, MonteCarlo, Uncertain};
use super::plan::{MAX_CASES, SweepPlan};
use crate::input::{Diagnostic, FieldPath, InputErrors, line_column, toml_diagnostic};

/// A sweep file, read: the flowsheet it sweeps and the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepFile {
    pub flowsheet: PathBuf,
    pub plan: SweepPlan,
    /// Where `flowsheet` is written: line and column in the sweep file.
    pub flowsheet_at: (usize, usize),
    /// Where each field's `path` is written: line and column in the sweep file, for errors
    /// about the field found only against the flowsheet.
    pub origins: Vec<(FieldPath, usize, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    flowsheet: Spanned<String>,
    #[serde(default)]
    vary: Vec<RawAxis>,
    monte_carlo: Option<RawMonteCarlo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    path: Spanned<String>,
    values: Spanned<RawValues>,
}

enum RawValues {
    Spec(String),
    List(Vec<f64>),
}

/// By hand rather than `#[serde(untagged)]`, whose error names the Rust type.
impl<'de> Deserialize<'de> for RawValues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Values;
        impl<'de> serde::de::Visitor<'de> for Values {
            type Value = RawValues;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a range in double quotes (\"START:STOP:COUNT\", \"log:START:STOP:COUNT\") \
                     or a list of numbers in brackets",
                )
            }

            fn visit_str<E: serde::de::Error>(self, spec: &str) -> Result<RawValues, E> {
                Ok(RawValues::Spec(spec.to_string()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawValues, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<f64>()? {
                    values.push(v);
                }
                Ok(RawValues::List(values))
            }
        }
        deserializer.deserialize_any(Values)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonteCarlo {
    samples: Spanned<u64>,
    seed: u64,
    fields: Vec<RawUncertain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUncertain {
    path: Spanned<String>,
    distribution: Spanned<String>,
    sigma: Spanned<f64>,
}

/// Whether `text` is a sweep file rather than a flowsheet (it names the flowsheet it sweeps).
pub fn is_sweep_file(text: &str) -> bool {
    toml::de::DeTable::parse(text).is_ok_and(|t| t.get_ref().contains_key("flowsheet"))
}

/// Reads the sweep file `text`, found at `path` (for messages and relative paths).
pub fn parse_sweep_file(path: &Path, text: &str) -> Result<SweepFile, InputErrors> {
    let file = path.display().to_string();
    let errors = |d: Vec<Diagnostic>| InputErrors::new(&file, text, d);
    let raw: RawSweep =
        toml::from_str(text).map_err(|e| errors(vec![toml_diagnostic(text, &e)]))?;
    let mut problems = Vec::new();
    let mut origins = Vec::new();
    let mut field = |p: &Spanned<String>| {
        let path = FieldPath::parse(p.get_ref())
            .map_err(|e| problems.push(Diagnostic::new(p.span(), e)))
            .ok()?;
        let (line, column) = line_column(text, p.span().start);
        origins.push((path.clone(), line, column));
        Some(path)
    };
    let mut axes = Vec::new();
    let mut monte_carlo = None;
    let mut spec_problems = Vec::new();
    for a in &raw.vary {
        let list = match a.values.get_ref() {
            RawValues::Spec(spec) => values(spec),
            RawValues::List(list) if list.is_empty() => Err("the list is empty".into()),
            RawValues::List(list) => Ok(list.clone()),
        };
        match (field(&a.path), list) {
            (Some(path), Ok(values)) => axes.push(Axis { path, values }),
            (_, Err(e)) => spec_problems.push(Diagnostic::new(a.values.span(), e)),
            _ => {}
        }
    }
    if let Some(m) = &raw.monte_carlo {
        let mut fields = Vec::new();
        for f in &m.fields {
            let distribution = Distribution::new(f.distribution.get_ref(), *f.sigma.get_ref());
            match (field(&f.path), distribution) {
                (Some(path), Ok(distribution)) => fields.push(Uncertain { path, distribution }),
                (_, Err(e)) => {
                    // At the value to change: `sigma`, or the distribution's name.
                    let sigma = *f.sigma.get_ref();
                    let span = if sigma >= 0.0 && sigma.is_finite() {
                        f.distribution.span()
                    } else {
                        f.sigma.span()
                    };
                    spec_problems.push(Diagnostic::new(span, e))
                }
                _ => {}
            }
        }
        match usize::try_from(*m.samples.get_ref()) {
            Ok(samples) if samples > MAX_CASES => spec_problems.push(Diagnostic::new(
                m.samples.span(),
                format!("`samples` = {samples} is more than a sweep may have cases (at most {MAX_CASES})"),
            )),
            Ok(samples) if samples > 0 => {
                monte_carlo = Some(MonteCarlo {
                    samples,
                    seed: m.seed,
                    fields,
                })
            }
            _ => spec_problems.push(Diagnostic::new(
                m.samples.span(),
                "`samples` must be 1 or more",
            )),
        }
    }
    problems.extend(spec_problems);
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.span.start);
        return Err(errors(problems));
    }
    let base = path.parent().unwrap_or(Path::new(""));
    Ok(SweepFile {
        flowsheet: base.join(raw.flowsheet.get_ref()),
        flowsheet_at: line_column(text, raw.flowsheet.span().start),
        plan: SweepPlan { axes, monte_carlo },
        origins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_axes_and_monte_carlo() {
        let text = r#"
flowsheet = "prnd_binary.toml"
[[vary]]
path = "cascades.PrNd.reflux_ratio"
values = "3:6:4"
[[vary]]
path = "cascades.PrNd.scrub_stages"
values = [30, 33]
[monte_carlo]
samples = 10
seed = 1
[[monte_carlo.fields]]
path = "systems.p507.separation_factors.Nd"
distribution = "lognormal"
sigma = 0.02
"#;
        let f = parse_sweep_file(Path::new("dir/s.toml"), text).unwrap();
        assert_eq!(f.flowsheet, Path::new("dir/prnd_binary.toml"));
        assert_eq!(f.plan.axes[0].values, [3.0, 4.0, 5.0, 6.0]);
        assert_eq!(f.plan.axes[1].values, [30.0, 33.0]);
        assert_eq!(f.plan.cases().unwrap(), 80);
        assert!(is_sweep_file(text));
        assert!(!is_sweep_file("name = \"a flowsheet\""));
    }

    #[test]
    fn errors_point_at_the_line() {
        let text = "flowsheet = \"f.toml\"\n[[vary]]\npath = \"cascades.A.reflux_ratio\"\nvalues = \"3:6\"\n";
        let e = parse_sweep_file(Path::new("s.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:4:10: error: SPEC is"), "{e}");
        let text = "flowsheet = \"f.toml\"\n[monte_carlo]\nsamples = 0\nseed = 1\nfields = []\n";
        let e = parse_sweep_file(Path::new("s.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml:3:11") && e.contains("samples"), "{e}");
    }
}
