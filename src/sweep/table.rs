//! The sweep's results as CSV: one row per case, in case order.
//!
//! Columns: `case`, each varied field (its path), `status` (ok, off_spec, not_converged,
//! infeasible), then per product `<name>.purity_pct`, `<name>.recovery_pct` and
//! `<name>.meets_spec`, then `iterations` (Newton iterations of the cascades' final solves,
//! summed), `residual` (largest scaled residual), `mass_balance_max_rel_error`, optionally
//! `seconds`, and `message` (why a case failed). Numbers are written in the shortest form that
//! reads back as the same double, so equal results are equal bytes.

use super::case::{CaseResult, Sweep};

/// The header line's fields.
pub fn header(sweep: &Sweep, timing: bool) -> Vec<String> {
    let mut columns = vec!["case".to_string()];
    columns.extend(sweep.plan.fields().iter().map(ToString::to_string));
    columns.push("status".into());
    for product in &sweep.products {
        for quantity in ["purity_pct", "recovery_pct", "meets_spec"] {
            columns.push(format!("{product}.{quantity}"));
        }
    }
    columns.extend(["iterations", "residual", "mass_balance_max_rel_error"].map(String::from));
    if timing {
        columns.push("seconds".into());
    }
    columns.push("message".into());
    columns
}

/// The CSV text of `rows` (no header unless `with_header`), one line per row.
pub fn csv_text(
    sweep: &Sweep,
    rows: &[CaseResult],
    timing: bool,
    with_header: bool,
) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    if with_header {
        writer.write_record(header(sweep, timing))?;
    }
    for row in rows {
        writer.write_record(fields(row, sweep.products.len(), timing))?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

fn fields(row: &CaseResult, products: usize, timing: bool) -> Vec<String> {
    let mut out = vec![row.case.to_string()];
    out.extend(row.values.iter().map(|&v| value(v)));
    out.push(row.status.as_str().into());
    for k in 0..products {
        match row.products.get(k) {
            Some(p) => {
                out.push(number(p.purity_pct));
                out.push(number(p.recovery_pct));
                out.push(p.meets_spec.to_string());
            }
            None => out.extend([String::new(), String::new(), String::new()]),
        }
    }
    out.push(row.iterations.to_string());
    out.push(number(Some(row.residual)));
    out.push(number(Some(row.mass_balance_max_rel_error)));
    if timing {
        out.push(number(Some(row.seconds)));
    }
    out.push(row.message.clone());
    out
}

/// A varied field's value: whole numbers (stage counts) without a decimal point.
fn value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

/// Shortest round-trip form; empty for a missing or not-a-number value.
fn number(x: Option<f64>) -> String {
    match x {
        Some(x) if !x.is_nan() => format!("{x:?}"),
        _ => String::new(),
    }
}
