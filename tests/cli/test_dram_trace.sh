#!/usr/bin/env bash
# `h2sim dram --trace`: both formats, the report and JSON keys, flag conflicts, the bad-trace
# corpus (tests/data/bad_traces/expected.txt: exit 2 and the expected message), determinism.
# Run by ctest with H2SIM (the binary) and SRC (the source tree) set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"
hw="$SRC/configs/hardware/h2llm.yaml"

run() {  # run CODE DESCRIPTION COMMAND...: stdout/stderr to $tmp/out,$tmp/err
  local code=$1 what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else bad "$what: exit $got, expected $code"; cat "$tmp/err"; fi
}

# 4096 sequential 32 B reads as a load/store trace replay exactly like --pattern sequential.
python3 -c "
for i in range(4096): print('LD 0x%x' % (i * 32))" >"$tmp/seq.trace"
run 0 "replay seq" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --json "$tmp/t.json"
grep -qF "read latency avg / p99 / max" "$tmp/out" && ok || bad "report shows p99"
run 0 "pattern seq" "$H2SIM" dram --hw "$hw" --pattern sequential --bytes 131072 --json "$tmp/p.json"
python3 - "$tmp/t.json" "$tmp/p.json" <<'PY' && ok || bad "trace replay differs from --pattern sequential"
import json, sys
t, p = (json.load(open(f)) for f in sys.argv[1:])
same = ["bytes", "achieved_bandwidth_gbps", "simulated_dram_cycles", "commands", "row_hit_rate", "avg_read_latency_ns",
        "max_read_latency_ns", "stats"]
bad = [k for k in same if t[k] != p[k]]
extra = {"trace", "trace_format", "address_mapping", "requests", "reads", "writes", "avg_read_latency_cycles",
         "p99_read_latency_ns", "p99_read_latency_cycles", "requests_per_wall_s"}
missing = (set(p) - {"analytic_bandwidth_gbps", "analytic_model", "seed"}) - set(t) | extra - set(t)
print(bad, missing) if bad or missing else None
sys.exit(1 if bad or missing or t["requests"] != 4096 or t["trace_format"] != "loadstore" else 0)
PY
json_check "$tmp/t.json" "j['avg_read_latency_ns'] <= j['p99_read_latency_ns'] <= j['max_read_latency_ns']" "avg <= p99 <= max"
json_check "$tmp/t.json" "abs(j['p99_read_latency_ns'] - 1.25 * j['p99_read_latency_cycles']) < 1e-9" "p99 ns = cycles x tCK"

# A timed trace: one read at cycle 1000 on a closed bank takes nRCD + nCL + nBL = 15 + 20 + 2 CK.
printf '# one read\n1000: read 0x0\n' >"$tmp/one.stl"
run 0 "timed one" "$H2SIM" dram --hw "$hw" --trace "$tmp/one.stl" --json "$tmp/one.json"
json_check "$tmp/one.json" "j['trace_format'] == 'timed' and j['simulated_dram_cycles'] == 1037 and j['p99_read_latency_cycles'] == 37 and j['avg_read_latency_cycles'] == 37" "timed read at 1000 ends at 1037"
run 2 "timed as loadstore" "$H2SIM" dram --hw "$hw" --trace "$tmp/one.stl" --trace-format loadstore
grep -qF "one.stl:2: expected \`LD <addr>\` or \`ST <addr>\`" "$tmp/err" && ok || bad "forced format names file:line"

# Address mappings: Ramulator's RoBaRaCoCh and the swap of bank and bank group.
run 0 "RoBaRaCoCh" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --address-mapping RoBaRaCoCh --json "$tmp/m1.json"
json_check "$tmp/m1.json" "j['address_mapping'] == 'column,bank_group,bank,row'" "RoBaRaCoCh mapping reported"
run 0 "swapped" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --address-mapping column,bank,bank_group,row
run 2 "bad mapping" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --address-mapping RoCoBa
grep -qF "unknown address mapping or field 'RoCoBa'" "$tmp/err" && ok || bad "bad mapping message"

# Flag conflicts.
run 2 "trace and pattern" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --pattern random
run 2 "trace and bytes" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --bytes 64
run 2 "trace and kind" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --kind write
run 2 "trace on hb" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --path hb
run 2 "neither" "$H2SIM" dram --hw "$hw"
run 2 "json is the trace" "$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --json "$tmp/seq.trace"
run 2 "missing trace" "$H2SIM" dram --hw "$hw" --trace "$tmp/none.trace"
run 2 "trace is a folder" "$H2SIM" dram --hw "$hw" --trace "$tmp"

# The bad-trace corpus: exit 2, every fragment in the message, no JSON written.
bad_dir="$SRC/tests/data/bad_traces"
while IFS= read -r line; do
  case "$line" in '#'* | '') continue ;; esac
  IFS='|' read -ra fields <<<"$line"
  file=$(echo "${fields[0]}" | xargs)
  run 2 "bad trace $file" "$H2SIM" dram --hw "$hw" --trace "$bad_dir/$file" --json "$tmp/bad.json"
  for frag in "${fields[@]:1}"; do
    frag=$(echo "$frag" | sed -e 's/^ *//' -e 's/ *$//')
    grep -qF -- "$frag" "$tmp/err" && ok || { bad "$file: '$frag' not in the message"; cat "$tmp/err"; }
  done
  [ ! -e "$tmp/bad.json" ] && ok || bad "$file: a failed replay wrote its JSON"
done <"$bad_dir/expected.txt"

# Determinism.
"$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --json "$tmp/d1.json" >/dev/null 2>&1
"$H2SIM" dram --hw "$hw" --trace "$tmp/seq.trace" --json "$tmp/d2.json" >/dev/null 2>&1
if diff <(grep -v 'wall' "$tmp/d1.json") <(grep -v 'wall' "$tmp/d2.json") >/dev/null; then ok; else bad "two replays differ"; fi

echo "cli.dram_trace: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
