#!/usr/bin/env bash
# Build the whole project with AddressSanitizer + UndefinedBehaviorSanitizer (the `asan` preset,
# in build/asan) and run the whole ctest suite under it. Prints the wall time of each step.
#
# The suite runs clean with every ASan check at its default, leak detection included: no
# suppression file is needed (SystemC's kernel objects stay reachable at exit, so LeakSanitizer
# does not report them). UBSan is built with -fno-sanitize-recover, so any undefined behaviour
# aborts the test that hits it. Measured on the 2-core dev machine (shared): build from scratch
# ~19 min, ctest -j2 ~3 min.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
exec bash scripts/test-preset.sh asan "$@"
