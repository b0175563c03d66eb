# Shared by the tests/cli/*.sh scripts (sourced): a temporary folder removed on exit, and pass/fail
# counters. `ok` counts a passed check, `bad MESSAGE` a failed one (printed); each script ends with
# `[ "$fail" -eq 0 ]`, so ctest sees the outcome in its exit code.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
