//! Purity and recovery of one cascade's outlets against its stage count or its reflux: the
//! flowsheet solved at each point (in parallel), exactly as `sxcascade run` would solve the
//! file with that number written in, and drawn from those same numbers.
//!
//! Each outlet (raffinate, extract) is judged by what it carries: a product stream by its
//! product's element; an intermediate stream by its group, the elements of which most goes to
//! that outlet at the file's operating point (a group cut's La-Nd). Purity is the oxide share
//! of the element or group in the outlet, recovery its share of what the cascade was fed.
//! Reflux is varied at the file's product split (P held, `extract_product_ratio`: S - W, or
//! less an organic draw's share), as a plant raises organic and scrub flows together.

use plotters::style::RGBColor;
use rayon::prelude::*;

use crate::cascade::{CascadeSolution, DrawPhase, FeedPhase, OperatingPoint, SystemModel};
use crate::elements::Element;
use crate::flowsheet::{Flowsheet, FlowsheetSolution};
use crate::input::{FieldPath, FlowsheetTemplate};
use crate::plot::{LinePlot, Panel, Scale, Series, SpecLine, element_colour};
use crate::solver::SolverOptions;
use crate::stream::Stream;
use crate::theory::minimum_reflux_ratio;

/// Which stage count a curve varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Extraction,
    Scrub,
    /// Both, scaled together from the file's split: x is the total.
    Both,
}

/// What the x axis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vs {
    Stages(Section),
    Reflux,
}

/// One outlet followed along the curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlet {
    /// "raffinate", "extract" or "side draw".
    pub side: &'static str,
    pub stream: String,
    /// The product's element, or the group the outlet carries.
    pub elements: Vec<Element>,
    /// The product specification, if the stream is a product.
    pub min_purity_pct: Option<f64>,
    pub min_recovery_pct: Option<f64>,
}

/// One solved point: x, and per outlet (purity %, recovery % of the cascade's feed); `None`
/// where the case is infeasible or did not converge (`message` says why).
#[derive(Debug, Clone, PartialEq)]
pub struct CurvePoint {
    pub x: f64,
    pub fields: Vec<(FieldPath, f64)>,
    pub values: Option<Vec<(f64, f64)>>,
    pub message: String,
}

/// Fewest points a curve is drawn with: a line needs two.
pub const MIN_POINTS: usize = 2;
/// Most points a curve is solved at: each is a flowsheet solve, and a plot shows no more
/// than a thousand apart.
pub const MAX_POINTS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Curves {
    pub cascade: String,
    pub vs: Vs,
    /// The file's own x.
    pub operating_x: f64,
    pub outlets: Vec<Outlet>,
    pub points: Vec<CurvePoint>,
    /// Whether reflux was varied at a fixed S - W (the saturated model).
    pub fixed_split: bool,
}

/// The solves behind a curve: the template to set fields in and the solver options.
pub struct CurveSource<'t, 'a> {
    pub template: &'t FlowsheetTemplate<'a>,
    pub flowsheet: &'t Flowsheet,
    pub options: SolverOptions,
}

impl CurveSource<'_, '_> {
    fn index(&self, cascade: &str) -> Result<usize, String> {
        self.flowsheet
            .cascades
            .iter()
            .position(|c| c.name == cascade)
            .ok_or_else(|| {
                let names: Vec<&str> = self
                    .flowsheet
                    .cascades
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect();
                match crate::input::suggest::closest(cascade, names.iter().copied()) {
                    Some(meant) => format!("no cascade `{cascade}`: did you mean `{meant}`?"),
                    None => format!(
                        "no cascade `{cascade}`: the flowsheet has {}",
                        names.join(", ")
                    ),
                }
            })
    }

    /// The curves of `cascade` against `vs`, over `range` (default: see [`default_range`]) at
    /// `count` points (stage counts: whole numbers, each once).
    pub fn curves(
        &self,
        cascade: &str,
        vs: Vs,
        range: Option<(f64, f64)>,
        count: usize,
    ) -> Result<Curves, String> {
        if !(MIN_POINTS..=MAX_POINTS).contains(&count) {
            return Err(format!(
                "{count} points: a curve needs {MIN_POINTS} to {MAX_POINTS} points"
            ));
        }
        let k = self.index(cascade)?;
        let base = self.flowsheet.solve(&self.options);
        let solved = base.cascades[k].result.as_ref().map_err(|e| {
            format!("cascade `{cascade}` does not solve at the file's operating point: {e}")
        })?;
        let unit = &self.flowsheet.cascades[k];
        let sides = [
            ("raffinate", Some(&unit.raffinate)),
            ("extract", Some(&unit.extract)),
            ("side draw", unit.side_draw.as_ref()),
        ];
        let outlets: Vec<Outlet> = sides
            .into_iter()
            .filter_map(|(side, name)| Some((side, name?, outlet(solved, side)?)))
            .filter_map(|(side, name, stream)| {
                let spec = self.flowsheet.products.iter().find(|p| &p.stream == name);
                let elements = match spec {
                    Some(p) => vec![p.element],
                    // A side draw enriches a middle element without holding most of it: judged
                    // by its largest element when it holds most of none.
                    None if side == "side draw" => Some(group(solved, stream))
                        .filter(|g| !g.is_empty())
                        .or_else(|| largest(stream).map(|e| vec![e]))
                        .unwrap_or_default(),
                    None => group(solved, stream),
                };
                (!elements.is_empty()).then(|| Outlet {
                    side,
                    stream: name.clone(),
                    elements,
                    min_purity_pct: spec.and_then(|p| p.min_purity_pct),
                    min_recovery_pct: spec.and_then(|p| p.min_recovery_pct),
                })
            })
            .collect();
        let operating_x = self.operating_x(k, vs);
        let (lo, hi) = match range {
            Some(r) => r,
            None => self.default_range(k, vs, &base)?,
        };
        let xs = points(vs, lo, hi, count);
        if xs.len() < MIN_POINTS {
            return Err(format!(
                "the range {lo} to {hi} holds one whole stage count only: a curve needs two \
                 or more (widen the range)"
            ));
        }
        let cascade_path = format!("cascades.{cascade}");
        let points = xs
            .par_iter()
            .map(|&x| {
                let fields = self.fields(k, &cascade_path, vs, x)?;
                Ok(self.solve_point(k, x, fields, &outlets))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let fixed_split = matches!(
            self.flowsheet.cascades[k].cascade.operating_point,
            OperatingPoint::Fluxes { .. }
        );
        Ok(Curves {
            cascade: cascade.to_string(),
            vs,
            operating_x,
            outlets,
            points,
            fixed_split,
        })
    }

    fn operating_x(&self, k: usize, vs: Vs) -> f64 {
        let c = &self.flowsheet.cascades[k].cascade;
        match vs {
            Vs::Stages(Section::Extraction) => c.extraction_stages as f64,
            Vs::Stages(Section::Scrub) => c.scrub_stages as f64,
            Vs::Stages(Section::Both) => (c.extraction_stages + c.scrub_stages) as f64,
            Vs::Reflux => c.reflux_ratio(),
        }
    }

    /// Stages from 40 % to twice the file's; reflux from just above the minimum for the
    /// purity the file's point reaches (a pseudo-binary estimate, docs/model.md section 5) to three
    /// times the file's.
    fn default_range(
        &self,
        k: usize,
        vs: Vs,
        base: &FlowsheetSolution,
    ) -> Result<(f64, f64), String> {
        let x0 = self.operating_x(k, vs);
        Ok(match vs {
            Vs::Stages(_) => ((0.4 * x0).floor().max(1.0), (2.0 * x0).ceil().max(2.0)),
            Vs::Reflux => {
                let r_min = self.minimum_reflux(k, base).filter(|r| *r > 0.0 && *r < x0);
                let lo = r_min.map_or(0.5 * x0, |r| 1.02 * r);
                // A file at zero reflux (a plain extraction train) still gets a range.
                (lo, (3.0 * x0).max(lo + 1.0))
            }
        })
    }

    /// Pseudo-binary minimum reflux at the file's point: the elements mostly extracted form
    /// the extract group; beta is that between the group's least and the rest's most
    /// extractable element; x_D is the group's mole share of the extract.
    fn minimum_reflux(&self, k: usize, base: &FlowsheetSolution) -> Option<f64> {
        let unit = &self.flowsheet.cascades[k];
        let solved = base.cascades[k].result.as_ref().ok()?;
        let SystemModel::Saturated { separation_factors } =
            &self.flowsheet.systems[unit.system].model
        else {
            return None;
        };
        let feed = &solved.feed;
        let extracted = group(solved, &solved.extract);
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for (e, _) in feed.flows().filter(|(_, f)| *f > 0.0) {
            let beta = *separation_factors.get(&e)?;
            if extracted.contains(&e) {
                low = low.min(beta);
            } else {
                high = high.max(beta);
            }
        }
        let group_flow = |s: &Stream| -> f64 { extracted.iter().map(|&e| s.mol_per_h(e)).sum() };
        let x_f = group_flow(feed) / feed.total_mol_per_h();
        let x_d = group_flow(&solved.extract) / solved.extract.total_mol_per_h();
        let organic = unit.cascade.feed_phase == FeedPhase::Organic;
        let r = minimum_reflux_ratio(low / high, x_f, x_d, organic);
        r.is_finite().then_some(r)
    }

    /// The fields that put the cascade at `x`.
    fn fields(
        &self,
        k: usize,
        path: &str,
        vs: Vs,
        x: f64,
    ) -> Result<Vec<(FieldPath, f64)>, String> {
        let c = &self.flowsheet.cascades[k].cascade;
        let field = |name: &str| FieldPath::parse(&format!("{path}.{name}"));
        let n0 = c.extraction_stages as f64;
        // A feed stage the file gives moves with the extraction section, in proportion.
        let feed_stage = |n: f64| -> Result<Vec<(FieldPath, f64)>, String> {
            Ok(match c.feed_stage {
                Some(f) => vec![(
                    field("feed_stage")?,
                    (f as f64 * n / n0).round().clamp(1.0, n),
                )],
                None => Vec::new(),
            })
        };
        let m0 = c.scrub_stages as f64;
        // A side draw keeps its place in its section, in proportion, as the feed stage does.
        let draw_stage = |n: f64, m: f64| -> Result<Vec<(FieldPath, f64)>, String> {
            let Some(d) = c.side_draw else {
                return Ok(Vec::new());
            };
            let k0 = d.stage as f64;
            let k = if k0 <= n0 {
                (k0 * n / n0).round().clamp(1.0, n)
            } else {
                n + ((k0 - n0) * m / m0).round().clamp(1.0, m.max(1.0))
            };
            // An organic draw stays below the last stage, whose organic is the extract.
            let k = match d.phase {
                DrawPhase::Organic => k.min(n + m - 1.0),
                DrawPhase::Aqueous => k,
            };
            Ok(vec![(field("side_draw_stage")?, k)])
        };
        Ok(match vs {
            Vs::Stages(Section::Extraction) => {
                let mut fields = vec![(field("extraction_stages")?, x)];
                fields.extend(feed_stage(x)?);
                fields.extend(draw_stage(x, m0)?);
                fields
            }
            Vs::Stages(Section::Scrub) => {
                let mut fields = vec![(field("scrub_stages")?, x)];
                fields.extend(draw_stage(n0, x)?);
                fields
            }
            Vs::Stages(Section::Both) => {
                let n = (x * n0 / (n0 + m0)).round().max(1.0);
                let mut fields = vec![
                    (field("extraction_stages")?, n),
                    (field("scrub_stages")?, x - n),
                ];
                fields.extend(feed_stage(n)?);
                fields.extend(draw_stage(n, x - n)?);
                fields
            }
            Vs::Reflux => match c.extract_product_ratio() {
                Some(p) => vec![
                    (field("extract_product_ratio")?, p),
                    (field("reflux_ratio")?, x),
                ],
                None => vec![(field("reflux_ratio")?, x)],
            },
        })
    }

    fn solve_point(
        &self,
        k: usize,
        x: f64,
        fields: Vec<(FieldPath, f64)>,
        outlets: &[Outlet],
    ) -> CurvePoint {
        let set: Vec<(&FieldPath, f64)> = fields.iter().map(|(p, v)| (p, *v)).collect();
        let (values, message) = match self.template.instantiate(&set) {
            Err(errors) => (None, errors.to_string()),
            Ok(flowsheet) => {
                let solution = flowsheet.solve(&self.options);
                match &solution.cascades[k].result {
                    Err(e) => (None, e.to_string()),
                    Ok(solved) => {
                        let values = outlets
                            .iter()
                            .map(|o| {
                                let stream = outlet(solved, o.side).expect("the file's outlets");
                                let flow = |s: &Stream| -> f64 {
                                    o.elements.iter().map(|&e| s.mol_per_h(e)).sum()
                                };
                                let recovery = 100.0 * flow(stream) / flow(&solved.feed);
                                (stream.purity_pct(&o.elements), recovery)
                            })
                            .collect();
                        (Some(values), String::new())
                    }
                }
            }
        };
        CurvePoint {
            x,
            fields,
            values,
            message,
        }
    }
}

/// The stream leaving by `side` ("raffinate", "extract", "side draw").
fn outlet<'s>(solved: &'s CascadeSolution, side: &str) -> Option<&'s Stream> {
    match side {
        "raffinate" => Some(&solved.raffinate),
        "extract" => Some(&solved.extract),
        "side draw" => solved.side_draw.as_ref(),
        _ => None,
    }
}

/// The element with the largest flow in `stream`.
fn largest(stream: &Stream) -> Option<Element> {
    stream
        .flows()
        .filter(|(_, f)| *f > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(e, _)| e)
}

/// The elements of which most of the cascade's feed leaves in `outlet`: its group.
fn group(solved: &CascadeSolution, outlet: &Stream) -> Vec<Element> {
    solved
        .elements
        .iter()
        .copied()
        .filter(|&e| outlet.mol_per_h(e) > 0.5 * solved.feed.mol_per_h(e))
        .collect()
}

/// `count` x values from `lo` to `hi`; whole and distinct for stage counts.
fn points(vs: Vs, lo: f64, hi: f64, count: usize) -> Vec<f64> {
    let even = (0..count).map(|i| lo + (hi - lo) * i as f64 / (count - 1) as f64);
    match vs {
        Vs::Reflux => even.collect(),
        Vs::Stages(_) => {
            let mut v: Vec<f64> = even.map(|x| x.round().max(1.0)).collect();
            v.dedup();
            v
        }
    }
}

impl Curves {
    fn x_title(&self) -> String {
        let who = format!(" ({})", self.cascade);
        match self.vs {
            Vs::Stages(Section::Extraction) => format!("extraction stages n{who}"),
            Vs::Stages(Section::Scrub) => format!("scrub stages m{who}"),
            Vs::Stages(Section::Both) => {
                format!("total stages n + m, both sections scaled together{who}")
            }
            Vs::Reflux if self.fixed_split => {
                format!("reflux ratio R = W/(S-W), at fixed S-W{who}")
            }
            Vs::Reflux => format!("reflux ratio R{who}"),
        }
    }

    /// Purity over recovery, one curve per outlet in its element's colour; spec lines where
    /// the outlet is a product; the file's operating point marked.
    pub fn figure(&self, title: &str) -> LinePlot {
        let series = |pick: fn((f64, f64)) -> f64| -> Vec<Series> {
            self.outlets
                .iter()
                .enumerate()
                .map(|(i, o)| Series {
                    label: format!("{} {} ({})", o.side, o.name(), o.stream),
                    colour: element_colour(o.elements[0]),
                    points: self
                        .points
                        .iter()
                        .filter_map(|p| Some((p.x, pick(p.values.as_ref()?[i]))))
                        .collect(),
                    dashed: false,
                    on_spec: None,
                })
                .collect()
        };
        let specs = |limit: fn(&Outlet) -> Option<f64>, what: &str| -> Vec<SpecLine> {
            self.outlets
                .iter()
                .filter_map(|o| {
                    Some(SpecLine {
                        label: format!("{} spec: {what} {} %", o.name(), limit(o)?),
                        colour: darker(element_colour(o.elements[0])),
                        y: limit(o)?,
                    })
                })
                .collect()
        };
        LinePlot {
            title: title.to_string(),
            x_title: self.x_title(),
            panels: vec![
                Panel {
                    y_title: "purity, % oxide of REO".into(),
                    scale: Scale::Nines,
                    series: series(|v| v.0),
                    specs: specs(|o| o.min_purity_pct, "purity"),
                },
                Panel {
                    y_title: "recovery, % of the cascade's feed".into(),
                    scale: Scale::Nines,
                    series: series(|v| v.1),
                    specs: specs(|o| o.min_recovery_pct, "recovery"),
                },
            ],
            marks: vec![(
                format!("operating point ({})", crate::plot::plain(self.operating_x)),
                self.operating_x,
            )],
            legend_title: format!("cascade {}", self.cascade),
        }
    }
}

impl Outlet {
    /// The oxide of a single element ("Nd2O3"), or the group by its ends ("La-Nd").
    pub fn name(&self) -> String {
        match self.elements.as_slice() {
            [one] => one.oxide_name(),
            [first, .., last] => format!("{first}-{last}"),
            [] => String::new(),
        }
    }
}

/// A spec line's colour: its element's, darkened, so line and curve are told apart.
fn darker(c: RGBColor) -> RGBColor {
    RGBColor(c.0 / 2, c.1 / 2, c.2 / 2)
}
