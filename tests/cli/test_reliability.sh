#!/usr/bin/env bash
# Reliability checks of the h2sim executable: `h2sim check` on every bad input (exit 2, a message
# naming the file and the expected fragments) and on every shipped config (exit 0); exit codes
# and output files of analyze / explore; determinism across thread counts.
# Run by ctest with H2SIM (the binary) and SRC (the source tree) set.
set -u
: "${H2SIM:?path of the h2sim binary}" "${SRC:?source tree}"
SRC=$(cd "$SRC" && pwd)
H2SIM=$(cd "$(dirname "$H2SIM")" && pwd)/$(basename "$H2SIM")
source "$(dirname "$0")/lib.sh"
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

# --- exit codes and output files of analyze / explore.
hw="$SRC/configs/hardware/h2llm.yaml"
model="$SRC/configs/models/llama3-8b.yaml"
"$H2SIM" analyze --hw "$SRC/tests/data/bad/hardware/unknown-key.yaml" --model "$model" --scenario humaneval \
  --batch 1 --dataflow npu-only --json "$tmp/bad.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/bad.json" ] && ok || bad "analyze with a bad hardware file: exit 2, no JSON"
"$H2SIM" analyze --hw "$hw" --model "$model" --scenario "$SRC/tests/data/bad/scenario/context_beyond_max.yaml" \
  --batch 1 --dataflow npu-only --json "$tmp/bad.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/bad.json" ] && grep -qF "decode_tokens" "$tmp/err" && ok || bad "analyze with a bad scenario"
"$H2SIM" explore --hw "$hw" --model "$SRC/tests/data/bad/model/kv_heads_not_dividing.yaml" --scenario humaneval \
  --batch 1 --out "$tmp/exbad" --quiet >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/exbad/summary.json" ] && ok || bad "explore with a bad model: exit 2, no summary"
"$H2SIM" analyze --hw "$hw" --model "$model" --scenario humaneval --batch 1 --dataflow nonsense >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "analyze --dataflow nonsense: exit 2"
"$H2SIM" explore --hw "$hw" --model "$model" --scenario humaneval --batch 1 --out "$tmp/x" --threads 1 \
  --mutation-ratio 2 --quiet >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--mutation-ratio" "$tmp/err" && ok || bad "explore --mutation-ratio 2: exit 2"

# --- numeric flags: a documented range, checked before any file is read (exit 2, the message
# names the flag, the value and the range); no octal, no silent clamping, no NaN.
exo=(explore --hw "$hw" --model "$model" --scenario humaneval --batch 1 --quiet)
ex=("${exo[@]}" --out "$tmp/xb")
an=(analyze --hw "$hw" --model "$model" --scenario humaneval --batch 1 --dataflow fc-nmp)
flag_case() {  # expected-fragment, then the command line
  local frag=$1
  shift
  "$H2SIM" "$@" >/dev/null 2>"$tmp/err"
  local code=$?
  [ "$code" -eq 2 ] && grep -qF -- "$frag" "$tmp/err" && ok || { bad "h2sim $*: exit $code"; cat "$tmp/err"; }
}
flag_case "--population: 100000000 is out of range (valid: 2..100000" "${ex[@]}" --population 100000000
flag_case "--population: '1e8' is not a whole number" "${ex[@]}" --population 1e8
flag_case "--generations: 0 is out of range (valid: 1..100000)" "${ex[@]}" --generations 0
flag_case "= 2000000000 evaluations is more than" "${ex[@]}" --population 100000 --generations 20000
flag_case "--top-k 3000 is out of range (valid: 2..2500" "${ex[@]}" --top-k 3000
flag_case "--top-k 20 is out of range (valid: 2..10" "${ex[@]}" --population 010 --top-k 20
flag_case "--threads: 100000 is out of range (valid: 1..256)" "${ex[@]}" --threads 100000
flag_case "--seed: '-1' is not a whole number 0 or more" "${ex[@]}" --seed -1
flag_case "--seed: 99999999999999999999 is out of range" "${ex[@]}" --seed 99999999999999999999
flag_case "--mutation-ratio: 'nan' is not a finite number (valid: [0, 1])" "${ex[@]}" --mutation-ratio nan
flag_case "--batch: 0 is out of range (valid: 1..4096)" "${ex[@]}" --batch 0
flag_case "--population: 1 is out of range" "${an[@]}" --population 1
flag_case "--threads: 257 is out of range (valid: 0..256)" "${an[@]}" --threads 257
flag_case "--bytes: 99999999999999999999999 is out of range (valid: 1..1073741824" \
  dram --hw "$hw" --pattern sequential --bytes 99999999999999999999999
flag_case "--bytes: '1e30' is not a whole number" dram --hw "$hw" --pattern sequential --bytes 1e30
flag_case "--max-context: 0 is out of range" check --max-context 0 "$SRC/configs/scenarios/humaneval.yaml"
flag_case "--batch: 5000 is out of range (valid: 1..4096)" check --batch 5000 "$SRC/configs/scenarios/humaneval.yaml"
flag_case "--jobs: 0 is out of range (valid: 1..256" sweep "$SRC/tests/data/sweeps/tiny.yaml" --out "$tmp/sw" --jobs 0
flag_case "--jobs: 1000 is out of range (valid: 1..256" experiment "$SRC/tests/data/experiments/tiny.yaml" \
  --out "$tmp/exj" --jobs 1000
[ ! -e "$tmp/xb" ] && [ ! -e "$tmp/sw" ] && [ ! -e "$tmp/exj" ] && ok || bad "a rejected flag left an output folder"
# The search budget counts the scenario's decode steps (an evaluation prices every step): a
# 16M-token scenario made the default search run for a day; --space hardware kept 64 evaluators
# of ~160 B per step each.
printf 'name: long\nprompt_tokens: 1\ndecode_tokens: 16777215\nmax_context_tokens: 16777216\n' >"$tmp/long.yaml"
printf 'name: mid\nprompt_tokens: 1\ndecode_tokens: 1000000\nmax_context_tokens: 1000001\n' >"$tmp/mid.yaml"
flag_case "x 16777215 decode steps of scenario 'long' = 2.1e+12 step evaluations, more than the 1e+11" \
  explore --hw "$hw" --model "$model" --scenario "$tmp/long.yaml" --batch 1 --out "$tmp/xl" --quiet
flag_case "64 evaluators (1 thread(s) x 64 hardware variant(s)) over 1000000 decode steps" \
  explore --hw "$hw" --model "$model" --scenario "$tmp/mid.yaml" --batch 1 --out "$tmp/xl" --quiet --space hardware \
  --population 10 --generations 1
# `explore` without --top-k and a population below its default keeps at most the population.
"$H2SIM" "${ex[@]}" --population 10 --generations 2 >/dev/null 2>"$tmp/err" && ok || { bad "explore --population 10"; cat "$tmp/err"; }

# --- output paths: a folder, a FIFO, a file standing where a folder should be: exit 2 before
# anything runs, no partial file; a folder that does not exist yet is created.
mkfifo "$tmp/fifo"
touch "$tmp/afile"
flag_case "--json $tmp: is a folder" "${an[@]}" --json "$tmp"
flag_case "is not a regular file (a device, FIFO or socket)" "${an[@]}" --json "$tmp/fifo"
[ -p "$tmp/fifo" ] && ok || bad "the FIFO was replaced"
flag_case "cannot create it: '$tmp/afile' is not a folder" "${an[@]}" --json "$tmp/afile/x.json"
flag_case "--json $tmp/an.json/: ends with '/'" "${an[@]}" --json "$tmp/an.json/"
flag_case "--out $tmp/afile: exists and is not a folder" "${exo[@]}" --out "$tmp/afile"
flag_case "--json $tmp: is a folder" dram --hw "$hw" --pattern sequential --bytes 64 --json "$tmp"
flag_case "cannot create a file in folder '/proc'" "${an[@]}" --json /proc/h2sim-test.json
cp "$SRC/configs/models/llama3-8b.yaml" "$tmp/model-copy.yaml"
flag_case "is an input of this command" analyze --hw "$hw" --model "$tmp/model-copy.yaml" --scenario humaneval --batch 1 \
  --dataflow fc-nmp --json "$tmp/./model-copy.yaml"
cmp -s "$SRC/configs/models/llama3-8b.yaml" "$tmp/model-copy.yaml" && ok || bad "analyze --json replaced its model"
ln -s loop2 "$tmp/loop1"
ln -s loop1 "$tmp/loop2"
flag_case "--dataflow $tmp/loop1: Too many levels of symbolic links" analyze --hw "$hw" --model "$model" \
  --scenario humaneval --batch 1 --dataflow "$tmp/loop1"
flag_case "--json $tmp/loop1: Too many levels of symbolic links" "${an[@]}" --json "$tmp/loop1"
[ -L "$tmp/loop1" ] && ok || bad "the symlink loop given to --json was replaced"
flag_case "loop1: cannot open file for reading: Too many levels of symbolic links" check "$tmp/loop1"
mkdir -p "$tmp/xs/summary.json"
flag_case "--out $tmp/xs/summary.json: is a folder" "${exo[@]}" --out "$tmp/xs"
"$H2SIM" "${an[@]}" --json "$tmp/new/folder/an.json" >/dev/null 2>"$tmp/err" && [ -s "$tmp/new/folder/an.json" ] && ok \
  || bad "analyze --json into a new folder"
[ -z "$(find "$tmp" -name '*.partial*' -o -name '.h2sim-write-probe*')" ] && ok || bad "a temporary or probe file was left"

# --- Ctrl-C: explore keeps the best so far (complete files, "interrupted": true); analyze writes
# nothing; neither leaves a temporary file. SIGKILL leaves no result file at all.
long_search=(--population 2500 --generations 100000)
"$H2SIM" explore --hw "$hw" --model "$model" --scenario humaneval --batch 4 --out "$tmp/int" --threads 1 --quiet \
  "${long_search[@]}" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
code=$?
[ "$code" -eq 0 ] && grep -qF "interrupted; keeping the best" "$tmp/err" && ok || { bad "explore SIGINT: exit $code"; cat "$tmp/err"; }
python3 -c "import json,sys; j=json.load(open('$tmp/int/summary.json')); sys.exit(0 if j['search']['interrupted'] else 1)" \
  && ok || bad "explore SIGINT: summary.json complete with interrupted: true"
[ -s "$tmp/int/best_dataflow.yaml" ] && "$H2SIM" check --quiet "$tmp/int/best_dataflow.yaml" && ok || bad "explore SIGINT: best dataflow valid"
[ -z "$(find "$tmp/int" -name '*.partial*')" ] && ok || bad "explore SIGINT left a temporary file"

"$H2SIM" analyze --hw "$hw" --model "$model" --scenario humaneval --batch 4 --dataflow h2llm --threads 1 \
  "${long_search[@]}" --json "$tmp/an_int.json" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
code=$?
[ "$code" -eq 130 ] && grep -qF "interrupted (Ctrl-C)" "$tmp/err" && [ ! -e "$tmp/an_int.json" ] && ok \
  || { bad "analyze SIGINT: exit $code, JSON $(ls "$tmp"/an_int.json* 2>/dev/null)"; cat "$tmp/err"; }
[ -z "$(find "$tmp" -maxdepth 1 -name 'an_int*')" ] && ok || bad "analyze SIGINT left a file"

"$H2SIM" explore --hw "$hw" --model "$model" --scenario humaneval --batch 4 --out "$tmp/kill" --threads 1 --quiet \
  "${long_search[@]}" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL "$pid"
wait "$pid" 2>/dev/null
[ ! -e "$tmp/kill/summary.json" ] && [ ! -e "$tmp/kill/best_dataflow.yaml" ] && ok || bad "a killed explore left a result file"

# --- determinism: explore with 1 and 2 threads gives the same bytes (summary.json apart from the
# wall-clock fields, the thread count itself and the output path); analyze twice, the same JSON.
for t in 1 2; do
  "$H2SIM" explore --hw "$hw" --model "$model" --scenario sharegpt --batch 4 --out "$tmp/det$t" --threads "$t" \
    --population 300 --generations 8 --seed 7 --quiet >/dev/null 2>"$tmp/err" || bad "explore --threads $t failed"
done
cmp -s "$tmp/det1/best_dataflow.yaml" "$tmp/det2/best_dataflow.yaml" && ok || bad "explore: best_dataflow.yaml differs between 1 and 2 threads"
strip() { grep -vE '"(wall_[a-z_]*|threads|best_dataflow_file)":' "$1"; }
diff <(strip "$tmp/det1/summary.json") <(strip "$tmp/det2/summary.json") >"$tmp/diff" && ok \
  || { bad "explore: summary.json differs between 1 and 2 threads"; head -20 "$tmp/diff"; }
for i in 1 2; do
  "$H2SIM" analyze --hw "$hw" --model "$model" --scenario longbench --batch 8 --dataflow h2llm --population 300 \
    --generations 8 --threads "$i" --json "$tmp/an$i.json" >/dev/null 2>&1 || bad "analyze run $i failed"
done
diff <(grep -vE '"wall_[a-z_]*":' "$tmp/an1.json") <(grep -vE '"wall_[a-z_]*":' "$tmp/an2.json") >"$tmp/diff" && ok \
  || { bad "analyze --json differs between two runs (1 and 2 threads)"; head -20 "$tmp/diff"; }

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
