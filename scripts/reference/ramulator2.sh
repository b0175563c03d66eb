#!/usr/bin/env bash
# Rebuilds Ramulator 2.1 OUTSIDE the project from a snapshot of github.com/CMU-SAFARI/ramulator2 and
# records its results for the validation workloads in tests/data/reference/ramulator2/results.json
# (docs/validation.md). Not part of the build or CI: the recorded results are what the tests use.
#
# usage: scripts/reference/ramulator2.sh --snapshot GIT_DIR [--commit SHA] [--work DIR]
#                                        [--requests N] [--seed S] [WORKLOAD...]
#   --snapshot  a git directory of the ramulator2 repository (a clone or a mirror)
#   --commit    the commit to build (default: the snapshot's HEAD); recorded with the results
#   --work      where to unpack and build (default /work/ext/ramulator2; never inside the project)
#   --requests  requests per trace (default: gen_traces.py's 2,097,152)
#   --seed      seed of the random workloads (default 1)
#   WORKLOAD    gen_traces.py workload names (default: all of them)
#
# Needs the Debian packages cmake ninja-build g++-12 libyaml-cpp-dev libfmt-dev python3.
# The build differs from upstream's in two ways, both in its CMake files only (no C++ changed):
#  - yaml-cpp and fmt come from Debian (find_package) instead of FetchContent downloads;
#  - sources of standards, controllers, plugins and frontends these runs do not use are left out
#    of the library to build faster (Ramulator registers implementations statically, so the ones
#    used are unaffected). Python bindings are off: the configs are exported to YAML with the
#    pure-Python part of its package and replayed by scripts/reference/ramulator2_replay.cpp.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ref="$root/tests/data/reference"
out_dir="$ref/ramulator2"
snapshot="" commit="" work=/work/ext/ramulator2 requests="" seed=1
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --snapshot) snapshot=$2; shift 2 ;;
    --commit) commit=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    -*) echo "ramulator2.sh: unknown option $1" >&2; exit 2 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
[ -n "$snapshot" ] || { echo "ramulator2.sh: --snapshot GIT_DIR is required" >&2; exit 2; }
case "$(realpath -m "$work")/" in "$root"/*) echo "ramulator2.sh: --work must be outside the project" >&2; exit 2 ;; esac
[ -n "$commit" ] || commit=$(git -C "$snapshot" rev-parse HEAD)
commit=$(git -C "$snapshot" rev-parse "$commit^{commit}")
[ -n "$requests" ] || requests=$(python3 -c "import sys; sys.path.insert(0, '$ref'); import gen_traces; print(gen_traces.REQUESTS)")
[ ${#workloads[@]} -gt 0 ] || mapfile -t workloads < <(python3 "$ref/gen_traces.py" list --json | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')

src="$work/src" build="$work/build"
if [ ! -f "$work/commit" ] || [ "$(cat "$work/commit")" != "$commit" ]; then
  rm -rf "$src" "$build"
  mkdir -p "$src"
  git -C "$snapshot" archive --format=tar "$commit" | tar -x -C "$src"
  python3 "$here/ramulator2_patch_build.py" "$src"
  echo "$commit" > "$work/commit"
fi
mkdir -p "$build"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRAMULATOR_PYTHON_BINDINGS=OFF \
      -DCMAKE_CXX_COMPILER=g++-12 >/dev/null
ninja -C "$build" -j2
g++-12 -std=c++20 -O2 -I"$src/src" "$here/ramulator2_replay.cpp" -o "$build/ramulator2_replay" \
       -L"$src" -lramulator -lfmt -lyaml-cpp -Wl,-rpath,"$src"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cfg in ddr4-3200 lpddr5-6400; do
  PYTHONPATH="$src/python" python3 -m ramulator export "$out_dir/$cfg.py" -o "$out_dir/$cfg.yaml"
done

for w in "${workloads[@]}"; do
  case "$w" in ddr4-*) cfg=ddr4-3200 ;; lpddr5-*) cfg=lpddr5-6400 ;; *) echo "no config for $w" >&2; exit 2 ;; esac
  gen=(python3 tests/data/reference/gen_traces.py "$w" TRACE --target ramulator --requests "$requests" --seed "$seed")
  (cd "$root" && "${gen[@]/#TRACE/$tmp/$w.trace}")
  echo "== $w ($cfg)"
  start=$EPOCHREALTIME
  "$build/ramulator2_replay" "$out_dir/$cfg.yaml" "$tmp/$w.trace" "$tmp/$w.stats.yaml" > "$tmp/$w.out"
  end=$EPOCHREALTIME
  cat "$tmp/$w.out"
  python3 "$here/ramulator2_record.py" --results "$out_dir/results.json" --workload "$w" --config "$cfg" \
      --config-dir "$out_dir" --commit "$commit" --replay-out "$tmp/$w.out" --stats "$tmp/$w.stats.yaml" \
      --trace "$tmp/$w.trace" --generator-command "${gen[*]}" --seed "$seed" --wall-s "$start:$end"
  rm -f "$tmp/$w.trace"
done
