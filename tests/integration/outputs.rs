//! What the binary writes and where: standard output that is closed or full, files that honour
//! the umask, outputs that are not regular files, concurrent writers to one output, stale
//! temporaries, and limits that refuse work before it starts.

use std::process::{Command, Output, Stdio};

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
