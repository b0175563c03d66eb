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
# The default job: LLaMA3-8B, ShareGPT (783 prompt + 209 decode tokens), batch 1, on the H2-LLM
# design, with the dataflow the search finds (cached in out/dataflows), at cycle fidelity.
exec ./build/release/h2sim run --json out/run.json
