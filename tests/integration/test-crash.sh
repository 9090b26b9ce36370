#!/usr/bin/env bash
# A QEMU killed with SIGKILL shows as crashed with the reason; a killed
# shim too; a crashed VM starts again.
. "$(dirname "$0")/lib.sh"

state_field() {  # state_field NAME FIELD
  grep -o "\"$2\":[0-9]*" "$ROOT"/run/*/state.json | cut -d: -f2
}

create_guest crashy
ctl start crashy >/dev/null

step QEMU killed with SIGKILL
qemu=$(state_field crashy qemu-pid)
[ -n "$qemu" ] && [ "$qemu" -gt 1 ] || fail "no QEMU pid in state.json"
kill -9 "$qemu"
for i in $(seq 1 50); do [ "$(ctl state crashy)" = crashed ] && break; sleep 0.2; done
reason=$(ctl state crashy --reason)
[ "$reason" = "crashed: QEMU was killed by signal 9 (Killed)" ] || fail "after kill -9 of QEMU: $reason"
expect_error 1 "VM 'crashy' is not running (crashed: QEMU was killed" -- ctl pause crashy

step a crashed VM starts again
ctl start crashy >/dev/null
[ "$(ctl state crashy)" = running ] || fail "a crashed VM did not start again"

step the shim killed with SIGKILL
shim=$(state_field crashy shim-pid)
qemu=$(state_field crashy qemu-pid)
kill -9 "$shim"
for i in $(seq 1 50); do [ "$(ctl state crashy)" = crashed ] && break; sleep 0.2; done
reason=$(ctl state crashy --reason)
[ "$reason" = "crashed: the supervisor process vireo-shim died" ] || fail "after kill -9 of the shim: $reason"
# QEMU must not outlive its shim (PR_SET_PDEATHSIG)
for i in $(seq 1 50); do
  st=$(awk '{print $3}' "/proc/$qemu/stat" 2>/dev/null || echo gone)
  case "$st" in gone|Z|X) break ;; esac
  sleep 0.2
done
case "$st" in gone|Z|X) ;; *) fail "QEMU ($qemu) outlived its shim: state $st" ;; esac

step and it starts again, with stale sockets replaced
ctl start crashy >/dev/null
[ "$(ctl state crashy)" = running ] || fail "did not start after a shim crash"
ctl destroy crashy >/dev/null
echo "crash: ok"
