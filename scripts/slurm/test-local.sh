#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, end to end: installs Slurm and munge from
# Debian's packages (idempotent), writes a minimal slurm.conf (localhost, this machine's CPUs and
# memory, no accounting) in a temporary folder, starts munged, slurmctld and slurmd, submits the
# tiny sweep (tests/data/sweeps/tiny.yaml) as 4 shards + merge with submit-sweep.sh, waits
# (bounded), and checks the merged results.csv and summary.json equal the same sweep run in one
# process, byte for byte. The daemons it started are stopped at exit. Needs root (apt, daemons).
#
#   bash scripts/slurm/test-local.sh [--h2sim PATH]     (default: builds build/release/h2sim)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
t_start=$(date +%s)
h2sim=""
[ "${1:-}" = "--h2sim" ] && h2sim=$(realpath "$2")
timeout_s=${TIMEOUT_S:-300}

need=()
for p in slurmctld slurmd slurm-client munge; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "test-local: installing ${need[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi
if [ -z "$h2sim" ]; then
  cmake --preset release -G Ninja >/dev/null
  cmake --build --preset release -j "$(nproc)" --target h2sim >/dev/null
  h2sim=$src/build/release/h2sim
fi

work=$(mktemp -d /tmp/h2sim-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local rc=$?
  if [ -n "${SLURM_CONF:-}" ]; then scancel --name=h2sim-sweep --name=h2sim-merge >/dev/null 2>&1 || true; fi
  # Only the daemons this script started, by their pid files.
  for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

# munge: its own key, socket and pid file in $work, so a munged already on the machine is untouched.
mkdir -p "$work/munge"
chown munge:munge "$work/munge"
chmod 711 "$work/munge"  # munged wants the socket folder searchable by all
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
runuser -u munge -- /usr/sbin/munged --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done

cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
# Minimal single-node cluster for scripts/slurm/test-local.sh.
ClusterName=h2simtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$work/state" "$work/spool"
/usr/sbin/slurmctld -f "$SLURM_CONF" -i
/usr/sbin/slurmd -f "$SLURM_CONF" -N localhost
ready=0
for _ in $(seq 100); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then ready=1; break; fi
  sleep 0.2
done
[ "$ready" = 1 ] || { echo "test-local: node never became idle"; sinfo -N || true; tail -20 "$work/slurmctld.log" "$work/slurmd.log"; exit 1; }
echo "test-local: cluster up ($cpus CPUs, $mem_mb MB) after $(( $(date +%s) - t_start )) s" >&2

spec=$src/tests/data/sweeps/tiny.yaml
line=$(bash scripts/slurm/submit-sweep.sh "$spec" --shards 4 --out "$work/slurm-out" --h2sim "$h2sim" | tail -1)
echo "test-local: $line" >&2
merge_job=$(sed 's/.*merge_job=\([0-9]*\).*/\1/' <<<"$line")
array_job=$(sed 's/.*array_job=\([0-9]*\).*/\1/' <<<"$line")
deadline=$(( $(date +%s) + timeout_s ))
state=""
while :; do
  state=$(scontrol show job "$merge_job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
  case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "test-local: timed out after ${timeout_s} s (merge job $state)"; squeue || true; exit 1; fi
  sleep 1
done
tasks_done=$(scontrol show job "$array_job" 2>/dev/null | grep -c 'JobState=COMPLETED' || true)
if [ "$state" != COMPLETED ]; then
  echo "test-local: merge job ended $state"
  tail -n 20 "$work"/slurm-out/slurm/*.log
  exit 1
fi

"$h2sim" sweep "$spec" --out "$work/one" --jobs "$cpus" 2>/dev/null
"$h2sim" merge "$work/one" 2>/dev/null
status=0
for f in results.csv summary.json; do
  if cmp -s "$work/one/$f" "$work/slurm-out/$f"; then
    echo "test-local: $f from 4 Slurm shards equals the one-process sweep ($(wc -l <"$work/one/$f") lines)"
  else
    echo "test-local: FAIL: $f differs"; diff "$work/one/$f" "$work/slurm-out/$f" | head -20; status=1
  fi
done
echo "test-local: $tasks_done of 4 array tasks COMPLETED, merge COMPLETED; total $(( $(date +%s) - t_start )) s"
[ "$status" = 0 ] && echo "test-local: PASS" || echo "test-local: FAIL"
exit $status
