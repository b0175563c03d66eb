#!/usr/bin/env bash
# Limits of `h2sim run` and `h2sim gemm`: capacity checks with numbers (a 70B-class model, huge
# GEMMs), the 70B model within 2 GiB on a design that holds it, --max-wall-s (exit 3), Ctrl-C
# (exit 130), output paths checked before any work; never a result file when a run is stopped.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"
hw="$SRC/configs/hardware/h2llm.yaml"
m70="$SRC/configs/models/llama3-70b.yaml"
no_partial() { [ -z "$(find "$tmp" -maxdepth 1 -name '*.partial*')" ] && ok || bad "$1 left a temporary file"; }

# --- a 70B-class model (80 layers, hidden 8192, 8 KV heads) at batch 16 and 2048 tokens of context.
"$H2SIM" run --hw "$hw" --model "$m70" --scenario longbench --batch 16 --out "$tmp/out" --quiet \
  --json "$tmp/r70.json" >/dev/null 2>"$tmp/err"
code=$?
if [ $code -eq 2 ] && grep -qF "needs 137.50 GiB (80 layers: weights 127.50 GiB, KV cache 10.00 GiB for batch 16 at 2048 tokens" "$tmp/err" \
   && grep -qF "has 32.00 GiB of DRAM (8 channels x 4.00 GiB)" "$tmp/err" && [ ! -e "$tmp/r70.json" ]; then ok
else bad "70B on h2llm: exit $code, expected 2 with the capacity numbers"; cat "$tmp/err"; fi
# On a design with 8x the DRAM it runs, and the simulator stays within 2 GiB of memory.
if "$H2SIM" run --hw "$hw" --set bank_capacity_mib=2048 --model "$m70" --scenario longbench --batch 16 \
     --out "$tmp/out" --quiet --json "$tmp/r70.json" >/dev/null 2>"$tmp/err"; then ok
else bad "70B with 256 GiB of DRAM failed"; cat "$tmp/err"; fi
python3 - "$tmp/r70.json" <<'PY' && ok || bad "70B run: latency, layers or peak memory"
import json, sys
j = json.load(open(sys.argv[1]))
print(f"70B batch 16: latency {j['latency_s']:.3f} s, peak memory {j['wall_peak_rss_mib']:.1f} MiB")
sys.exit(0 if j['latency_s'] > 0 and j['layers'] == 80 and 0 < j['wall_peak_rss_mib'] < 2048 else 1)
PY

# --- GEMMs too large: rejected up front with the numbers, or pointed to the analytic fidelity.
"$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --batch 100000 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "the operands need 3126.53 GiB" "$tmp/err" && ok || { bad "gemm --batch 100000"; cat "$tmp/err"; }
"$H2SIM" gemm --hw "$hw" --m 1000000 --k 4096 --n 4096 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "use --fidelity analytic" "$tmp/err" && ok || { bad "gemm --m 1000000 at cycle"; cat "$tmp/err"; }
timeout 20 "$H2SIM" gemm --hw "$hw" --m 1000000 --k 4096 --n 4096 --fidelity analytic >/dev/null 2>"$tmp/err" \
  && ok || bad "gemm --m 1000000 at analytic"
"$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 99999999999 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "above the supported maximum" "$tmp/err" && ok || { bad "gemm --n 99999999999"; cat "$tmp/err"; }

# --- numeric flags: out-of-range, negative unsigned and non-finite values are errors, never clamped.
"$H2SIM" gemm --hw "$hw" --m 99999999999999999999 --k 64 --n 64 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "out of the range of a 64-bit integer" "$tmp/err" && ok || { bad "--m 99999999999999999999"; cat "$tmp/err"; }
"$H2SIM" run --seed -1 --quiet >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--seed: must not be negative" "$tmp/err" && ok || { bad "run --seed -1"; cat "$tmp/err"; }

# --- output paths are checked before the work.
mkdir -p "$tmp/adir"
"$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --json "$tmp/adir" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--json $tmp/adir: is a folder" "$tmp/err" && ok || { bad "gemm --json DIR"; cat "$tmp/err"; }
touch "$tmp/afile"
"$H2SIM" run --hw "$hw" --model "$SRC/tests/data/e2e/tiny-llama.yaml" --scenario "$SRC/tests/data/e2e/tiny-scenario.yaml" \
  --dataflow fc-nmp --quiet --json "$tmp/afile/r.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "is not a folder" "$tmp/err" && ok || { bad "run --json under a file"; cat "$tmp/err"; }

mkfifo "$tmp/fifo"
"$H2SIM" gemm --hw "$hw" --m 1 --k 64 --n 64 --json "$tmp/fifo" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "is not a regular file" "$tmp/err" && [ -p "$tmp/fifo" ] && ok || { bad "gemm --json FIFO"; cat "$tmp/err"; }
"$H2SIM" gemm --hw "$hw" --m 1 --k 64 --n 64 --json "$hw" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "is an input of this command" "$tmp/err" && ok || { bad "gemm --json HW"; cat "$tmp/err"; }
"$H2SIM" gemm --hw "$hw" --m 010 --k 0x40 --n 64 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "'0x40' is not a whole number in decimal digits" "$tmp/err" && ok || { bad "gemm --k 0x40"; cat "$tmp/err"; }

# --- --max-wall-s: exit 3, the stuck components named, no result file.
for v in -1 nan inf; do
  "$H2SIM" gemm --hw "$hw" --m 1 --k 64 --n 64 --max-wall-s "$v" >/dev/null 2>"$tmp/err"
  [ $? -eq 2 ] && grep -qF -- "--max-wall-s" "$tmp/err" && ok || { bad "--max-wall-s $v"; cat "$tmp/err"; }
done
"$H2SIM" gemm --hw "$hw" --m 20000 --k 4096 --n 4096 --max-wall-s 0.5 --json "$tmp/g.json" >/dev/null 2>"$tmp/err"
code=$?
[ $code -eq 3 ] && grep -qF -- "--max-wall-s 0.5: the gemm simulation ran" "$tmp/err" && grep -qF "chip.ch0: playing a plan" "$tmp/err" \
  && [ ! -e "$tmp/g.json" ] && ok || { bad "gemm --max-wall-s 0.5: exit $code"; cat "$tmp/err"; }
full=(--hw "$hw" --model "$SRC/configs/models/llama3-8b.yaml" --scenario sharegpt --dataflow fc-nmp --exact --quiet)
"$H2SIM" run "${full[@]}" --max-wall-s 0.5 --json "$tmp/w.json" >/dev/null 2>"$tmp/err"
code=$?
[ $code -eq 3 ] && grep -qF "the run simulation ran" "$tmp/err" && grep -qF "driver: playing a" "$tmp/err" && [ ! -e "$tmp/w.json" ] \
  && ok || { bad "run --max-wall-s 0.5: exit $code"; cat "$tmp/err"; }
no_partial "--max-wall-s"

# Sweeps and experiments pass a per-point --max-wall-s on: the stuck point fails, the sweep says so.
cat >"$tmp/sweep.yaml" <<EOF
name: wall
command: run
base:
  hw: $hw
  model: $SRC/configs/models/llama3-8b.yaml
  scenario: sharegpt
  dataflow: fc-nmp
  exact: true
  max-wall-s: 0.3
axes:
  - batch: [1]
EOF
"$H2SIM" sweep "$tmp/sweep.yaml" --out "$tmp/sw" >/dev/null 2>"$tmp/err"
code=$?
[ $code -ne 0 ] && grep -rqF -- "--max-wall-s 0.3: the run simulation ran" "$tmp/sw" && ok \
  || { bad "sweep with max-wall-s: exit $code"; cat "$tmp/err"; }
sed -i 's/max-wall-s: 0.3/max-wall-s: -1/' "$tmp/sweep.yaml"
"$H2SIM" sweep "$tmp/sweep.yaml" --out "$tmp/sw2" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "'-1' is not a number of seconds" "$tmp/err" && ok || { bad "sweep max-wall-s -1"; cat "$tmp/err"; }
"$H2SIM" experiment "$SRC/configs/experiments/paper.yaml" --out "$tmp/ex" --max-wall-s nan >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--max-wall-s" "$tmp/err" && ok || { bad "experiment --max-wall-s nan"; cat "$tmp/err"; }

# --- Ctrl-C during a simulation: exit 130, a message, no result file.
expect_sigint() {  # expect_sigint NAME JSON_FILE H2SIM_ARGS...: SIGINT after 1.5 s
  local name=$1 json=$2
  shift 2
  "$H2SIM" "$@" --json "$json" >/dev/null 2>"$tmp/err" &
  local pid=$!
  sleep 1.5
  kill -INT "$pid"
  wait "$pid"
  local code=$?
  [ $code -eq 130 ] && grep -qF "interrupted (Ctrl-C) during the $name simulation" "$tmp/err" && [ ! -e "$json" ] \
    && ok || { bad "$name SIGINT: exit $code"; cat "$tmp/err"; }
}
expect_sigint run "$tmp/int.json" run "${full[@]}"
expect_sigint gemm "$tmp/gint.json" gemm --hw "$hw" --m 20000 --k 4096 --n 4096 --quiet
no_partial "Ctrl-C"

echo "cli.limits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
