#!/usr/bin/env bash
# virtio-scsi disks and CD-ROMs, and the settings that change how the
# guest runs (vCPUs online at boot, disk cache and discard, the VNC
# keymap, the entropy device's backend and rate), on a real guest.
. "$(dirname "$0")/lib.sh"

step a SCSI disk with a marker and a SCSI CD-ROM on a shut-off VM
data="$ROOT/data.raw"
head -c 1048576 /dev/zero > "$data"
printf 'VIREO-SCSI-MARKER' | dd of="$data" conv=notrunc status=none
iso="$ROOT/disc.img"
head -c 4194304 /dev/urandom > "$iso"
create_guest sc
ctl attach-disk sc "$data" --bus scsi | grepq "Added disk 'sda' to VM 'sc'" || fail "attach a SCSI disk"
ctl attach-disk sc --cdrom "$iso" --bus scsi | grepq "CD-ROM drive 'sdb'" || fail "attach a SCSI CD-ROM"

step one of two vCPUs online, cache, discard, keymap and entropy in the definition
ctl dumpxml sc | sed -e 's|<vcpu>1</vcpu>|<vcpu current="1">2</vcpu>|' \
  -e 's|<backend model="random">/dev/urandom</backend>|<backend model="builtin"/><rate bytes="65536" period="500"/>|' \
  -e 's|<driver name="qemu" type="raw"/>|<driver name="qemu" type="raw" cache="writeback" discard="unmap" io="threads"/>|' \
  -e 's|<graphics type="vnc"/>|<graphics type="vnc" keymap="de"/>|' > "$ROOT/sc.xml"
grepq 'current="1"' "$ROOT/sc.xml" && grepq 'cache="writeback"' "$ROOT/sc.xml" && grepq 'keymap="de"' "$ROOT/sc.xml" ||
  fail "could not edit the definition"
ctl define "$ROOT/sc.xml" >/dev/null
xml=$(ctl dumpxml sc)
for want in '<vcpu current="1">2</vcpu>' 'cache="writeback" discard="unmap" io="threads"' \
            '<target dev="sda" bus="scsi"/>' '<target dev="sdb" bus="scsi"/>' 'keymap="de"' \
            '<backend model="builtin"/>' '<rate bytes="65536" period="500"/>'; do
  case "$xml" in *"$want"*) ;; *) fail "dumpxml lost $want" ;; esac
done

ctl start sc >/dev/null
wait_for_log sc "$READY"
step the guest reads the SCSI disk
# the SCSI scan runs beside the guest's start: wait for the disk
console_expect sc 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/sda ] && break; sleep 1; done; echo "got-$(head -c 17 /dev/sda)"' \
  got-VIREO-SCSI-MARKER
step the guest sees the SCSI CD-ROM
console_expect sc 'for i in 1 2 3 4 5; do [ -b /dev/sr0 ] && break; sleep 1; done; dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>&1 | grep -c "4+0 records in"; echo cd-$?' cd-0
step one vCPU online of two
console_expect sc 'echo "cpus-$(cat /sys/devices/system/cpu/online)-$(nproc)"' cpus-0-1
step the guest draws entropy from the builtin generator, at the rate said
argv=$(cat "$(ls -d "$ROOT"/run/*/)qemu-argv")
case "$argv" in *'"qom-type":"rng-builtin"'*) ;; *) fail "QEMU got no rng-builtin: $argv" ;; esac
case "$argv" in *'"max-bytes":65536,"period":500'*) ;; *) fail "QEMU got no rate: $argv" ;; esac
console_expect sc 'echo "rng-$(cat /sys/class/misc/hw_random/rng_current)-$(head -c 64 /dev/hwrng | wc -c)"' rng-virtio_rng.0-64

step a live media change on the SCSI CD-ROM
other="$ROOT/other.img"
head -c 2097152 /dev/urandom > "$other"
ctl change-media sc sdb "$other" >/dev/null
ctl dumpxml sc | grepq "$other" || fail "the inserted image is not in the definition"
# the first read after a change reports the media change (unit attention)
console_expect sc 'dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>/dev/null; dd if=/dev/sr0 of=/dev/null bs=2048 count=1024 2>&1 | grep -c "1024+0 records in"; echo again-$?' again-0
ctl change-media sc sdb --eject >/dev/null
console_expect sc 'dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null; echo empty-$?' empty-1
ctl destroy sc >/dev/null

step mistakes are one clear line
ctl dumpxml sc | sed -e 's|<vcpu current="1">2</vcpu>|<vcpu cpuset="aaa">2</vcpu>|' > "$ROOT/bad.xml"
expect_error 1 "VM 'sc': <vcpu cpuset='aaa'> is not a CPU list" -- ctl define "$ROOT/bad.xml"
ctl dumpxml sc | sed -e 's|<vcpu current="1">2</vcpu>|<vcpu current="3">2</vcpu>|' > "$ROOT/bad.xml"
expect_error 1 "VM 'sc': <vcpu current='3'> is more than its 2 vCPUs" -- ctl define "$ROOT/bad.xml"
ctl dumpxml sc | sed -e 's|cache="writeback"|cache="fast"|' > "$ROOT/bad.xml"
expect_error 1 "VM 'sc': disk sda has <driver cache='fast'>" -- ctl define "$ROOT/bad.xml"
ctl dumpxml sc | sed -e 's|<backend model="builtin"/>|<backend model="random">/etc/passwd</backend>|' > "$ROOT/bad.xml"
expect_error 1 "VM 'sc': <rng> cannot read /etc/passwd" -- ctl define "$ROOT/bad.xml"
echo "scsi: ok"
