#!/usr/bin/env bash
# Exported XML is valid libvirt XML, and virsh's XML imports.
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

step --json on read verbs
ctl --json list --all | grep -q '"name" : "plain"' || fail "list --json"
ctl state plain --json | grep -q '"state" : "shutoff"' || fail "state --json"
echo "xml: ok"
