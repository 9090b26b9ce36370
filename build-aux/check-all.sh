#!/usr/bin/env bash
# make check: every stage runs, whatever the one before did, and the last
# line counts them all ("check: N passed, N failed"):
#   the whole suite (BUILDDIR), the unit and integration suites again under
#   AddressSanitizer and UBSan (ASANDIR), each fuzzer's corpus and 20 s of
#   fuzzing (FUZZDIR).
#   check-all.sh BUILDDIR ASANDIR FUZZDIR
set -uo pipefail
builddir=${1:-build} asandir=${2:-build-asan} fuzzdir=${3:-build-fuzz}
here=$(dirname "$0")
rc=0

count() {   # count RESULT-REGEX BUILDDIR: tests of the last meson run
  local log="$2/meson-logs/testlog.json"
  if [ -f "$log" ]; then grep -Ec "\"result\": \"($1)\"" "$log" || true; else echo 0; fi
}

"$here/run-tests.sh" "$builddir" || rc=1
passed=$(count OK "$builddir") failed=$(count 'FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS' "$builddir")

"$here/run-sanitized-tests.sh" "$asandir" || rc=1
passed=$((passed + $(count OK "$asandir")))
failed=$((failed + $(count 'FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS' "$asandir")))

fuzz_out=$("$here/../tests/fuzz/run-fuzz.sh" "$fuzzdir" 20 2>&1)
fuzz_rc=$?
printf '%s\n' "$fuzz_out"
fuzzers=$(printf '%s\n' "$fuzz_out" | grep -c '^fuzz-')
if [ "$fuzz_rc" -eq 0 ]; then
  passed=$((passed + fuzzers))
else
  rc=1
  failed=$((failed + 1))
fi

# a stage that failed without a test to blame still fails the count
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "check: $passed passed, $failed failed"
exit $rc
