#!/usr/bin/env bash
# CD-ROM images change while the VM runs, and the guest sees it.
. "$(dirname "$0")/lib.sh"

iso="$ROOT/disc.img"
head -c 4194304 /dev/urandom > "$iso"
create_guest disc --cdrom "$iso"
ctl start disc >/dev/null
wait_for_log disc "$READY"

step the guest reads the inserted disc
console_expect disc 'dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>&1 | grep -c "4+0 records in"; echo read-$?' read-0

step eject while running
ctl change-media disc sda --eject >/dev/null
ctl dumpxml disc | grepq "$iso" && fail "the ejected image is still in the definition"
console_expect disc 'dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null; echo empty-$?' empty-1

step insert another image while running
other="$ROOT/other.img"
head -c 2097152 /dev/urandom > "$other"
ctl change-media disc sda "$other" >/dev/null
ctl dumpxml disc | grepq "$other" || fail "the inserted image is not in the definition"
# the first read after a change reports the media change (unit attention)
console_expect disc 'dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>/dev/null; dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>/dev/null; echo again-$?' again-0

step media changes are live, other changes wait for the next start
pending () { ctl state disc --json | grep -o '"pending-changes" *: *[a-z]*' | grep -o '[a-z]*$'; }
[ "$(pending)" = false ] || fail "a live media change was reported as pending"
ctl dumpxml disc | sed -e 's|<vcpu>1</vcpu>|<vcpu>2</vcpu>|' > "$ROOT/two.xml"
grep -q '<vcpu>2</vcpu>' "$ROOT/two.xml" || fail "could not edit the definition"
ctl define "$ROOT/two.xml" >/dev/null
[ "$(pending)" = true ] || fail "a vCPU change on a running VM is not reported as pending"

step mistakes are one clear line
expect_error 1 "VM 'disc' has no CD-ROM drive 'vda'" -- ctl change-media disc vda "$other"
expect_error 1 "VM 'disc': CD-ROM image $ROOT/none.iso does not exist" -- ctl change-media disc sda "$ROOT/none.iso"
expect_error 2 "change-media takes NAME TARGET" -- ctl change-media disc sda

ctl destroy disc >/dev/null
[ "$(pending)" = false ] || fail "a shut-off VM has pending changes"
step offline change
ctl change-media disc sda --eject >/dev/null
ctl dumpxml disc | grepq "$other" && fail "offline eject did not change the definition"
echo "media: ok"
