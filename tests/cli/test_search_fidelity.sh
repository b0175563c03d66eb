#!/usr/bin/env bash
# `run --search-fidelity cycle` (study/dataflow_selection.hpp): the searched space's leaders and the
# best cc-nmp dataflow are simulated at cycle fidelity and the fastest is run; it is never slower
# than the analytic-searched dataflow (a candidate itself); the choice is cached under OUT and
# reused; bad combinations are refused. Run by ctest with H2SIM and SRC set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"


M="--model $SRC/tests/data/e2e/tiny-llama.yaml --scenario $SRC/tests/data/e2e/tiny-scenario.yaml"
# shellcheck disable=SC2086
expect_exit 0 "cycle-selected run" -- "$H2SIM" run $M --search-fidelity cycle --search-candidates 3 --out "$tmp/o" --json "$tmp/c.json"
expect_in "$tmp/err" "simulating 4 candidate dataflows at cycle fidelity" "3 leaders + the cc-nmp best"
expect_in "$tmp/err" "<- chosen" "the choice is reported"
json_check "$tmp/c.json" "j['search_fidelity'] == 'cycle' and len(j['dataflow_selection']['candidates']) == 4" "selection in the JSON"
# The run simulates the chosen candidate: its latency is the smallest candidate's, and no more than
# the analytic best's (candidate 1) at cycle fidelity.
json_check "$tmp/c.json" "abs(j['latency_s'] - min(c['cycle_latency_s'] for c in j['dataflow_selection']['candidates'])) <= 1e-15 * j['latency_s']" "runs the fastest candidate"
json_check "$tmp/c.json" "j['latency_s'] <= j['dataflow_selection']['analytic_best_cycle_latency_s']" "no slower than the analytic best"
# The analytic-searched run (same OUT: its own cache) gives the analytic best's latency.
# shellcheck disable=SC2086
expect_exit 0 "analytic-searched run" -- "$H2SIM" run $M --out "$tmp/o" --json "$tmp/a.json"
python3 -c "import json,sys; a=json.load(open('$tmp/a.json')); c=json.load(open('$tmp/c.json')); sys.exit(0 if a['latency_s'] == c['dataflow_selection']['analytic_best_cycle_latency_s'] and c['latency_s'] <= a['latency_s'] else 1)" \
  && ok || bad "the analytic-searched run is candidate 1 and not faster than the selection"
# Cached: the same inputs reuse the choice (no child runs), same result.
# shellcheck disable=SC2086
expect_exit 0 "cached cycle-selected run" -- "$H2SIM" run $M --search-fidelity cycle --search-candidates 3 --out "$tmp/o" --json "$tmp/c2.json"
expect_in "$tmp/err" "using the cycle-selected dataflow cached in" "the cache is reused"
python3 -c "import json,sys; a=json.load(open('$tmp/c.json')); b=json.load(open('$tmp/c2.json')); sys.exit(0 if a['latency_s'] == b['latency_s'] else 1)" \
  && ok || bad "cached choice gives the same latency"
# Another DRAM override is another key: simulated again.
# shellcheck disable=SC2086
expect_exit 0 "another --dram-set" -- "$H2SIM" run $M --search-fidelity cycle --search-candidates 3 --out "$tmp/o" --dram-set hb_port.row_switch=salp
expect_in "$tmp/err" "simulating 4 candidate dataflows" "a DRAM override is part of the key"
# Refused: analytic fidelity, --artifact-compat.
# shellcheck disable=SC2086
expect_exit 2 "analytic fidelity" -- "$H2SIM" run $M --search-fidelity cycle --fidelity analytic --out "$tmp/o"
expect_in "$tmp/err" "needs --fidelity cycle" "names what it needs"
# shellcheck disable=SC2086
expect_exit 2 "unknown value" -- "$H2SIM" run $M --search-fidelity exact --out "$tmp/o"

echo "cli.search_fidelity: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
