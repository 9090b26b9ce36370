#!/usr/bin/env bash
# Network definitions through vireoctl, with no root network operation:
# the default network on first use, a stock libvirt network imported,
# new networks on suggested subnets, duplicates and overlaps refused,
# autostart markers, and bad XML refused with nothing changed.
. "$(dirname "$0")/lib.sh"
NETS="$ROOT/config/networks"
DATA="$VIREO_TEST_SRCDIR/data/network"

step the default network is defined on first use, once
ctl net-list --all | grepq '^default .*vireobr0 *192\.168\.124\.0/24$' || fail "no default network on first use"
[ -f "$NETS/.default-defined" ] || fail "the first-use marker is missing"
default_xml=$(ctl net-dumpxml default)
echo "$default_xml" > "$ROOT/default.xml"
virt-xml-validate "$ROOT/default.xml" network >/dev/null || fail "the default network's XML is not valid"
[ "$(ctl net-dumpxml default)" = "$default_xml" ] || fail "the default network was defined again"

step virsh net-dumpxml default imports with a bridge of Vireo, and round-trips
sed -e 's|<name>default</name>|<name>libvirt</name>|' "$DATA/virsh-default.xml" > "$ROOT/libvirt.xml"
out=$(ctl net-define "$ROOT/libvirt.xml")
case "$out" in *"vireobr1 instead of virbr0"*) ;; *) fail "net-define did not say which bridge it chose: $out" ;; esac
ctl net-dumpxml libvirt > "$ROOT/libvirt-out.xml"
virt-xml-validate "$ROOT/libvirt-out.xml" network >/dev/null || fail "the imported network's XML is not valid"
grep -q 'stp="on"' "$ROOT/libvirt-out.xml" || fail "the bridge's stp setting was dropped"
grep -q '<port start="1024" end="65535"/>' "$ROOT/libvirt-out.xml" || fail "the <nat> ports were dropped"
ctl net-define "$ROOT/libvirt-out.xml" >/dev/null
[ "$(ctl net-dumpxml libvirt)" = "$(cat "$ROOT/libvirt-out.xml")" ] || fail "defining the output again changed it"

step the other fixtures import
ctl net-define "$DATA/isolated.xml" >/dev/null
ctl net-define "$DATA/hosts-domain.xml" >/dev/null
ctl net-dumpxml office | grepq '<host mac="52:54:00:aa:00:01" name="build" ip="10.20.30.10"/>' || fail "static leases were lost"

step net-create suggests a free subnet and bridge
out=$(ctl net-create lab)
case "$out" in *"192.168.125.0/24 (bridge vireobr2)"*) ;; *) fail "unexpected subnet or bridge: $out" ;; esac
ctl net-create closed --subnet 10.99.0.0/16 --isolated >/dev/null
ctl net-dumpxml closed | grepq '<forward' && fail "an isolated network has a <forward>"
ctl net-dumpxml closed | grepq '<range start="10.99.0.2" end="10.99.255.254"/>' || fail "the DHCP range is not the whole subnet"

step duplicates and overlaps are refused with one line
expect_error 1 "already exists" -- ctl net-create lab
expect_error 1 "overlaps subnet 192.168.125.0/24 of network 'lab'" -- ctl net-create lab2 --subnet 192.168.125.128/25
expect_error 1 "UUID" -- bash -c "sed 's|<name>libvirt</name>|<name>copy</name>|;s|192.168.122|192.168.140|g' '$ROOT/libvirt-out.xml' > '$ROOT/copy.xml' && '$VIREOCTL' --root '$ROOT' net-define '$ROOT/copy.xml'"
sed -e 's|<name>libvirt</name>|<name>other</name>|' -e '/<uuid>/d' "$ROOT/libvirt-out.xml" > "$ROOT/other.xml"
expect_error 1 "bridge vireobr1" -- ctl net-define "$ROOT/other.xml"
sed -e 's|vireobr1|vireobr40|' "$ROOT/other.xml" > "$ROOT/other2.xml"
expect_error 1 "overlaps subnet 192.168.122.0/24" -- ctl net-define "$ROOT/other2.xml"
expect_error 2 "net-create" -- ctl net-create
expect_error 1 "/8" -- ctl net-create big --subnet 10.0.0.0/8

step bad XML is refused with one line and nothing changes
before=$(ls -l --time-style=full-iso "$NETS")
printf '<network><name>bad</name>' > "$ROOT/bad.xml"
expect_error 1 "malformed XML" -- ctl net-define "$ROOT/bad.xml"
printf "<network><name>bad</name><forward mode='route'/><ip address='10.5.0.1' prefix='24'/></network>" > "$ROOT/route.xml"
expect_error 1 "mode='route'" -- ctl net-define "$ROOT/route.xml"
[ "$(ls -l --time-style=full-iso "$NETS")" = "$before" ] || fail "a refused definition changed the folder"
expect_error 1 "does not exist" -- ctl net-dumpxml bad

step autostart is a marker file beside the definitions
ctl net-autostart lab >/dev/null
[ -f "$NETS/autostart/lab" ] || fail "no autostart marker"
ctl --json net-list --all | python3 -c '
import json, sys
nets = {n["name"]: n for n in json.load(sys.stdin)}
assert nets["lab"]["autostart"] is True, nets["lab"]
assert nets["default"]["autostart"] is True, "the default network autostarts, as libvirt does"
assert nets["closed"]["forward"] == "none"
assert nets["libvirt"]["bridge"] == "vireobr1"
assert sorted(nets) == ["closed", "default", "lab", "lab-isolated", "libvirt", "office"], sorted(nets)
' || fail "net-list --json is not as expected"
ctl net-autostart lab --disable >/dev/null
[ -e "$NETS/autostart/lab" ] && fail "the autostart marker stayed"
expect_error 1 "does not exist" -- ctl net-autostart nowhere

step net-undefine deletes a stopped network and its marker
ctl net-autostart closed >/dev/null
ctl net-undefine closed >/dev/null
[ -e "$NETS/closed.xml" ] && fail "the definition stayed"
[ -e "$NETS/autostart/closed" ] && fail "the autostart marker stayed"
expect_error 1 "does not exist" -- ctl net-undefine closed
ctl net-create closed --subnet 10.99.0.0/16 >/dev/null
out=$(ctl net-add-host closed --mac 52:54:00:00:99:01 --ip 10.99.0.50 --name web)
ctl net-dumpxml closed | grepq '<host mac="52:54:00:00:99:01" name="web" ip="10.99.0.50"/>' || fail "net-add-host did not save the lease: $out"
expect_error 1 "10.98.0.5" -- ctl net-add-host closed --mac 52:54:00:00:99:02 --ip 10.98.0.5
expect_error 2 "--mac" -- ctl net-add-host closed --ip 10.99.0.51

step static leases added at once by many clients are all kept
pids=()
for i in $(seq 10 29); do
  ctl net-add-host closed --mac "52:54:00:00:98:$i" --ip "10.99.1.$i" >/dev/null &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a concurrent net-add-host failed"; done
n=$(ctl net-dumpxml closed | grep -c '<host mac="52:54:00:00:98:')
[ "$n" -eq 20 ] || fail "20 concurrent net-add-host kept $n leases"

step a definition that does not load is reported, not hidden
ln -s "$ROOT/libvirt-out.xml" "$NETS/linked.xml"
expect_error 1 "linked" -- ctl net-dumpxml linked
rm "$NETS/linked.xml"
echo "PASS"
