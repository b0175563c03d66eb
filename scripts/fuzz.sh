#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang + ASan + UBSan, in build/fuzz) and runs each for a
# bounded time: scripts/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]
# Targets: hardware dram model scenario dataflow check. Seeds: configs/ and tests/data/ (good and
# bad inputs). Corpora grow in build/fuzz/corpus/<target>; a finding is saved as
# build/fuzz/findings/<target>/crash-* and makes the script fail: turn it into a file of
# tests/data/bad/ (with its line in expected.txt) or a unit test, then fix the loader.
# Installs clang (Debian's, with libFuzzer) if it is missing, so the main setup stays lean.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(hardware dram model scenario dataflow check)

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
    model) find configs/models tests/data/bad/model tests/data/bad/mapping tests/data/artifact tests/data/bad/artifact -type f ;;
    scenario) find configs/scenarios tests/data/bad/scenario -name '*.yaml' ;;
    dataflow) find tests/data/mapping tests/data/bad/dataflow tests/data/bad/mapping -name '*.yaml' ;;
    check) find configs tests/data -type f -name '*.yaml' -o -type f -name '*.json' ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$t
  findings=build/fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  seeds_for "$t" | while read -r f; do cp "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')"; done
  start=$(date +%s)
  if ./build/fuzz/fuzz/fuzz_$t "$corpus" -max_total_time="$seconds" -max_len=16384 -timeout=10 -dict=fuzz/yaml.dict -rss_limit_mb=2048 \
      -artifact_prefix="$findings/" -print_final_stats=1 >"build/fuzz/$t.log" 2>&1; then
    result="clean"
  else
    result="FINDING (see build/fuzz/$t.log and $findings/)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz/$t.log" | grep -o '[0-9]*$' | tail -1 || echo "?")
  echo "fuzz_$t: $(( $(date +%s) - start )) s, $runs runs, corpus $(ls "$corpus" | wc -l) files: $result"
done
exit $status
