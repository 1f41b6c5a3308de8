//! What the binary writes and where: standard output that is closed or full, files that honour
//! the umask, outputs that are not regular files, concurrent writers to one output, stale
//! temporaries, and limits that refuse work before it starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::support::{ok, scratch, sxcascade};

/// `sxcascade ARGS` with standard output going to `stdout`.
fn sxcascade_into(args: &[&str], stdout: impl Into<Stdio>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sxcascade"))
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs")
}

/// Every command that prints, with the exit code it gives when its output is read whole.
const PRINTING: &[(&[&str], i32)] = &[
    (&["run", "flowsheets/reference_plant.toml"], 0),
    (&["run", "--json", "flowsheets/reference_plant.toml"], 0),
    (&["run", "--profiles", "flowsheets/prnd_binary.toml"], 0),
    (&["design", "flowsheets/prnd_design.toml"], 0),
    (&["check", "flowsheets/reference_plant.toml"], 0),
];

/// A reader that has gone (`| head -c 10`): the command stops printing without a word and
/// keeps its own exit code; before, every one panicked with exit 101.
#[test]
fn a_closed_pipe_on_stdout_is_left_quietly() {
    for (args, code) in PRINTING {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sxcascade_into(args, writer);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// A full device (`> /dev/full`): one clear message and exit 2, not a panic.
#[test]
fn a_full_device_on_stdout_is_an_error_that_says_so() {
    for (args, _) in PRINTING {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = sxcascade_into(args, full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write the output to standard output: No space left"),
            "{args:?}: {stderr}"
        );
    }
}

/// A message to a full stderr (`2>/dev/full`) is dropped, not a panic (exit 101): the exit
/// code still says what happened: 2 for a missing file, 1 for an off-spec run.
#[test]
fn a_full_device_on_stderr_keeps_the_exit_code() {
    let off_spec = prnd_off_spec_file();
    for (args, code) in [
        (vec!["run", "no-such-file.toml"], 2),
        (vec!["run", off_spec.to_str().unwrap()], 1),
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_sxcascade"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::null())
            .stderr(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

/// The Pr/Nd template with too few scrub stages for its Nd2O3 spec: solved, off spec.
fn prnd_off_spec_file() -> std::path::PathBuf {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("flowsheets/prnd_binary.toml"),
    )
    .unwrap()
    .replace("scrub_stages = 33", "scrub_stages = 10");
    let path = std::env::temp_dir().join(format!("sxcascade-offspec-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// `sxcascade ARGS` run by `sh` under `umask`, from the crate's root.
fn sxcascade_under_umask(umask: &str, args: &[&str]) -> Output {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_sxcascade"))
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sh runs");
    ok(&out);
    out
}

/// Every regular file under `dir`, with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            found.extend(modes(&entry.path()));
        } else {
            found.push((entry.path(), meta.permissions().mode() & 0o777));
        }
    }
    found
}

const PRND: &str = "flowsheets/prnd_binary.toml";
const SMALL_GRID: &str = "cascades.PrNd.reflux_ratio=4.4:4.6:3";

/// Reports, CSV tables, plots, sweeps, their parts and manifest, the merged file and a
/// designed flowsheet are created as `open(O_CREAT, 0666)` creates a file: 0666 less the
/// umask. Before, every one was 0600 whatever the umask.
#[test]
fn every_output_honours_the_umask() {
    for (umask, mode) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let tmp = scratch("umask");
        let dir = tmp.path();
        let at = |name: &str| dir.join(name).to_str().unwrap().to_string();
        let (tables, report, sweep) = (at("tables"), at("report"), at("sweep.csv"));
        let (designed, plot, parts) = (at("d.toml"), at("stages.png"), at("parts"));
        let shard = |k| {
            let mut args = vec!["sweep", PRND, "--vary", SMALL_GRID, "--shard", k];
            args.extend(["--shards", "2", "-o", &parts]);
            args
        };
        for args in [
            vec!["run", PRND, "--out", &tables],
            vec!["report", PRND, "-o", &report],
            vec!["sweep", PRND, "--vary", SMALL_GRID, "-o", &sweep],
            vec!["design", "flowsheets/prnd_design.toml", "-o", &designed],
            vec![
                "plot",
                PRND,
                "--cascade",
                "PrNd",
                "--vs",
                "stages",
                "-o",
                &plot,
            ],
            shard("0"),
            shard("1"),
        ] {
            sxcascade_under_umask(umask, &args);
        }
        sxcascade_under_umask(umask, &["merge", &at("parts"), "-o", &at("merged.csv")]);
        let files = modes(dir);
        for name in [
            "streams.csv",
            "report.html",
            "sweep.csv",
            "d.toml",
            "stages.png",
            "part-0-of-2.csv",
            "manifest.json",
            "merged.csv",
        ] {
            assert!(
                files.iter().any(|(p, _)| p.ends_with(name)),
                "{name} written: {files:?}"
            );
        }
        for (path, found) in &files {
            assert_eq!(
                *found,
                mode,
                "umask {umask}: {} is {found:o}",
                path.display()
            );
        }
    }
}

/// A sweep running to an output holds `.NAME.lock` beside it (held here by the test, as a
/// live sweep would): a second sweep to that output is refused at once with exit 2 and leaves
/// the first's files alone, while a sweep to another part in the same directory runs. Before,
/// both ran and raced for the checkpoints.
#[test]
fn a_second_sweep_to_one_output_is_refused_and_disturbs_nothing() {
    let tmp = scratch("lock");
    let dir = tmp.path();
    let target = dir.join("sweep.csv");
    let partial = dir.join("sweep.csv.partial");
    std::fs::create_dir(&partial).unwrap();
    std::fs::write(partial.join("fingerprint"), "the first sweep's").unwrap();
    let held = std::fs::File::create(dir.join(".sweep.csv.lock")).unwrap();
    held.lock().unwrap();
    let sweep = |out: &Path, extra: &[&str]| {
        let mut args = vec!["sweep", PRND, "--vary", SMALL_GRID];
        args.extend(extra);
        args.extend(["-o", out.to_str().unwrap()]);
        sxcascade(&args)
    };
    let refused = sweep(&target, &[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is being written by another sxcascade"),
        "{stderr}"
    );
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_to_string(partial.join("fingerprint")).unwrap(),
        "the first sweep's",
        "the first sweep's checkpoints are untouched"
    );
    // Shards writing their own parts into one directory run side by side.
    let parts = dir.join("parts");
    std::fs::create_dir(&parts).unwrap();
    let part0 = std::fs::File::create(parts.join(".part-0-of-2.csv.lock")).unwrap();
    part0.lock().unwrap();
    ok(&sweep(&parts, &["--shard", "1", "--shards", "2"]));
    let refused = sweep(&parts, &["--shard", "0", "--shards", "2"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(parts.join("part-1-of-2.csv").exists());
    assert!(!parts.join("part-0-of-2.csv").exists());
    // The first finished (or died): the next sweep runs, and leaves no lock file behind.
    drop(held);
    ok(&sweep(&target, &[]));
    assert!(target.exists() && !partial.exists());
    assert!(!dir.join(".sweep.csv.lock").exists());
}

/// Outputs that exist and are not regular files (here a named pipe; `-o /dev/null` as root
/// was replaced by a regular file) are refused with exit 2 and left as they were; so is a
/// file where a directory is expected.
#[test]
fn outputs_that_are_not_regular_files_are_refused() {
    let tmp = scratch("special");
    let dir = tmp.path();
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let file = dir.join("file");
    std::fs::write(&file, "mine").unwrap();
    let file = file.to_str().unwrap();
    let parts = dir.join("parts");
    ok(&sxcascade(&[
        "sweep",
        PRND,
        "--vary",
        SMALL_GRID,
        "--shard",
        "0",
        "--shards",
        "1",
        "-o",
        parts.to_str().unwrap(),
    ]));
    for args in [
        vec!["sweep", PRND, "--vary", SMALL_GRID, "-o", fifo],
        vec![
            "sweep",
            PRND,
            "--vary",
            SMALL_GRID,
            "-o",
            dir.to_str().unwrap(),
        ],
        vec!["design", "flowsheets/prnd_design.toml", "-o", fifo],
        vec!["merge", parts.to_str().unwrap(), "-o", fifo],
        vec!["run", PRND, "--out", file],
        vec!["report", PRND, "-o", file],
        vec![
            "sweep", PRND, "--vary", SMALL_GRID, "--shard", "0", "--shards", "2", "-o", file,
        ],
    ] {
        let out = sxcascade(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("is not a regular file") || stderr.contains("it exists and is a"),
            "{args:?}: {stderr}"
        );
    }
    use std::os::unix::fs::FileTypeExt;
    let kept = std::fs::symlink_metadata(fifo).unwrap().file_type();
    assert!(kept.is_fifo(), "the pipe is still a pipe");
    assert_eq!(std::fs::read_to_string(file).unwrap(), "mine");
}

/// Temporaries are named after their output (`.NAME.XXXXXX.tmp`); those a killed run left are
/// removed by the next run to that output, unless a live process holds them (locked here by
/// the test); other outputs' are left alone. Before, they stayed for ever.
#[test]
fn stale_temporaries_are_removed_by_the_next_run_to_their_output() {
    let tmp = scratch("stale");
    let dir = tmp.path();
    let put = |name: &str| {
        let path = dir.join(name);
        std::fs::write(&path, "half a file").unwrap();
        path
    };
    let stale = put(".sweep.csv.Ab3dE9.tmp");
    let live = put(".sweep.csv.Zz9yX8.tmp");
    let other = put(".other.csv.Ab3dE9.tmp");
    let report = dir.join("report");
    std::fs::create_dir(&report).unwrap();
    let stale_page = put("report/.report.html.Qw12er.tmp");
    let holder = std::fs::File::open(&live).unwrap();
    holder.lock().unwrap();
    let target = dir.join("sweep.csv");
    ok(&sxcascade(&[
        "sweep",
        PRND,
        "--vary",
        SMALL_GRID,
        "-o",
        target.to_str().unwrap(),
    ]));
    ok(&sxcascade(&[
        "report",
        PRND,
        "-o",
        report.to_str().unwrap(),
    ]));
    assert!(!stale.exists(), "a dead run's temporary is removed");
    assert!(!stale_page.exists(), "a dead run's temporary is removed");
    assert!(live.exists(), "a live writer's temporary is kept");
    assert!(other.exists(), "another output's temporary is kept");
}

/// A grid of 10^12 cases aborted trying to allocate 8 TB; now any sweep above the documented
/// limit is refused at once with exit 2, saying how many cases it has, and an overflowing
/// product of counts is refused too.
#[test]
fn sweeps_above_the_case_limit_are_refused_before_anything_is_allocated() {
    let tmp = scratch("cap");
    let out = tmp.path().join("s.csv");
    let out = out.to_str().unwrap();
    for (vary, says) in [
        (
            vec!["cascades.PrNd.reflux_ratio=1:2:1000000000000"],
            "COUNT 1000000000000",
        ),
        (
            vec![
                "cascades.PrNd.reflux_ratio=1:2:1000000",
                "cascades.PrNd.scrub_stages=20:1019:1000",
                "cascades.PrNd.extraction_stages=20:119:100",
            ],
            "the sweep has 100000000000 cases",
        ),
    ] {
        let mut args = vec!["sweep", PRND];
        for v in &vary {
            args.extend(["--vary", v]);
        }
        args.extend(["-o", out]);
        let run = sxcascade(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{vary:?}: {stderr}");
        assert!(stderr.contains(says), "{vary:?}: {stderr}");
        assert!(stderr.contains("10000000"), "the limit is named: {stderr}");
    }
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
}

/// `prnd_binary.toml` with `from` replaced by `to`, in `dir`.
fn prnd_with(dir: &Path, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(PRND)).unwrap();
    assert!(text.contains(from), "`{from}` is in the file");
    let file = dir.join("variant.toml");
    std::fs::write(&file, text.replace(from, to)).unwrap();
    file
}

/// A positive number can still make a derived quantity infinite: a capacity of 1e-320
/// mol/L gave infinite organic litres with exit 0. Every such value is refused where it is
/// written, with exit 2.
#[test]
fn values_whose_derived_quantities_would_not_be_finite_are_refused_where_written() {
    let tmp = scratch("range");
    for (from, to, line, column, field) in [
        (
            "organic_capacity_mol_per_l = 0.18",
            "organic_capacity_mol_per_l = 1e-320",
            19,
            30,
            "organic_capacity_mol_per_l",
        ),
        (
            "hours_per_year = 7920.0",
            "hours_per_year = 1e-300",
            11,
            18,
            "hours_per_year",
        ),
        (
            "reo_t_per_year = 1085.0",
            "reo_t_per_year = 1e-300",
            10,
            18,
            "reo_t_per_year",
        ),
        (
            "share_of_basis = 1.0 ",
            "flow_mol_per_h = 1e-320",
            23,
            18,
            "flow_mol_per_h",
        ),
        (
            "reflux_ratio = 4.4495",
            "reflux_ratio = 4.4495\nscrub_acid_mol_per_l = 1e-310",
            40,
            24,
            "scrub_acid_mol_per_l",
        ),
    ] {
        let file = prnd_with(tmp.path(), from, to);
        let out = sxcascade(&["run", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        let at = format!("{}:{line}:{column}:", file.display());
        assert!(first.starts_with(&at), "{to}: {first}");
        assert!(
            first.contains(field) && first.contains("outside its range"),
            "{to}: {first}"
        );
    }
}

/// `plot --points 0` wrote a plot with no curve; fewer points than a line needs, or a stage
/// range holding one stage count, are refused with exit 2 and no file.
#[test]
fn plots_with_fewer_points_than_a_curve_needs_are_refused() {
    let tmp = scratch("points");
    let output = tmp.path().join("p.svg");
    let output = output.to_str().unwrap();
    for extra in [
        vec!["--points", "0"],
        vec!["--points", "1"],
        vec!["--range", "30:30.4"],
    ] {
        let mut args = vec!["plot", PRND, "--cascade", "PrNd", "--vs", "stages"];
        args.extend(&extra);
        args.extend(["-o", output]);
        let out = sxcascade(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains("a curve needs"), "{extra:?}: {stderr}");
        assert!(!Path::new(output).exists());
    }
}

/// `run` exiting 1 said nothing on stderr about why; now one line per product off spec, with
/// what it reached against its minimum, while stdout is the same result as before.
#[test]
fn run_exiting_one_says_why_on_stderr() {
    let tmp = scratch("why");
    let file = prnd_with(tmp.path(), "scrub_stages = 33", "scrub_stages = 5");
    let file = file.to_str().unwrap();
    let out = sxcascade(&["run", "--json", file]);
    assert_eq!(out.status.code(), Some(1));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for product in result["products"].as_array().unwrap() {
        if product["meets_spec"] == false {
            let name = product["name"].as_str().unwrap();
            let line = stderr
                .lines()
                .find(|l| l.contains(&format!("product `{name}`")))
                .unwrap_or_else(|| panic!("{name} not named: {stderr}"));
            assert!(line.starts_with("off spec:"), "{line}");
            assert!(line.contains("below its minimum"), "{line}");
        }
    }
    assert!(!stderr.is_empty());
    // The tables on stdout are what they were; the reasons are on stderr only.
    let tables = sxcascade(&["run", file]);
    assert!(!String::from_utf8_lossy(&tables.stdout).contains("off spec:"));
}
