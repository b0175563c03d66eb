#!/usr/bin/env bash
# `run --trace`: the whole inference on the simulated time axis, in the trace-event format
# (Chrome / Perfetto). Checks the format (fields, phases, per-track order, flows), that the trace
# spans the reported latency, that operator durations add up to the reported per-operator times,
# and that later decode steps are aggregated (--trace-detail-steps) with the same totals.
set -u
. "$(dirname "$0")/lib.sh"

tiny=(--hw "$SRC/configs/hardware/h2llm.yaml" --model "$SRC/tests/data/e2e/tiny-llama.yaml"
      --scenario "$SRC/tests/data/e2e/tiny-scenario.yaml" --batch 2 --out "$tmp/out" --quiet)
"$H2SIM" run "${tiny[@]}" --trace "$tmp/t.json" --json "$tmp/r.json" --trace-detail-steps 2 >/dev/null 2>"$tmp/err" \
  || { bad "run --trace failed"; cat "$tmp/err"; }

check_trace() {  # check_trace TRACE REPORT DETAIL_STEPS
  python3 - "$@" <<'PY'
import json, sys, collections
trace, report, detail = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
ev = trace["traceEvents"]
errors = []
def err(m):
    if len(errors) < 20: errors.append(m)
# The trace-event format: required fields and phases used here (X complete, M metadata, C counter,
# s/f flow start/finish).
for e in ev:
    for k in ("name", "ph", "pid", "tid", "ts"):
        if k not in e: err(f"event without '{k}': {e}")
    if e.get("ph") not in ("X", "M", "C", "s", "f"): err(f"phase {e.get('ph')}")
    if not isinstance(e.get("ts"), (int, float)): err(f"ts not a number: {e}")
    if e.get("ph") == "X" and not (isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0): err(f"X without dur >= 0: {e}")
    if e.get("ph") in ("s", "f") and "id" not in e: err(f"flow without id: {e}")
    if e.get("ph") == "f" and e.get("bp") != "e": err(f"flow end not bound to its enclosing slice: {e}")
# Timestamps never go back on a track; passes, layers and MAGs do not overlap.
last = {}
ends = {}
names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
for e in ev:
    if e["ph"] != "X": continue
    key = (e["pid"], e["tid"])
    if e["ts"] < last.get(key, -1): err(f"ts goes back on {names.get(key, key)}: {e}")
    last[key] = e["ts"]
    tname = names.get(key, "")
    if tname.startswith(("passes", "layers", "MAGs")):
        if e["ts"] < ends.get(key, -1) - 1e-6 * max(1, e["ts"]): err(f"overlap on {tname}: {e}")
        ends[key] = e["ts"] + e["dur"]
# Flows: every start has one finish, not earlier.
starts = {e["id"]: e for e in ev if e["ph"] == "s"}
finishes = {e["id"]: e for e in ev if e["ph"] == "f"}
if set(starts) != set(finishes): err("flow starts and finishes do not pair up")
for i, s in starts.items():
    if i in finishes and finishes[i]["ts"] < s["ts"]: err(f"flow {i} ends before it starts")
if not starts: err("no flows from operators to channel work")
# The whole run on the time axis: from 0 to the reported latency.
xs = [e for e in ev if e["ph"] == "X"]
t0 = min(e["ts"] for e in xs); t1 = max(e["ts"] + e["dur"] for e in xs)
lat_us = report["latency_s"] * 1e6
if abs(t0) > 1e-9 or abs(t1 - lat_us) > 1e-6 * lat_us: err(f"trace spans {t0}..{t1} us, latency {lat_us} us")
passes = [e for e in xs if names.get((e["pid"], e["tid"]), "").startswith("passes")]
if len(passes) != 1 + report["decode_tokens"]: err(f"{len(passes)} passes, expected prefill + {report['decode_tokens']} steps")
pre = [p for p in passes if p["name"] == "prefill"][0]
# Operator durations add up to the report's per-operator times (prefill and decode).
sums = collections.defaultdict(lambda: [0.0, 0.0])
for e in xs:
    if e.get("cat") == "operator":
        sums[e["name"]][0 if e["ts"] < pre["ts"] + pre["dur"] else 1] += e["dur"] * 1e-6
for op in report["operators"]:
    for k, key in ((0, "prefill_s"), (1, "decode_s")):
        got, want = sums[op["name"]][k], op[key]
        if abs(got - want) > 1e-9 + 1e-9 * want: err(f"operator {op['name']} {key}: trace {got} s, report {want} s")
# Reused measurements are marked; detailed passes show the channels, later steps are aggregated.
measurements = collections.Counter(e.get("args", {}).get("measurement") for e in xs if e.get("cat") == "mag")
if not measurements.get("simulated") or not (measurements.get("memoized") or measurements.get("layer repeat of simulated")):
    err(f"measurement sources: {dict(measurements)}")
aggregated = [p for p in passes if p["args"]["detail"].startswith("aggregated")]
if len(aggregated) != max(0, report["decode_tokens"] - detail): err(f"{len(aggregated)} aggregated steps")
tracks = set(names.values())
for t in ("compute", "scatter", "load", "link", "refresh"):
    if t not in tracks: err(f"no '{t}' track")
if not any(e["ph"] == "C" for e in ev): err("no bandwidth counter")
procs = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
if not {"inference", "NPU", "channel 0"} <= procs: err(f"processes {procs}")
print("\n".join(errors) if errors else f"ok: {len(ev)} events, span {t1:.3f} us = latency {lat_us:.3f} us")
sys.exit(1 if errors else 0)
PY
}
if out=$(check_trace "$tmp/t.json" "$tmp/r.json" 2); then ok; else bad "trace (detail 2): $out"; fi

# All steps in detail: same totals, more events.
"$H2SIM" run "${tiny[@]}" --trace "$tmp/all.json" --json "$tmp/r2.json" --trace-detail-steps 4 >/dev/null 2>&1 || bad "run --trace-detail-steps 4"
if out=$(check_trace "$tmp/all.json" "$tmp/r2.json" 4); then ok; else bad "trace (all detailed): $out"; fi
[ "$(stat -c %s "$tmp/all.json")" -gt "$(stat -c %s "$tmp/t.json")" ] && ok || bad "aggregated steps do not shrink the trace"

# Bad input: exit 2 naming the flag.
"$H2SIM" run "${tiny[@]}" --trace "$tmp/x.json" --trace-detail-steps -1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "trace-detail-steps" "$tmp/err" && [ ! -e "$tmp/x.json" ] && ok || bad "--trace-detail-steps -1"

echo "timeline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
