#!/usr/bin/env bash
# End-to-end checks of `h2sim sweep` and `h2sim merge` on the tiny sweep: 2 shards + merge give
# the same bytes as one process, resume skips finished points, bad specs and flags exit 2.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"
expect_rc() {  # expect_rc CODE DESCRIPTION COMMAND...
  local want=$1 what=$2
  shift 2
  "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, expected $want"; cat "$tmp/err.txt"; fi
}
spec="$SRC/tests/data/sweeps/tiny.yaml"

expect_rc 0 "one-process sweep" "$H2SIM" sweep "$spec" --out "$tmp/one" --jobs 2
expect_rc 0 "merge of one-process sweep" "$H2SIM" merge "$tmp/one"
# Shards in reverse order, one of them with 2 jobs.
expect_rc 0 "shard 2/2" "$H2SIM" sweep "$spec" --out "$tmp/two" --shard 2/2 --jobs 2
expect_rc 1 "merge with half the points missing exits 1" "$H2SIM" merge "$tmp/two"
grep -q ",missing," "$tmp/two/results.csv" && ok || bad "missing points listed in the partial CSV"
expect_rc 0 "shard 1/2" "$H2SIM" sweep "$spec" --out "$tmp/two" --shard 1/2
expect_rc 0 "merge of 2 shards" "$H2SIM" merge "$tmp/two"
cmp -s "$tmp/one/results.csv" "$tmp/two/results.csv" && ok || bad "results.csv differs between 1 process and 2 shards"
cmp -s "$tmp/one/summary.json" "$tmp/two/summary.json" && ok || bad "summary.json differs between 1 process and 2 shards"
[ "$(wc -l <"$tmp/one/results.csv")" -eq 9 ] && ok || bad "results.csv has a header and 8 points"
grep -q wall "$tmp/one/results.csv" && bad "wall time in results.csv" || ok
for d in "$tmp"/one/points/*/; do
  [ -s "$d/config.yaml" ] && [ -s "$d/result.json" ] || bad "point folder $d incomplete"
done
ok

# Resume: a deleted result is the only point that runs again.
rm "$tmp/one/points/005_cycle_1_4_800/result.json"
expect_rc 0 "resumed sweep" "$H2SIM" sweep "$spec" --out "$tmp/one"
grep -q "1 points ran (7 already done)" "$tmp/err.txt" && ok || { bad "resume reran only the missing point"; cat "$tmp/err.txt"; }
expect_rc 0 "merge after resume" "$H2SIM" merge "$tmp/one"
cmp -s "$tmp/one/results.csv" "$tmp/two/results.csv" && ok || bad "results.csv differs after resume"

# Every flag of run can be swept, KEY=VALUE flags as PREFIX.KEY (--dry-run prints the command lines).
cat >"$tmp/every.yaml" <<SPEC
name: every
command: run
base: {model: $SRC/tests/data/e2e/tiny-llama.yaml, scenario: $SRC/tests/data/e2e/tiny-scenario.yaml, dataflow: fc-nmp}
axes:
  - context-stride: [1, 8]
  - {energy-set.pe_mac_pj: [0.5], dram-set.hb_port.row_switch: [prefetch_buffer], set.nmp_channels: [4]}
SPEC
expect_rc 0 "dry run of every kind of key" "$H2SIM" sweep "$tmp/every.yaml" --out "$tmp/every" --dry-run
grep -q -- "--context-stride 8 .*--set nmp_channels=4 --energy-set pe_mac_pj=0.5 --dram-set hb_port.row_switch=prefetch_buffer" "$tmp/out.txt" \
  && ok || { bad "swept flags on the command line"; cat "$tmp/out.txt"; }
# ... and the swept values reach the runs: context-stride changes the decode latency, pe_mac_pj the
# PE energy, row_switch the HB streaming (issue 15: these three could not be swept before).
cat >"$tmp/real.yaml" <<SPEC
name: real
command: run
base: {model: $SRC/tests/data/e2e/tiny-llama.yaml, scenario: $SRC/tests/data/e2e/tiny-scenario.yaml, dataflow: fc-nmp}
axes:
  - context-stride: [1, 8]
  - {energy-set.pe_mac_pj: [0.5, 1], dram-set.hb_port.row_switch: [exposed, prefetch_buffer]}
SPEC
expect_rc 0 "sweep of context-stride, energy-set and dram-set" "$H2SIM" sweep "$tmp/real.yaml" --out "$tmp/real" --jobs 2
expect_rc 0 "merge of that sweep" "$H2SIM" merge "$tmp/real"
col() { awk -F, -v id="$1" -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $1 == id { print $c[name] }' "$tmp/real/results.csv"; }
[ "$(col 000_1_0.5_exposed status)$(col 003_8_1_prefetch-buffer status)" = okok ] && ok || { bad "real sweep points ok"; cat "$tmp/real/results.csv"; }
[ "$(col 000_1_0.5_exposed latency_s)" != "$(col 002_8_0.5_exposed latency_s)" ] && ok || bad "context-stride 1 vs 8: same latency"
[ "$(col 000_1_0.5_exposed latency_s)" != "$(col 001_1_1_prefetch-buffer latency_s)" ] && ok || bad "row_switch exposed vs prefetch_buffer: same latency"
# Same MACs at twice the price per MAC: twice the PE compute energy.
awk -v a="$(col 000_1_0.5_exposed energy.components_j.pe_compute)" -v b="$(col 001_1_1_prefetch-buffer energy.components_j.pe_compute)" \
  'BEGIN { exit !(a > 0 && b / a > 1.999999 && b / a < 2.000001) }' && ok || bad "pe_mac_pj 0.5 vs 1: PE compute energy not doubled"
sed -i 's/context-stride: \[1, 8\]/context-stride: [0, 8]/' "$tmp/every.yaml"
expect_rc 2 "context-stride 0 is out of run's range" "$H2SIM" sweep "$tmp/every.yaml" --out "$tmp/every" --dry-run
grep -q "context-stride.*the range of run --context-stride" "$tmp/err.txt" && ok || { bad "range error names the flag"; cat "$tmp/err.txt"; }

# Bad input: exit 2 naming the file and key.
printf 'name: x\ncommand: run\naxes:\n  - fidelty: [analytic]\n' >"$tmp/bad.yaml"
expect_rc 2 "unknown axis key" "$H2SIM" sweep "$tmp/bad.yaml" --out "$tmp/bad"
grep -q "bad.yaml.*fidelty.*did you mean 'fidelity'" "$tmp/err.txt" && ok || { bad "error names file and key"; cat "$tmp/err.txt"; }
expect_rc 2 "bad --shard" "$H2SIM" sweep "$spec" --out "$tmp/x" --shard 3/2
expect_rc 2 "merge of a folder that is no sweep" "$H2SIM" merge "$tmp/nowhere"
# A spec that changed under the same folder is refused rather than mixed.
sed 's/batch: \[1, 2\]/batch: [1, 3]/' "$spec" >"$tmp/changed.yaml"
sed -i "s#\.\./\.\./\.\./#$SRC/#; s#\.\./e2e/#$SRC/tests/data/e2e/#g" "$tmp/changed.yaml"
expect_rc 2 "changed spec in the same folder" "$H2SIM" sweep "$tmp/changed.yaml" --out "$tmp/one"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
