//! One swept field and its values: `PATH=START:STOP:COUNT` (evenly spaced),
//! `PATH=log:START:STOP:COUNT` (evenly spaced in log) or `PATH=a,b,c` (a list).

use super::plan::MAX_CASES;
use crate::input::FieldPath;

/// A field of the flowsheet and the values a grid sweep gives it, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub path: FieldPath,
    pub values: Vec<f64>,
}

impl Axis {
    /// Reads `PATH=SPEC`, as given to `--vary`.
    pub fn parse(vary: &str) -> Result<Self, String> {
        let (path, spec) = vary.split_once('=').ok_or_else(|| {
            format!("`{vary}`: write PATH=SPEC, e.g. cascades.PrNd.reflux_ratio=4:6:11")
        })?;
        Ok(Self {
            path: FieldPath::parse(path.trim())?,
            values: values(spec.trim()).map_err(|e| format!("`{vary}`: {e}"))?,
        })
    }
}

/// The values a SPEC stands for.
pub fn values(spec: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let values = match parts.as_slice() {
        [list] => list
            .split(',')
            .map(|x| number(x.trim()))
            .collect::<Result<Vec<f64>, String>>()?,
        [start, stop, count] => {
            let (start, stop, count) = (number(start)?, number(stop)?, count_of(count)?);
            spaced(start, stop, count, |x| x, |x| x)
        }
        ["log", start, stop, count] => {
            let (start, stop, count) = (number(start)?, number(stop)?, count_of(count)?);
            if !(start > 0.0 && stop > 0.0) {
                return Err("a log range needs START and STOP above zero".into());
            }
            spaced(start, stop, count, f64::ln, f64::exp)
        }
        _ => {
            return Err("SPEC is START:STOP:COUNT, log:START:STOP:COUNT, or a list a,b,c".into());
        }
    };
    Ok(values)
}

/// `count` values from `start` to `stop`, evenly spaced in `forward`'s coordinate.
fn spaced(
    start: f64,
    stop: f64,
    count: usize,
    forward: fn(f64) -> f64,
    back: fn(f64) -> f64,
) -> Vec<f64> {
    if count == 1 {
        return vec![start];
    }
    let (a, b) = (forward(start), forward(stop));
    let mut v: Vec<f64> = (0..count)
        .map(|k| {
            let x = a + (b - a) * k as f64 / (count - 1) as f64;
            // A zero crossed by the range is zero, not the rounding left of a - a.
            let x = if x.abs() < 1e-12 * (b - a).abs() {
                0.0
            } else {
                x
            };
            tidy(back(x))
        })
        .collect();
    // The ends exactly as given, whatever their digits or exp(ln(x)) rounds to.
    v[0] = start;
    v[count - 1] = stop;
    v
}

/// `x` to 12 significant digits, so that 2.7:6.6:40 gives 3.3 and not 3.3000000000000003:
/// the grid an engineer asked for, written as asked, in the result and in every case's file.
/// The change is below 1e-12 relative, far inside any meaning the values have.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

fn number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("`{text}` is not a finite number")),
    }
}

/// A COUNT, refused above [`MAX_CASES`] before its values are allocated.
fn count_of(text: &str) -> Result<usize, String> {
    match text.trim().parse::<u128>() {
        Ok(n) if n > MAX_CASES as u128 => Err(format!(
            "COUNT {n} is more values than a sweep may have cases (at most {MAX_CASES})"
        )),
        Ok(n) if n >= 1 => Ok(n as usize),
        _ => Err(format!("COUNT `{text}` must be a whole number, 1 or more")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_log_and_list() {
        assert_eq!(values("10:50:5").unwrap(), [10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(values("2:3:1").unwrap(), [2.0]);
        let log = values("log:1:1000:4").unwrap();
        assert_eq!(log.len(), 4);
        assert_eq!((log[0], log[3]), (1.0, 1000.0));
        assert_eq!((log[1], log[2]), (10.0, 100.0));
        // Steps that are not binary fractions come out as written.
        let r = values("2.7:6.6:40").unwrap();
        assert_eq!((r[6], r[13], r[39]), (3.3, 4.0, 6.6));
        assert_eq!(
            values("0.123456789012345:1:2").unwrap()[0],
            0.123456789012345
        );
        assert_eq!(values("-0.5:0.5:11").unwrap()[5], 0.0);
        assert_eq!(values("1.5, 2,4e1").unwrap(), [1.5, 2.0, 40.0]);
    }

    #[test]
    fn bad_specs_say_why() {
        for (spec, says) in [
            ("1:2", "SPEC is"),
            ("1:2:0", "COUNT"),
            ("a:2:3", "`a`"),
            ("log:0:2:3", "above zero"),
            ("1,nan", "finite"),
            ("1:2:3:4:5", "SPEC is"),
            ("1:2:1000000000000", "at most 10000000"),
            ("log:1:2:99999999999999999999999", "at most 10000000"),
        ] {
            let e = values(spec).unwrap_err();
            assert!(e.contains(says), "{spec}: {e}");
        }
        assert!(Axis::parse("cascades.PrNd.reflux_ratio").is_err());
        let axis = Axis::parse("cascades.PrNd.reflux_ratio = 4:6:3").unwrap();
        assert_eq!(axis.path.as_str(), "cascades.PrNd.reflux_ratio");
        assert_eq!(axis.values, [4.0, 5.0, 6.0]);
    }
}
