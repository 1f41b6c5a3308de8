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
