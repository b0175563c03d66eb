#!/usr/bin/env bash
# Submits an h2sim sweep to Slurm: a job array of N tasks, task I running
# `h2sim sweep SPEC --shard I/N` (each point in exactly one shard), and a merge job that starts
# when every task succeeded (--dependency=afterok) and writes OUT/results.csv and summary.json.
# Shards resume: resubmitting the same command reruns only points without a result.
#
#   bash scripts/slurm/submit-sweep.sh SPEC.yaml [--shards N] [--out DIR] [--jobs J]
#        [--h2sim PATH] [--sbatch "EXTRA SBATCH OPTIONS"]
#
# --jobs J: points run at once inside one task (the task asks for J CPUs). Defaults: 4 shards,
# out/sweeps/<spec name>, 1 job, build/release/h2sim. Prints the array and merge job ids.
set -euo pipefail
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
spec=$1
shift
shards=4
out=""
jobs=1
h2sim="$(cd "$(dirname "$0")/../.." && pwd)/build/release/h2sim"
extra=""
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) shards=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --h2sim) h2sim=$2; shift 2 ;;
    --sbatch) extra=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "submit-sweep: --shards must be a positive integer" >&2; exit 2; }
[ -x "$h2sim" ] || { echo "submit-sweep: no h2sim at $h2sim (build it, or pass --h2sim PATH)" >&2; exit 2; }
[ -n "$out" ] || out="out/sweeps/$(basename "$spec" .yaml)"
# Absolute paths: the tasks may start in another folder (or on another node with the same mount).
spec=$(realpath "$spec")
h2sim=$(realpath "$h2sim")
mkdir -p "$out/slurm"
out=$(realpath "$out")
# Fail now on a bad spec (unknown key, bad override), not in N tasks.
"$h2sim" sweep "$spec" --out "$out" --dry-run >/dev/null

# shellcheck disable=SC2086  # $extra is a list of sbatch options
array_id=$(sbatch --parsable $extra --job-name=h2sim-sweep --array="1-$shards" --cpus-per-task="$jobs" \
  --output="$out/slurm/shard-%a.log" \
  --wrap="exec '$h2sim' sweep '$spec' --out '$out' --shard \"\$SLURM_ARRAY_TASK_ID/$shards\" --jobs $jobs")
array_id=${array_id%%;*}
# shellcheck disable=SC2086
merge_id=$(sbatch --parsable $extra --job-name=h2sim-merge --dependency="afterok:$array_id" \
  --output="$out/slurm/merge.log" --wrap="exec '$h2sim' merge '$out'")
merge_id=${merge_id%%;*}
echo "submitted sweep $spec: array job $array_id ($shards shards), merge job $merge_id; results in $out"
echo "array_job=$array_id merge_job=$merge_id out=$out"
