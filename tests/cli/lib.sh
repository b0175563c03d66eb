# Shared by the tests/cli/*.sh scripts (sourced): a temporary folder removed on exit, and pass/fail
# counters. `ok` counts a passed check, `bad MESSAGE` a failed one (printed); each script ends with
# `[ "$fail" -eq 0 ]`, so ctest sees the outcome in its exit code.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Checks shared by the scripts (each counts one ok or bad):
expect_exit() {  # expect_exit CODE DESCRIPTION -- COMMAND...: exit code; output in $tmp/out, $tmp/err
  local code=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else bad "$what: exit $got, expected $code"; cat "$tmp/err"; fi
}
expect_in() {  # expect_in FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(basename "$1")"; cat "$1"; fi
}
json_check() {  # json_check FILE PYTHON_EXPR DESCRIPTION  (j is the parsed JSON)
  if python3 -c "import json,sys; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; then ok; else bad "$3"; fi
}
