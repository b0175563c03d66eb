#!/usr/bin/env bash
# Builds h2sim's benchmarks in Release (build/bench) and prints one table of speed figures with
# the machine and the commit, and the change against bench/baseline.json. A benchmark is not a
# test: slow figures never make this script fail.
#
#   bash scripts/bench.sh                    # everything but the exact (unmemoized) runs
#   bash scripts/bench.sh --long             # also `run --exact` at batch 1 and 16 (minutes)
#   bash scripts/bench.sh --update-baseline  # then rewrite bench/baseline.json with these figures
#   JOBS=2 bash scripts/bench.sh             # build parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
long=0
update=0
for a in "$@"; do
  case "$a" in
    --long) long=1 ;;
    --update-baseline) update=1 ;;
    *) echo "usage: bash scripts/bench.sh [--long] [--update-baseline]" >&2; exit 2 ;;
  esac
done
dpkg -s libbenchmark-dev >/dev/null 2>&1 || bash scripts/setup.sh
build=build/bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DH2SIM_BUILD_BENCH=ON -DH2SIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target h2sim h2sim_bench_core h2sim_bench_sim >/dev/null
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
res="$build/results"
rm -rf "$res"
mkdir -p "$res"
h2sim="$build/h2sim"

echo "bench: DRAM streams, analytic evaluator, GA 2500 x 50 ..." >&2
"$build/bench/h2sim_bench_core" --benchmark_out="$res/core.json" --benchmark_out_format=json >/dev/null
for b in decode_gemv prefill_gemm; do  # one SystemC elaboration per process
  echo "bench: cycle GEMM $b ..." >&2
  "$build/bench/h2sim_bench_sim" --benchmark_filter="BM_Gemm/$b/" --benchmark_out="$res/gemm-$b.json" \
    --benchmark_out_format=json >/dev/null
done

# Whole inference: LLaMA3-8B ShareGPT on H2-LLM at cycle fidelity. The dataflow search runs
# once per batch (untimed, analytic) and is cached in $build/out, so the timed runs are simulation.
run_args=(--hw configs/hardware/h2llm.yaml --model configs/models/llama3-8b.yaml --scenario sharegpt
          --out "$build/out" --quiet)
timed_run() {  # timed_run NAME ARGS...: process wall time into $res/NAME.wall, JSON into NAME.json
  local name=$1
  shift
  timed_h2sim_run "$name" "${run_args[@]}" "$@"
}
timed_h2sim_run() {  # timed_h2sim_run NAME ARGS...: like timed_run, with all of run's arguments given
  local name=$1
  shift
  echo "bench: run $name ..." >&2
  local t0 t1
  t0=$(date +%s.%N)
  "$h2sim" run "$@" --json "$res/$name.json" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)" >"$res/$name.wall"
}
for batch in 1 16; do
  "$h2sim" run "${run_args[@]}" --batch "$batch" --fidelity analytic --json "$res/search-b$batch.json" >/dev/null
  timed_run "run-b$batch" --batch "$batch"
  if [ "$long" = 1 ]; then timed_run "run-b$batch-exact" --batch "$batch" --exact; fi
done

# Search at cycle fidelity (run --search-fidelity cycle, batch 1): cold (a fresh OUT: the GA for
# its leaders, the cc-nmp search and the candidates' cycle runs) and cached (the choice reused).
# Targets (issue 12): cold < 60 s, cached < 2 s on 2 cores.
rm -rf "$build/out-selection"
sel=(--hw configs/hardware/h2llm.yaml --model configs/models/llama3-8b.yaml --scenario sharegpt --batch 1
     --search-fidelity cycle --out "$build/out-selection" --quiet)
timed_h2sim_run search-cycle-cold "${sel[@]}"
timed_h2sim_run search-cycle-cached "${sel[@]}"

# Resource bound: a 70B-class model (LLaMA3-70B, 80 layers) at batch 16 and 2048 tokens of context,
# on H2-LLM with 8x the DRAM (it does not fit the 32 GiB design): time and peak memory (< 2 GiB).
r70=(--hw configs/hardware/h2llm.yaml --set bank_capacity_mib=2048 --model configs/models/llama3-70b.yaml
     --scenario longbench --batch 16 --out "$build/out" --quiet)
"$h2sim" run "${r70[@]}" --fidelity analytic >/dev/null  # the search, cached
timed_h2sim_run run-70b-b16 "${r70[@]}"

args=("$res")
[ "$update" = 1 ] && args+=(--update-baseline)
python3 bench/report.py "${args[@]}"
