#!/usr/bin/env bash
# Sets up (Debian packages), builds h2sim in Release and runs the main job on the default config.
# Any arguments are passed to `h2sim` instead of the default job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release -G Ninja >/dev/null
cmake --build --preset release -j "$(nproc)" --target h2sim
if [ $# -gt 0 ]; then
  exec ./build/release/h2sim "$@"
fi
# The default job: the decode GEMV of the reference example on H2-LLM, at cycle fidelity.
exec ./build/release/h2sim gemm --hw configs/hardware/h2llm.yaml --m 1 --k 4096 --n 4096 --json out/gemm.json
