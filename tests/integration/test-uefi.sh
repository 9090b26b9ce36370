#!/usr/bin/env bash
# A UEFI VM boots through OVMF (which loads the test guest's kernel, an
# EFI stub, from fw_cfg): the guest sees /sys/firmware/efi.  Its NVRAM is
# made from OVMF's template on the first start, written into the
# definition, kept after a shutdown and deleted with the VM's storage.
. "$(dirname "$0")/lib.sh"

[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "SKIP: ovmf is not installed"; exit 77; }

step a missing firmware is one clear line
create_guest efi --firmware efi
ctl dumpxml efi | grepq '<os firmware="efi">' || fail "no <os firmware='efi'>"
ctl dumpxml efi | grepq '<nvram' && fail "an NVRAM before the first start"
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

step a snapshot with RAM is refused, one of the disks shut off is taken
# (a RAM snapshot could not be reverted to without the NVRAM in it)
expect_error 1 "VM 'efi' boots with UEFI: a snapshot of it running is not supported yet" -- \
  ctl snapshot-create efi running
ctl snapshot-list efi | grepq running && fail "a refused snapshot is listed"

step the NVRAM stays after a shutdown, and goes with the storage
ctl shutdown efi --timeout 120 >/dev/null
[ -f "$nvram" ] || fail "the NVRAM went with the shutdown"
ctl snapshot-create efi off >/dev/null

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
