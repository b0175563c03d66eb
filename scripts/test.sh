#!/usr/bin/env bash
# Sets up (Debian packages), builds h2sim in Release and runs the whole test suite with ctest.
# (CI, with CI=true, builds with warnings as errors.)
set -euo pipefail
exec bash "$(dirname "$0")/test-preset.sh" release "$@"
