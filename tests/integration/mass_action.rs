//! The `mass_action` model from the flowsheet file: its bad inputs (exit 2, file:line:column
//! of the value to change, nothing on stdout).

use crate::support::{scratch, sxcascade};

const SHIPPED: &str = "flowsheets/prnd_mass_action.toml";

/// The shipped mass-action flowsheet with `from` replaced by `to`, run and checked: both
/// exit 2 with the first line of stderr at `line` of the file and containing `word`.
fn rejected(from: &str, to: &str, line: usize, word: &str) {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    assert!(text.contains(from), "`{from}` is in {SHIPPED}");
    let dir = scratch("mass-action");
    let file = dir.path().join("variant.toml");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
    let path = file.to_str().unwrap();
    for command in ["run", "check"] {
        let out = sxcascade(&[command, path]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command} `{to}`: {stderr}");
        assert!(out.stdout.is_empty(), "{command} `{to}`: nothing on stdout");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("{path}:{line}:")),
            "`{to}`: {first}"
        );
        assert!(first.contains(word), "`{to}`: `{word}` not in {first}");
    }
}

#[test]
fn saponification_outside_zero_to_one_is_bad_input() {
    for bad in ["1.36", "-0.1"] {
        rejected(
            "saponification_fraction = 0.36",
            &format!("saponification_fraction = {bad}"),
            23,
            "from 0 to 1",
        );
    }
}

#[test]
fn non_positive_extractant_is_bad_input() {
    for bad in ["0.0", "-1.5"] {
        rejected(
            "extractant_mol_per_l = 1.5",
            &format!("extractant_mol_per_l = {bad}"),
            22,
            "extractant_mol_per_l",
        );
    }
}

#[test]
fn a_feed_element_without_its_k_is_bad_input() {
    rejected(
        "log10_k = { Pr = -0.9, Nd = -0.723909 }",
        "log10_k = { Pr = -0.9 }",
        38,
        "carries Nd but system `p507` has no log10_k",
    );
}

#[test]
fn a_mass_action_cascade_needs_its_volumes() {
    rejected(
        "oa_ratio = 3.0 ",
        "# no oa_ratio ",
        37,
        "missing field `oa_ratio`",
    );
    rejected(
        "feed_concentration_mol_per_l = 1.0",
        "# no feed concentration",
        37,
        "feed_concentration_mol_per_l",
    );
}

#[test]
fn fields_of_other_models_and_unknown_bases_are_bad_input() {
    rejected(
        "saponification_fraction = 0.36",
        "saponification_fraction = 0.36\norganic_capacity_mol_per_l = 0.18",
        24,
        "does not belong to model \"mass_action\"",
    );
    rejected(
        "saponification_base = \"NaOH\"",
        "saponification_base = \"KOH\"",
        24,
        "saponification_base",
    );
}
