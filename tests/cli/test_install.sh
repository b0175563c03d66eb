#!/usr/bin/env bash
# Configs by name wherever h2sim runs: `cmake --install` of the already-built tree into a temporary
# prefix, then the installed binary, run from /, resolves shipped names from PREFIX/share/h2sim/configs;
# a copy of the build's binary outside the source tree (as a build folder anywhere would hold it)
# resolves them from the source tree it was built from; $H2SIM_CONFIGS overrides both; unknown
# names are errors listing the shipped names, closest first, and where they are.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}" "${BUILD:?build folder of H2SIM}"
source "$(dirname "$0")/lib.sh"

prefix="$tmp/prefix"
if cmake --install "$BUILD" --prefix "$prefix" >"$tmp/install.log" 2>&1; then ok; else bad "cmake --install failed"; cat "$tmp/install.log"; fi
[ -x "$prefix/bin/h2sim" ] && ok || bad "no $prefix/bin/h2sim"
for f in hardware/id-nmp-plus.yaml models/llama3-8b.yaml scenarios/humaneval.yaml dram/lpddr5-6400.yaml \
         energy/default.yaml experiments/paper.yaml; do
  [ -f "$prefix/share/h2sim/configs/$f" ] && ok || bad "not installed: share/h2sim/configs/$f"
done

# The issue's command, from a folder that has no configs/, by shipped names only.
if (cd / && "$prefix/bin/h2sim" run --hw id-nmp-plus --model llama3-8b --scenario humaneval --fidelity analytic \
      --dataflow cc-nmp --out "$tmp/out" --quiet --json "$tmp/installed.json") >"$tmp/run.txt" 2>"$tmp/run.err"; then
  ok
else
  bad "installed h2sim run by names failed"; cat "$tmp/run.err"
fi
python3 - "$tmp/installed.json" <<'PY' && ok || bad "installed run: wrong design/model/scenario in the JSON"
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if (j["design"], j["model"], j["scenario"]) == ("id-nmp-plus", "llama3-8b", "humaneval") and j["latency_s"] > 0 else 1)
PY
# Same answer as the build's binary given the source tree's files by path.
"$H2SIM" run --hw "$SRC/configs/hardware/id-nmp-plus.yaml" --model "$SRC/configs/models/llama3-8b.yaml" \
  --scenario "$SRC/configs/scenarios/humaneval.yaml" --fidelity analytic --dataflow cc-nmp --out "$tmp/out2" --quiet \
  --json "$tmp/by_path.json" >/dev/null 2>&1
python3 - "$tmp/installed.json" "$tmp/by_path.json" <<'PY' && ok || bad "installed run by names differs from the build's run by paths"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
keys = ["latency_s", "prefill_s", "decode_s", "energy_j"]
sys.exit(0 if all(a[k] == b[k] for k in keys) else 1)
PY

# gemm and dram default to the same design as run (h2llm).
if (cd / && "$prefix/bin/h2sim" gemm --m 1 --k 4096 --n 4096 --fidelity analytic) >"$tmp/gemm.txt" 2>&1; then ok; else bad "installed gemm without --hw failed"; cat "$tmp/gemm.txt"; fi
grep -q "h2llm" "$tmp/gemm.txt" && ok || bad "gemm without --hw did not use h2llm"
if (cd / && "$prefix/bin/h2sim" dram --path hb --pattern sequential --bytes 65536) >"$tmp/dram.txt" 2>&1; then ok; else bad "installed dram without --hw failed"; cat "$tmp/dram.txt"; fi

# An unknown name: exit 2, the shipped names closest first, and the installed folder they are in.
(cd / && "$prefix/bin/h2sim" run --hw id-nmp-pls --fidelity analytic --out "$tmp/out" --quiet) >/dev/null 2>"$tmp/unknown.err"
[ $? -eq 2 ] && ok || bad "unknown --hw name: exit code not 2"
grep -q "no hardware config named 'id-nmp-pls'" "$tmp/unknown.err" && ok || bad "unknown --hw: message"; 
grep -q "id-nmp-plus, id-nmp, " "$tmp/unknown.err" && ok || bad "unknown --hw: not closest first: $(cat "$tmp/unknown.err")"
grep -q "$prefix/share/h2sim/configs/hardware" "$tmp/unknown.err" && ok || bad "unknown --hw: does not say where it looked"
(cd / && "$prefix/bin/h2sim" run --scenario humaneva --fidelity analytic --out "$tmp/out" --quiet) >/dev/null 2>"$tmp/unknown.err"
grep -q "no scenario named 'humaneva'.*humaneval, " "$tmp/unknown.err" && ok || bad "unknown --scenario: $(cat "$tmp/unknown.err")"
# A path that does not exist is named as a path, not looked up.
(cd / && "$prefix/bin/h2sim" gemm --hw nowhere/x.yaml --m 1 --k 8 --n 8) >/dev/null 2>"$tmp/path.err"
grep -q "file 'nowhere/x.yaml' does not exist" "$tmp/path.err" && ok || bad "missing path: $(cat "$tmp/path.err")"

# A build's binary outside the source tree (cmake -B anywhere): names come from the source tree.
mkdir -p "$tmp/elsewhere"
cp "$H2SIM" "$tmp/elsewhere/h2sim"
if (cd / && "$tmp/elsewhere/h2sim" run --hw id-nmp-plus --model llama3-8b --scenario humaneval --fidelity analytic \
      --dataflow cc-nmp --out "$tmp/out3" --quiet --json "$tmp/elsewhere.json") >/dev/null 2>"$tmp/elsewhere.err"; then
  ok
else
  bad "build binary outside the tree: run by names failed"; cat "$tmp/elsewhere.err"
fi
(cd / && "$tmp/elsewhere/h2sim" run --model llama3-7b --fidelity analytic --out "$tmp/out" --quiet) >/dev/null 2>"$tmp/unknown.err"
grep -q "$SRC/configs/models" "$tmp/unknown.err" && ok || bad "outside the tree: error does not name the source configs: $(cat "$tmp/unknown.err")"

# $H2SIM_CONFIGS wins over both; a value that is not a folder is an error.
mkdir -p "$tmp/mine/hardware"
cp "$SRC/configs/hardware/npu-only.yaml" "$tmp/mine/hardware/only-npu.yaml"
sed -i 's|dram_standard: ../dram/|dram_standard: '"$SRC"'/configs/dram/|' "$tmp/mine/hardware/only-npu.yaml"
(cd / && H2SIM_CONFIGS="$tmp/mine" "$prefix/bin/h2sim" gemm --hw h2llm --m 1 --k 8 --n 8 --on npu) >/dev/null 2>"$tmp/env.err"
grep -q "shipped in $tmp/mine/hardware: only-npu" "$tmp/env.err" && ok || bad "H2SIM_CONFIGS not used: $(cat "$tmp/env.err")"
if (cd / && H2SIM_CONFIGS="$tmp/mine" "$prefix/bin/h2sim" gemm --hw only-npu --m 1 --k 4096 --n 4096 --on npu --fidelity analytic) >/dev/null 2>"$tmp/env.err"; then ok; else bad "H2SIM_CONFIGS name: $(cat "$tmp/env.err")"; fi
(cd / && H2SIM_CONFIGS="$tmp/nothing" "$prefix/bin/h2sim" gemm --m 1 --k 8 --n 8) >/dev/null 2>"$tmp/env.err"
[ $? -eq 2 ] && grep -q "H2SIM_CONFIGS: '$tmp/nothing' is not a folder" "$tmp/env.err" && ok || bad "bad H2SIM_CONFIGS: $(cat "$tmp/env.err")"

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
