#!/usr/bin/env bash
# Runs a test under its own Xvfb server and stops the server afterwards.
set -euo pipefail
command -v Xvfb >/dev/null || { echo "Xvfb is not installed (package xvfb)" >&2; exit 77; }
fifo=$(mktemp -u /tmp/vireo-xvfb.XXXXXX)
mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
xvfb=$!
# Test roots go in here; whatever a test left running, even when it
# crashed, is killed by the pids in its roots' state.json.
export VIREO_TEST_TMPDIR
VIREO_TEST_TMPDIR=$(mktemp -d /tmp/vireo-ui.XXXXXX)
cleanup() {
  "$(dirname "$0")/../build-aux/kill-runtime.sh" "$VIREO_TEST_TMPDIR"/*
  rm -rf "$VIREO_TEST_TMPDIR"
  kill "$xvfb" 2>/dev/null
  rm -f "$fifo"
}
trap cleanup EXIT
read -r display < "$fifo"
export DISPLAY=":$display"
export GDK_BACKEND=x11 NO_AT_BRIDGE=1 GTK_A11Y=none
"$@"
