#!/usr/bin/env bash
# A VM with a TPM 2.0: the guest sees /dev/tpm0; swtpm runs beside QEMU
# while the VM runs and goes away with it (also when its shim is killed);
# a RAM snapshot of it can be taken; a clone gets a copy of the TPM's
# state; deleting the VM with its storage deletes that state.
. "$(dirname "$0")/lib.sh"

# swtpm_pids: the swtpm processes of this test's tree
swtpm_pids() { pgrep -f "^swtpm socket .*$ROOT/" || true; }

wait_swtpm_gone() {
  local i
  for i in $(seq 1 50); do
    [ -z "$(swtpm_pids)" ] && return 0
    sleep 0.2
  done
  fail "swtpm outlived the VM: $(swtpm_pids)"
}

step a VM with a TPM
create_guest sealed --tpm
ctl dumpxml sealed | grepq "<tpm model=\"tpm-crb\">" || fail "no <tpm> in: $(ctl dumpxml sealed)"
ctl dominfo sealed | grepq '^TPM: *TPM 2.0 (emulated)$' || fail "dominfo says no TPM: $(ctl dominfo sealed)"
ctl dominfo sealed | grepq '^Firmware: *BIOS$' || fail "dominfo does not say BIOS: $(ctl dominfo sealed)"
ctl dumpxml sealed | grepq "<backend type=\"emulator\" version=\"2.0\"/>" || fail "no emulator backend"
uuid=$(ctl dumpxml sealed | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p')
state=$ROOT/data/swtpm/$uuid

step the guest sees the TPM, swtpm runs beside QEMU
ctl start sealed >/dev/null
wait_for_log sealed "$READY"
[ -n "$(swtpm_pids)" ] || fail "no swtpm runs for the VM"
console_expect sealed "ls /dev/tpm*" "/dev/tpm0"
console_expect sealed 'echo TPM-V$(cat /sys/class/tpm/tpm0/tpm_version_major)' "TPM-V2"
[ -f "$state/tpm2-00.permall" ] || fail "no TPM state in $state: $(ls -la "$state" 2>&1)"

step a RAM snapshot of a VM with a TPM
ctl snapshot-create sealed live >/dev/null
ctl snapshot-list sealed | grepq live || fail "no snapshot 'live'"

step swtpm goes away with the VM
ctl destroy sealed >/dev/null
wait_swtpm_gone

step and when the shim is killed with SIGKILL
ctl start sealed >/dev/null
[ -n "$(swtpm_pids)" ] || fail "no swtpm after a second start"
shim=$(grep -o '"shim-pid":[0-9]*' "$ROOT"/run/*/state.json | cut -d: -f2)
kill -9 "$shim"
wait_swtpm_gone
wait_state sealed crashed

step a clone gets its own copy of the TPM state
ctl clone sealed copy >/dev/null
copy_uuid=$(ctl dumpxml copy | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p')
ctl dumpxml copy | grepq "<tpm model=\"tpm-crb\">" || fail "the clone has no TPM"
cmp -s "$state/tpm2-00.permall" "$ROOT/data/swtpm/$copy_uuid/tpm2-00.permall" ||
  fail "the clone's TPM state is not a copy of the source's"

step deleting the VM with its storage deletes the TPM state
ctl undefine sealed --remove-storage >/dev/null
[ ! -e "$state" ] || fail "$state outlived its VM"
[ -d "$ROOT/data/swtpm/$copy_uuid" ] || fail "the clone's TPM state went with the source"
echo "tpm: ok"
