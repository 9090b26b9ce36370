#!/usr/bin/env bash
# build-aux/kill-runtime.sh kills a root's vireo-shim and QEMU processes,
# found by their command lines, and nothing else: not the processes of a
# root whose path merely contains this one's, and nothing at all for an
# empty or "/" argument (a cleanup whose mktemp failed must not end every
# VM of the user).  A root named through a symlink is found as the engine
# names it: made absolute, not resolved (g_canonicalize_filename).
set -euo pipefail
KILL=${VIREO_TEST_SRCDIR:?}/../build-aux/kill-runtime.sh
tmp=$(mktemp -d /tmp/vireo-kill.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Stand-ins whose comm is a shim's and a QEMU's (a script's comm is its
# file name), and whose command lines name a runtime folder as theirs do.
mkdir "$tmp/bin" "$tmp/root" "$tmp/other"
printf '#!/bin/sh\nwhile :; do sleep 1; done\n' >"$tmp/bin/vireo-shim"
cp "$tmp/bin/vireo-shim" "$tmp/bin/qemu-system-x86_64"
chmod +x "$tmp/bin/vireo-shim" "$tmp/bin/qemu-system-x86_64"
ln -s root "$tmp/link"
# spawn COMMAND…: starts it in the background, its pid in $spawned (not
# through $(…), whose subshell would keep the pid from the cleanup)
spawn() {
  "$@" >/dev/null 2>&1 &
  spawned=$!
  pids+=("$spawned")
}
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
wait_dead() {
  local i
  for ((i = 0; i < 50; i++)); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

root=$tmp/root
spawn "$tmp/bin/vireo-shim" --name a --run-dir "$root/run/0123" -- qemu
shim=$spawned
spawn "$tmp/bin/qemu-system-x86_64" -display "vnc=unix:$root/run/0123/vnc.sock"
qemu=$spawned
# through the symlink, as `vireoctl --root $tmp/link` starts it
spawn "$tmp/bin/vireo-shim" --name b --run-dir "$tmp/link/run/4567" -- qemu
linked=$spawned
# another root, whose path holds this root's path inside it
spawn "$tmp/bin/vireo-shim" --name c --run-dir "$tmp/other$root/run/89ab" -- qemu
outer=$spawned
sleep 0.3

"$KILL" "" /
for pid in "$shim" "$qemu" "$linked" "$outer"; do
  alive "$pid" || fail "kill-runtime.sh with an empty or / root killed $pid, a process of a root"
done

"$KILL" "$root"
wait_dead "$shim" || fail "the root's shim survived"
wait_dead "$qemu" || fail "the root's QEMU survived"
alive "$outer" || fail "a shim of $tmp/other$root was killed as one of $root"
alive "$linked" || fail "a shim of $tmp/link was killed for $root"

"$KILL" "$tmp/link/"
wait_dead "$linked" || fail "the shim of a root named through a symlink survived"
alive "$outer" || fail "a shim of another root was killed"
echo "kill-runtime: ok"
