//! Which shard of a sweep to run: `--shard K --shards N`, or `--shards slurm` in a Slurm job
//! array. Only what the user asks for: a sweep run inside a job array without either flag is
//! the whole sweep, whatever SLURM_ARRAY_* say (a job array is not always a sharded sweep).

use sxcascade::sweep::Shard;

/// The value of `--shards`: a count, or `slurm` for the job array's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shards {
    Count(usize),
    Slurm,
}

/// clap's parser for `--shards`.
pub fn parse_shards(text: &str) -> Result<Shards, String> {
    if text.eq_ignore_ascii_case("slurm") {
        return Ok(Shards::Slurm);
    }
    text.parse()
        .map(Shards::Count)
        .map_err(|_| format!("`{text}` is neither a whole number of shards nor `slurm`"))
}

/// The shard to run, `None` for the whole sweep. `env` looks a variable up (the process's
/// environment in the program, a table in the tests).
pub fn shard_of(
    shard: Option<usize>,
    shards: Option<Shards>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, String> {
    let (index, count) = match (shard, shards) {
        (None, None) => return Ok(None),
        (Some(k), Some(Shards::Count(n))) => (k, n),
        (None, Some(Shards::Slurm)) => from_slurm(&env)?,
        (Some(_), Some(Shards::Slurm)) => {
            return Err("error: --shards slurm takes the shard from the job array; \
                        give --shard K with --shards N (a number) instead"
                .into());
        }
        (Some(_), None) | (None, Some(Shards::Count(_))) => {
            return Err(
                "error: give both --shard K and --shards N, or --shards slurm \
                        in a Slurm job array"
                    .into(),
            );
        }
    };
    Shard::new(index, count)
        .map(Some)
        .map_err(|e| format!("error: {e}"))
}

/// Shard SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT: task ids run
/// from the array's first index (`--array=1-8` starts at 1). Right for a whole array; a partial
/// resubmission (`sbatch --array=3,7`) is a smaller array, so it needs `--shard`/`--shards`.
fn from_slurm(env: &impl Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    let number = |name: &str| -> Result<usize, String> {
        let value = env(name).ok_or_else(|| {
            format!(
                "error: --shards slurm: {name} is not set (is this a task of a Slurm job \
                 array, `sbatch --array`?); outside one, give --shard K --shards N"
            )
        })?;
        value
            .trim()
            .parse()
            .map_err(|_| format!("error: --shards slurm: {name}={value} is not a whole number"))
    };
    let count = number("SLURM_ARRAY_TASK_COUNT")?;
    let id = number("SLURM_ARRAY_TASK_ID")?;
    let min = number("SLURM_ARRAY_TASK_MIN")?;
    let index = id.checked_sub(min).ok_or_else(|| {
        format!(
            "error: --shards slurm: SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"
        )
    })?;
    Ok((index, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const ARRAY_1_TO_8_TASK_3: [(&str, &str); 3] = [
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "8"),
    ];

    #[test]
    fn no_flags_is_the_whole_sweep_even_in_a_job_array() {
        assert_eq!(shard_of(None, None, env(&ARRAY_1_TO_8_TASK_3)), Ok(None));
    }

    #[test]
    fn slurm_shards_count_from_the_arrays_first_index() {
        let shard = shard_of(None, Some(Shards::Slurm), env(&ARRAY_1_TO_8_TASK_3))
            .unwrap()
            .unwrap();
        assert_eq!((shard.index, shard.count), (2, 8));
    }

    #[test]
    fn slurm_shards_outside_an_array_name_the_missing_variable() {
        let e = shard_of(None, Some(Shards::Slurm), env(&[])).unwrap_err();
        assert!(e.contains("SLURM_ARRAY_TASK_COUNT is not set"), "{e}");
        let e = shard_of(
            None,
            Some(Shards::Slurm),
            env(&[
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_ID", "2"),
            ]),
        )
        .unwrap_err();
        assert!(e.contains("SLURM_ARRAY_TASK_MIN is not set"), "{e}");
    }

    #[test]
    fn explicit_shards_ignore_the_environment() {
        let shard = shard_of(Some(5), Some(Shards::Count(16)), env(&ARRAY_1_TO_8_TASK_3))
            .unwrap()
            .unwrap();
        assert_eq!((shard.index, shard.count), (5, 16));
    }

    #[test]
    fn half_given_or_mixed_flags_are_refused() {
        for (k, n) in [
            (Some(1), None),
            (None, Some(Shards::Count(4))),
            (Some(1), Some(Shards::Slurm)),
        ] {
            assert!(shard_of(k, n, env(&ARRAY_1_TO_8_TASK_3)).is_err());
        }
        assert_eq!(parse_shards("SLURM"), Ok(Shards::Slurm));
        assert_eq!(parse_shards("12"), Ok(Shards::Count(12)));
        assert!(parse_shards("twelve").is_err());
    }
}
