#!/usr/bin/env bash
# `h2sim area`: the breakdown table, --json (units in keys, written atomically, deterministic), the
# fit verdict both ways, and bad input (exit 2, message naming file and key, nothing written).
# Run by ctest with H2SIM (the binary) and SRC (the source tree) set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
source "$(dirname "$0")/lib.sh"


expect_exit 0 "area help" -- "$H2SIM" area --help
expect_in "$tmp/out" "--json" "area help lists --json"

# H2-LLM: the logic die per channel, its parts, and that it fits under its DRAM die.
expect_exit 0 "area h2llm" -- "$H2SIM" area --hw h2llm --json "$tmp/h2.json"
expect_in "$tmp/out" "NMP logic die per NMP channel (logic 7 nm)" "table names the die and its node"
expect_in "$tmp/out" "fit: the NMP die" "table gives the fit verdict"
json_check "$tmp/h2.json" "set(j['area_mm2']['nmp_die_per_channel']) == {'macs','weight_buffers','input_buffer','output_buffer','sram','hb_pads','controller','total'}" "NMP die components"
json_check "$tmp/h2.json" "abs(sum(v for k, v in j['area_mm2']['nmp_die_per_channel'].items() if k not in ('sram', 'total')) - j['area_mm2']['nmp_die_per_channel']['total']) < 1e-9" "components add up to the total"
json_check "$tmp/h2.json" "j['fit']['nmp_die_fits_under_dram_die'] and j['fit']['slack_mm2'] > 0" "h2llm fits"
json_check "$tmp/h2.json" "j['nmp_detail']['hb_data_pads_per_bank'] == 256 and j['nmp_detail']['macs_per_channel'] == 2048" "pads and MACs counted"
# Same inputs, same bytes.
"$H2SIM" area --hw h2llm --json "$tmp/h2b.json" >/dev/null 2>&1
if cmp -s "$tmp/h2.json" "$tmp/h2b.json"; then ok; else bad "two identical area runs differ"; fi

# A DRAM die too small for the logic die: said plainly, exit 0 (it is a result, not an error).
expect_exit 0 "area does not fit" -- "$H2SIM" area --hw h2llm --set area.hb_pitch_um=100 --set area.hb_pads_per_data_pad=4 --json "$tmp/nf.json"
expect_in "$tmp/out" "DOES NOT FIT" "not fitting is said"
json_check "$tmp/nf.json" "not j['fit']['nmp_die_fits_under_dram_die'] and j['fit']['slack_mm2'] < 0" "JSON says it does not fit"

# In-die PIM units in the DRAM process; the NPU-only design has no NMP die.
expect_exit 0 "area id-nmp-plus" -- "$H2SIM" area --hw id-nmp-plus --json "$tmp/id.json"
expect_in "$tmp/out" "PIM units per NMP channel (DRAM (20 nm logic x 2))" "in-die units in the DRAM process"
json_check "$tmp/id.json" "'pim_units_per_channel' in j['area_mm2'] and 'hb_pads' not in j['area_mm2']['pim_units_per_channel'] and 0 < j['pim_fraction_of_dram_die'] < 1" "in-die JSON"
expect_exit 0 "area npu-only" -- "$H2SIM" area --hw npu-only --json "$tmp/cp.json"
json_check "$tmp/cp.json" "'nmp_die_per_channel' not in j['area_mm2'] and j['area_mm2']['npu'] > 0" "npu-only has only NPU and DRAM"

# `check` prints the resolved coefficients with their units.
expect_exit 0 "check h2llm" -- "$H2SIM" check "$SRC/configs/hardware/h2llm.yaml"
expect_in "$tmp/out" "area.logic_node                  7 nm (NMP logic die)" "check prints the logic node"
expect_in "$tmp/out" "area.hb_pads                     9 um pitch, 800 Mb/s per data pad, 2 pads per data pad" "check prints the pads"

# Bad input: exit 2, the key named, no JSON written.
expect_exit 2 "unknown node" -- "$H2SIM" area --hw h2llm --set area.logic_node_nm=28 --json "$tmp/bad.json"
expect_in "$tmp/err" "key 'area.logic_node_nm': no area scaling for 28 nm" "bad node names the key"
if [ ! -e "$tmp/bad.json" ]; then ok; else bad "a failed area run wrote its JSON"; fi
expect_exit 2 "bad file" -- "$H2SIM" area --hw "$SRC/tests/data/bad/hardware/area-zero-pitch.yaml"
expect_in "$tmp/err" "area-zero-pitch.yaml:31: key 'area.hb_pitch_um'" "bad file names file, line and key"
expect_exit 2 "bond key on an in-die design" -- "$H2SIM" area --hw id-nmp --set area.hb_pitch_um=9
expect_in "$tmp/err" "area.hb_pitch_um" "--set of a key the design lacks is named"
expect_exit 2 "json onto a folder" -- "$H2SIM" area --hw h2llm --json "$tmp"
expect_in "$tmp/err" "is a folder" "an output that is a folder is refused before work"
expect_exit 2 "json onto its input" -- "$H2SIM" area --hw "$tmp/h2.json" --json "$tmp/h2.json"
expect_in "$tmp/err" "is an input of this command" "the input is not overwritten"

echo "cli.area: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
