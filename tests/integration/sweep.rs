//! `sxcascade sweep` and `merge` as a cluster uses them: shards run as separate processes with
//! Slurm's variables, merged into the unsharded file byte for byte; a run killed with SIGKILL
//! and started again; cases equal to direct runs of the edited file; Monte Carlo reproducible.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::{ok, scratch, sxcascade, sxcascade_with};
use std::time::{Duration, Instant};

const BINARY: &str = "flowsheets/prnd_binary.toml";
/// 8 scrub-stage counts x 13 reflux ratios: 104 cases, 7 warm-start blocks; infeasible at
/// low reflux (S - W >= 1), on spec in a narrow band about the design's 4.4495, off elsewhere.
const GRID: [&str; 4] = [
    "--vary",
    "cascades.PrNd.scrub_stages=26:40:8",
    "--vary",
    "cascades.PrNd.reflux_ratio=2.5,3,4.4,4.41,4.42,4.43,4.44,4.45,4.46,4.47,4.48,4.5,5",
];

fn sweep_to(out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["sweep", BINARY];
    args.extend(GRID);
    args.extend(extra);
    args.extend(["-o", out.to_str().unwrap()]);
    sxcascade_with(&args, env)
}

/// The CSV as rows of named cells.
fn rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn four_slurm_shards_merge_into_the_unsharded_file() {
    let tmp = scratch("shards");
    let dir = tmp.path();
    let whole = dir.join("whole.csv");
    ok(&sweep_to(&whole, &[], &[]));
    let parts = dir.join("parts");
    // An array `--array=1-4`: task ids from 1, shards from 0.
    for task in ["1", "2", "3", "4"] {
        let env = [
            ("SLURM_ARRAY_TASK_ID", task),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        ok(&sweep_to(&parts, &["--shards", "slurm"], &env));
    }
    let merged = dir.join("merged.csv");
    ok(&sxcascade(&[
        "merge",
        parts.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]));
    let whole_text = std::fs::read_to_string(&whole).unwrap();
    assert_eq!(std::fs::read_to_string(&merged).unwrap(), whole_text);
    // Every case once, in order, with every status the grid should produce.
    let rows = rows(&whole_text);
    assert_eq!(rows.len(), 104);
    assert!(
        rows.iter()
            .enumerate()
            .all(|(k, r)| r["case"] == k.to_string())
    );
    for status in ["ok", "off_spec", "infeasible"] {
        assert!(
            rows.iter().any(|r| r["status"] == status),
            "no {status} case"
        );
    }
    // A shard re-run is skipped; a lost part is named by merge, exit 1.
    let again = sweep_to(&parts, &["--shard", "2", "--shards", "4"], &[]);
    ok(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("is done"));
    std::fs::remove_file(parts.join("part-2-of-4.csv")).unwrap();
    let out = sxcascade(&[
        "merge",
        parts.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("part-2-of-4.csv is missing (cases 48 to 79)"),
        "{stderr}"
    );
    // Parts of another sweep in the same directory are refused.
    let other = sxcascade(&[
        "sweep",
        BINARY,
        "--vary",
        "cascades.PrNd.reflux_ratio=4:5:3",
        "--shard",
        "0",
        "--shards",
        "4",
        "-o",
        parts.to_str().unwrap(),
    ]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("another sweep"));
}

/// A sweep inside a job array shards only when asked: without --shard/--shards it is the
/// whole sweep into one file, and `--shards slurm` outside an array says what is missing.
#[test]
fn a_job_array_shards_a_sweep_only_when_asked() {
    let tmp = scratch("array");
    let dir = tmp.path();
    let whole = dir.join("whole.csv");
    ok(&sweep_to(&whole, &[], &[]));
    let in_array = dir.join("in-array.csv");
    let env = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];
    ok(&sweep_to(&in_array, &[], &env));
    assert!(in_array.is_file(), "OUT became a directory");
    assert_eq!(
        std::fs::read_to_string(&in_array).unwrap(),
        std::fs::read_to_string(&whole).unwrap()
    );
    // Explicit shards are taken as given, whatever the array says.
    let parts = dir.join("parts");
    ok(&sweep_to(&parts, &["--shard", "0", "--shards", "2"], &env));
    assert!(parts.join("part-0-of-2.csv").is_file());

    let outside = dir.join("outside");
    let out = sweep_to(&outside, &["--shards", "slurm"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--shards slurm: SLURM_ARRAY_TASK_COUNT is not set"),
        "{stderr}"
    );
    assert!(!outside.exists(), "nothing is written on a refused sweep");
    let out = sweep_to(&outside, &["--shards", "4"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give both --shard K and --shards N"));
}

#[test]
fn a_killed_sweep_resumes_to_the_uninterrupted_result() {
    let tmp = scratch("kill");
    let dir = tmp.path();
    // 100 reflux ratios x 16 scrub-stage counts x 80 feed-stage shifts: long enough (seconds)
    // to be killed after its first checkpoint.
    let grid = [
        "--vary",
        "cascades.PrNd.scrub_stages=26:41:16",
        "--vary",
        "cascades.PrNd.extraction_stages=15:94:80",
        "--vary",
        "cascades.PrNd.reflux_ratio=4:6:100",
    ];
    let target = dir.join("sweep.csv");
    let partial = dir.join("sweep.csv.partial");
    let mut args = vec!["sweep", BINARY];
    args.extend(grid);
    args.extend(["-o", target.to_str().unwrap()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sxcascade"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .spawn()
        .unwrap();
    let started = Instant::now();
    let checkpointed = || {
        std::fs::read_dir(&partial).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("blocks-"))
        })
    };
    while !checkpointed() {
        assert!(started.elapsed() < Duration::from_secs(60), "no checkpoint");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !target.exists(),
        "killed before the end: no result file yet"
    );
    let resumed = sxcascade(&args);
    ok(&resumed);
    let said = String::from_utf8_lossy(&resumed.stdout);
    assert!(said.contains("resumed from checkpoints"), "{said}");
    assert!(
        !partial.exists(),
        "checkpoints are removed once the file is whole"
    );
    let fresh = dir.join("fresh.csv");
    let mut args = vec!["sweep", BINARY];
    args.extend(grid);
    args.extend(["-o", fresh.to_str().unwrap()]);
    ok(&sxcascade(&args));
    let (a, b) = (
        std::fs::read_to_string(&target).unwrap(),
        std::fs::read_to_string(&fresh).unwrap(),
    );
    assert_eq!(a.lines().count(), 128_001);
    assert!(a == b, "the resumed file differs from an uninterrupted run");
}

/// The flowsheet file with `values` written into it, as an engineer would edit it.
fn edited(fields: &[(&str, &str)], values: &[&str], into: &Path) -> PathBuf {
    let text = std::fs::read_to_string(BINARY).unwrap();
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    for ((table, key), value) in fields.iter().zip(values) {
        let cascade = doc["cascades"]
            .as_array_of_tables_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c["name"].as_str() == Some(table))
            .unwrap();
        cascade[key] = toml_edit::value(value.parse::<toml_edit::Value>().unwrap());
    }
    std::fs::write(into, doc.to_string()).unwrap();
    into.to_path_buf()
}

#[test]
fn sampled_cases_equal_direct_runs_of_the_edited_file() {
    let tmp = scratch("direct");
    let dir = tmp.path();
    for (cold, tolerance) in [(true, 0.0), (false, 1e-9)] {
        let out = dir.join(format!("cold-{cold}.csv"));
        ok(&sweep_to(&out, if cold { &["--cold"] } else { &[] }, &[]));
        let rows = rows(&std::fs::read_to_string(&out).unwrap());
        for case in [7, 20, 60, 103] {
            let row = &rows[case];
            let stages = &row["cascades.PrNd.scrub_stages"];
            let reflux = &row["cascades.PrNd.reflux_ratio"];
            let file = edited(
                &[("PrNd", "scrub_stages"), ("PrNd", "reflux_ratio")],
                &[stages, reflux],
                &dir.join(format!("case-{case}.toml")),
            );
            let run = sxcascade(&["run", file.to_str().unwrap(), "--json"]);
            let result: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
            let expected_status = match run.status.code() {
                Some(0) => "ok",
                _ => "off_spec",
            };
            assert_eq!(row["status"], expected_status, "case {case}");
            for product in result["products"].as_array().unwrap() {
                let name = product["name"].as_str().unwrap();
                for quantity in ["purity_pct", "recovery_pct"] {
                    let direct = product[quantity].as_f64().unwrap();
                    let swept: f64 = row[&format!("{name}.{quantity}")].parse().unwrap();
                    // Cold: the very same solve. Warm: the same steady state, reached from
                    // the neighbouring case (the solver's tolerance is far below 1e-9).
                    assert!(
                        (swept - direct).abs() <= tolerance * direct,
                        "case {case} {name}.{quantity}: swept {swept}, direct {direct}"
                    );
                }
            }
        }
    }
}

fn sweep_file(dir: &Path, sigma: f64, samples: usize) -> PathBuf {
    let flowsheet = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINARY);
    let text = format!(
        "flowsheet = {flowsheet:?}\n\
         [monte_carlo]\nsamples = {samples}\nseed = 2026\n\
         [[monte_carlo.fields]]\npath = \"systems.p507.separation_factors.Nd\"\n\
         distribution = \"lognormal\"\nsigma = {sigma:?}\n\
         [[monte_carlo.fields]]\npath = \"cascades.PrNd.reflux_ratio\"\n\
         distribution = \"normal\"\nsigma = {:?}\n",
        sigma * 4.0
    );
    let path = dir.join(format!("mc-{sigma}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn monte_carlo_is_reproducible_and_zero_sigma_is_the_nominal_case() {
    let tmp = scratch("mc");
    let dir = tmp.path();
    let file = sweep_file(dir, 0.02, 300);
    let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
    for out in [&a, &b] {
        ok(&sxcascade(&[
            "sweep",
            file.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]));
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    let spread = rows(&text);
    let betas: Vec<f64> = spread
        .iter()
        .map(|r| r["systems.p507.separation_factors.Nd"].parse().unwrap())
        .collect();
    assert!(betas.iter().any(|&b| b > 1.52) && betas.iter().any(|&b| b < 1.48));
    // sigma = 0: every sample is the file's own case.
    let zero = sweep_file(dir, 0.0, 40);
    let out = dir.join("zero.csv");
    ok(&sxcascade(&[
        "sweep",
        zero.to_str().unwrap(),
        "--cold",
        "-o",
        out.to_str().unwrap(),
    ]));
    let direct = sxcascade(&["run", BINARY, "--json"]);
    let result: serde_json::Value = serde_json::from_slice(&direct.stdout).unwrap();
    let nd = &result["products"][0];
    for row in rows(&std::fs::read_to_string(&out).unwrap()) {
        assert_eq!(row["systems.p507.separation_factors.Nd"], "1.5");
        assert_eq!(row["cascades.PrNd.reflux_ratio"], "4.4495");
        let purity: f64 = row["Nd2O3.purity_pct"].parse().unwrap();
        assert_eq!(purity, nd["purity_pct"].as_f64().unwrap());
    }
}

#[test]
fn bad_sweeps_exit_2_saying_why() {
    for (vary, says) in [
        (
            "cascades.NdSm.reflux_ratio=4:5:3",
            "no `cascades` named \"NdSm\"",
        ),
        ("cascades.PrNd.scrub_stages=20:21:3", "takes whole numbers"),
        ("cascades.PrNd.reflux_ratio=4:5", "SPEC is"),
        ("cascades.PrNd.reflux_ratio", "PATH=SPEC"),
        (
            "cascades.PrNd.refluxratio=4:5:3",
            "has no field `refluxratio`",
        ),
        ("cascades.PrNd.raffinate=1,2", "string, not a number"),
    ] {
        let out = sxcascade(&["sweep", BINARY, "--vary", vary, "-o", "/dev/null"]);
        assert_eq!(out.status.code(), Some(2), "{vary}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{vary}: {stderr}");
    }
    let out = sxcascade(&["sweep", BINARY, "--shard", "1", "-o", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let tmp = scratch("bad");
    let dir = tmp.path();
    let out = sweep_to(&dir.join("x"), &["--shard", "4", "--shards", "4"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 to N-1"));
}

/// A bad `--vary` is blamed on the argument, with the path probably meant, not on the
/// flowsheet file (which is fine), and says `error:` once.
#[test]
fn a_bad_vary_is_blamed_on_the_argument_with_the_path_meant() {
    for (vary, says) in [
        (
            "cascades.PrNd.reflux_ration=3:6:4",
            "did you mean `cascades.PrNd.reflux_ratio`?",
        ),
        (
            "cascades.PrNdx.reflux_ratio=3:6:4",
            "did you mean `cascades.PrNd.reflux_ratio`?",
        ),
        (
            "cascade.PrNd.scrub_stages=30,31",
            "did you mean `cascades.PrNd.scrub_stages`?",
        ),
        (
            "systems.p507.seperation_factors.Nd=1.4,1.5",
            "did you mean `systems.p507.separation_factors.Nd`?",
        ),
        // An element the model does not know: every case would be infeasible (it was, exit 0).
        (
            "systems.p507.separation_factors.Pm=1:2:3",
            "unknown element `Pm`",
        ),
        (
            "systems.p507.separation_factors.nd=1:2:3",
            "did you mean `Nd`?",
        ),
        (
            "streams.feed.composition_oxide_pct.Nd2O4=70,80",
            "did you mean `Nd2O3`?",
        ),
        ("cascades.PrNd.scrub_stages=20:21:3", "takes whole numbers"),
    ] {
        let tmp = scratch("vary");
        let out_file = tmp.path().join("out.csv");
        let out = sxcascade(&[
            "sweep",
            BINARY,
            "--vary",
            vary,
            "-o",
            out_file.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{vary}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: --vary `{vary}`: ")),
            "{vary}: {stderr}"
        );
        assert!(stderr.contains(says), "{vary}: {stderr}");
        assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
        assert!(
            !stderr.contains(BINARY),
            "the flowsheet is not to blame: {stderr}"
        );
        assert!(!out_file.exists(), "{vary}: nothing written");
    }
}

/// A misspelt path in a sweep file is blamed on its line there.
#[test]
fn a_bad_path_in_a_sweep_file_is_blamed_on_its_line() {
    let tmp = scratch("sweepfile");
    let file = tmp.path().join("s.toml");
    let flowsheet = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINARY);
    std::fs::write(
        &file,
        format!(
            "flowsheet = {:?}\n[[vary]]\npath = \"cascades.PrNd.reflux_raito\"\nvalues = \"3:6:4\"\n",
            flowsheet.display().to_string()
        ),
    )
    .unwrap();
    let out_file = tmp.path().join("out.csv");
    let out = sxcascade(&[
        "sweep",
        file.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!("{}:3:8: error: ", file.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `cascades.PrNd.reflux_ratio`?"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
}

/// Mistakes in a sweep file are blamed on the line of the value to change.
#[test]
fn sweep_file_mistakes_are_blamed_on_their_line() {
    let tmp = scratch("sweepfile-mistakes");
    let shipped =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/sweeps/prnd_beta_uncertainty.toml");
    let flowsheet = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINARY);
    let text = std::fs::read_to_string(&shipped).unwrap().replace(
        "flowsheet = \"../prnd_binary.toml\"",
        &format!("flowsheet = {:?}", flowsheet.display().to_string()),
    );
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    for (from, to, line, says) in [
        (
            "sigma = 0.0334",
            "sigma = -1",
            line_of("sigma"),
            "sigma = -1 must be zero or positive",
        ),
        (
            "distribution = \"lognormal\"",
            "distribution = \"lognorml\"",
            line_of("distribution"),
            "did you mean \"lognormal\"?",
        ),
        (
            "prnd_binary.toml\"",
            "prnd_binar.toml\"",
            line_of("flowsheet"),
            "cannot read the flowsheet",
        ),
        (
            "samples = 2000",
            "samples = 1e30",
            line_of("samples"),
            "`samples`: expected a whole number (0 or more), found 1e30",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let file = tmp.path().join("mistake.toml");
        std::fs::write(&file, text.replace(from, to)).unwrap();
        let out_file = tmp.path().join("out.csv");
        let out = sxcascade(&[
            "sweep",
            file.to_str().unwrap(),
            "-o",
            out_file.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {stderr}");
        assert!(
            stderr.starts_with(&format!("{}:{line}:", file.display())),
            "{to}: {stderr}"
        );
        assert!(stderr.contains(says), "{to}: {stderr}");
        assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    }
}

/// The sweep files shipped in flowsheets/sweeps/ run, and say what their comments promise.
#[test]
fn shipped_sweep_files_run_and_show_what_they_claim() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/sweeps");
    let mut shipped: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    shipped.sort();
    assert_eq!(
        shipped,
        [
            "prnd_beta_uncertainty.toml",
            "prnd_stages_reflux.toml",
            "reference_prnd_stages_reflux.toml"
        ],
        "every shipped sweep file is tested here"
    );
    let tmp = scratch("shipped");
    let run = |name: &str| {
        let out = tmp.path().join(name).with_extension("csv");
        let file = format!("flowsheets/sweeps/{name}");
        ok(&sxcascade(&["sweep", &file, "-o", out.to_str().unwrap()]));
        rows(&std::fs::read_to_string(out).unwrap())
    };

    // Stages x reflux at a fixed split: every case converges, the stages needed for both specs
    // fall as reflux rises, and Xu's optimum (R 4.4495, 33 scrub stages) is inside the window.
    let grid = run("prnd_stages_reflux.toml");
    assert_eq!(grid.len(), 48 * 40);
    let fewest = |reflux: &str| {
        grid.iter()
            .filter(|r| r["cascades.PrNd.reflux_ratio"] == reflux && r["status"] == "ok")
            .map(|r| r["cascades.PrNd.scrub_stages"].parse::<u32>().unwrap())
            .min()
    };
    assert!(
        grid.iter()
            .all(|r| r["status"] == "ok" || r["status"] == "off_spec")
    );
    let (low, mid, high) = (fewest("3.3"), fewest("4.4"), fewest("6.6"));
    assert!(low.unwrap() > mid.unwrap() && mid.unwrap() > high.unwrap());
    assert!(mid.unwrap() <= 33, "{mid:?}");

    // Monte Carlo: common random numbers pair sample k at the two refluxes; more reflux never
    // lowers a sample's Nd2O3 purity, and it raises the share of samples on spec.
    let mc = run("prnd_beta_uncertainty.toml");
    assert_eq!(mc.len(), 2 * 2000);
    let (design, margin) = mc.split_at(2000);
    let beta = "systems.p507.separation_factors.Nd";
    let purity = |r: &std::collections::HashMap<String, String>| -> f64 {
        r["Nd2O3.purity_pct"].parse().unwrap()
    };
    for (a, b) in design.iter().zip(margin) {
        assert_eq!(a[beta], b[beta]);
        assert!(
            purity(b) >= purity(a) - 1e-9,
            "{} < {}",
            purity(b),
            purity(a)
        );
    }
    let on_spec = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter()
            .filter(|r| r["Nd2O3.meets_spec"] == "true")
            .count()
    };
    let (d, m) = (on_spec(design), on_spec(margin));
    assert!(0 < d && d < m && m < 2000, "{d} then {m} of 2000 on spec");

    // The reference plant's Pr/Nd cascade (the Slurm example's sweep), stages x reflux at a
    // fixed split: a window of sizeable area with its edge inside the grid. Every case
    // converges; 25 scrub stages at R 3.8 are on spec; fewer stages
    // suffice as reflux rises; the lowest refluxes and fewest stages are off spec.
    let grid = run("reference_prnd_stages_reflux.toml");
    assert_eq!(grid.len(), 32 * 40);
    assert!(
        grid.iter()
            .all(|r| r["status"] == "ok" || r["status"] == "off_spec")
    );
    let ok = grid.iter().filter(|r| r["status"] == "ok").count();
    assert!((400..1150).contains(&ok), "{ok} of 1280 on spec");
    let fewest = |reflux: &str| {
        grid.iter()
            .filter(|r| r["cascades.Pr_Nd.reflux_ratio"] == reflux && r["status"] == "ok")
            .map(|r| r["cascades.Pr_Nd.scrub_stages"].parse::<u32>().unwrap())
            .min()
    };
    let (low, mid, high) = (fewest("3.2"), fewest("3.8"), fewest("6.5"));
    assert!(low.unwrap() > mid.unwrap() && mid.unwrap() > high.unwrap());
    assert!(mid.unwrap() <= 25, "{mid:?}");
    assert_eq!(fewest("2.6"), None);
    assert!(
        grid.iter()
            .filter(|r| r["cascades.Pr_Nd.scrub_stages"] == "10")
            .all(|r| r["status"] == "off_spec")
    );
}

/// The Slurm example runs a shipped sweep file (its window is checked above; the example
/// itself runs on a real Slurm in tests/slurm_array.sh), in as many shards as its array has
/// tasks, each no bigger than a small partition's node.
#[test]
fn the_slurm_example_runs_a_shipped_sweep_sized_for_a_small_node() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join("examples/slurm/sweep.sbatch")).unwrap();
    let value = |prefix: &str| -> &str {
        script
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line {prefix}..."))
            .split_whitespace()
            .next()
            .unwrap()
    };
    assert_eq!(
        value("SWEEP="),
        "flowsheets/sweeps/reference_prnd_stages_reflux.toml"
    );
    let shards: usize = value("SHARDS=").parse().unwrap();
    assert_eq!(value("#SBATCH --array="), format!("0-{}", shards - 1));
    let cpus: usize = value("#SBATCH --cpus-per-task=").parse().unwrap();
    assert!(cpus <= 4, "{cpus} CPUs a task");
    assert!(script.contains("--shard \"$SLURM_ARRAY_TASK_ID\" --shards \"$SHARDS\""));
    let submit = std::fs::read_to_string(root.join("examples/slurm/submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterany:"));
}
