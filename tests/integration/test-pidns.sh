#!/usr/bin/env bash
# One runtime folder, many PID namespaces: what a Flatpak user does every
# day, since each launch of a Flatpak app gets a PID namespace of its own
# (bwrap --unshare-pid, as Flatpak runs it).  A VM started by one instance
# that has exited is running for the next instance and for the host: its
# state, console, statistics and shutdown work from there.  A shim that
# died is crashed for everyone, even where the pid it recorded is another
# live process's.
. "$(dirname "$0")/lib.sh"

command -v bwrap >/dev/null || fail "bwrap is missing (Debian's bubblewrap)"
# an instance of its own: a new PID namespace with its own /proc
instance() { bwrap --dev-bind / / --proc /proc --unshare-pid -- "$VIREOCTL" --root "$ROOT" "$@"; }
# the pid of the VM's shim as the host sees it
host_shim_pid() {
  local dir
  for dir in /proc/[0-9]*; do
    [ "$(cat "$dir/comm" 2>/dev/null)" = vireo-shim ] || continue
    tr '\0' '\n' <"$dir/cmdline" 2>/dev/null | grepq -F -- "$ROOT/run/" && { echo "${dir#/proc/}"; return; }
  done
}

create_guest ns

step an instance starts the VM and exits
instance start ns >/dev/null
recorded=$(grep -o '"shim-pid":[0-9]*' "$ROOT"/run/*/state.json | cut -d: -f2)
shim=$(host_shim_pid)
[ -n "$shim" ] || fail "no shim runs after the first instance exited"
[ "$recorded" != "$shim" ] || fail "the shim recorded its host pid $shim: it was not in a namespace of its own"
wait_for_log ns "$READY"

step the host sees it running
[ "$(ctl state ns)" = running ] || fail "the host says '$(ctl state ns)'"

step a second instance lists it running, reads it, and uses its console
# every command below is an instance of its own, in a new namespace
ctl() { instance "$@"; }
[ "$(ctl state ns)" = running ] || fail "a second instance says '$(ctl state ns)'"
ctl list | grepq '^ ns .*running' || fail "a second instance does not list the VM running"
console_expect ns 'echo from-another-namespace-$((6*7))' from-another-namespace-42
# QEMU's CPU time comes through the shim, not through a /proc/PID that
# is someone else's here: a busy guest shows it
console_expect ns '(while :; do :; done) & echo spinning' spinning
for i in $(seq 1 20); do
  cpu=$(ctl --json stats ns | sed -n 's/.*"cpu-percent" : \([0-9]*\).*/\1/p')
  [ "${cpu:-0}" -ge 20 ] && break
  sleep 0.5
done
[ "${cpu:-0}" -ge 20 ] || fail "a busy guest shows ${cpu:-no} % CPU from another instance"

step a second instance shuts it down
ctl shutdown ns >/dev/null
wait_state ns shutoff 120
[ -z "$(host_shim_pid)" ] || fail "the shim still runs after the shutdown"

step a shim that died is crashed for every instance and for the host
instance start ns >/dev/null
shim=$(host_shim_pid)
kill -9 "$shim"
wait_state ns crashed 30
unset -f ctl
ctl() { "$VIREOCTL" --root "$ROOT" "$@"; }
[ "$(ctl state ns)" = crashed ] || fail "the host says '$(ctl state ns)' after the shim died"

step a pid recorded in another namespace is no proof of life
# an instance without a /proc of its own: the shim records a pid of its
# namespace, and /proc/PID on the host is another process (often a kernel
# thread) with a matching start time; the shim's socket tells the truth
bwrap --dev-bind / / --unshare-pid -- "$VIREOCTL" --root "$ROOT" start ns >/dev/null
[ "$(ctl state ns)" = running ] || fail "the host says '$(ctl state ns)' for the VM just started"
kill -9 "$(host_shim_pid)"
wait_state ns crashed 30
ctl destroy ns >/dev/null 2>&1 || true
echo "pidns: ok"
