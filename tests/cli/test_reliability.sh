#!/usr/bin/env bash
# Reliability checks of the h2sim executable: `h2sim check` on every bad input (exit 2, a message
# naming the file and the expected fragments) and on every shipped config (exit 0); exit codes
# and output files of analyze / explore; determinism across thread counts.
# Run by ctest with H2SIM (the binary) and SRC (the source tree) set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
bad_dir="$SRC/tests/data/bad"

# --- every bad file: exit 2, the message names the file and carries every expected fragment.
while IFS= read -r line; do
  case "$line" in '#'* | '') continue ;; esac
  IFS='|' read -r -a fields <<<"$line"
  rel=$(echo "${fields[0]}" | xargs)
  [ -e "$bad_dir/$rel" ] || { bad "$rel listed in expected.txt but missing"; continue; }
  (cd "$bad_dir" && "$H2SIM" check --quiet "$rel") >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ "$code" -ne 2 ]; then bad "check $rel: exit $code, expected 2"; cat "$tmp/err"; continue; fi
  if ! grep -qF -- "$rel" "$tmp/err"; then bad "check $rel: message does not name the file"; cat "$tmp/err"; continue; fi
  missing=""
  for ((i = 1; i < ${#fields[@]}; i++)); do
    frag=$(echo "${fields[$i]}" | sed 's/^ *//; s/ *$//')
    grep -qF -- "$frag" "$tmp/err" || missing="$missing '$frag'"
  done
  if [ -z "$missing" ]; then ok; else bad "check $rel: missing$missing"; cat "$tmp/err"; fi
done <"$bad_dir/expected.txt"

# --- every shipped config: exit 0, and the resolved values carry units.
for f in $(find "$SRC/configs" -type f -name '*.yaml' | sort); do
  if "$H2SIM" check "$f" >"$tmp/out" 2>"$tmp/err"; then ok; else bad "check $f failed"; cat "$tmp/err"; fi
done
"$H2SIM" check "$SRC/configs/hardware/h2llm.yaml" >"$tmp/out" 2>&1
grep -qF "600 MHz" "$tmp/out" && grep -qF "GB/s per channel" "$tmp/out" && ok || bad "check prints units"
# Several files: all are checked, one bad file makes the exit code 2.
"$H2SIM" check "$SRC/configs/scenarios/humaneval.yaml" "$bad_dir/scenario/zero_decode.yaml" \
  "$SRC/configs/models/llama3-8b.yaml" >"$tmp/out" 2>"$tmp/err"
code=$?
[ "$code" -eq 2 ] && grep -qF "llama3-8b.yaml: model config, valid" "$tmp/out" && grep -qF "1 of 3 file(s)" "$tmp/err" \
  && ok || bad "check of 3 files with one bad: exit $code"
# Explicit kind, dataflow against an explicit model and design.
"$H2SIM" check --kind scenario "$SRC/configs/hardware/h2llm.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "--kind scenario on a hardware file must fail"
"$H2SIM" check --kind nonsense "$SRC/configs/hardware/h2llm.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "valid: hardware" "$tmp/err" && ok || bad "--kind nonsense lists valid kinds"
"$H2SIM" check --hw "$SRC/configs/hardware/h2llm.yaml" --model "$SRC/configs/models/llama3-8b.yaml" \
  "$SRC/tests/data/mapping/llama_handwritten.yaml" >"$tmp/out" 2>&1 && ok || bad "dataflow with --hw/--model"
"$H2SIM" check --batch 64 "$SRC/tests/data/mapping/llama_handwritten.yaml" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "overfilled" "$tmp/err" && ok || bad "dataflow capacity at batch 64 must overflow"
# Missing file and folder: exit 2, named.
"$H2SIM" check "$tmp/none.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "none.yaml: cannot open file for reading: no such file" "$tmp/err" && ok || bad "missing file"
"$H2SIM" check "$SRC/configs" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "it is a folder" "$tmp/err" && ok || bad "folder"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
