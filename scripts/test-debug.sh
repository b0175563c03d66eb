#!/usr/bin/env bash
# Build the whole project unoptimized with assertions (the `debug` preset, in build/debug) and run
# the whole ctest suite there. Some undefined behaviour (an ODR violation between test files, for
# one) only shows without optimization: CI runs this beside the Release and ASan suites.
set -euo pipefail
exec bash "$(dirname "$0")/test-preset.sh" debug "$@"
