#!/usr/bin/env bash
# A raw disk becomes qcow2 (so the VM can take snapshots): the data comes
# along, the definition follows, the raw image is kept unless it is
# Vireo's own and its deletion was asked for, and a refused or cancelled
# conversion changes nothing.
. "$(dirname "$0")/lib.sh"

images="$ROOT/data/images"
domains="$ROOT/config/domains"

# the disk's <disk> element in VM's definition, on one line
disk_xml() { ctl dumpxml "$1" | tr -d '\n' | sed 's|</disk>|</disk>\n|g' | grep "<target dev=\"$2\"" || true; }

create_guest conv --network none
truncate -s 16M "$ROOT/data.img"
qemu-io -f raw -c 'write -P 0x5a 0 1M' "$ROOT/data.img" >/dev/null
ctl attach-disk conv "$ROOT/data.img" | grepq "Added disk 'vdb'" || fail "attach the raw image"

step a raw disk refuses snapshots and says how to convert it
expect_error 1 "VM 'conv': disk vdb is raw: convert it to qcow2 on the Disks page (or vireoctl convert-disk) to take snapshots" \
  -- ctl snapshot-create conv s0

step the conversion keeps the data and the raw image, and snapshots work
out=$(ctl convert-disk conv vdb --remove-old)
grep -qxF "Converted disk 'vdb' of VM 'conv' to qcow2: $images/conv-vdb.qcow2" <<<"$out" || fail "convert said: $out"
grep -qxF "Kept $ROOT/data.img: only images in Vireo's images folder that no other VM uses are deleted" <<<"$out" ||
  fail "no word that the raw image outside the images folder was kept: $out"
[ -f "$ROOT/data.img" ] || fail "--remove-old deleted an image Vireo did not make"
xml=$(disk_xml conv vdb)
grep -q 'type="qcow2"' <<<"$xml" || fail "vdb is not qcow2 in the definition: $xml"
grep -qF "<source file=\"$images/conv-vdb.qcow2\"/>" <<<"$xml" || fail "vdb is not on the new image: $xml"
[ "$(qemu-img info --output=json "$images/conv-vdb.qcow2" | grep -o '"format": "[a-z0-9]*"' | head -1)" = '"format": "qcow2"' ] ||
  fail "the new image is not qcow2"
read=$(qemu-io -f qcow2 -r -c 'read -P 0x5a 0 1M' "$images/conv-vdb.qcow2")
grep -q "read 1048576/1048576 bytes" <<<"$read" && ! grep -qi "fail" <<<"$read" || fail "the data did not come along: $read"
ctl snapshot-create conv s1 >/dev/null || fail "no snapshot after the conversion"
qemu-img snapshot -l "$images/conv-vdb.qcow2" | grep -qw s1 || fail "the converted disk holds no snapshot s1"

step the images folder\'s own raw image is kept, and deleted only when asked
truncate -s 4M "$images/own.img"
ctl attach-disk conv "$images/own.img" | grepq "'vdc'" || fail "attach own.img"
echo decoy > "$images/conv-vdc.qcow2"
out=$(ctl convert-disk conv vdc)
grep -qxF "Converted disk 'vdc' of VM 'conv' to qcow2: $images/conv-vdc-2.qcow2" <<<"$out" || fail "a taken name: $out"
grep -qxF "Kept $images/own.img" <<<"$out" || fail "no word that own.img was kept: $out"
[ -f "$images/own.img" ] || fail "own.img was deleted without --remove-old"
[ "$(cat "$images/conv-vdc.qcow2")" = decoy ] || fail "the conversion wrote over a file of that name"
truncate -s 4M "$images/own2.img"
ctl attach-disk conv "$images/own2.img" | grepq "'vdd'" || fail "attach own2.img"
out=$(ctl convert-disk conv vdd --remove-old)
grep -qxF "Deleted $images/own2.img" <<<"$out" || fail "no word that own2.img was deleted: $out"
[ -f "$images/own2.img" ] && fail "--remove-old kept Vireo's own unused raw image"
grep -qF "<source file=\"$images/conv-vdd.qcow2\"/>" <<<"$(disk_xml conv vdd)" || fail "vdd is not on its new image"

step refusals are one line and change nothing
ctl attach-disk conv --cdrom >/dev/null
truncate -s 4M "$ROOT/ro.img"
ctl dumpxml conv | sed "s|</devices>|<disk type=\"file\" device=\"disk\"><driver name=\"qemu\" type=\"raw\"/><source file=\"$ROOT/ro.img\"/><target dev=\"vde\" bus=\"virtio\"/><readonly/></disk></devices>|" > "$ROOT/conv.xml"
ctl define "$ROOT/conv.xml" >/dev/null
before=$(ls "$images"; cat "$domains/conv.xml")
expect_error 1 "VM 'conv': disk vdc is already qcow2" -- ctl convert-disk conv vdc
expect_error 1 "VM 'conv': sda is a CD-ROM drive; only disks are converted to qcow2" -- ctl convert-disk conv sda
expect_error 1 "VM 'conv': disk vde is read-only; only writable disks are converted to qcow2" -- ctl convert-disk conv vde
expect_error 1 "VM 'conv' has no disk 'vdz'" -- ctl convert-disk conv vdz
expect_error 1 "VM 'nosuch'" -- ctl convert-disk nosuch vdb
expect_error 2 "" -- ctl convert-disk conv
truncate -s 4M "$ROOT/run.img"
ctl attach-disk conv "$ROOT/run.img" >/dev/null
before=$(ls "$images"; cat "$domains/conv.xml")
ctl start conv >/dev/null
expect_error 1 "VM 'conv' is running; shut it down to convert its disks" -- ctl convert-disk conv vdf
ctl destroy conv >/dev/null
[ "$before" = "$(ls "$images"; cat "$domains/conv.xml")" ] || fail "a refused conversion changed something"

step a conversion cancelled half way leaves no file and the definition as it was
create_guest big --network none
truncate -s 1G "$ROOT/big.img"
qemu-io -f raw -c 'write -P 0x55 0 300M' "$ROOT/big.img" >/dev/null
ctl attach-disk big "$ROOT/big.img" >/dev/null
definition=$(cat "$domains/big.xml")
# the real qemu-img, at 30 MB/s, so that half way lasts long enough to be seen
mkdir "$ROOT/slow"
printf '#!/bin/sh\n[ "$1" = convert ] && { shift; exec %s convert -r 30M "$@"; }\nexec %s "$@"\n' \
  "$(command -v qemu-img)" "$(command -v qemu-img)" > "$ROOT/slow/qemu-img"
chmod +x "$ROOT/slow/qemu-img"
# vireoctl itself in the background (not the ctl function's subshell), to get the SIGINT
PATH="$ROOT/slow:$PATH" "$VIREOCTL" --root "$ROOT" convert-disk big vdb 2>"$ROOT/cancel.err" &
pid=$!
BACKGROUND_PIDS+=("$pid")
for ((i = 0; i < 300; i++)); do
  [ "$(stat -c %s "$images/big-vdb.qcow2" 2>/dev/null || echo 0)" -gt 20000000 ] && break
  sleep 0.1
done
[ "$i" -lt 300 ] || fail "the conversion never got half way"
expect_error 1 "VM 'big' is busy (converting a disk)" -- ctl start big
expect_error 1 "VM 'big' is busy (converting a disk)" -- ctl convert-disk big vdb
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "a cancelled conversion exited $rc: $(cat "$ROOT/cancel.err")"
grep -q "VM 'big': disk vdb was not converted: Operation was cancelled" "$ROOT/cancel.err" ||
  fail "cancel said $(cat "$ROOT/cancel.err")"
ls "$images" | grepq big-vdb && fail "a cancelled conversion left $(ls "$images" | grep big-vdb)"
[ "$definition" = "$(cat "$domains/big.xml")" ] || fail "a cancelled conversion changed the definition"
pgrep -f "$images/big-vdb.qcow2" >/dev/null && fail "qemu-img outlived the cancel"
[ -f "$ROOT/big.img" ] || fail "the raw image went"
ctl start big >/dev/null && ctl destroy big >/dev/null || fail "the VM is not free after a cancel"
echo PASS
