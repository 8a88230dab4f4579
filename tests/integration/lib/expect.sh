# Checks for the process tests that drive the fjord CLI (source it after cluster_test.sh; not a
# test itself). They count failures instead of stopping at the first (cluster_test.sh's `fail`),
# so one run shows every broken case; sourcing this turns off `set -e` for the same reason.
set +e
failures=0
pass() { echo "ok   - $1"; }
count_failure() { echo "FAIL - $1"; failures=$((failures + 1)); }

# expect_error NAME EXPECTED_RC PATTERN -- COMMAND...: the command exits EXPECTED_RC and prints
# exactly one line on stderr, matching PATTERN (the problem, named).
expect_error() {
  local name=$1 want_rc=$2 pattern=$3
  shift 4
  local out rc lines
  out=$("$@" 2>&1 >/dev/null); rc=$?
  lines=$(printf '%s\n' "$out" | grep -c .)
  if [ "$rc" -eq "$want_rc" ] && [ "$lines" -eq 1 ] && printf '%s' "$out" | grep -q -- "$pattern"; then
    pass "$name"
  else
    count_failure "$name: rc=$rc (want $want_rc), $lines line(s), output: $out"
  fi
}

# expect_summary: the last line of every test that uses these checks
expect_summary() {
  echo "$failures failed"
  [ "$failures" -eq 0 ]
}
