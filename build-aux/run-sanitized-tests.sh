#!/usr/bin/env bash
# Runs the unit and integration suites of a build made with
# -Db_sanitize=address,undefined (make check configures build-asan).
# Sanitizer reports go to files, since the shim's stderr is its log: any
# file there fails the run, and is printed.  The ui suite is left out: GTK,
# fontconfig and Mesa under Xvfb report leaks and races of their own that
# would need a long suppression list, and the engine code it drives is
# already under the unit and integration suites here.
#   run-sanitized-tests.sh BUILDDIR
set -uo pipefail
builddir=$(cd "${1:-build-asan}" && pwd)
logdir="$builddir/sanitizer-logs"
rm -rf "$logdir"
mkdir -p "$logdir"

# GLib before 2.76 caches small blocks in GSlice, which hides leaks.
export G_SLICE=always-malloc
# tests that bound memory know their figures mean nothing here
export VIREO_TEST_SANITIZED=1
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logdir/ubsan"
asan="abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:log_path=$logdir/asan"

rc=0
# Leaks count in the unit tests, which free what they make (no library
# leak needed a suppression so far).
ASAN_OPTIONS="$asan:detect_leaks=1" \
  meson test -C "$builddir" --suite unit --num-processes 1 --print-errorlogs || rc=1
# vireoctl, vireo-tui and the shim exit without freeing their caches:
# leaks are not looked for there, every other error is.
ASAN_OPTIONS="$asan:detect_leaks=0" \
  meson test -C "$builddir" --suite integration --num-processes 1 --print-errorlogs || rc=1

reports=$(find "$logdir" -type f | sort)
if [ -n "$reports" ]; then
  for f in $reports; do
    echo "== $f" >&2
    cat "$f" >&2
  done
  echo "sanitizers: $(echo "$reports" | wc -l) report(s)" >&2
  rc=1
else
  echo "sanitizers: no reports"
fi
exit $rc
