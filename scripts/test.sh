#!/usr/bin/env bash
# Sets up (Debian packages), builds h2sim in Release and runs the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# CI (CI=true) builds with warnings as errors; a developer's build only shows them.
werror=OFF; [ "${CI:-}" = true ] && werror=ON
cmake --preset release -G Ninja -DH2SIM_WERROR=$werror >/dev/null
cmake --build --preset release -j "$(nproc)"
ctest --preset release -j "$(nproc)"
