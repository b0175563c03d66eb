#!/usr/bin/env bash
# Build the whole project unoptimized with assertions (the `debug` preset, in build/debug) and run
# the whole ctest suite there. Some undefined behaviour (an ODR violation between test files, for
# one) only shows without optimization: CI runs this beside the Release and ASan suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=${JOBS:-2}
start=$(date +%s)
werror=OFF; [ "${CI:-}" = true ] && werror=ON  # warnings are errors in CI
cmake --preset debug -G Ninja -DH2SIM_WERROR=$werror >/dev/null
cmake --build --preset debug -j "$jobs"
built=$(date +%s)
ctest --preset debug -j "$jobs" "$@"
done_s=$(date +%s)
echo "debug: build $((built - start)) s, tests $((done_s - built)) s, total $((done_s - start)) s"
