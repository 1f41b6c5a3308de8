//! What the integration tests share: running the binary from the crate's root (as the README
//! runs it), expecting success, and scratch directories.

use std::process::{Command, Output};

/// Runs `sxcascade ARGS` with `env` set. Slurm's job-array variables are removed first, so
/// that a test run inside a job array sees no shard it did not ask for.
pub fn sxcascade_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sxcascade"))
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

pub fn sxcascade(args: &[&str]) -> Output {
    sxcascade_with(args, &[])
}

/// Asserts exit code 0, showing stderr if not.
pub fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory removed when dropped.
pub fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("sxcascade-{name}-"))
        .tempdir()
        .unwrap()
}

/// Sm, Eu, Gd in P507 (beta Eu/Sm 2.0, Gd/Eu 1.5: the design values of flowsheets/README.md)
/// fed 45/10/45 mol % at 1 mol/h to one cascade `SmGd` (raffinate `Sm_rich`, extract
/// `Gd_rich`), the side-draw tests' system: the TOML up to the cascade's own fields.
pub const SMEUGD: &str = r#"
[systems.p507]
separation_factors = { Sm = 1.0, Eu = 2.0, Gd = 3.0 }
[streams.feed]
flow_mol_per_h = 1.0
composition_mol = { Sm = 0.45, Eu = 0.10, Gd = 0.45 }
[[cascades]]
name = "SmGd"
system = "p507"
feed = "feed"
raffinate = "Sm_rich"
extract = "Gd_rich"
"#;
