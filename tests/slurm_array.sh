#!/usr/bin/env bash
# The shipped Slurm example run on a real Slurm: a single-node cluster (slurmctld, slurmd and
# munge from Debian's packages) started here, the example submitted by examples/slurm/submit.sh
# as a job array and a dependent merge, and the merged CSV compared byte for byte with the same
# sweep run unsharded. The sweep file is read from the example, so the two cannot drift apart.
#
# The cluster's configuration, state and logs live in a scratch directory (SLURM_CONF points
# there; its own ports), so a Slurm already configured on the machine is not touched. The
# daemons this script starts are stopped when it ends. Skipped, saying so, where it cannot
# install Slurm: not root, no apt-get, or the install fails (no network).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

skip() {
    echo "slurm_array: skipped, $1"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "not root (installing and starting Slurm needs root)"
command -v apt-get >/dev/null 2>&1 || skip "no apt-get (the set-up is Debian's)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    echo "slurm_array: installing slurmctld, slurmd, slurm-client and munge"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends slurmctld slurmd slurm-client munge; } >/dev/null 2>&1 \
        || skip "Slurm could not be installed (apt-get install failed)"
fi

cargo build --release --quiet
BIN=$REPO/target/release/sxcascade

WORK=$(mktemp -d /tmp/sxcascade-slurm.XXXXXX)
STARTED=()                          # pids of the daemons started here, stopped at the end
stop_daemons() {
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
        kill "${STARTED[i]}" 2>/dev/null || true
        wait "${STARTED[i]}" 2>/dev/null || true
    done
}
PASSED=""
finish() {
    stop_daemons
    if [ -n "$PASSED" ]; then rm -rf "$WORK"; fi
}
trap finish EXIT
fail() {
    echo "slurm_array: FAIL: $1 (the cluster's files are kept in $WORK)" >&2
    for log in "$WORK"/log/*.log "$WORK"/run/*.log; do
        [ -f "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}

# munge authenticates Slurm's messages. Use a munged that already answers, else start one as
# the munge user (the package made its key; make one if not).
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    [ -s /etc/munge/munge.key ] || mungekey --create >/dev/null 2>&1 \
        || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none \
            && chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key; }
    install -d -o munge -g munge -m 755 /run/munge
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground \
        >"$WORK/munged.out" 2>&1 &
    STARTED+=($!)
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
    munge -n | unmunge >/dev/null || fail "munged did not start"
fi

# One node, named localhost, advertising 4 CPUs whatever the machine has, so that two of the
# example's 2-CPU tasks run at once. The schedulers look at pending jobs every 2 s (Slurm's
# default is 60 s for the main loop, 30 s for backfill), so the dependent merge starts promptly.
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log" "$WORK/run"
export SLURM_CONF=$WORK/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=sxcascade-ci
SlurmctldHost=localhost
SlurmctldPort=6917
SlurmdPort=6918
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerParameters=sched_interval=2,bf_interval=2
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 RealMemory=4000 State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$WORK/run/slurmctld.log" 2>&1 &
STARTED+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$WORK/run/slurmd.log" 2>&1 &
STARTED+=($!)
for _ in $(seq 60); do
    [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ] && break
    sleep 1
done
[ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ] || fail "the Slurm node did not come up"

# The test: the example as a user runs it, from a directory holding flowsheets/ and the binary.
SITE=$WORK/site
mkdir -p "$SITE/examples"
cp -r "$REPO/flowsheets" "$SITE/"
cp -r "$REPO/examples/slurm" "$SITE/examples/"
cp "$BIN" "$SITE/sxcascade"
cd "$SITE"
examples/slurm/submit.sh || fail "submit.sh failed"
for _ in $(seq 150); do
    squeue -h 2>/dev/null | grep -q . || break
    sleep 1
done
squeue -h | grep -q . && fail "jobs still queued after 150 s: $(squeue)"

SWEEP=$(sed -n 's/^SWEEP=\([^ ]*\).*/\1/p' examples/slurm/sweep.sbatch)
[ -f "$SWEEP" ] || fail "examples/slurm/sweep.sbatch names no sweep file (SWEEP=...)"
cat merge-*.log
[ -f sweep.csv ] || fail "the merge job wrote no sweep.csv"
"$BIN" sweep "$SWEEP" -o unsharded.csv >/dev/null
cmp sweep.csv unsharded.csv || fail "the merged CSV differs from the unsharded sweep"
echo "slurm_array: PASS: $(($(wc -l <sweep.csv) - 1)) cases in $(ls sweep-out/part-*.csv | wc -l) array tasks, merged by a dependent job, identical to the unsharded sweep of $SWEEP"
PASSED=yes
