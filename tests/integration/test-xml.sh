#!/usr/bin/env bash
# Exported XML is valid libvirt XML; virsh's XML and virt-manager's SPICE
# VMs import.
. "$(dirname "$0")/lib.sh"

step a created VM exports valid libvirt XML
create_guest plain --cdrom "$VIREO_GUEST_DIR/initrd.img"
ctl dumpxml plain > "$ROOT/plain.xml"
virt-xml-validate "$ROOT/plain.xml" domain >/dev/null || fail "dumpxml output is not valid libvirt XML"

step virsh dumpxml of a simple VM imports and round-trips
ctl define "$VIREO_TEST_SRCDIR/data/domain/virsh-simple.xml" >/dev/null
ctl dumpxml debian12 > "$ROOT/debian12.xml"
virt-xml-validate "$ROOT/debian12.xml" domain >/dev/null || fail "imported XML does not validate"
grep -q "org.qemu.guest_agent.0" "$ROOT/debian12.xml" || fail "unknown elements were dropped"
ctl undefine debian12 >/dev/null
ctl define "$ROOT/debian12.xml" >/dev/null
[ "$(ctl dumpxml debian12)" = "$(cat "$ROOT/debian12.xml")" ] || fail "the round trip changed the XML"

step a virt-manager VM with SPICE imports and runs, its screen over VNC
qemu-img create -q -f qcow2 "$ROOT/spice.qcow2" 64M
sed -e "s|/var/lib/libvirt/images/debian12-spice.qcow2|$ROOT/spice.qcow2|" \
    -e 's|<interface type="network">|<interface type="user">|' -e '/<source network="default"\/>/d' \
    "$VIREO_TEST_SRCDIR/data/domain/virt-manager-spice.xml" > "$ROOT/spice.xml"
ctl define "$ROOT/spice.xml" >/dev/null
ctl dumpxml debian12-spice | grepq '<graphics type="spice"' || fail "the SPICE element was not kept for libvirt"
ctl start debian12-spice >/dev/null
[ "$(ctl state debian12-spice)" = running ] || fail "the SPICE VM does not run"
# SeaBIOS draws its boot messages within a few seconds under TCG
for ((i = 0; i < 50; i++)); do
  ctl screenshot debian12-spice "$ROOT/spice.png" >/dev/null && "$VIREO_PNG_CHECK" "$ROOT/spice.png" >/dev/null && break
  sleep 0.2
done
"$VIREO_PNG_CHECK" "$ROOT/spice.png" >/dev/null || fail "the SPICE VM's screen stays blank"
ls "$ROOT"/run/*/vnc.sock >/dev/null || fail "no VNC socket"
ctl destroy debian12-spice >/dev/null

step the kernel and initrd copied for the demo VM go with --remove-storage
ctl demo >/dev/null
ls "$ROOT/data/images" | grepq . || fail "the demo copied nothing into the images folder"
ctl undefine demo --remove-storage >/dev/null
left=$(ls "$ROOT/data/images" | grep -v '^spice.qcow2$' | grep -v '^plain' || true)
[ -z "$left" ] || fail "undefine --remove-storage left $left"

step libvirt's PCI layout is the guest's
qemu-img create -q -f qcow2 "$ROOT/laid-out.qcow2" 16M
sed -e "s|/srv/guest/vmlinuz|$VIREO_GUEST_DIR/vmlinuz|" -e "s|/srv/guest/initrd.img|$VIREO_GUEST_DIR/initrd.img|" \
    -e "s|/srv/images/laid-out.qcow2|$ROOT/laid-out.qcow2|" -e 's|console=ttyS0 quiet|console=tty0 console=ttyS0 quiet|' \
    "$VIREO_TEST_SRCDIR/data/domain/pci-layout.xml" > "$ROOT/laid-out.xml"
ctl define "$ROOT/laid-out.xml" >/dev/null
ctl dominfo laid-out | grepq "device address" && fail "dominfo says the PCI layout is not applied"
ctl start laid-out >/dev/null
wait_for_log laid-out "$READY"
# virtio 1.0 device ids: block 0x1042 behind root port 4, net 0x1041 behind 1, GPU 0x1050 on the root bus
console_expect laid-out 'cd /sys/bus/pci/devices && echo "pci-$(cat 0000:04:00.0/device)-$(cat 0000:01:00.0/device)-$(cat 0000:00:01.0/device)"' \
  'pci-0x1042-0x1041-0x1050'
ctl destroy laid-out >/dev/null
# a disk added since goes on the empty root port, the others stay
ctl attach-disk laid-out --size 16M >/dev/null
ctl start laid-out >/dev/null
wait_for_log laid-out "$READY" 2
console_expect laid-out 'cd /sys/bus/pci/devices && echo "pci-$(cat 0000:04:00.0/device)-$(cat 0000:07:00.0/device)"' \
  'pci-0x1042-0x1042'
ctl destroy laid-out >/dev/null

step --json on read verbs
ctl --json list --all | grepq '"name" : "plain"' || fail "list --json"
ctl state plain --json | grepq '"state" : "shutoff"' || fail "state --json"
step edits through vireoctl change only what they touch
c14n() { ctl dumpxml win11 | xmllint --c14n -; }
ctl define "$VIREO_TEST_SRCDIR/data/domain/virt-install/win11.xml" >/dev/null
before=$(c14n)
ctl attach-disk win11 --size 16M >/dev/null
ctl port-forward-add win11 tcp:2222:22 >/dev/null
changed=$(diff <(echo "$before") <(echo "$(c14n)") | grep '^[<>]' || true)
echo "$changed" | grep -q '^<' && fail "an edit removed or changed: $changed"
other=$(echo "$changed" | grep -v -e '<disk device="disk" type="file">' -e '<driver name="qemu" type="qcow2">' \
          -e 'win11-vda.qcow2' -e '<target bus="virtio" dev="vda">' -e '</disk>' -e 'vireo:' || true)
[ -z "$other" ] || fail "the edits also changed: $other"
ctl detach-disk win11 vda --remove-storage >/dev/null
ctl port-forward-remove win11 tcp:2222 >/dev/null
[ "$(c14n)" = "$before" ] || fail "undoing the edits did not give the document back"
echo "xml: ok"
