#!/usr/bin/env bash
# End-to-end checks of `h2sim experiment` on the tiny spec: CSV rows, summary, charts, resume,
# a failing point, bad input. Run by ctest with H2SIM (the binary) and SRC (the source tree) set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"
check() {  # check DESCRIPTION -- COMMAND...
  local what=$1
  shift 2
  if "$@"; then ok; else bad "$what"; fi
}
spec="$SRC/tests/data/experiments/tiny.yaml"
out="$tmp/out"

"$H2SIM" experiment "$spec" --out "$out" --jobs 2 >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
check "first run exits 0 (got $rc)" -- test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat "$tmp/stderr"
# 4 (design, dataflow) runs x 1 model x 1 scenario x 1 batch x 2 fidelities, plus the header.
check "results.csv has 8 rows" -- test "$(wc -l <"$out/results.csv")" -eq 9
# The sweep CSV: id, status, the axes, then the results' scalars.
check "CSV header" -- grep -q '^id,status,fidelity,design,dataflow,model,scenario,batch,.*latency_s' "$out/results.csv"
check "CSV has no wall times" -- sh -c "! head -1 '$out/results.csv' | grep -q wall"
check "CSV has analytic and cycle rows of H2-LLM" -- test "$(grep -c ',ok,[a-z]*,h2llm,fc-nmp,tiny-llama,tiny-scenario,1,' "$out/results.csv")" -eq 2
check "the sweep folder layout" -- test -s "$out/sweep.json" -a -s "$out/points/analytic_cp_npu-only_tiny-llama_tiny-scenario_b1/config.yaml" \
  -a -s "$out/points/analytic_cp_npu-only_tiny-llama_tiny-scenario_b1/result.json" -a -s "$out/points/analytic_cp_npu-only_tiny-llama_tiny-scenario_b1/log.txt"
check "every row has a latency" -- python3 -c "
import csv,sys
rows=list(csv.DictReader(open('$out/results.csv')))
sys.exit(0 if rows and all(float(r['latency_s'])>0 for r in rows) else 1)"
check "summary.md has the speedup table" -- grep -q 'Geomean speedup of H2-LLM' "$out/summary.md"
check "summary.md prints the paper's 2.72x" -- grep -q '2.72x' "$out/summary.md"
check "summary.md has the dataflow comparison" -- grep -q 'Dataflow comparison' "$out/summary.md"
check "summary.json speedup over CP for both fidelities" -- python3 -c "
import json,sys
j=json.load(open('$out/summary.json'))
d=j['designs'][0]
sys.exit(0 if d['design']=='cp' and d['analytic']['all']['geomean_speedup']>0 and d['cycle']['all']['geomean_speedup']>0 else 1)"
check "progress on stderr" -- grep -q '\[8/8\] done' "$tmp/stderr"
check "one GA search cached for both fidelities" -- test "$(ls "$out/dataflows" | grep -c '^h2llm-.*\.yaml$')" -eq 1
if command -v gnuplot >/dev/null; then
  check "designs.png is a PNG" -- sh -c "head -c 8 '$out/plots/designs.png' | grep -q PNG"
  check "dataflows.png is a PNG" -- sh -c "head -c 8 '$out/plots/dataflows.png' | grep -q PNG"
else
  echo "note: gnuplot not installed, PNG checks skipped"
  check "gnuplot missing is said" -- grep -q 'gnuplot is not installed' "$tmp/stderr"
fi
check "no temporary files left" -- test -z "$(find "$out" -name '*.partial*')"

# Resume: nothing left to do, same results.
cp "$out/results.csv" "$tmp/first.csv"
start=$(date +%s%N)
"$H2SIM" experiment "$spec" --out "$out" >/dev/null 2>"$tmp/stderr2"
rc=$?
check "resume exits 0" -- test "$rc" -eq 0
check "resume runs no point" -- grep -q '8 points (8 already done)' "$tmp/stderr2"
check "resume reports 0 points run" -- grep -q 'h2sim: 0 points run' "$tmp/stderr2"
check "resume gives the same CSV" -- cmp "$tmp/first.csv" "$out/results.csv"
# merge of the experiment folder redoes the experiment's tables: the same bytes.
cp "$out/summary.json" "$tmp/first-summary.json"
"$H2SIM" merge "$out" >/dev/null 2>"$tmp/stderr-merge"
check "merge of an experiment folder exits 0" -- test "$?" -eq 0
check "merge gives the same CSV" -- cmp "$tmp/first.csv" "$out/results.csv"
check "merge gives the same summary" -- cmp "$tmp/first-summary.json" "$out/summary.json"

# A failing point: reported with its exit code and output, the others still run, exit 1.
# (The dataflow file exists, so the spec is valid, but `run` rejects its content.)
echo "not: a dataflow" >"$tmp/broken-df.yaml"
cat >"$tmp/failing.yaml" <<SPEC
name: failing
designs:
  - {name: cp, hardware: $SRC/configs/hardware/npu-only.yaml, dataflow: npu-only}
  - {name: broken, hardware: $SRC/configs/hardware/h2llm.yaml, dataflow: $tmp/broken-df.yaml}
models: [$SRC/tests/data/e2e/tiny-llama.yaml]
scenarios: [$SRC/tests/data/e2e/tiny-scenario.yaml]
batches: [1, 2]
fidelities: [analytic]
SPEC
"$H2SIM" experiment "$tmp/failing.yaml" --out "$tmp/out2" >/dev/null 2>"$tmp/stderr3"
rc=$?
check "a failing point makes the run exit 1 (got $rc)" -- test "$rc" -eq 1
check "the failure names the point and its exit code" -- grep -q 'analytic_broken_broken-df_tiny-llama_tiny-scenario_b1: exit code 2' "$tmp/stderr3"
check "the failure shows the point's error" -- grep -q 'broken-df.yaml' "$tmp/stderr3"
check "the other points still ran" -- test "$(grep -c ',ok,analytic,cp,npu-only,' "$tmp/out2/results.csv")" -eq 2
check "failed points have empty rows" -- test "$(grep -c ',failed,analytic,broken,broken-df,tiny-llama,tiny-scenario,[12],,' "$tmp/out2/results.csv")" -eq 2

# Bad input: exit 2, file and key named, nothing run.
printf 'name: x\ndesign: []\n' >"$tmp/bad.yaml"
"$H2SIM" experiment "$tmp/bad.yaml" --out "$tmp/out3" >/dev/null 2>"$tmp/stderr4"
check "bad spec exits 2" -- test "$?" -eq 2
check "bad spec names the file" -- grep -q "bad.yaml" "$tmp/stderr4"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
