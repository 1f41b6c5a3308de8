//! Sweep results on disk: checkpointed while running, whole when done, in shards for job
//! arrays, and merged with every case accounted for.
//!
//! A run writing `T` keeps its progress in `T.partial/`: a `fingerprint` of the sweep and one
//! file per finished batch of blocks (`blocks-A-B.csv`, each written atomically). Killed and
//! started again, it solves only the blocks no batch file covers; the rows of a block never
//! depend on the run that solved it ([`super::run`]), so the finished `T` is byte-identical to
//! an uninterrupted run's. `T` itself appears only when complete.
//!
//! One run at a time writes `T`: it holds `T`'s [`OutputLock`] from before it reads the
//! checkpoints until `T` is complete, and a second run to `T` is refused at once. Under the
//! lock, whatever is found beside `T` is a dead run's: its checkpoints are resumed (or removed
//! if they are another sweep's), its temporaries removed.
//!
//! A sharded sweep writes `OUT/part-K-of-N.csv` (shard K of N, from 0) and `OUT/manifest.json`,
//! which says what the parts must add up to; [`merge`] checks every case is there exactly once.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::case::Sweep;
use super::run::{block_cases, block_count};
use super::table::csv_text;
use crate::atomic::{
    check_output_file, create_output_dir, remove_stale_temporaries, split, write_atomically,
};
use crate::output_lock::OutputLock;

/// One slice of a sweep: shard `index` of `count`, from 0 (a job array's task).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn new(index: usize, count: usize) -> Result<Self, String> {
        if count == 0 || index >= count {
            return Err(format!(
                "shard {index} of {count}: shards are numbered 0 to N-1, N >= 1"
            ));
        }
        Ok(Self { index, count })
    }

    /// This shard's contiguous share of `blocks` blocks (sizes differ by at most one).
    pub fn blocks(&self, blocks: usize) -> Range<usize> {
        blocks * self.index / self.count..blocks * (self.index + 1) / self.count
    }

    pub fn file_name(&self) -> String {
        format!("part-{}-of-{}.csv", self.index, self.count)
    }
}

/// How a sweep is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Start each case from its neighbour's solution.
    pub warm: bool,
    /// Add the `seconds` column (differs from run to run).
    pub timing: bool,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Cases in the file written.
    pub cases: usize,
    /// Of those, cases taken from an interrupted run's checkpoints.
    pub resumed: usize,
    /// Rows per status, in the order ok, off_spec, not_converged, infeasible.
    pub statuses: Vec<(String, usize)>,
    /// Whether the output was locked: false on a filesystem without locks, where a second
    /// run to the same output would not have been refused.
    pub locked: bool,
}

/// An identity of a sweep's results: the program version, the flowsheet text, the plan and
/// the options that change numbers or columns. FNV-1a, 64 bits: enough to tell sweeps apart,
/// not a defence against anyone forging one.
pub fn fingerprint(sweep: &Sweep, flowsheet_text: &str, options: RunOptions) -> String {
    let identity = format!(
        "sxcascade {}\n{:?}\n{:?}\n{flowsheet_text}",
        env!("CARGO_PKG_VERSION"),
        sweep.plan,
        options
    );
    let hash = identity.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Solves `blocks` of `sweep` and writes their rows, with the header, to `target`,
/// checkpointing as it goes (see the module docs). `done(n)` is called as cases finish,
/// including cases found already done. Refused before any work if another run is writing
/// `target`, or if `target` exists and is not a regular file.
pub fn run_to_file(
    sweep: &Sweep,
    blocks: Range<usize>,
    target: &Path,
    fingerprint: &str,
    options: RunOptions,
    done: &(dyn Fn(usize) + Sync),
) -> Result<RunSummary, String> {
    let cases = sweep.plan.cases()?;
    check_output_file(target)?;
    let lock = OutputLock::take(target)?;
    let (dir, name) = split(target)?;
    remove_stale_temporaries(dir, name);
    let work = partial_dir(target);
    let mut chunks = checkpoints(&work, fingerprint)?;
    let resumed: usize = chunks
        .iter()
        .map(|(r, _)| block_cases(r, cases).len())
        .sum();
    done(resumed);
    // Batches grow while they take under a few seconds: small enough to lose little to a
    // kill, large enough that writing them costs nothing.
    let mut batch = 2 * rayon::current_num_threads();
    for gap in gaps(&blocks, &chunks) {
        let mut start = gap.start;
        while start < gap.end {
            let range = start..(start + batch).min(gap.end);
            let clock = Instant::now();
            let rows = sweep.run_blocks(range.clone(), options.warm, done);
            let text = csv_text(sweep, &rows, options.timing, false)
                .map_err(|e| format!("cannot write the results: {e}"))?;
            let path = work.join(format!("blocks-{}-{}.csv", range.start, range.end));
            write_atomically(&path, text.as_bytes())?;
            chunks.push((range.clone(), path));
            if clock.elapsed().as_secs_f64() < 2.0 {
                batch = (batch * 2).min(1 << 16);
            }
            start = range.end;
        }
    }
    chunks.sort_by_key(|(r, _)| r.start);
    let mut text = csv_text(sweep, &[], options.timing, true)
        .map_err(|e| format!("cannot write the results: {e}"))?;
    for (range, path) in &chunks {
        if range.start >= blocks.start && range.end <= blocks.end {
            text.push_str(&read(path)?);
        }
    }
    write_atomically(target, text.as_bytes())?;
    fs::remove_dir_all(&work)
        .map_err(|e| format!("cannot remove the checkpoints {}: {e}", work.display()))?;
    Ok(RunSummary {
        cases: block_cases(&blocks, cases).len(),
        resumed,
        statuses: count_statuses(&text, 1 + sweep.plan.fields().len()),
        locked: lock.is_held(),
    })
}

/// Where a run writing `target` keeps its checkpoints.
pub fn partial_dir(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The batches an interrupted run of the same sweep finished; a different sweep's are
/// removed. Creates the directory and its fingerprint if missing.
fn checkpoints(work: &Path, fingerprint: &str) -> Result<Vec<(Range<usize>, PathBuf)>, String> {
    let stamp = work.join("fingerprint");
    if work.exists() && fs::read_to_string(&stamp).ok().as_deref() != Some(fingerprint) {
        fs::remove_dir_all(work).map_err(|e| {
            format!(
                "cannot remove the checkpoints of another sweep {}: {e}",
                work.display()
            )
        })?;
    }
    if !work.exists() {
        fs::create_dir_all(work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
        write_atomically(&stamp, fingerprint.as_bytes())?;
    }
    let entries = fs::read_dir(work).map_err(|e| format!("cannot read {}: {e}", work.display()))?;
    let mut chunks = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let range = name
            .strip_prefix("blocks-")
            .and_then(|r| r.strip_suffix(".csv"))
            .and_then(|r| r.split_once('-'))
            .and_then(|(a, b)| Some(a.parse().ok()?..b.parse().ok()?));
        if let Some(range) = range {
            chunks.push((range, entry.path()));
        }
    }
    chunks.sort_by_key(|(r, _): &(Range<usize>, _)| r.start);
    Ok(chunks)
}

/// The parts of `blocks` no chunk covers.
fn gaps(blocks: &Range<usize>, chunks: &[(Range<usize>, PathBuf)]) -> Vec<Range<usize>> {
    let mut gaps = Vec::new();
    let mut at = blocks.start;
    for (range, _) in chunks {
        if range.start > at {
            gaps.push(at..range.start.min(blocks.end));
        }
        at = at.max(range.end);
    }
    if at < blocks.end {
        gaps.push(at..blocks.end);
    }
    gaps.retain(|g| !g.is_empty());
    gaps
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Rows per status, from the status column of a results text.
fn count_statuses(text: &str, column: usize) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = ["ok", "off_spec", "not_converged", "infeasible"]
        .map(|s| (s.to_string(), 0))
        .to_vec();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records().flatten() {
        if let Some(entry) = counts
            .iter_mut()
            .find(|(s, _)| Some(s.as_str()) == record.get(column))
        {
            entry.1 += 1;
        }
    }
    counts
}

/// What every part of a sharded sweep must add up to; written beside the parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub flowsheet: String,
    pub fingerprint: String,
    pub cases: usize,
    pub shards: usize,
    pub header: String,
}

const MANIFEST: &str = "manifest.json";

impl Manifest {
    pub fn new(
        sweep: &Sweep,
        flowsheet: &str,
        fingerprint: &str,
        shards: usize,
        timing: bool,
    ) -> Result<Self, String> {
        Ok(Self {
            flowsheet: flowsheet.to_string(),
            fingerprint: fingerprint.to_string(),
            cases: sweep.plan.cases()?,
            shards,
            header: csv_text(sweep, &[], timing, true)
                .map_err(|e| format!("cannot write the header: {e}"))?
                .trim_end()
                .to_string(),
        })
    }

    /// Writes the manifest into `dir`, or checks the one there is this sweep's (every shard
    /// writes the same one; a different one means the directory holds another sweep).
    pub fn install(&self, dir: &Path) -> Result<(), String> {
        create_output_dir(dir)?;
        let path = dir.join(MANIFEST);
        if path.exists() {
            let there = Self::read(dir)?;
            if &there != self {
                return Err(format!(
                    "{} belongs to another sweep (a different flowsheet, plan or shard count): \
                     write this one to a new directory",
                    path.display()
                ));
            }
            return Ok(());
        }
        let text = serde_json::to_string_pretty(self).expect("a manifest serialises");
        write_atomically(&path, text.as_bytes())
    }

    pub fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join(MANIFEST);
        let text = read(&path)?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Why parts do not merge: every missing shard and every inconsistency found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    pub problems: Vec<String>,
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the sweep is incomplete:")?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// Checks that the parts in `dir` hold every case of the manifest exactly once, in order, and
/// returns the merged text (header and rows, as an unsharded run writes it).
pub fn merge(dir: &Path) -> Result<Result<String, Incomplete>, String> {
    let manifest = Manifest::read(dir)?;
    let blocks = block_count(manifest.cases);
    let mut merged = format!("{}\n", manifest.header);
    let mut problems = Vec::new();
    for index in 0..manifest.shards {
        let shard = Shard::new(index, manifest.shards)?;
        let expected = block_cases(&shard.blocks(blocks), manifest.cases);
        let path = dir.join(shard.file_name());
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(_) => {
                problems.push(format!(
                    "{} is missing (cases {} to {}): run shard {index} again",
                    shard.file_name(),
                    expected.start,
                    expected.end.saturating_sub(1)
                ));
                continue;
            }
        };
        let mut lines = text.lines();
        if lines.next() != Some(manifest.header.as_str()) {
            problems.push(format!(
                "{}: its header is not the manifest's",
                shard.file_name()
            ));
            continue;
        }
        let cases: Vec<Option<usize>> = lines
            .clone()
            .map(|l| l.split(',').next().and_then(|c| c.parse().ok()))
            .collect();
        if cases.iter().copied().ne(expected.clone().map(Some)) {
            problems.push(format!(
                "{}: holds {} rows where cases {} to {} ({} rows) belong",
                shard.file_name(),
                cases.len(),
                expected.start,
                expected.end.saturating_sub(1),
                expected.len()
            ));
            continue;
        }
        for line in lines {
            merged.push_str(line);
            merged.push('\n');
        }
    }
    Ok(if problems.is_empty() {
        Ok(merged)
    } else {
        Err(Incomplete { problems })
    })
}
