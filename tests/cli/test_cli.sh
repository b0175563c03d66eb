#!/usr/bin/env bash
# End-to-end checks of the h2sim executable: exit codes, messages, JSON, VCD.
# Run by ctest with H2SIM (the binary) and SRC (the source tree) set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"
hw="$SRC/configs/hardware/h2llm.yaml"

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, stdout/stderr to $tmp/out,$tmp/err.

expect_exit 0 "help" -- "$H2SIM" --help
expect_in "$tmp/out" "gemm" "help lists gemm"
expect_exit 0 "gemm help" -- "$H2SIM" gemm --help
expect_in "$tmp/out" "--fidelity" "gemm help lists --fidelity"
expect_exit 2 "no subcommand" -- "$H2SIM"

# The reference example: 1 x 4096 x 4096 on 6 NMP channels, 14.167 us analytic.
expect_exit 0 "analytic gemv" -- "$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --fidelity analytic --json "$tmp/a.json"
json_check "$tmp/a.json" "abs(j['analytic_latency_ns'] - 14167) / 14167 < 0.001" "analytic 14167 ns within 0.1%"
json_check "$tmp/a.json" "j['tiling']['t_k'] == 2 and j['tiling']['t_n'] == 3 and j['fidelity'] == 'analytic'" "tiling 2 x 3"
json_check "$tmp/a.json" "set(j['breakdown_ns']) == {'scatter', 'compute', 'load', 'reduce'}" "breakdown keys"
expect_exit 0 "ideal gemv" -- "$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --fidelity ideal --json "$tmp/i.json"
json_check "$tmp/i.json" "abs(j['latency_ns'] - j['analytic_latency_ns']) / j['analytic_latency_ns'] < 0.005" "ideal within 0.5% of analytic"
expect_exit 0 "cycle gemv" -- "$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --json "$tmp/c.json" --vcd "$tmp/c.vcd"
json_check "$tmp/c.json" "j['fidelity'] == 'cycle' and j['latency_ns'] >= j['physical_bound_ns']" "cycle at or above the physical bound"
if vcd2fst "$tmp/c.vcd" "$tmp/c.fst" >/dev/null 2>&1; then ok; else bad "vcd2fst could not read the VCD"; fi
expect_in "$tmp/c.vcd" "\$scope module pe15 \$end" "VCD has per-PE scopes"
if [ -z "$(find "$tmp" -name 'c.vcd.partial*')" ]; then ok; else bad "temporary VCD left behind"; fi

# Determinism: same inputs, same JSON apart from wall time.
"$H2SIM" gemm --hw "$hw" --m 4 --k 4096 --n 14336 --json "$tmp/d1.json" >/dev/null 2>&1
"$H2SIM" gemm --hw "$hw" --m 4 --k 4096 --n 14336 --json "$tmp/d2.json" >/dev/null 2>&1
if diff <(grep -v '"wall_' "$tmp/d1.json") <(grep -v '"wall_' "$tmp/d2.json") >/dev/null; then ok; else bad "two identical runs differ"; fi

# NPU on the NPU-only design.
expect_exit 0 "npu gemv" -- "$H2SIM" gemm --hw "$SRC/configs/hardware/npu-only.yaml" --m 1 --k 4096 --n 4096 --on npu --fidelity ideal
expect_exit 2 "nmp on npu-only" -- "$H2SIM" gemm --hw "$SRC/configs/hardware/npu-only.yaml" --m 1 --k 4096 --n 4096
expect_in "$tmp/err" "has no NMP channels" "nmp on npu-only explains"

# Bad input: exit 2, a message naming file and key, and no result written.
expect_exit 2 "unknown key" -- "$H2SIM" gemm --hw "$SRC/tests/data/bad/hardware/unknown-key.yaml" --m 1 --k 64 --n 64 --json "$tmp/bad.json"
expect_in "$tmp/err" "unknown-key.yaml:4: unknown key 'chanels' (did you mean 'channels'?)" "unknown key message"
if [ ! -e "$tmp/bad.json" ]; then ok; else bad "a failed run wrote its JSON"; fi
expect_exit 2 "wrong unit" -- "$H2SIM" gemm --hw "$SRC/tests/data/bad/hardware/wrong-unit-ghz.yaml" --m 1 --k 64 --n 64
expect_in "$tmp/err" "pe.frequency_ghz" "wrong unit names the key"
expect_exit 2 "--set out of range" -- "$H2SIM" gemm --hw "$hw" --m 1 --k 64 --n 64 --set nmp_channels=9
expect_in "$tmp/err" "nmp_channels" "--set error names the key"
expect_exit 0 "--set what-if" -- "$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --set nmp_channels=8 --fidelity analytic --json "$tmp/s.json"
json_check "$tmp/s.json" "j['tiling']['channels_per_gemm'] == 8" "--set nmp_channels=8 takes effect"
expect_exit 2 "bad fidelity" -- "$H2SIM" gemm --hw "$hw" --m 1 --k 64 --n 64 --fidelity exact
expect_in "$tmp/err" "valid: analytic, ideal, cycle" "bad fidelity lists valid values"
expect_exit 2 "zero dimension" -- "$H2SIM" gemm --hw "$hw" --m 0 --k 64 --n 64
expect_exit 0 "no --hw: the default design, as run" -- "$H2SIM" gemm --m 1 --k 64 --n 64 --fidelity analytic
expect_exit 2 "missing file" -- "$H2SIM" gemm --hw "$tmp/none.yaml" --m 1 --k 64 --n 64
expect_in "$tmp/err" "--hw: file '$tmp/none.yaml' does not exist" "missing file named"
expect_exit 2 "unknown design name" -- "$H2SIM" gemm --hw h2lm --m 1 --k 64 --n 64
expect_in "$tmp/err" "no hardware config named 'h2lm' and no such file (shipped in $SRC/configs/hardware: h2llm, " "unknown name: shipped names, closest first"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
