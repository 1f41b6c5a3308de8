//! One case of a sweep: the flowsheet with the case's numbers, solved, boiled down to a row.

use std::collections::BTreeSet;
use std::time::Instant;

use super::plan::SweepPlan;
use crate::flowsheet::{FlowsheetSolution, ProductResult};
use crate::input::{FieldPath, FlowsheetTemplate, InputErrors};
use crate::solver::{SolverOptions, nan_max};

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Solved, every product on spec.
    Ok,
    /// Solved, some product off spec.
    OffSpec,
    /// A cascade or recycle loop did not converge (the message has the numbers).
    NotConverged,
    /// The case's numbers are not a valid flowsheet (e.g. S <= W): nothing was solved.
    Infeasible,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::OffSpec => "off_spec",
            Status::NotConverged => "not_converged",
            Status::Infeasible => "infeasible",
        }
    }
}

/// The result of one case: a row of the sweep's table.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub case: usize,
    /// One per [`SweepPlan::fields`].
    pub values: Vec<f64>,
    pub status: Status,
    /// One per product of the flowsheet; empty when infeasible.
    pub products: Vec<ProductResult>,
    /// Newton iterations of the cascades' final solves, summed.
    pub iterations: usize,
    /// Largest scaled residual of any cascade.
    pub residual: f64,
    pub mass_balance_max_rel_error: f64,
    /// Why the case is infeasible or did not converge.
    pub message: String,
    /// Wall time of the case (instantiation and solve), s.
    pub seconds: f64,
}

/// Why a sweep cannot start. A field's error names the field, so that the command line can
/// blame what the user wrote: the `--vary` argument or the sweep file's line, not the
/// flowsheet.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepError {
    /// The flowsheet file as it stands is not valid: its own errors, located in it.
    Flowsheet(InputErrors),
    /// A swept field cannot be swept (no such field, not a number, ...).
    Field { path: FieldPath, message: String },
    /// The plan as a whole (e.g. more cases than can be counted).
    Plan(String),
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepError::Flowsheet(errors) => write!(f, "{errors}"),
            SweepError::Field { message, .. } | SweepError::Plan(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for SweepError {}

/// A flowsheet file and a plan, checked against each other.
pub struct Sweep<'a> {
    pub template: FlowsheetTemplate<'a>,
    pub plan: SweepPlan,
    /// The file's value of each Monte Carlo field.
    nominal: Vec<f64>,
    /// Product names, in the file's order.
    pub products: Vec<String>,
    pub options: SolverOptions,
}

impl<'a> Sweep<'a> {
    /// Checks that the file is a valid flowsheet as it stands, that every field exists (or
    /// may be added) and is swept at most once, that stage counts get whole numbers, and that
    /// Monte Carlo fields have a value in the file to spread around.
    pub fn new(
        template: FlowsheetTemplate<'a>,
        plan: SweepPlan,
        options: SolverOptions,
    ) -> Result<Self, SweepError> {
        let base = template.instantiate(&[]).map_err(SweepError::Flowsheet)?;
        let blame = |path: &FieldPath, message: String| SweepError::Field {
            path: path.clone(),
            message,
        };
        let mut seen = BTreeSet::new();
        for path in plan.fields() {
            if !seen.insert(path.as_str()) {
                return Err(blame(path, format!("`{path}` is varied twice")));
            }
        }
        for axis in &plan.axes {
            let field = template
                .field(&axis.path)
                .map_err(|e| blame(&axis.path, e))?;
            if field.integer
                && let Some(bad) = axis.values.iter().find(|v| v.fract() != 0.0)
            {
                return Err(blame(
                    &axis.path,
                    format!(
                        "`{}` takes whole numbers; {bad} is not one (give a list of whole \
                         numbers, or a range whose steps are whole)",
                        axis.path
                    ),
                ));
            }
        }
        let mut nominal = Vec::new();
        for field in plan.monte_carlo.iter().flat_map(|m| &m.fields) {
            let path = &field.path;
            match template.field(path).map_err(|e| blame(path, e))? {
                f if f.integer => {
                    return Err(blame(
                        path,
                        format!("`{path}` takes whole numbers: it cannot be sampled"),
                    ));
                }
                f => nominal.push(f.value.ok_or_else(|| {
                    blame(
                        path,
                        format!(
                            "`{path}` is not in the file: Monte Carlo spreads a field around \
                             the file's value"
                        ),
                    )
                })?),
            }
        }
        let sweep = Self {
            products: base.products.iter().map(|p| p.name.clone()).collect(),
            template,
            plan,
            nominal,
            options,
        };
        sweep.check_fields_exist()?;
        Ok(sweep)
    }

    /// A field the file leaves out is added; a misspelt one would make every case fail, so
    /// the first case is read once to catch it before the sweep starts.
    fn check_fields_exist(&self) -> Result<(), SweepError> {
        if self.plan.cases().map_err(SweepError::Plan)? == 0 {
            return Ok(());
        }
        let values = self.values(0);
        let fields = self.plan.fields();
        let set: Vec<(&FieldPath, f64)> = fields.iter().copied().zip(values).collect();
        self.template
            .deserializes(&set)
            .map_err(SweepError::Flowsheet)
    }

    /// The values of case `case`, one per field of the plan.
    pub fn values(&self, case: usize) -> Vec<f64> {
        self.plan.values(case, &self.nominal)
    }

    /// Solves case `case`, starting each cascade from `previous` (the solution of a
    /// neighbouring case) if given. Returns the row and the solution (to start the next case
    /// from), `None` if the case was infeasible.
    pub fn solve(
        &self,
        case: usize,
        previous: Option<FlowsheetSolution>,
    ) -> (CaseResult, Option<FlowsheetSolution>) {
        let start = Instant::now();
        let values = self.values(case);
        let fields = self.plan.fields();
        let set: Vec<(&FieldPath, f64)> =
            fields.iter().copied().zip(values.iter().copied()).collect();
        let flowsheet = match self.template.instantiate(&set) {
            Ok(f) => f,
            Err(errors) => {
                let row = CaseResult {
                    case,
                    values,
                    status: Status::Infeasible,
                    products: Vec::new(),
                    iterations: 0,
                    residual: f64::NAN,
                    mass_balance_max_rel_error: f64::NAN,
                    message: one_line(&errors.to_string()),
                    seconds: start.elapsed().as_secs_f64(),
                };
                return (row, None);
            }
        };
        let solution = match previous {
            Some(previous) => flowsheet.solve_near(&self.options, previous),
            None => flowsheet.solve(&self.options),
        };
        let mut iterations = 0;
        let mut residual: f64 = 0.0;
        let mut failures = Vec::new();
        for outcome in &solution.cascades {
            match &outcome.result {
                Ok(s) => {
                    iterations += s.convergence.iterations;
                    residual = nan_max(residual, s.convergence.residual);
                }
                Err(e) => failures.push(format!("cascade `{}`: {e}", outcome.name)),
            }
        }
        failures.extend(
            solution
                .recycles
                .iter()
                .filter(|r| !r.converged)
                .map(ToString::to_string),
        );
        let status = if !solution.converged() {
            Status::NotConverged
        } else if solution.all_products_meet_spec() {
            Status::Ok
        } else {
            Status::OffSpec
        };
        let row = CaseResult {
            case,
            values,
            status,
            products: solution.products.clone(),
            iterations,
            residual,
            mass_balance_max_rel_error: solution.mass_balance_max_rel_error,
            message: one_line(&failures.join("; ")),
            seconds: start.elapsed().as_secs_f64(),
        };
        (row, Some(solution))
    }
}

/// A message on one line, for one CSV cell.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join("; ")
}
