//! Running a range of cases on every core, with the same numbers whatever the threads do.
//!
//! Cases are taken in blocks of [`WARM_BLOCK`] consecutive cases. Within a block each case
//! starts from the previous case's solution (neighbours in the last axis differ by one step);
//! every block starts cold. Blocks are the unit of parallel work, of shards and of checkpoints,
//! so a case's warm-start chain, and therefore its last digits, never depend on how the sweep
//! was split or scheduled: two runs give byte-identical files.

use std::ops::Range;

use rayon::prelude::*;

use super::case::{CaseResult, Sweep};

/// Cases per warm-start chain. Long enough that most cases start warm (15 of 16), short
/// enough that a small sweep still gives both cores work.
pub const WARM_BLOCK: usize = 16;

/// The cases of blocks `blocks` out of `cases` in all.
pub fn block_cases(blocks: &Range<usize>, cases: usize) -> Range<usize> {
    (blocks.start * WARM_BLOCK).min(cases)..(blocks.end * WARM_BLOCK).min(cases)
}

/// Number of blocks that `cases` cases make.
pub fn block_count(cases: usize) -> usize {
    cases.div_ceil(WARM_BLOCK)
}

impl Sweep<'_> {
    /// Solves the cases of `blocks`, in parallel, and returns their rows in case order.
    /// `warm`: start each case from its block-predecessor's solution. `done(n)` is called as
    /// each block of `n` cases finishes (for a progress bar).
    pub fn run_blocks(
        &self,
        blocks: Range<usize>,
        warm: bool,
        done: &(dyn Fn(usize) + Sync),
    ) -> Vec<CaseResult> {
        let cases = self.plan.cases().unwrap_or(0);
        let rows: Vec<Vec<CaseResult>> = blocks
            .into_par_iter()
            .map(|block| {
                let mut previous = None;
                let rows: Vec<CaseResult> = block_cases(&(block..block + 1), cases)
                    .map(|case| {
                        let start = if warm { previous.take() } else { None };
                        let (row, solution) = self.solve(case, start);
                        previous = solution;
                        row
                    })
                    .collect();
                done(rows.len());
                rows
            })
            .collect();
        rows.into_iter().flatten().collect()
    }
}
