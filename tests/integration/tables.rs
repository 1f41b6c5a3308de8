//! The text tables of `run`, `run --profiles` and `design`: every row's columns line up
//! (numbers right-aligned, names left-aligned, at least two spaces between), whatever the
//! length of a stream's name, and every heading sits over its column.

use super::support::{ok, scratch, sxcascade};

/// A cell of a line: its first and one-past-last character positions.
type Span = (usize, usize);

/// The cells of `line`: runs of text separated by two or more spaces.
fn cells(line: &str) -> Vec<Span> {
    let chars: Vec<char> = line.chars().collect();
    let mut spans = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if chars[k] == ' ' {
            k += 1;
            continue;
        }
        let start = k;
        while k < chars.len() && !(chars[k] == ' ' && chars.get(k + 1).is_none_or(|&c| c == ' ')) {
            k += 1;
        }
        spans.push((start, k));
    }
    spans
}

/// The tables of `output`: runs of lines with column gaps (two spaces), rules included.
fn tables(output: &str) -> Vec<Vec<&str>> {
    let mut tables = vec![Vec::new()];
    for line in output.lines() {
        let rule = !line.is_empty() && line.chars().all(|c| c == '-');
        if line.trim_start().contains("  ") || (rule && !tables.last().unwrap().is_empty()) {
            tables.last_mut().unwrap().push(line);
        } else if !tables.last().unwrap().is_empty() {
            tables.push(Vec::new());
        }
    }
    tables.retain(|t| t.len() > 1);
    tables
}

/// Asserts that every table of `output` is aligned: the lines with the most cells agree, in
/// each column, on where the cells start (left-aligned) or where they end (right-aligned);
/// lines with fewer cells are headings (at most three, at the top) whose every cell starts
/// or ends where a column does.
fn assert_aligned(what: &str, output: &str) {
    let found = tables(output);
    assert!(!found.is_empty(), "{what}: no table in\n{output}");
    for table in found {
        let shown = table.join("\n");
        let rows: Vec<(usize, Vec<Span>)> = table
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.chars().all(|c| c == '-'))
            .map(|(i, l)| (i, cells(l)))
            .collect();
        let n = rows.iter().map(|(_, c)| c.len()).max().unwrap();
        let full: Vec<&Vec<Span>> = rows
            .iter()
            .filter(|(_, c)| c.len() == n)
            .map(|(_, c)| c)
            .collect();
        assert!(full.len() > 1, "{what}: one full row in\n{shown}");
        for k in 0..n {
            let starts = full.iter().all(|c| c[k].0 == full[0][k].0);
            let ends = full.iter().all(|c| c[k].1 == full[0][k].1);
            assert!(
                starts || ends,
                "{what}: column {} does not line up in\n{shown}",
                k + 1
            );
        }
        for (i, line) in rows.iter().filter(|(_, c)| c.len() < n) {
            assert!(
                *i < 3,
                "{what}: line {} has too few columns in\n{shown}",
                i + 1
            );
            for cell in line {
                assert!(
                    full[0].iter().any(|c| c.0 == cell.0 || c.1 == cell.1),
                    "{what}: heading line {} is not over a column in\n{shown}",
                    i + 1
                );
            }
        }
    }
}

fn stdout(args: &[&str]) -> String {
    let out = sxcascade(args);
    ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_long_stream_name_widens_its_column_and_the_tables_stay_aligned() {
    let tmp = scratch("tables");
    let long = "Pr_raffinate_to_the_rework_splitter_and_the_product_tank";
    let text = std::fs::read_to_string("flowsheets/light_recycle.toml")
        .unwrap()
        .replace("\"Pr_raffinate\"", &format!("\"{long}\""));
    let file = tmp.path().join("long_names.toml");
    std::fs::write(&file, text).unwrap();
    let output = stdout(&["run", file.to_str().unwrap(), "--profiles"]);
    assert!(output.contains(long));
    assert_aligned("run --profiles, long stream name", &output);
    // The profile tables name their phases and units, and the cascade table its ratios.
    assert!(output.contains("aqueous phase, mol/h"));
    assert!(output.contains("organic phase, mol/h"));
    assert!(output.contains("extraction") && output.contains("ratio S"));
    assert!(!output.contains("S | O/A"));
}

#[test]
fn every_shipped_flowsheet_prints_aligned_tables() {
    for file in [
        "flowsheets/reference_plant.toml",
        "flowsheets/prnd_binary.toml",
        "flowsheets/lace_binary.toml",
        "flowsheets/light_series.toml",
        "flowsheets/light_recycle.toml",
    ] {
        assert_aligned(file, &stdout(&["run", file, "--profiles"]));
    }
    let tmp = scratch("tables-design");
    for file in [
        "flowsheets/prnd_design.toml",
        "flowsheets/seg_three_outlet_design.toml",
    ] {
        let designed = tmp.path().join("designed.toml");
        let output = stdout(&["design", file, "-o", designed.to_str().unwrap()]);
        assert_aligned(file, &output);
    }
}

#[test]
fn the_plant_table_totals_its_cascades() {
    let output = stdout(&["run", "flowsheets/light_recycle.toml"]);
    let table: Vec<&str> = output
        .lines()
        .skip_while(|l| !l.starts_with("plant flows and reagents"))
        .skip(1)
        .take_while(|l| !l.starts_with("reagents are"))
        .collect();
    assert!(table[0].contains("loaded organic") && table[0].contains("HCl"));
    let numbers = |line: &str| -> Vec<f64> {
        line.split_whitespace()
            .filter_map(|w| w.parse::<f64>().ok())
            .collect()
    };
    let rule = table.iter().position(|l| l.starts_with("---")).unwrap();
    let cascades: Vec<Vec<f64>> = table[2..rule].iter().map(|l| numbers(l)).collect();
    let total = numbers(table[rule + 1]);
    assert!(table[rule + 1].starts_with("plant total"));
    for (k, &t) in total.iter().enumerate() {
        let sum: f64 = cascades.iter().map(|r| r[k]).sum();
        // Shown to 0 or 1 decimals: the sum of the rounded within a unit per row.
        assert!(
            (sum - t).abs() <= cascades.len() as f64,
            "column {k}: {sum} != {t}"
        );
    }
}
