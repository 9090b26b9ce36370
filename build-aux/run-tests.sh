#!/usr/bin/env bash
# Runs the whole suite and ends with one summary line ("N passed, N failed").
set -uo pipefail
builddir=${1:-build}
meson test -C "$builddir" --print-errorlogs --num-processes 2 "${@:2}"
rc=$?
log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  passed=$(grep -c '"result": "OK"' "$log")
  skipped=$(grep -c '"result": "SKIP"' "$log")
  failed=$(grep -Ec '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
  echo "tests: $passed passed, $failed failed, $skipped skipped"
fi
exit $rc
