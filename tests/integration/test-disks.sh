#!/usr/bin/env bash
# Disks are added and removed; the guest sees what was added, and nothing
# half-made stays behind when a request is refused.
. "$(dirname "$0")/lib.sh"

images="$ROOT/data/images"
create_guest disks

step a new image, an existing raw image, an empty CD-ROM drive
ctl attach-disk disks --size 16M | grepq "Added disk 'vdb' to VM 'disks'" || fail "attach --size"
[ -f "$images/disks-vdb.qcow2" ] || fail "the new image is not in the images folder"
head -c 8388608 /dev/zero > "$ROOT/raw.img"
ctl attach-disk disks "$ROOT/raw.img" --bus sata | grepq "'sda'" || fail "attach an existing image"
ctl attach-disk disks --cdrom | grepq "CD-ROM drive 'sdb'" || fail "attach an empty CD-ROM drive"
xml=$(ctl dumpxml disks)
grep -q "<driver name=\"qemu\" type=\"raw\"/>" <<<"$xml" || fail "the raw image is not defined as raw"
grep -q "disks-vdb.qcow2" <<<"$xml" || fail "the new image is not defined"

step refused requests are one line and make nothing
expect_error 1 "disk image $images/disks-vdb.qcow2 is already used by a VM" -- ctl attach-disk disks "$images/disks-vdb.qcow2"
printf 'KDMV' > "$ROOT/old.vmdk"; head -c 4096 /dev/zero >> "$ROOT/old.vmdk"
expect_error 1 "is a VMDK image; import it with New VM" -- ctl attach-disk disks "$ROOT/old.vmdk"
expect_error 1 "IDE disks need the pc (i440fx) machine" -- ctl attach-disk disks --size 1M --bus ide
ls "$images" | grepq hda && fail "a refused disk left an image behind"
expect_error 1 "disk image $ROOT/none.img does not exist" -- ctl attach-disk disks "$ROOT/none.img"
expect_error 1 "VM 'disks' has no disk 'vdz'" -- ctl detach-disk disks vdz
expect_error 2 "attach-disk takes NAME and an IMAGE or --size" -- ctl attach-disk disks "$ROOT/raw.img" --size 1M
expect_error 2 "--bus is virtio, sata, scsi or ide, not 'usb'" -- ctl attach-disk disks --size 1M --bus usb

step the guest sees the new disks
ctl start disks >/dev/null
wait_for_log disks "$READY"
# sizes in 512-byte sectors: 16 MiB and 8 MiB
console_expect disks 'echo vdb=$(cat /sys/block/vdb/size) sda=$(cat /sys/block/sda/size)' 'vdb=32768 sda=16384'

step removing while running waits for the next start, and keeps the image
expect_error 1 "VM 'disks' is running; shut it down before deleting disk 'vdb'" -- ctl detach-disk disks vdb --remove-storage
ctl detach-disk disks vdb | grepq "from its next start" || fail "detach while running"
ctl state disks --json | grepq '"pending-changes" *: *true' || fail "the removal is not pending"
[ -f "$images/disks-vdb.qcow2" ] || fail "detaching without --remove-storage deleted the image"
ctl destroy disks >/dev/null

step remove with storage: the images Vireo made go, the others stay
ctl detach-disk disks sda --remove-storage | grepq "Kept $ROOT/raw.img" || fail "no word that raw.img was kept"
[ -f "$ROOT/raw.img" ] || fail "--remove-storage deleted an image Vireo did not make"
ctl dumpxml disks | grepq 'raw.img' && fail "the disk is still defined"
before=$(ls "$images")
target=$(ctl attach-disk disks --size 16M | sed -n "s/^Added disk '\([a-z]*\)'.*/\1/p")
made=$(comm -13 <(printf '%s\n' "$before") <(ls "$images"))
[ -n "$target" ] && [ -n "$made" ] || fail "attach --size made no image ($target, $made)"
ctl detach-disk disks "$target" --remove-storage >/dev/null
[ -f "$images/$made" ] && fail "--remove-storage left Vireo's image $made"
ctl detach-disk disks sdb >/dev/null
[ -f "$images/disks.qcow2" ] || fail "another disk's image went missing"

step an imported definition cannot make undefine delete a file Vireo did not make
echo "precious" > "$ROOT/precious.raw"
ctl dumpxml disks | sed -e 's|<name>disks</name>|<name>taker</name>|' -e '/<uuid>/d' -e '/<mac /d' \
  -e "s|$images/disks.qcow2|$ROOT/precious.raw|" -e 's|type="qcow2"|type="raw"|' > "$ROOT/taker.xml"
ctl define "$ROOT/taker.xml" >/dev/null
ctl undefine taker --remove-storage >/dev/null
[ "$(cat "$ROOT/precious.raw")" = precious ] || fail "undefine --remove-storage deleted a file the definition named"
echo "disks: ok"
