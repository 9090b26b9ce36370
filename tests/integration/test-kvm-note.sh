#!/usr/bin/env bash
# A VM that asks for no accelerator in particular, on a host whose KVM
# device cannot be opened, starts under TCG, and vireoctl says why once,
# as a note on stderr; a user who asked for TCG hears nothing.
. "$(dirname "$0")/lib.sh"

create_guest notes
# this machine's own /dev/kvm is never opened: the test's device is missing
export VIREO_KVM_DEVICE=$ROOT/no-kvm

step no KVM device: TCG, and a note that says why
out=$(env -u VIREO_ACCEL "$VIREOCTL" --root "$ROOT" start notes 2>"$ROOT/stderr")
note="vireoctl: VM 'notes' runs without KVM, much slower: this computer has no /dev/kvm (turn on CPU virtualization in the firmware settings, or load the kvm module)"
[ "$(cat "$ROOT/stderr")" = "$note" ] || fail "vireoctl start said '$(cat "$ROOT/stderr")', expected the note"
case "$out" in *notes*) ;; *) fail "vireoctl start did not report the start: $out" ;; esac
wait_for_log notes "$READY"
grepq -x 'pc-q35-[0-9.]*,accel=tcg\|q35,accel=tcg' "$(find "$ROOT/run" -name qemu-argv | head -n 1)" ||
  fail "QEMU does not run under TCG"
ctl destroy notes >/dev/null

step TCG asked for: no note
ctl start notes >/dev/null 2>"$ROOT/stderr"
[ ! -s "$ROOT/stderr" ] || fail "a TCG start said: $(cat "$ROOT/stderr")"
ctl destroy notes >/dev/null
echo "kvm-note: ok"
