#!/bin/bash
# Submits the sweep of sweep.sbatch as a job array and the merge of its parts as a job that
# runs when every task has ended. Run from the directory holding flowsheets/, on a filesystem
# every node sees (see sweep.sbatch):
#
#   examples/slurm/submit.sh            # then: squeue --me; cat merge-JOBID.log
#
# The merge depends on the array with `afterany`, not `afterok`: it runs even when a task
# failed, and then exits 1 naming the missing shards and their case ranges, so the log says
# what to resubmit. When every part is there it writes $MERGED (sweep.csv), identical byte for
# byte to the same sweep run unsharded.
#
# Extra arguments go to sbatch for both jobs: `examples/slurm/submit.sh --partition=short`,
# `--account=...`.
set -euo pipefail
HERE=$(dirname "$0")
export OUT=${OUT:-sweep-out}
MERGED=${MERGED:-sweep.csv}

# The binary, as an absolute path so that the jobs find it wherever Slurm starts them.
if [ -z "${SXCASCADE:-}" ]; then
    for candidate in ./sxcascade target/release/sxcascade "$(command -v sxcascade || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then SXCASCADE=$candidate; break; fi
    done
fi
if [ -z "${SXCASCADE:-}" ] || [ ! -x "$SXCASCADE" ]; then
    echo "submit.sh: no sxcascade binary: build it (cargo build --release) or set SXCASCADE" >&2
    exit 2
fi
SXCASCADE=$(realpath "$SXCASCADE")
export SXCASCADE
SWEEP=$(sed -n 's/^SWEEP=\([^ ]*\).*/\1/p' "$HERE/sweep.sbatch")
if [ ! -f "$SWEEP" ]; then
    echo "submit.sh: $SWEEP not found: run from the directory holding flowsheets/" >&2
    exit 2
fi

ARRAY=$(sbatch --parsable "$@" "$HERE/sweep.sbatch")
ARRAY=${ARRAY%%;*}                  # "JOBID;CLUSTER" on a multi-cluster site
MERGE=$(sbatch --parsable "$@" --dependency=afterany:"$ARRAY" --job-name=sxcascade-merge \
    --cpus-per-task=1 --mem=200M --time=00:10:00 --output=merge-%j.log \
    --wrap "\"$SXCASCADE\" merge \"$OUT\" -o \"$MERGED\"")
MERGE=${MERGE%%;*}
echo "sweep: job array $ARRAY (parts in $OUT/); merge: job $MERGE (writes $MERGED, log merge-$MERGE.log)"
