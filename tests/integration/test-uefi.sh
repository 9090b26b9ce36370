#!/usr/bin/env bash
# A UEFI VM boots through OVMF (which loads the test guest's kernel, an
# EFI stub, from fw_cfg): the guest sees /sys/firmware/efi.  Its NVRAM is
# made from OVMF's template on the first start, written into the
# definition, holds the VM's snapshots (one with RAM is reverted to), is
# kept after a shutdown and deleted with the VM's storage.
. "$(dirname "$0")/lib.sh"

[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "SKIP: ovmf is not installed"; exit 77; }

step a missing firmware is one clear line
create_guest efi --firmware efi
ctl dumpxml efi | grepq '<os firmware="efi">' || fail "no <os firmware='efi'>"
ctl dumpxml efi | grepq '<nvram' && fail "an NVRAM before the first start"
ctl dominfo efi | grepq '^Firmware: *UEFI$' || fail "dominfo does not say UEFI: $(ctl dominfo efi)"
ctl dominfo efi | grepq '^TPM: *None$' || fail "dominfo says a TPM: $(ctl dominfo efi)"
ctl --json dominfo efi | grepq '"firmware" *: *"efi"' || fail "dominfo --json does not say efi"
out=$(VIREO_OVMF_DIR=$ROOT/no-ovmf ctl start efi 2>&1) && fail "started without OVMF"
echo "$out" | grepq "UEFI firmware $ROOT/no-ovmf/OVMF_CODE_4M.fd is not installed (package ovmf)" ||
  fail "unexpected error: $out"

step it boots through OVMF and its NVRAM is made
ctl start efi >/dev/null
nvram=$(ctl dumpxml efi | sed -n 's|.*<nvram>\(.*\)</nvram>.*|\1|p')
[ "$nvram" = "$ROOT/data/images/efi_VARS.qcow2" ] || fail "unexpected NVRAM path '$nvram'"
[ -f "$nvram" ] || fail "no NVRAM file after the start"
grepq 'pflash1=pflash1' "$(ls -d "$ROOT"/run/*/)qemu-argv" || fail "QEMU got no pflash"
wait_for_log efi "$READY" 1 300
console_expect efi '[ -d /sys/firmware/efi ] && echo EFI=$((3+4))' 'EFI=7'
qemu-img info -U "$nvram" | grepq '^file format: qcow2' || fail "the NVRAM is not qcow2"

step a snapshot with RAM holds the NVRAM too
console_expect efi 'echo MARK-ONE | dd of=/dev/vda conv=fsync 2>/dev/null; echo wrote-$?' 'wrote-0'
ctl snapshot-create efi running | grepq "Took snapshot 'running' of VM 'efi'" || fail "snapshot-create running"
ctl snapshot-info efi running | grepq "Memory: *yes" || fail "running holds no RAM"
qemu-img snapshot -U -l "$nvram" | grepq ' running ' || fail "the NVRAM holds no snapshot 'running'"
ctl snapshot-dumpxml efi running | grepq "<disk name=\"vda\"" || fail "vda is not in the snapshot"
[ "$(ctl snapshot-dumpxml efi running | grep -c "<disk name=.*snapshot=\"internal\"")" = 1 ] || fail "the NVRAM is listed as a disk"

step the guest changes, and the revert brings it back from the snapshot
console_expect efi 'echo MARK-TWO | dd of=/dev/vda conv=fsync 2>/dev/null; touch /tmp/after; echo wrote-$?' 'wrote-0'
ctl snapshot-revert efi running | grepq "Reverted VM 'efi' to snapshot 'running'" || fail "snapshot-revert running"
[ "$(ctl state efi)" = running ] || fail "the VM does not run after the revert"
console_expect efi 'echo "marker=$(dd if=/dev/vda bs=8 count=1 2>/dev/null)"' 'marker=MARK-ONE'
console_expect efi '[ -e /tmp/after ] && echo "aft""er-kept" || echo "aft""er-gone"' 'after-gone'

step a snapshot of the running VM is deleted from its disks and its NVRAM
ctl snapshot-delete efi running | grepq "Deleted snapshot 'running' of VM 'efi'" || fail "snapshot-delete running"
qemu-img snapshot -U -l "$nvram" | grepq ' running ' && fail "the NVRAM still holds 'running'"
ctl snapshot-list efi | grepq running && fail "a deleted snapshot is listed"

step the NVRAM stays after a shutdown, and a snapshot shut off holds it
ctl shutdown efi --timeout 120 >/dev/null
[ -f "$nvram" ] || fail "the NVRAM went with the shutdown"
ctl snapshot-create efi off >/dev/null
qemu-img snapshot -l "$nvram" | grepq ' off ' || fail "the NVRAM holds no snapshot 'off'"
ctl snapshot-revert efi off >/dev/null
ctl snapshot-create efi off2 >/dev/null
ctl snapshot-delete efi off2 >/dev/null
qemu-img snapshot -l "$nvram" | grepq ' off2 ' && fail "the NVRAM still holds 'off2' shut off"

step a raw NVRAM refuses a snapshot with RAM in one line
create_guest efiraw --firmware efi
ctl dumpxml efiraw | sed "s|<os firmware=\"efi\">|&<nvram>$ROOT/data/images/efiraw_VARS.fd</nvram>|" >"$ROOT/efiraw.xml"
ctl define "$ROOT/efiraw.xml" >/dev/null
ctl start efiraw >/dev/null
expect_error 1 "VM 'efiraw': its NVRAM $ROOT/data/images/efiraw_VARS.fd is raw and cannot hold snapshots" -- \
  ctl snapshot-create efiraw running
ctl destroy efiraw >/dev/null
ctl undefine efiraw --remove-storage >/dev/null

step a clone gets its own copy of the NVRAM
ctl clone efi efi2 >/dev/null
nvram2=$(ctl dumpxml efi2 | sed -n 's|.*<nvram[^>]*>\(.*\)</nvram>.*|\1|p')
[ -n "$nvram2" ] && [ "$nvram2" != "$nvram" ] || fail "the clone shares the NVRAM $nvram ('$nvram2')"
cmp -s "$nvram" "$nvram2" || fail "the clone's NVRAM $nvram2 is not a copy of $nvram"
ctl undefine efi2 --remove-storage >/dev/null
[ -e "$nvram2" ] && fail "the clone's NVRAM outlived its storage"
[ -f "$nvram" ] || fail "deleting the clone took the source's NVRAM"

ctl undefine efi --remove-storage >/dev/null
[ -e "$nvram" ] && fail "the NVRAM outlived the VM's storage"
echo "uefi: ok"
