#!/usr/bin/env bash
# One real libvirtd under TCG: qemu:///session of an unprivileged user
# (nobody) whose HOME and XDG runtime folder are a temporary folder, so
# the daemon libvirt autostarts there keeps all it has in it.  Through
# Vireo: define a VM of the test guest, start it, type a command in its
# serial console, read its display's first frame, kill the daemon (the
# host turns lost, comes back, and the VM's row is the same object), shut
# it down by ACPI, and undefine it; then make a new VM there, its disk a
# volume of a pool, add and remove a disk.  Everything it started is killed by
# the pids in that folder.
. "$(dirname "$0")/libvirtd-lib.sh"

step define through Vireo, on a libvirtd it autostarts
lctl define "$LV/guest.xml" | grepq "Defined VM 'lv1'" || fail "define on qemu:///session"
[ -f "$RUN/libvirt/libvirtd.pid" ] || fail "no libvirtd was started in the test folder"
lctl list --all | grepq '^ lv1  *shutoff' || fail "lv1 is not listed shut off"

step start, and type a command in the serial console
lctl start lv1 | grepq "started" || fail "start lv1"
[ "$(lctl state lv1)" = running ] || fail "lv1 is not running"
marker="typed-through-libvirt-$$"
type_until "echo $marker-\$((6*7))" "$marker-42" lctl

step a snapshot with RAM, and back to it
lctl snapshot-create lv1 base --description "before the file" | grepq "Took snapshot 'base' of VM 'lv1'" || fail "snapshot-create"
type_until "touch /tmp/after-snapshot && echo touched-\$((1+1))" "touched-2" lctl
lctl snapshot-revert lv1 base | grepq "Reverted VM 'lv1' to snapshot 'base'" || fail "snapshot-revert"
[ "$(lctl state lv1)" = running ] || fail "lv1 does not run after reverting to a snapshot with RAM"
type_until "ls /tmp/after-snapshot 2>&1 | tail -1" "No such file" lctl
lctl snapshot-list lv1 | grepq "base" || fail "snapshot-list does not list base"
lctl snapshot-current lv1 | grepq "base" || fail "base is not the current snapshot"

step a CD-ROM image inserted and ejected while it runs
lctl change-media lv1 hdc "$LV/tiny.iso" | grepq "Inserted $LV/tiny.iso into 'hdc' of VM 'lv1'" || fail "change-media on qemu:///session"
lctl dumpxml lv1 | grepq "<source file=\"$LV/tiny.iso\"" || fail "the definition does not hold the inserted image: $(lctl dumpxml lv1)"
lctl dumpxml lv1 | grepq "<boot order=\"1\"/>" || fail "changing the medium lost the drive's boot order: $(lctl dumpxml lv1)"
expect_error 1 "VM 'lv1' has no CD-ROM drive 'vda'" -- lctl change-media lv1 vda "$LV/tiny.iso"
lctl change-media lv1 hdc --eject | grepq "Ejected" || fail "eject on qemu:///session"
lctl dumpxml lv1 | grepq "tiny.iso" && fail "the ejected image is still in the definition"

step a screenshot through libvirt, as a PNG here
lctl screenshot lv1 "$LV/shot.png" >/dev/null || fail "screenshot on qemu:///session"
"$VIREO_PNG_CHECK" "$LV/shot.png" >/dev/null || fail "the screenshot is blank or not a PNG"
[ "$(stat -c %a "$LV/shot.png")" = 600 ] || fail "the screenshot is readable by others"

step the display answers as a VNC server and sends a first frame with a picture in it
as_user "$VIREO_LIBVIRT_PROBE" qemu:///session display lv1 >"$LV/display" 2>&1 || fail "the display: $(cat "$LV/display")"
[ "$(head -n 1 "$LV/display")" = "RFB 003.008" ] || fail "no RFB greeting from the display: $(cat "$LV/display")"
grepq -E '^frame [0-9]+x[0-9]+, ([2-9]|[1-9][0-9]+) colours$' "$LV/display" || fail "no first frame, or a blank one: $(cat "$LV/display")"

step statistics come from libvirt
lctl stats lv1 | grepq -i "cpu" || fail "no statistics"

step the daemon dies: the host is lost, comes back, and the row is the same object
mkfifo "$LV/hold" && chown nobody "$LV/hold"
as_user "$VIREO_LIBVIRT_PROBE" qemu:///session watch lv1 <"$LV/hold" >"$LV/watch.out" 2>&1 &
BACKGROUND_PIDS+=($!)
exec 7>"$LV/hold"
for _ in $(seq 50); do grepq "host connected" "$LV/watch.out" && break; sleep 0.2; done
kill -9 "$(cat "$RUN/libvirt/libvirtd.pid")"
for _ in $(seq 100); do grepq "row " "$LV/watch.out" && break; sleep 0.2; done
grepq "host lost: Host 'qemu:///session': the host closed the connection" "$LV/watch.out" || fail "the host did not turn lost: $(cat "$LV/watch.out")"
grepq "row kept" "$LV/watch.out" || fail "after reconnecting the row is not the same: $(cat "$LV/watch.out")"
exec 7>&-
[ "$(lctl state lv1)" = running ] || fail "the VM did not outlive its daemon"

step ACPI shutdown, then undefine
lctl shutdown lv1 --timeout 120 >/dev/null || fail "shutdown lv1"
[ "$(lctl state lv1)" = shutoff ] || fail "lv1 is not shut off"
lctl undefine lv1 | grepq "Deleted VM 'lv1'" || fail "undefine lv1"
lctl list --all | grepq ' lv1 ' && fail "lv1 is still listed"

step a new VM made on the host: its QEMU checked, its disk a volume of the pool, a disk added and removed there
as_user virsh -c qemu:///session pool-define-as default dir --target "$LV/pool" >/dev/null
as_user virsh -c qemu:///session pool-build default >/dev/null
as_user virsh -c qemu:///session pool-start default >/dev/null
lctl create made --disk 16M --memory 128 --vcpus 1 --accel tcg --kernel "$LV/vmlinuz" --initrd "$LV/initrd.img" |
  grepq "Created VM 'made'" || fail "create on qemu:///session"
lctl dumpxml made | grepq "<domain type=\"qemu\"" || fail "the new VM is not TCG: $(lctl dumpxml made)"
lctl dumpxml made | grepq "<source file=\"$LV/pool/made.qcow2\"" || fail "the new disk is not in the pool: $(lctl dumpxml made)"
[ "$(qemu-img info --output=json "$LV/pool/made.qcow2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')" = 16777216 ] ||
  fail "the new disk is not a 16 MiB qcow2"
lctl attach-disk made --size 8M | grepq "Added disk 'vdb' to VM 'made'" || fail "attach-disk on qemu:///session"
[ -f "$LV/pool/made-vdb.qcow2" ] || fail "the added disk is not a volume of the pool"
lctl detach-disk made vdb --remove-storage | grepq "Removed 'vdb' from VM 'made'" || fail "detach-disk on qemu:///session"
[ -e "$LV/pool/made-vdb.qcow2" ] && fail "the removed disk's volume was kept"
expect_error 1 "VM 'big': memory must be from 64 to" -- lctl create big --memory 99999999 --accel tcg
lctl undefine made --remove-storage | grepq "Deleted VM 'made'" || fail "undefine made"
[ -e "$LV/pool/made.qcow2" ] && fail "the VM's volume was kept"
echo PASS
