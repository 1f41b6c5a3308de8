//! Why `run` exits 1, said on stderr: the products off spec with what they reached against
//! their minimum, the cascades and recycle loops that did not converge with their residual.
//! Standard output keeps the result alone, so that `run --json` stays one JSON object.

use sxcascade::flowsheet::{FlowsheetSolution, ProductResult};

/// One line per reason the solution is not a success; none if it is one.
pub fn reasons(solution: &FlowsheetSolution) -> Vec<String> {
    let mut lines = Vec::new();
    for outcome in &solution.cascades {
        if let Err(e) = &outcome.result {
            lines.push(format!("error: cascade `{}`: {e}", outcome.name));
        }
    }
    for recycle in solution.recycles.iter().filter(|r| !r.converged) {
        lines.push(format!("error: {recycle}"));
    }
    for product in solution.products.iter().filter(|p| !p.meets_spec) {
        lines.push(format!(
            "off spec: product `{}` ({} in stream `{}`): {}",
            product.spec.name,
            product.spec.element,
            product.spec.stream,
            shortfalls(product)
        ));
    }
    lines
}

/// What a product misses: each of purity and recovery below its minimum.
fn shortfalls(p: &ProductResult) -> String {
    let (Some(purity), Some(recovery)) = (p.purity_pct, p.recovery_pct) else {
        return "not computed (a cascade upstream did not solve)".to_string();
    };
    let mut missed = Vec::new();
    for (what, value, minimum) in [
        ("purity", purity, p.spec.min_purity_pct),
        ("recovery", recovery, p.spec.min_recovery_pct),
    ] {
        if let Some(minimum) = minimum.filter(|m| value < *m) {
            missed.push(format!(
                "{what} {} % below its minimum {minimum} %",
                below(value, minimum)
            ));
        }
    }
    if missed.is_empty() {
        "misses its specification".to_string()
    } else {
        missed.join(", ")
    }
}

/// `value` (below `minimum`) with the fewest decimals, from 2, that do not round it up to
/// the minimum: 99.8996 against 99.9 is 99.8996, not 99.90.
fn below(value: f64, minimum: f64) -> String {
    (2..=8)
        .map(|d| format!("{value:.d$}"))
        .find(|s| s.parse::<f64>().is_ok_and(|v| v < minimum))
        .unwrap_or_else(|| format!("{value}"))
}

#[cfg(test)]
mod tests {
    use super::below;

    #[test]
    fn a_value_below_its_minimum_never_reads_as_the_minimum() {
        assert_eq!(below(97.5123, 99.9), "97.51");
        assert_eq!(below(99.8996, 99.9), "99.8996");
        assert_eq!(below(99.899_999_9, 99.9), "99.8999999");
    }
}
