#!/usr/bin/env bash
# End-to-end checks of `h2sim run` on a tiny model: JSON keys, memoized vs exact, exit codes.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"
json_compare() {  # json_compare PYTHON_EXPR DESCRIPTION FILES... (a, b: the parsed JSONs)
  local expr=$1 what=$2
  shift 2
  if python3 -c "import json,sys; f=sys.argv[1:]; a=json.load(open(f[0])); b=json.load(open(f[-1])); sys.exit(0 if ($expr) else 1)" "$@"; then
    ok
  else
    bad "$what"
  fi
}
tiny=(--hw "$SRC/configs/hardware/h2llm.yaml" --model "$SRC/tests/data/e2e/tiny-llama.yaml"
      --scenario "$SRC/tests/data/e2e/tiny-scenario.yaml" --batch 2 --out "$tmp/out" --quiet)

if "$H2SIM" run "${tiny[@]}" --json "$tmp/memo.json" >/dev/null 2>"$tmp/err"; then ok; else bad "run failed"; cat "$tmp/err"; fi
json_compare "all(k in a for k in ['latency_s','prefill_s','decode_s','ttft_s','tpot_s','energy_j','tokens_per_joule','fidelity','wall_s'])" \
  "run JSON has the documented keys" "$tmp/memo.json"
json_compare "abs(a['latency_s'] - a['prefill_s'] - a['decode_s']) < 1e-12 and a['fidelity'] == 'cycle'" "latency = prefill + decode" "$tmp/memo.json"
if ls "$tmp/out/dataflows/"h2llm-*.yaml >/dev/null 2>&1; then ok; else bad "searched dataflow not cached"; fi
# The cache is keyed by every search input: a --set override (same design name) searches anew.
"$H2SIM" run "${tiny[@]}" --set pe.frequency_mhz=300 >/dev/null 2>&1
if [ "$(ls "$tmp/out/dataflows/"h2llm-*.yaml | wc -l)" -eq 2 ]; then ok; else bad "--set reused a dataflow searched for other hardware"; fi

# Memoization reuses measured MAGs; --exact simulates every layer and step: within 0.5%, on
# full-size LLaMA3-8B layers (4 of them) and a short scenario. (On the tiny model a MAG lasts about
# one refresh interval, so whether its one measurement caught a refresh shows: about 1% there.)
full=(--hw "$SRC/configs/hardware/h2llm.yaml" --model "$SRC/tests/data/e2e/llama3-8b-4layers.yaml"
      --scenario "$SRC/tests/data/e2e/tiny-scenario.yaml" --batch 1 --out "$tmp/out" --quiet --dataflow fc-nmp)
"$H2SIM" run "${full[@]}" --json "$tmp/full-memo.json" >/dev/null 2>&1
"$H2SIM" run "${full[@]}" --exact --json "$tmp/full-exact.json" >/dev/null 2>&1
json_compare "abs(a['latency_s'] / b['latency_s'] - 1) < 0.005 and b['mags_memoized'] == 0 and a['mags_memoized'] > 0" \
  "memoized within 0.5% of exact" "$tmp/full-memo.json" "$tmp/full-exact.json"

# Attention simulated at every 16th context and interpolated agrees with every context simulated.
med=(--hw "$SRC/configs/hardware/h2llm.yaml" --model "$SRC/tests/data/e2e/llama3-8b-4layers.yaml"
     --scenario "$SRC/tests/data/e2e/medium-scenario.yaml" --batch 4 --out "$tmp/out" --quiet --dataflow attn-nmp)
"$H2SIM" run "${med[@]}" --json "$tmp/s16.json" >/dev/null 2>&1
"$H2SIM" run "${med[@]}" --context-stride 1 --json "$tmp/s1.json" >/dev/null 2>&1
json_compare "abs(a['latency_s'] / b['latency_s'] - 1) < 0.005 and abs(a['energy_j'] / b['energy_j'] - 1) < 0.005 and a['mags_simulated'] < b['mags_simulated']" \
  "context interpolation within 0.5% of every context" "$tmp/s16.json" "$tmp/s1.json"

# Determinism: the same run twice gives the same JSON apart from wall time.
"$H2SIM" run "${tiny[@]}" --json "$tmp/again.json" >/dev/null 2>&1
if diff <(grep -v '"wall_' "$tmp/memo.json") <(grep -v '"wall_' "$tmp/again.json") >/dev/null; then ok; else bad "two identical runs differ"; fi

# ideal agrees with analytic on the whole inference.
"$H2SIM" run "${tiny[@]}" --dataflow fc-nmp --fidelity ideal --json "$tmp/i.json" >/dev/null 2>&1
"$H2SIM" run "${tiny[@]}" --dataflow fc-nmp --fidelity analytic --json "$tmp/a.json" >/dev/null 2>&1
json_compare "abs(a['latency_s'] / b['latency_s'] - 1) < 0.005" "ideal run within 0.5% of analytic" "$tmp/i.json" "$tmp/a.json"

# Perfetto trace.
"$H2SIM" run "${tiny[@]}" --trace "$tmp/trace.json" >/dev/null 2>&1
# (Format, span and operator sums: tests/cli/test_timeline.sh.)
json_compare "any(e['ph'] == 'X' for e in a['traceEvents']) and all(e['ph'] in ('X', 'M', 'C', 's', 'f') for e in a['traceEvents'])" "trace has complete events" "$tmp/trace.json"

# A VCD of one decode step (layer 0 of step 2): GTKWave's own converter must read it.
if "$H2SIM" run "${tiny[@]}" --vcd "$tmp/step.vcd" --vcd-window decode:2 >/dev/null 2>"$tmp/err"; then ok; else bad "run --vcd"; cat "$tmp/err"; fi
if vcd2fst "$tmp/step.vcd" "$tmp/step.fst" >/dev/null 2>&1; then ok; else bad "vcd2fst could not read the run's VCD"; fi
if grep -q 'scope module pe15' "$tmp/step.vcd" && grep -q 'scope module npu' "$tmp/step.vcd"; then ok; else bad "VCD scopes"; fi
"$H2SIM" run "${tiny[@]}" --vcd "$tmp/x.vcd" --vcd-window decode:99 >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "vcd-window" "$tmp/err" && [ ! -e "$tmp/x.vcd" ]; then ok; else bad "bad --vcd-window"; fi

# Bad input: exit 2 with the problem named.
"$H2SIM" run "${tiny[@]}" --dataflow nonsense >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "neither a dataflow name" "$tmp/err"; then ok; else bad "unknown dataflow"; fi
"$H2SIM" run "${tiny[@]}" --batch 0 >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "batch" "$tmp/err"; then ok; else bad "batch 0"; fi
"$H2SIM" run "${tiny[@]}" --scenario nosuch >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ]; then ok; else bad "unknown scenario"; fi

# One chip setup for run and gemm (sim/chip_setup.hpp): at cycle fidelity the LPDDR5 model needs
# the design's dram_standard; without it both say so (exit 2), neither falls back to the pipes.
grep -v '^dram_standard:' "$SRC/configs/hardware/h2llm.yaml" > "$tmp/no-standard.yaml"
nostd=(--hw "$tmp/no-standard.yaml" --model "$SRC/tests/data/e2e/tiny-llama.yaml"
       --scenario "$SRC/tests/data/e2e/tiny-scenario.yaml" --batch 2 --out "$tmp/out" --quiet --dataflow fc-nmp)
"$H2SIM" run "${nostd[@]}" >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "no-standard.yaml: key 'dram_standard' is not set" "$tmp/err"; then ok; else bad "run without dram_standard"; cat "$tmp/err"; fi
"$H2SIM" gemm --hw "$tmp/no-standard.yaml" --m 1 --k 256 --n 256 >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "no-standard.yaml: key 'dram_standard' is not set" "$tmp/err"; then ok; else bad "gemm without dram_standard"; cat "$tmp/err"; fi
if "$H2SIM" run "${nostd[@]}" --dram pipe --json "$tmp/pipe.json" >/dev/null 2>"$tmp/err"; then ok; else bad "run --dram pipe without dram_standard"; cat "$tmp/err"; fi
json_compare "a['dram_model'] == 'pipe'" "run --dram pipe reports the pipe" "$tmp/pipe.json"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
