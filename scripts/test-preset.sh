#!/usr/bin/env bash
# Build one CMake preset (release, debug or asan) in build/PRESET and run the whole ctest suite there,
# printing the wall time of each step. Extra arguments go to ctest. With CI=true (as CI runs it),
# compiler warnings are errors. scripts/test-debug.sh and scripts/test-asan.sh call this.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: test-preset.sh release|debug|asan [CTEST ARGS...]}
shift
bash scripts/setup.sh
jobs=${JOBS:-$(nproc)}
start=$(date +%s)
werror=OFF; [ "${CI:-}" = true ] && werror=ON
cmake --preset "$preset" -G Ninja -DH2SIM_WERROR=$werror >/dev/null
cmake --build --preset "$preset" -j "$jobs"
built=$(date +%s)
ctest --preset "$preset" -j "$jobs" "$@"
done_s=$(date +%s)
echo "$preset: build $((built - start)) s, tests $((done_s - built)) s, total $((done_s - start)) s"
