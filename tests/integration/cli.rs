//! The `sxcascade` binary on shipped and broken flowsheets: exit codes, the JSON contract of
//! docs/file-format.md, and error messages that point at the line to change.

use std::path::{Path, PathBuf};

use super::support::sxcascade;

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = sxcascade(args);
    let value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    (out.status.code().expect("exit code"), value)
}

const SHIPPED: &[&str] = &[
    "flowsheets/reference_plant.toml",
    "flowsheets/prnd_binary.toml",
    "flowsheets/lace_binary.toml",
    "flowsheets/light_series.toml",
    "flowsheets/light_recycle.toml",
    "flowsheets/leach_dehpa.toml",
    "flowsheets/leach_dehpa_loop.toml",
    "flowsheets/prnd_mass_action.toml",
];

/// Design problems: cascades with targets instead of stage counts.
const DESIGN_PROBLEMS: &[&str] = &[
    "flowsheets/prnd_design.toml",
    "flowsheets/reference_plant_design.toml",
    "flowsheets/seg_three_outlet_design.toml",
];

/// The README's main job: every one of the fifteen oxides on spec, the flowsheet balanced.
#[test]
fn reference_plant_makes_all_fifteen_oxides_on_spec() {
    let (code, result) = json(&["run", "flowsheets/reference_plant.toml", "--json"]);
    assert_eq!(code, 0, "{result}");
    let products = result["products"].as_array().unwrap();
    assert_eq!(products.len(), 15);
    assert!(products.iter().all(|p| p["meets_spec"] == true));
    assert!(result["mass_balance_max_rel_error"].as_f64().unwrap() < 1e-10);
    let mut oxides: Vec<&str> = products
        .iter()
        .map(|p| p["oxide"].as_str().unwrap())
        .collect();
    oxides.sort();
    oxides.dedup();
    assert_eq!(oxides.len(), 15, "fifteen different oxides");
}

#[test]
fn every_flowsheet_in_the_directory_is_tested() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets");
    let on_disk = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count();
    assert_eq!(on_disk, SHIPPED.len() + DESIGN_PROBLEMS.len());
}

#[test]
fn design_problems_design_into_flowsheets_that_run_on_spec() {
    for &file in DESIGN_PROBLEMS {
        // Not runnable as it stands: the message says what to do.
        let out = sxcascade(&["run", file]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("sxcascade design"));
        assert_eq!(sxcascade(&["check", file]).status.code(), Some(0));
        let designed = temp_dir().join("designed.toml");
        let out = sxcascade(&["design", file, "-o", designed.to_str().unwrap()]);
        let table = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{table}");
        for column in ["R_min", "N_min", "Xu n", "organic", "HCl"] {
            assert!(table.contains(column), "design table lacks {column}");
        }
        let text = std::fs::read_to_string(&designed).unwrap();
        assert!(text.contains("# designed by `sxcascade design`"));
        let (code, result) = json(&["run", designed.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{result}");
        assert_eq!(result["all_products_meet_spec"], true);
    }
}

#[test]
fn shipped_flowsheets_solve_on_spec_with_the_contract_fields() {
    for &file in SHIPPED {
        let (code, result) = json(&["run", file, "--json"]);
        assert_eq!(code, 0, "{file}: {result}");
        assert_eq!(result["converged"], true);
        assert!(result["mass_balance_max_rel_error"].as_f64().unwrap() < 1e-10);
        assert!(result["solve_seconds"].as_f64().unwrap() >= 0.0);
        for cascade in result["cascades"].as_array().unwrap() {
            for key in [
                "name",
                "converged",
                "iterations",
                "residual",
                "stages",
                "organic_l_per_h",
            ] {
                assert!(!cascade[key].is_null(), "{file}: cascade lacks `{key}`");
            }
        }
        let streams = result["streams"].as_object().unwrap();
        assert!(
            streams.values().any(|s| s["role"] == "feed"),
            "{file}: a feed stream"
        );
        for stream in streams.values() {
            let total = stream["total_mol_per_h"].as_f64().unwrap();
            let sum: f64 = stream["mol_per_h"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_f64().unwrap())
                .sum();
            assert!((total - sum).abs() <= 1e-12 * total);
        }
        for product in result["products"].as_array().unwrap() {
            for key in [
                "name",
                "stream",
                "element",
                "purity_pct",
                "purity_mol_pct",
                "recovery_pct",
                "meets_spec",
            ] {
                assert!(!product[key].is_null(), "{file}: product lacks `{key}`");
            }
            assert_eq!(product["meets_spec"], true);
            assert!(
                product["purity_pct"].as_f64().unwrap()
                    >= product["min_purity_pct"].as_f64().unwrap()
            );
        }
    }
}

#[test]
fn profiles_have_one_row_per_stage_and_balance_the_feed() {
    let (code, result) = json(&["run", "flowsheets/prnd_binary.toml", "--json", "--profiles"]);
    assert_eq!(code, 0);
    let cascade = &result["cascades"][0];
    let stages = cascade["stages"].as_u64().unwrap() as usize;
    let aqueous = cascade["profiles"]["aqueous_mol_per_h"].as_array().unwrap();
    let organic = cascade["profiles"]["organic_mol_per_h"].as_array().unwrap();
    assert_eq!((aqueous.len(), organic.len()), (stages, stages));
    // Raffinate leaves stage 1 in the aqueous phase: it is the first profile row.
    let raffinate = &result["streams"]["Pr_rich"]["mol_per_h"];
    let elements = cascade["profiles"]["elements"].as_array().unwrap();
    for (k, e) in elements.iter().enumerate() {
        let from_profile = aqueous[0][k].as_f64().unwrap();
        let from_stream = raffinate[e.as_str().unwrap()].as_f64().unwrap();
        assert_eq!(from_profile, from_stream);
    }
}

#[test]
fn off_spec_product_exits_one() {
    let file = prnd_variant("short", "scrub_stages = 33", "scrub_stages = 5");
    let (code, result) = json(&["run", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    assert_eq!(result["converged"], true);
    assert_eq!(result["all_products_meet_spec"], false);
}

#[test]
fn recycle_result_names_its_loop_and_the_role_of_every_stream() {
    let (code, result) = json(&["run", "flowsheets/light_recycle.toml", "--json"]);
    assert_eq!(code, 0);
    let recycle = &result["recycles"][0];
    assert_eq!(recycle["converged"], true);
    assert_eq!(recycle["tear_streams"], serde_json::json!(["Pr_rework"]));
    assert!(recycle["iterations"].as_u64().unwrap() >= 2);
    let role = |s: &str| result["streams"][s]["role"].as_str().unwrap().to_string();
    assert_eq!(
        ["feed", "LaCe", "PrNd", "Pr_rework", "Nd_rich"].map(role),
        ["feed", "effluent", "intermediate", "recycle", "product"]
    );
    // Stoichiometric reagents: 3 S mol of base per mol of the cascade's feed.
    let cascade = &result["cascades"][0];
    let feed: f64 = ["feed", "Pr_rework"]
        .iter()
        .map(|s| result["streams"][s]["total_mol_per_h"].as_f64().unwrap())
        .sum();
    let s = cascade["extraction_ratio"].as_f64().unwrap();
    let base = cascade["reagents"]["base_mol_per_h"].as_f64().unwrap();
    assert!((base - 3.0 * s * feed).abs() < 1e-9 * base);
    let acid = cascade["reagents"]["hcl_mol_per_h"].as_f64().unwrap();
    assert!(
        (acid - base).abs() < 1e-9 * base,
        "acid 3 W + 3 (S - W) = 3 S"
    );
}

#[test]
fn out_dir_holds_whole_csv_tables_that_match_the_json() {
    let dir = temp_dir().join("out");
    let _ = std::fs::remove_dir_all(&dir);
    let (code, result) = json(&[
        "run",
        "flowsheets/light_recycle.toml",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // Only the tables: no temporary file is left behind.
    assert_eq!(
        names,
        [
            "cascades.csv",
            "products.csv",
            "profile_LaCe_PrNd.csv",
            "profile_PrNd.csv",
            "streams.csv"
        ]
    );
    let mut products = csv::Reader::from_path(dir.join("products.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = products.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    for (row, json) in rows.iter().zip(result["products"].as_array().unwrap()) {
        assert_eq!(&row[0], json["name"].as_str().unwrap());
        let purity: f64 = row[4].parse().unwrap();
        assert_eq!(purity, json["purity_pct"].as_f64().unwrap());
    }
    let mut streams = csv::Reader::from_path(dir.join("streams.csv")).unwrap();
    assert_eq!(
        streams.records().count(),
        result["streams"].as_object().unwrap().len()
    );
    let profile = csv::Reader::from_path(dir.join("profile_PrNd.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(
        profile as u64,
        result["cascades"][1]["stages"].as_u64().unwrap()
    );
}

#[test]
fn an_output_directory_that_cannot_be_made_is_bad_input() {
    let file = temp_dir().join("a_file");
    std::fs::write(&file, "not a directory").unwrap();
    let out = sxcascade(&[
        "run",
        "flowsheets/prnd_binary.toml",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create the output directory"));
    assert!(
        out.stdout.is_empty(),
        "no result printed when the tables cannot be written"
    );
}

/// A directory for this test process's files.
fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sxcascade-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// flowsheets/prnd_binary.toml with `from` replaced by `to`, written to a temporary file.
fn prnd_variant(name: &str, from: &str, to: &str) -> PathBuf {
    variant("prnd_binary", name, from, to)
}

/// flowsheets/BASE.toml with `from` replaced by `to`, written to a temporary file.
fn variant(base: &str, name: &str, from: &str, to: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("flowsheets/{base}.toml"));
    let text = std::fs::read_to_string(base).unwrap();
    assert!(text.contains(from), "`{from}` is in the template");
    let dir = temp_dir();
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text.replace(from, to)).unwrap();
    file
}

/// Each broken file: the line of the value to change and a word the message must contain.
const BAD: &[(&str, usize, &str)] = &[
    ("bad_feed_phase", 15, "feed_phase"),
    ("both_reflux_and_scrub", 18, "scrub_ratio"),
    ("composition_sum", 8, "composition_mol"),
    ("dangling_feed", 13, "feeed"),
    ("duplicate_stream", 19, "Pr_rich"),
    ("extract_takes_all", 16, "extraction_ratio"),
    ("feed_stage_out_of_range", 15, "feed_stage"),
    ("missing_extraction_ratio", 11, "extraction_ratio"),
    ("missing_feed_element", 12, "Nd"),
    ("missing_stages", 11, "scrub_stages"),
    ("negative_factor", 4, "separation_factors"),
    ("negative_stages", 14, "-3"),
    ("own_output", 13, "own outlet"),
    ("oxide_as_element", 4, "Nd2O3"),
    ("product_purity_range", 25, "min_purity_pct"),
    ("product_unknown_stream", 23, "Nd_product"),
    ("s_not_above_w", 16, "scrub ratio"),
    ("share_without_basis", 7, "share_of_basis"),
    ("string_for_number", 16, "expected a number"),
    ("toml_syntax", 11, "string"),
    ("too_many_stages", 14, "5000"),
    ("unknown_element", 4, "Pm"),
    ("unknown_key", 16, "scrub_stage"),
    ("unknown_model", 4, "langmuir"),
    ("unknown_system", 12, "p204"),
    ("zero_extraction_stages", 14, "extraction_stages"),
    ("zero_factor", 4, "separation_factors"),
    ("stage_sum_overflow", 14, "limit"),
    ("negative_reflux", 17, "reflux_ratio"),
    ("huge_flow", 7, "mol/h"),
    ("constant_d_organic_feed", 17, "feed_phase"),
    ("splitter_sum", 24, "sum"),
    ("splitter_fraction_range", 24, "Pr_back"),
    ("splitter_unknown_inlet", 23, "Pr_rihc"),
    ("splitter_unknown_key", 24, "fraction"),
    ("stream_feeds_two_units", 23, "feeds both"),
    ("duplicate_unit_name", 22, "PrNd"),
    ("splitter_outlet_clash", 24, "Nd_rich"),
    ("closed_loop", 11, "closed loop"),
    ("bad_saponification_base", 5, "saponification_base"),
    ("negative_concentration", 20, "feed_concentration_mol_per_l"),
    ("fed_by_empty_outlet", 29, "no rare earth"),
    ("feed_listed_twice", 13, "twice"),
    ("design_feed_stage", 35, "feed_stage"),
    ("design_unknown_split", 39, "Pm"),
    ("design_split_at_end", 39, "extract group"),
    ("design_missing_purity", 38, "extract_purity_pct"),
    ("design_reflux_factor", 42, "reflux_factor"),
    ("design_reflux_factor_huge", 42, "at most 100"),
    ("both_s_and_product_ratio", 18, "not both"),
    (
        "product_ratio_with_scrub_ratio",
        17,
        "goes with `reflux_ratio`",
    ),
    ("negative_product_ratio", 16, "extract_product_ratio"),
    ("side_draw_incomplete", 11, "missing side_draw_stage"),
    ("side_draw_stage_out_of_range", 19, "side_draw_stage"),
];

#[test]
fn every_bad_flowsheet_exits_two_naming_line_and_key() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_flowsheets");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        on_disk,
        BAD.len(),
        "every file in tests/bad_flowsheets has an expectation"
    );
    for &(name, line, word) in BAD {
        let file = format!("tests/bad_flowsheets/{name}.toml");
        for command in ["run", "check"] {
            let out = sxcascade(&[command, &file]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {name}: {stderr}");
            assert!(out.stdout.is_empty(), "{command} {name}: nothing on stdout");
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            let first = stderr.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!("{file}:{line}:")),
                "{name}: {first}"
            );
            assert!(first.contains(word), "{name}: `{word}` not in {first}");
        }
    }
}

/// Words a message about the file's input must not show: Rust's names for types and records.
const RUST_WORDS: &[&str] = &[
    "f64",
    "u32",
    "u64",
    "usize",
    "invalid type",
    "invalid value",
    "untagged",
    "Raw",
    "sequence",
    "map,",
    "struct",
    "variant",
];

/// Each edit of flowsheets/prnd_binary.toml: the line of the message, and what it must say.
const MISTAKES: &[(&str, &str, usize, &str)] = &[
    (
        "reflux_ratio = 4.4495",
        "reflux_ratio = \"4.4\"",
        39,
        "`reflux_ratio`: expected a number, found the text \"4.4\" (remove the quotes",
    ),
    (
        "scrub_stages = 33",
        "scrub_stages = 33.5",
        37,
        "`scrub_stages`: expected a whole number (0 or more), found 33.5",
    ),
    (
        "scrub_stages = 33",
        "scrub_stages = 99999999999",
        37,
        "expected a whole number no larger than 4294967295, found 99999999999",
    ),
    (
        "feed = \"feed\"",
        "feed = 3",
        31,
        "`feed`: expected a stream name in double quotes, or a list of them",
    ),
    (
        "feed = \"feed\"",
        "feed = [\"feed\", 2]",
        31,
        "expected text in double quotes, found the number 2",
    ),
    (
        "name = \"PrNd\"",
        "name = true",
        29,
        "`name`: expected text in double quotes, found true",
    ),
    (
        "reflux_ratio = 4.4495",
        "reflux_ratio = [4.4]",
        39,
        "expected a number, found a list",
    ),
    (
        "reflux_ratio = 4.4495",
        "reflux_ratio = 2026-12-07",
        39,
        "expected a number, found a date",
    ),
    (
        "{ Pr6O11 = 23.5, Nd2O3 = 76.5 }",
        "76.5",
        25,
        "`composition_oxide_pct`: expected a table, found the number 76.5",
    ),
    (
        "scrub_stages = 33",
        "scrub_stage = 33",
        37,
        "unknown field `scrub_stage`: did you mean `scrub_stages`?",
    ),
    (
        "raffinate = \"Pr_rich\"",
        "",
        28,
        "`[[cascades]]` lacks `raffinate`",
    ),
    (
        "model = \"saturated\"",
        "model = \"saturatd\"",
        14,
        "did you mean \"saturated\"?",
    ),
    (
        "feed_phase = \"aqueous\"",
        "feed_phase = \"aquous\"",
        32,
        "did you mean \"aqueous\"?",
    ),
    (
        "Pr6O11 = 23.5",
        "Pr6O12 = 23.5",
        25,
        "unknown oxide `Pr6O12`: did you mean `Pr6O11`?",
    ),
    (
        "{ Pr = 1.0, Nd = 1.5 }",
        "{ Pf = 1.0, Nd = 1.5 }",
        17,
        "unknown element `Pf`: did you mean `Pr`?",
    ),
    (
        "system = \"p507\"",
        "system = \"p570\"",
        30,
        "no system `p570`: did you mean `p507`?",
    ),
    (
        "feed = \"feed\"",
        "feed = \"fed\"",
        31,
        "`fed` is not a stream of the flowsheet: did you mean `feed`?",
    ),
    (
        "stream = \"Nd_rich\"",
        "stream = \"Nd_rch\"",
        45,
        "no stream `Nd_rch` in the flowsheet: did you mean `Nd_rich`?",
    ),
    (
        "element = \"Nd\"",
        "element = \"nd\"",
        46,
        "unknown element `nd`: did you mean `Nd`?",
    ),
    // Found by breaking the shipped files: each blamed another field, or printed 309 digits.
    (
        "reo_t_per_year = 1085.0",
        "reo_t_per_year = 1e308",
        10,
        "`reo_t_per_year` = 1e308 t is outside its range, 1e-6 to 1e9 t",
    ),
    (
        "extraction_ratio = 4.1711",
        "extraction_ratio = 1e308",
        38,
        "`extraction_ratio` = 1e308 is above 1e6",
    ),
    (
        "reflux_ratio = 4.4495",
        "reflux_ratio = 1e300",
        39,
        "`reflux_ratio` = 1e300 is above 1e6",
    ),
    (
        "scrub_stages = 33",
        "scrub_stages = 1e308",
        37,
        "expected a whole number (0 or more), found 1e308",
    ),
    (
        "raffinate = \"Pr_rich\"",
        "raffinate = \"\"",
        40,
        "name is empty",
    ),
    (
        "name = \"Pr/Nd split",
        "nme = \"Pr/Nd split",
        5,
        "unknown field `nme`: did you mean `name`?",
    ),
    (
        "name = \"Pr/Nd split",
        "# name = \"Pr/Nd split",
        1,
        "the file lacks `name`",
    ),
];

#[test]
fn messages_speak_the_users_words_at_the_line_to_change() {
    for (k, &(from, to, line, says)) in MISTAKES.iter().enumerate() {
        let file = prnd_variant(&format!("mistake{k}"), from, to);
        let out = sxcascade(&["check", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("{}:{line}:", file.display())),
            "{to}: {first}"
        );
        assert!(first.contains(says), "{to}: `{says}` not in {first}");
        for word in RUST_WORDS {
            assert!(!first.contains(word), "{to}: `{word}` in {first}");
        }
        assert_eq!(first.matches("error:").count(), 1, "{first}");
    }
}

/// Design targets the feed makes meaningless, or a reflux factor out of range: bad input
/// (exit 2) at the line of the target written, not a failed trial cascade blamed on
/// `extraction_ratio` (exit 1, no line).
#[test]
fn bad_design_targets_blame_the_target_written() {
    let purities = "raffinate_purity_pct = 99.0      # the product specifications below\n\
                    extract_purity_pct = 99.9";
    for (to, line, says) in [
        (
            "raffinate_purity_pct = 1\nextract_purity_pct = 99.9",
            40,
            "`raffinate_purity_pct` = 1 is no purer than the feed",
        ),
        (
            "raffinate_purity_pct = 99.0\nextract_purity_pct = 50",
            41,
            "`extract_purity_pct` = 50 is no purer than the feed",
        ),
        (
            "raffinate_purity_pct = 99.0\nextract_purity_pct = 99.9\n\
             reflux_factor = 9223372036854775808.0",
            42,
            "must be above 1 and at most 100",
        ),
        (
            "raffinate_purity_pct = 99.0\nextract_purity_pct = 99.9\nreflux_factor = 1",
            42,
            "must be above 1 and at most 100",
        ),
    ] {
        let file = variant("prnd_design", "bad_target", purities, to);
        let out = sxcascade(&["design", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {stderr}");
        assert!(
            stderr.starts_with(&format!("{}:{line}:", file.display())),
            "{to}: {stderr}"
        );
        assert!(stderr.contains(says), "{to}: {stderr}");
        assert!(!stderr.contains("extraction_ratio"), "{to}: {stderr}");
        assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
        assert!(out.stdout.is_empty(), "{to}: no design table");
    }
}

/// A file saved as Latin-1 (an accented name in a comment): the line and column of the byte.
#[test]
fn a_file_that_is_not_utf8_is_located() {
    let text =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/prnd_binary.toml"))
            .unwrap();
    let mut bytes = b"# flowsheet by Ren\xe9e\n".to_vec();
    bytes.extend(text);
    let file = temp_dir().join("latin1.toml");
    std::fs::write(&file, bytes).unwrap();
    for command in ["check", "run"] {
        let out = sxcascade(&[command, file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with(&format!("{}:1:19: error: ", file.display())),
            "{stderr}"
        );
        assert!(stderr.contains("UTF-8"), "{stderr}");
    }
}

#[test]
fn separation_factors_are_relative_whatever_their_scale() {
    let purities: Vec<f64> = [
        "{ Pr = 1.0, Nd = 1.5 }",
        "{ Pr = 1e-300, Nd = 1.5e-300 }",
        "{ Pr = 1e300, Nd = 1.5e300 }",
    ]
    .iter()
    .enumerate()
    .map(|(k, factors)| {
        let file = prnd_variant(&format!("scaled{k}"), "{ Pr = 1.0, Nd = 1.5 }", factors);
        let (code, result) = json(&["run", file.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{factors}");
        result["products"][0]["purity_pct"].as_f64().unwrap()
    })
    .collect();
    for p in &purities[1..] {
        assert!((p - purities[0]).abs() < 1e-9, "{purities:?}");
    }
}

#[test]
fn missing_file_is_bad_input() {
    let out = sxcascade(&["run", "flowsheets/no_such_file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn check_accepts_the_shipped_flowsheets() {
    for &file in SHIPPED.iter().chain(DESIGN_PROBLEMS) {
        let out = sxcascade(&["check", file]);
        assert_eq!(out.status.code(), Some(0));
    }
}
