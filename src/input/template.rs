//! A flowsheet file parsed once and validated many times with some of its numbers changed:
//! the cases of a sweep. Setting a field works on the parsed TOML tree, before the file's
//! records are read, so a case is checked by exactly the validation a file with those numbers
//! gets from `sxcascade run`, and its errors point at the changed field's line.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, InputErrors};
use super::plain_words::toml_diagnostic;
use super::raw::RawFlowsheet;
use super::suggest::closest;
use super::validate::validate;
use crate::elements::Element;
use crate::flowsheet::Flowsheet;

/// A numeric field of a flowsheet file, e.g. `cascades.PrNd.reflux_ratio` or
/// `systems.p507.separation_factors.Nd`. Tables are entered by key; arrays of tables
/// (`[[cascades]]`, `[[splitters]]`, `[[products]]`) by the `name` of the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    segments: Vec<String>,
}

impl FieldPath {
    pub fn parse(text: &str) -> Result<Self, String> {
        let segments: Vec<String> = text.split('.').map(str::to_string).collect();
        if segments.len() < 2 || segments.iter().any(|s| s.trim().is_empty()) {
            return Err(format!(
                "`{text}` is not a field path: write it as dotted keys, e.g. \
                 `cascades.PrNd.reflux_ratio`"
            ));
        }
        Ok(Self {
            text: text.to_string(),
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a field holds in the file: whole numbers (stage counts) or any number, and its value
/// if the file gives one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldValue {
    pub integer: bool,
    pub value: Option<f64>,
}

/// A parsed flowsheet file whose numbers can be set before validation.
pub struct FlowsheetTemplate<'a> {
    file: String,
    text: &'a str,
    root: Spanned<DeTable<'a>>,
}

impl<'a> FlowsheetTemplate<'a> {
    /// Parses `text` (read from `file`, used in messages). Only TOML syntax is checked here.
    pub fn parse(file: &str, text: &'a str) -> Result<Self, InputErrors> {
        let root = DeTable::parse(text)
            .map_err(|e| InputErrors::new(file, text, vec![toml_diagnostic(text, &e)]))?;
        Ok(Self {
            file: file.to_string(),
            text,
            root,
        })
    }

    /// The field at `path`: whether it takes whole numbers, and its value in the file (`None`
    /// when the file leaves it out and its table exists, so that setting it adds it). A path
    /// the flowsheet has no place for is an error that names the path probably meant.
    pub fn field(&self, path: &FieldPath) -> Result<FieldValue, String> {
        let mut root = self.root.get_ref().clone();
        let slot = locate(&mut root, path)?;
        if let Slot::Absent(..) = slot {
            self.addable(path)?;
        }
        Ok(match slot {
            Slot::Present(value) => match value.get_ref() {
                v @ DeValue::Integer(_) => FieldValue {
                    integer: true,
                    value: number(v),
                },
                v @ DeValue::Float(_) => FieldValue {
                    integer: false,
                    value: number(v),
                },
                other => {
                    return Err(format!("`{path}` is a {}, not a number", other.type_str()));
                }
            },
            Slot::Absent(..) => FieldValue {
                integer: false,
                value: None,
            },
        })
    }

    /// Where `path` is written in the file: its value, or (left out) the table that would
    /// hold it; `None` if the file has no such table.
    pub fn span_of(&self, path: &FieldPath) -> Option<std::ops::Range<usize>> {
        let mut root = self.root.get_ref().clone();
        match locate(&mut root, path).ok()? {
            Slot::Present(value) => Some(value.span()),
            Slot::Absent(_, span) => Some(span),
        }
    }

    /// Whether the file may be given the field at `path`, which it leaves out: a field its
    /// table takes, or an element (oxide) of a table keyed by elements (oxides).
    fn addable(&self, path: &FieldPath) -> Result<(), String> {
        let (key, table) = path.segments.split_last().expect("a path has segments");
        match table.last().map(String::as_str) {
            Some("separation_factors" | "distribution_ratios" | "composition_mol") => {
                return key.parse::<Element>().map(drop).map_err(|e| e.to_string());
            }
            Some("composition_oxide_pct") => {
                return Element::from_oxide_name(key)
                    .map(drop)
                    .map_err(|e| e.to_string());
            }
            _ => {}
        }
        let mut root = self.root.get_ref().clone();
        let one = DeValue::parse("1").expect("a TOML number").into_inner();
        set(&mut root, path, one)?;
        let document = Spanned::new(self.root.span(), root);
        let Err(e) = RawFlowsheet::deserialize(toml::de::Deserializer::from(document)) else {
            return Ok(());
        };
        // serde's own words list the table's fields: "unknown field `x`, expected one of ...".
        let known: Vec<&str> = e.message().split('`').skip(3).step_by(2).collect();
        let parent = table.join(".");
        if e.message().starts_with("unknown field") {
            let meant = closest(key, known.iter().copied())
                .map(|m| format!(": did you mean `{parent}.{m}`?"))
                .unwrap_or_default();
            return Err(format!("`{parent}` has no field `{key}`{meant}"));
        }
        Err(format!("`{path}` is not a number field of the flowsheet"))
    }

    /// The flowsheet with each field of `values` set, validated as `sxcascade run` validates
    /// a file. Errors name the line of the field as written (or of its table, if added).
    pub fn instantiate(&self, values: &[(&FieldPath, f64)]) -> Result<Flowsheet, InputErrors> {
        let raw = self.raw(values)?;
        validate(raw, 0..self.text.len(), false).map_err(|d| self.errors(d))
    }

    /// Whether the file with `values` set still reads as a flowsheet's records (no unknown
    /// key, whole numbers where whole numbers go), before any check of the numbers.
    pub fn deserializes(&self, values: &[(&FieldPath, f64)]) -> Result<(), InputErrors> {
        self.raw(values).map(drop)
    }

    fn raw(&self, values: &[(&FieldPath, f64)]) -> Result<RawFlowsheet, InputErrors> {
        let rebalanced = self
            .rebalanced(values)
            .map_err(|message| self.errors(vec![Diagnostic::new(0..0, message)]))?;
        let values: Vec<(&FieldPath, f64)> = values
            .iter()
            .copied()
            .chain(rebalanced.iter().map(|(path, v)| (path, *v)))
            .collect();
        // The new numbers as TOML text, parsed into values that live as long as this call.
        let texts: Vec<String> = values.iter().map(|(_, v)| toml_number(*v)).collect();
        let mut root: DeTable<'_> = self.root.get_ref().clone();
        let mut errors = Vec::new();
        for ((path, _), text) in values.iter().zip(&texts) {
            let parsed = DeValue::parse(text).map(Spanned::into_inner);
            let set = parsed
                .map_err(|e| e.message().to_string())
                .and_then(|value| set(&mut root, path, value));
            if let Err(message) = set {
                errors.push(Diagnostic::new(0..0, format!("`{path}`: {message}")));
            }
        }
        if !errors.is_empty() {
            return Err(self.errors(errors));
        }
        let document = Spanned::new(self.root.span(), root);
        RawFlowsheet::deserialize(toml::de::Deserializer::from(document))
            .map_err(|e| self.errors(vec![toml_diagnostic(self.text, &e)]))
    }

    /// A composition must keep its sum (1 or 100 %) when some of its entries are set: the
    /// entries not set are scaled, in the file's proportions, to make up the rest. This is
    /// how an engineer varies one element of a feed ("Nd from 15 to 20 %, the rest as
    /// assayed"); without it every case but the file's own would fail the sum check.
    fn rebalanced(&self, values: &[(&FieldPath, f64)]) -> Result<Vec<(FieldPath, f64)>, String> {
        // The composition tables touched, with the keys set in each.
        let mut tables: IndexMap<&[String], Vec<(&str, f64)>> = IndexMap::new();
        for (path, v) in values {
            let Some((key, table)) = path.segments.split_last() else {
                continue;
            };
            if !table
                .last()
                .is_some_and(|t| COMPOSITIONS.contains(&t.as_str()))
            {
                continue;
            }
            tables.entry(table).or_default().push((key, *v));
        }
        let mut rebalanced = Vec::new();
        for (table, set) in tables {
            let entries = self.entries(table)?;
            let total: f64 = entries.iter().map(|(_, x)| x).sum();
            let kept: Vec<&(String, f64)> = entries
                .iter()
                .filter(|(k, _)| !set.iter().any(|(s, _)| s == k))
                .collect();
            let kept_sum: f64 = kept.iter().map(|(_, x)| x).sum();
            let set_sum: f64 = set.iter().map(|(_, x)| x).sum();
            let name = table.join(".");
            if kept.is_empty() || kept_sum <= 0.0 {
                continue; // nothing to rebalance with: the sum check speaks for itself
            }
            if set_sum > total {
                return Err(format!(
                    "the entries set in `{name}` sum to {set_sum}, more than the {total} \
                     the file's entries sum to: the others cannot make up the rest"
                ));
            }
            let scale = (total - set_sum) / kept_sum;
            for (key, x) in kept {
                let mut segments = table.to_vec();
                segments.push(key.clone());
                let path = FieldPath {
                    text: segments.join("."),
                    segments,
                };
                rebalanced.push((path, x * scale));
            }
        }
        Ok(rebalanced)
    }

    /// The numeric entries of the table at `table` as the file gives them.
    fn entries(&self, table: &[String]) -> Result<Vec<(String, f64)>, String> {
        let mut root = self.root.get_ref().clone();
        let path = FieldPath {
            text: table.join("."),
            segments: table.to_vec(),
        };
        let Slot::Present(value) = locate(&mut root, &path)? else {
            return Ok(Vec::new());
        };
        let DeValue::Table(entries) = value.get_ref() else {
            return Err(format!("`{path}` is not a table"));
        };
        Ok(entries
            .iter()
            .filter_map(|(key, value)| Some((key.get_ref().to_string(), number(value.get_ref())?)))
            .collect())
    }

    fn errors(&self, diagnostics: Vec<Diagnostic>) -> InputErrors {
        InputErrors::new(&self.file, self.text, diagnostics)
    }
}

/// Where a path leads: an existing value, or a missing key of an existing table.
enum Slot<'t, 'a> {
    Present(&'t mut Spanned<DeValue<'a>>),
    Absent(&'t mut DeTable<'a>, std::ops::Range<usize>),
}

fn set<'a>(root: &mut DeTable<'a>, path: &FieldPath, value: DeValue<'a>) -> Result<(), String> {
    match locate(root, path)? {
        Slot::Present(slot) => {
            let span = slot.span();
            *slot = Spanned::new(span, value);
        }
        Slot::Absent(table, span) => {
            let key = path.segments.last().expect("a path has segments").clone();
            // Giving one of two alternative fields takes the other out, as an engineer
            // editing the file would (`extract_product_ratio` instead of `extraction_ratio`).
            for (a, b) in ALTERNATIVES {
                if key == a {
                    table.remove(b);
                } else if key == b {
                    table.remove(a);
                }
            }
            table.insert(
                Spanned::new(span.clone(), key.into()),
                Spanned::new(span, value),
            );
        }
    }
    Ok(())
}

fn locate<'t, 'a>(root: &'t mut DeTable<'a>, path: &FieldPath) -> Result<Slot<'t, 'a>, String> {
    let (last, parents) = path.segments.split_last().expect("a path has segments");
    let mut table = root;
    let mut table_span = 0..0;
    let mut walked = String::new();
    let mut segments = parents.iter().enumerate();
    while let Some((k, segment)) = segments.next() {
        if !table.contains_key(segment.as_str()) {
            let keys = table.keys().map(|key| key.get_ref().as_ref());
            return Err(format!(
                "the flowsheet has no `{walked}{segment}`{}",
                meant(path, k, closest(segment, keys))
            ));
        }
        let entry = table.get_mut(segment.as_str()).expect("the key is there");
        walked.push_str(segment);
        table_span = entry.span();
        table = match entry.get_mut() {
            DeValue::Table(t) => t,
            // An array of tables: the next segment names the entry (`[[cascades]]`
            // name = "PrNd").
            DeValue::Array(array) => {
                let Some((k, name)) = segments.next() else {
                    return Err(format!("`{walked}` is a list: name an entry of it"));
                };
                let names: Vec<String> = array
                    .iter()
                    .filter_map(|item| match item.get_ref() {
                        DeValue::Table(t) => t.get("name")?.get_ref().as_str().map(str::to_string),
                        _ => None,
                    })
                    .collect();
                let named = array.iter_mut().find_map(|item| {
                    let span = item.span();
                    match item.get_mut() {
                        DeValue::Table(t)
                            if t.get("name").and_then(|n| n.get_ref().as_str())
                                == Some(name.as_str()) =>
                        {
                            Some((t, span))
                        }
                        _ => None,
                    }
                });
                let Some((t, span)) = named else {
                    let guess = closest(name, names.iter().map(String::as_str));
                    return Err(format!(
                        "the flowsheet has no `{walked}` named \"{name}\"{}",
                        meant(path, k, guess)
                    ));
                };
                walked.push('.');
                walked.push_str(name);
                table_span = span;
                t
            }
            other => {
                return Err(format!("`{walked}` is a {}, not a table", other.type_str()));
            }
        };
        walked.push('.');
    }
    if table.contains_key(last.as_str()) {
        let value = table.get_mut(last.as_str()).expect("the key is there");
        Ok(Slot::Present(value))
    } else {
        Ok(Slot::Absent(table, table_span))
    }
}

/// ": did you mean `PATH`?" with segment `k` of `path` replaced by `guess`, or nothing.
fn meant(path: &FieldPath, k: usize, guess: Option<&str>) -> String {
    guess.map_or_else(String::new, |guess| {
        let mut segments = path.segments.clone();
        segments[k] = guess.to_string();
        format!(": did you mean `{}`?", segments.join("."))
    })
}

/// The number a TOML value holds, if it is one.
fn number(value: &DeValue<'_>) -> Option<f64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|v| v as f64),
        DeValue::Float(x) => x.as_str().parse().ok(),
        _ => None,
    }
}

/// Cascade fields that say the same thing two ways: setting one replaces the other.
const ALTERNATIVES: [(&str, &str); 2] = [
    ("extraction_ratio", "extract_product_ratio"),
    ("reflux_ratio", "scrub_ratio"),
];

/// The tables whose entries are fractions of a whole (see `rebalanced`).
const COMPOSITIONS: [&str; 2] = ["composition_mol", "composition_oxide_pct"];

/// `v` as TOML: whole numbers as integers (so that stage counts stay integers), the rest in
/// the shortest form that reads back as the same `f64`.
fn toml_number(v: f64) -> String {
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT_INTEGERS {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = include_str!("../../flowsheets/prnd_binary.toml");

    fn path(s: &str) -> FieldPath {
        FieldPath::parse(s).unwrap()
    }

    #[test]
    fn unchanged_template_validates_like_the_file() {
        let template = FlowsheetTemplate::parse("prnd", FILE).unwrap();
        let direct = super::super::parse_flowsheet("prnd", FILE).unwrap();
        assert_eq!(template.instantiate(&[]).unwrap(), direct);
    }

    #[test]
    fn setting_a_field_equals_editing_the_file() {
        let template = FlowsheetTemplate::parse("prnd", FILE).unwrap();
        let edited = FILE
            .replace("scrub_stages = 33", "scrub_stages = 40")
            .replace("reflux_ratio = 4.4495", "reflux_ratio = 5.25")
            .replace("Nd = 1.5 }", "Nd = 1.45 }");
        let direct = super::super::parse_flowsheet("prnd", &edited).unwrap();
        let (m, r, beta) = (
            path("cascades.PrNd.scrub_stages"),
            path("cascades.PrNd.reflux_ratio"),
            path("systems.p507.separation_factors.Nd"),
        );
        let set = template
            .instantiate(&[(&m, 40.0), (&r, 5.25), (&beta, 1.45)])
            .unwrap();
        assert_eq!(set, direct);
    }

    #[test]
    fn fields_report_their_kind_and_value() {
        let template = FlowsheetTemplate::parse("prnd", FILE).unwrap();
        let stages = template.field(&path("cascades.PrNd.scrub_stages")).unwrap();
        assert_eq!((stages.integer, stages.value), (true, Some(33.0)));
        let s = template
            .field(&path("cascades.PrNd.extraction_ratio"))
            .unwrap();
        assert_eq!((s.integer, s.value), (false, Some(4.1711)));
        let absent = template.field(&path("cascades.PrNd.feed_stage")).unwrap();
        assert_eq!(absent.value, None);
        for (bad, says) in [
            ("cascades.NdSm.reflux_ratio", "no `cascades` named \"NdSm\""),
            ("systems.p508.model", "no `systems.p508`"),
            ("cascades.PrNd.name", "string, not a number"),
        ] {
            let message = template.field(&path(bad)).unwrap_err();
            assert!(message.contains(says), "{bad}: {message}");
        }
    }

    #[test]
    fn a_bad_value_is_an_error_at_the_fields_line() {
        let template = FlowsheetTemplate::parse("prnd", FILE).unwrap();
        let s = path("cascades.PrNd.extraction_ratio");
        let errors = template.instantiate(&[(&s, -1.0)]).unwrap_err().to_string();
        let line = FILE
            .lines()
            .position(|l| l.starts_with("extraction_ratio"))
            .unwrap()
            + 1;
        assert!(errors.contains(&format!("prnd:{line}:")), "{errors}");
        let n = path("cascades.PrNd.extraction_stages");
        let errors = template.instantiate(&[(&n, 12.5)]).unwrap_err().to_string();
        assert!(
            errors.contains("extraction_stages") || errors.contains("u32"),
            "{errors}"
        );
    }

    #[test]
    fn setting_part_of_a_composition_rescales_the_rest() {
        const SERIES: &str = include_str!("../../flowsheets/light_series.toml");
        let template = FlowsheetTemplate::parse("series", SERIES).unwrap();
        let nd = path("streams.feed.composition_oxide_pct.Nd2O3");
        let set = template.instantiate(&[(&nd, 20.0)]).unwrap();
        // The file's other oxides, scaled by hand to make up the remaining 80 %.
        let scale = 80.0 / (25.83 + 51.76 + 5.27);
        let edited = SERIES.replace(
            "{ La2O3 = 25.83, CeO2 = 51.76, Pr6O11 = 5.27, Nd2O3 = 17.14 }",
            &format!(
                "{{ La2O3 = {:?}, CeO2 = {:?}, Pr6O11 = {:?}, Nd2O3 = 20.0 }}",
                25.83 * scale,
                51.76 * scale,
                5.27 * scale
            ),
        );
        assert_ne!(edited, SERIES);
        let direct = super::super::parse_flowsheet("series", &edited).unwrap();
        let (a, b) = (&set.feeds["feed"], &direct.feeds["feed"]);
        for (e, x) in b.flows() {
            let rel = (a.mol_per_h(e) - x).abs() / x;
            assert!(rel < 1e-14, "{e}: {} vs {x}", a.mol_per_h(e));
        }
        // Without the rescaling the sum check would have refused the case; with it, setting
        // more than the whole is refused instead.
        let errors = template
            .instantiate(&[(&nd, 120.0)])
            .unwrap_err()
            .to_string();
        assert!(errors.contains("more than the 100"), "{errors}");
    }

    #[test]
    fn setting_an_alternative_field_replaces_the_files() {
        let template = FlowsheetTemplate::parse("prnd", FILE).unwrap();
        // P = S - W of the file's S = 4.1711 and R = 4.4495, so the operating point is kept.
        let p = 4.1711 / (1.0 + 4.4495);
        let product = path("cascades.PrNd.extract_product_ratio");
        let set = template.instantiate(&[(&product, p)]).unwrap();
        let direct = super::super::parse_flowsheet("prnd", FILE).unwrap();
        let op = |f: &Flowsheet| match f.cascades[0].cascade.operating_point {
            crate::cascade::OperatingPoint::Fluxes {
                extraction_ratio,
                scrub_ratio,
            } => (extraction_ratio, scrub_ratio),
            ref other => panic!("{other:?}"),
        };
        let ((s1, w1), (s2, w2)) = (op(&set), op(&direct));
        assert!((s1 / s2 - 1.0).abs() < 1e-14 && (w1 / w2 - 1.0).abs() < 1e-14);
        // Doubling R at that P doubles W and keeps S - W.
        let r = path("cascades.PrNd.reflux_ratio");
        let (s3, w3) = op(&template.instantiate(&[(&product, p), (&r, 8.899)]).unwrap());
        assert!(((s3 - w3) / p - 1.0).abs() < 1e-14 && (w3 / (2.0 * w2) - 1.0).abs() < 1e-14);
    }

    #[test]
    fn numbers_read_back_exactly() {
        for v in [0.1, 4.4495, 1e-7, 3.0, 1e300, 123456789.125, -2.5] {
            let text = toml_number(v);
            let parsed: f64 = text.parse().unwrap();
            assert_eq!(parsed, v, "{text}");
        }
        assert_eq!(toml_number(33.0), "33");
    }
}
