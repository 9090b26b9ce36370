#!/usr/bin/env bash
# Runs every libFuzzer harness of a fuzzing build folder: first its seed
# corpus as it is (each input must pass), then fuzzing for SECONDS.  New
# inputs go to BUILDDIR/fuzz-corpus/<harness>/, findings to
# BUILDDIR/fuzz-findings/.  Prints executions and findings per harness and
# fails if any harness found anything.
#   run-fuzz.sh BUILDDIR SECONDS
set -uo pipefail
builddir=${1:?build folder}
seconds=${2:-300}
srcdir=$(cd "$(dirname "$0")" && pwd)
goal=10000000

# Whole reports, no GSlice caches hiding leaks (GLib before 2.76).
export G_SLICE=always-malloc
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
printf '%-18s %14s %9s %s\n' harness executions findings goal
for seeds in "$srcdir"/corpus/*/; do
  name=$(basename "$seeds")
  harness="$builddir/tests/fuzz/$name"
  work="$builddir/fuzz-corpus/$name"
  findings="$builddir/fuzz-findings/$name"
  log="$builddir/fuzz-findings/$name.log"
  if [ ! -x "$harness" ]; then
    echo "$name: not built in $builddir (make fuzz configures it)" >&2
    failed=1
    continue
  fi
  mkdir -p "$work" "$findings"
  before=$(ls "$findings" | wc -l)

  # every seed, as committed, must pass
  if ! "$harness" -runs=0 "$seeds" > "$log.replay" 2>&1; then
    echo "$name: a seed input fails; see $log.replay" >&2
    failed=1
    continue
  fi
  "$harness" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" "$seeds" > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(( $(ls "$findings" | wc -l) - before ))
  if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
    found=1   # a crash libFuzzer could not save
  fi
  status="no"
  [ "${execs:-0}" -ge "$goal" ] && [ "$found" -eq 0 ] && status="met"
  printf '%-18s %14s %9s %s\n' "$name" "${execs:-0}" "$found" "$status"
  if [ "$found" -ne 0 ]; then
    echo "  $name found something: see $log and $findings/" >&2
    grep -m3 -E 'ERROR|SUMMARY' "$log" | sed 's/^/  /' >&2
    failed=1
  fi
done
echo "goal: $goal executions per harness without a finding (FUZZ_SECONDS=$seconds)"
exit $failed
