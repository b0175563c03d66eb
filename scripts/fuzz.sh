#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang + ASan + UBSan + fuzzer coverage, in build/fuzz)
# and runs them. Two modes:
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]   exploration, one target after the other
#   scripts/fuzz.sh --ci [TARGET...]                       what .ci/run does: short and reproducible
#
# Targets (one per loader): hardware, dram, energy, model (model YAML, the artifact's
# operator_graph.json and shape.json), scenario, dataflow, experiment, sweep (sweep specs; also
# experiment specs), overrides (--set / --energy-set KEY=VALUE lines, --shard), check (`h2sim check`:
# kind detection, then any loader). Seeds: configs/, tests/data/ (good and bad inputs, including
# every regression kept from earlier findings) and fuzz/seeds/<target>/.
#
# Exploration: corpora grow (and are kept between runs) in build/fuzz/corpus/<target>; each
# target runs for SECONDS of wall time (-max_total_time). Every target has run 600 s without a
# finding; README.md (Fuzzing) has the figures.
#
# --ci: every target starts from a fresh corpus of its seeds only (build/fuzz/ci/<target>), so it
# first replays every seed (all of tests/data/bad/, the fuzz regressions included, goes through
# `check` and through the loader target of its kind), then runs a fixed number of mutations
# (ci_runs below) from -seed=1, with a 60 s wall-time guard per target. The amount of work is
# fixed, not the exact inputs: libFuzzer's corpus choices still vary a little between runs.
# 12-18 s per target, 2.5 min for all ten; from a clean clone with clang installed, 4 min on 2
# cores (building the ten targets from scratch: 75 s).
#
# A finding (crash, sanitizer report, leak, timeout > 10 s, an exception other than InputError)
# is saved as build/fuzz/findings/<target>/{crash,leak,timeout,oom}-* and makes the script exit 1.
# Reproduce: ./build/fuzz/fuzz/fuzz_<target> FILE; minimise: add -minimize_crash=1 -runs=10000.
# Then make it a bad input of tests/data/bad/<kind>/ with its line in tests/data/bad/expected.txt
# (or a unit test when the input is valid) and fix the loader.
#
# Installs clang (Debian's package, with libFuzzer) if it is missing, so the main setup stays lean.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(hardware dram energy model scenario dataflow experiment sweep overrides check)
# --ci: mutations per target, 12-18 s each on the 2-CPU AMD EPYC this was measured on (shared);
# exec speeds differ 10x between targets (check and overrides load several files per input).
declare -A ci_runs=([hardware]=80000 [dram]=40000 [energy]=80000 [model]=30000 [scenario]=180000
                    [dataflow]=80000 [experiment]=45000 [sweep]=40000 [overrides]=20000 [check]=12000)

ci=0
if [ "${1:-}" = "--ci" ]; then
  ci=1
  shift
  seconds=60
else
  seconds=${1:-60}
  shift || true
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (valid: ${all_targets[*]})" >&2; exit 2; }
done

if ! command -v clang++ >/dev/null || ! find /usr/lib/llvm-* -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | grep -q .; then
  bash scripts/setup.sh
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y --no-install-recommends clang
fi

cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DH2SIM_BUILD_FUZZ=ON -DH2SIM_BUILD_TESTS=OFF >/dev/null
cmake --build build/fuzz -j "${JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}")

seeds_for() {  # the seed files of one target
  case "$1" in
    hardware) find configs/hardware tests/data/bad/hardware -name '*.yaml' ;;
    dram) find configs/dram tests/data/bad/dram -name '*.yaml' ;;
    energy) find configs/energy tests/data/bad/energy -name '*.yaml' ;;
    model) find configs/models tests/data/e2e tests/data/bad/model tests/data/bad/mapping tests/data/artifact tests/data/bad/artifact -type f ;;
    scenario) find configs/scenarios tests/data/e2e tests/data/bad/scenario -name '*.yaml' ;;
    dataflow) find tests/data/mapping tests/data/bad/dataflow tests/data/bad/mapping -name '*.yaml' ;;
    experiment) find configs/experiments tests/data/experiments -name '*.yaml' ;;
    sweep) find tests/data/sweeps configs/experiments tests/data/experiments -name '*.yaml' ;;
    overrides) find fuzz/seeds/overrides -type f ;;
    check) find configs tests/data -type f -name '*.yaml' -o -type f -name '*.json' ;;
  esac
  if [ -d "fuzz/seeds/$1" ] && [ "$1" != overrides ]; then find "fuzz/seeds/$1" -type f; fi
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
  findings=build/fuzz/findings/$t
  if [ $ci -eq 1 ]; then
    corpus=build/fuzz/ci/$t
    rm -rf "$corpus"
    mode=(-seed=1 -runs="${ci_runs[$t]}")
  else
    corpus=build/fuzz/corpus/$t
    mode=()
  fi
  mkdir -p "$corpus" "$findings"
  seeds_for "$t" | sort | while read -r f; do cp "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')"; done
  log=build/fuzz/$t.log
  [ $ci -eq 0 ] || log=build/fuzz/ci/$t.log
  start=$(date +%s)
  if ./build/fuzz/fuzz/fuzz_$t "$corpus" "${mode[@]}" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
      -dict=fuzz/yaml.dict -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1; then
    result="clean"
  else
    result="FINDING (see $log and $findings/)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || echo "?")
  echo "fuzz_$t: $(( $(date +%s) - start )) s, $runs runs, corpus $(ls "$corpus" | wc -l) files: $result"
  [ $ci -eq 0 ] || [ "$result" = clean ] || tail -n 40 "$log"
done
exit $status
