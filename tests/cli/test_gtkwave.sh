#!/usr/bin/env bash
# The GTKWave save files `--vcd` writes open in GTKWave: every signal they name is found, the
# dump file is the VCD beside them and the whole recording is in view. GTKWave runs under a
# virtual X display (xvfb-run, Debian package xvfb: scripts/setup.sh), driven by a Tcl script
# that prints what it loaded and quits; `timeout` bounds it if it ever hangs.
set -u
for tool in gtkwave xvfb-run timeout; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (scripts/setup.sh installs it)"; exit 1; }
done
# One virtual display (1600 x 1000, the window size the save files ask for) for the whole script.
if [ -z "${H2SIM_UNDER_XVFB:-}" ]; then
  H2SIM_UNDER_XVFB=1 exec timeout 170 xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

cat > "$tmp/check.tcl" <<'TCL'
puts "h2sim-check traces [gtkwave::getTotalNumTraces]"
puts "h2sim-check window [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime]"
puts "h2sim-check range [gtkwave::getMinTime] [gtkwave::getMaxTime]"
puts "h2sim-check dump [gtkwave::getDumpFileName]"
gtkwave::/File/Quit
TCL

# open_in_gtkwave NAME GTKW VCD: loads GTKW and checks what GTKWave reports.
open_in_gtkwave() {
  local name=$1 gtkw=$2 vcd=$3
  [ -s "$gtkw" ] && ok || { bad "$name: no save file $gtkw"; return; }
  timeout 60 gtkwave -S "$tmp/check.tcl" "$gtkw" >"$tmp/gw.out" 2>"$tmp/gw.err"
  local rc=$?
  [ $rc -eq 0 ] && ok || { bad "$name: gtkwave exited with $rc"; cat "$tmp/gw.err"; return; }
  if grep -qiE "error|warning|could not|cannot|unknown" "$tmp/gw.out" "$tmp/gw.err"; then
    bad "$name: gtkwave complained"; cat "$tmp/gw.out" "$tmp/gw.err"
  else ok; fi
  # Every trace line of the save file (signals, group and blank lines) became a trace: GTKWave
  # drops a signal it cannot find without a word.
  local expected traces
  expected=$(grep -c '^[-+]' "$gtkw")
  traces=$(awk '/^h2sim-check traces/ {print $3}' "$tmp/gw.out")
  [ "$traces" = "$expected" ] && ok || bad "$name: gtkwave loaded ${traces:-no} traces, the save file has $expected"
  local dump
  dump=$(awk '/^h2sim-check dump/ {print $3}' "$tmp/gw.out")
  [ "$dump" = "$(realpath "$vcd")" ] && ok || bad "$name: gtkwave opened '$dump', not $vcd"
  # The whole recording in view, and fitted: the window ends past the last change but within
  # 1.5 x the recording's span.
  read -r w0 w1 < <(awk '/^h2sim-check window/ {print $3, $4}' "$tmp/gw.out")
  read -r t0 t1 < <(awk '/^h2sim-check range/ {print $3, $4}' "$tmp/gw.out")
  if [ -n "${w1:-}" ] && [ -n "${t1:-}" ] && [ "$w0" -le "$t0" ] && [ "$w1" -ge "$t1" ] &&
     [ $(( (w1 - w0) * 2 )) -le $(( (t1 - t0) * 3 )) ]; then ok
  else bad "$name: window ${w0:-?}..${w1:-?} ps does not fit the recording ${t0:-?}..${t1:-?} ps"; cat "$tmp/gw.out"; fi
}

hw="$SRC/configs/hardware/h2llm.yaml"
"$H2SIM" gemm --hw "$hw" --m 1 --k 4096 --n 4096 --vcd "$tmp/g.vcd" --quiet >"$tmp/g.txt" 2>&1 || bad "gemm --vcd failed"
grep -q "gtkwave $tmp/g.gtkw" "$tmp/g.txt" && ok || bad "gemm does not name the save file"
open_in_gtkwave gemm "$tmp/g.gtkw" "$tmp/g.vcd"
# Channels are groups, the PEs a collapsed group in each.
grep -q '^-ch0$' "$tmp/g.gtkw" && grep -q '^-ch0 PEs$' "$tmp/g.gtkw" && ok || bad "save file groups"

tiny=(--hw "$hw" --model "$SRC/tests/data/e2e/tiny-llama.yaml" --scenario "$SRC/tests/data/e2e/tiny-scenario.yaml"
      --batch 2 --out "$tmp/out" --quiet)
"$H2SIM" run "${tiny[@]}" --vcd "$tmp/step" --vcd-window decode:2 >/dev/null 2>"$tmp/err" || { bad "run --vcd failed"; cat "$tmp/err"; }
open_in_gtkwave "run (decode:2)" "$tmp/step.gtkw" "$tmp/step"
# The window's DRAM: per-bank open rows, command counts, command and data bus; some bank opens a
# row inside the window (a 1 on a bankN.open signal after the window's first timestamp).
for sig in activates reads precharges refreshes cmd_bus data_bus; do
  grep -q " $sig \$end" "$tmp/step" && ok || bad "run VCD has no dram signal $sig"
done
open_ids=$(awk '/\$scope module bank/ {inbank=1} /\$upscope/ {inbank=0} inbank && $1=="$var" && $5=="open" {print $4}' "$tmp/step")
[ -n "$open_ids" ] && ok || bad "run VCD has no bankN.open signals"
awk -v ids="$open_ids" 'BEGIN {n=split(ids, a, "\n"); for (i=1;i<=n;i++) want[a[i]]=1}
  /^#/ {stamps++} stamps>1 && /^1/ && (substr($0,2) in want) {found=1} END {exit !found}' "$tmp/step" \
  && ok || bad "no bank opens a row inside the run's VCD window"

# The save file is an output: a folder in its place is refused before any work.
mkdir "$tmp/taken.gtkw"
"$H2SIM" gemm --hw "$hw" --m 1 --k 64 --n 64 --vcd "$tmp/taken.vcd" --quiet >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "taken.gtkw" "$tmp/err" && [ ! -e "$tmp/taken.vcd" ] && ok || bad "a folder where the save file goes"

echo "gtkwave: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
