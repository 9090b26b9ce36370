#!/usr/bin/env bash
# vireoctl on libvirt hosts, through libvirt's test driver (no daemon):
# --connect on the verbs every host has, the saved hosts beside this
# computer in list --all-hosts, and one-line errors for a bad URI, an
# unreachable host and a verb only this computer has.  Each vireoctl is a
# process of its own, so test:///FILE starts from FILE every time.
. "$(dirname "$0")/lib.sh"

NODE=$ROOT/node.xml
HOST="test://$NODE"
cat > "$NODE" <<'XML'
<node>
  <domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>web</name><uuid>00000000-0000-4000-8000-000000000001</uuid>
    <memory unit='MiB'>512</memory><vcpu>2</vcpu>
    <os><type arch='x86_64' machine='pc'>hvm</type></os>
    <test:runstate>1</test:runstate>
  </domain>
  <domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>db</name><uuid>00000000-0000-4000-8000-000000000002</uuid>
    <memory unit='MiB'>1024</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='pc'>hvm</type></os>
    <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='/pool/db.qcow2'/><target dev='vda' bus='virtio'/></disk></devices>
    <test:runstate>5</test:runstate>
  </domain>
  <domain type='qemu' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>tpl</name><uuid>00000000-0000-4000-8000-000000000003</uuid>
    <memory unit='MiB'>256</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='q35'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'><driver name='qemu' type='raw'/>
        <source file='/pool/tpl.img'/><target dev='vda' bus='virtio'/></disk>
      <interface type='network'><mac address='52:54:00:00:00:03'/><source network='default'/></interface>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <pool type='dir'>
    <name>default</name><uuid>00000000-0000-4000-8000-0000000000aa</uuid>
    <capacity unit='GiB'>10</capacity><allocation>0</allocation><available unit='GiB'>10</available>
    <target><path>/pool</path></target>
    <volume type='file'><name>db.qcow2</name><capacity unit='MiB'>64</capacity>
      <target><format type='qcow2'/></target></volume>
    <volume type='file'><name>data.img</name><capacity unit='MiB'>32</capacity>
      <target><format type='raw'/></target></volume>
    <volume type='file'><name>tpl.img</name><capacity unit='MiB'>4</capacity>
      <target><format type='raw'/></target></volume>
  </pool>
  <network>
    <name>lab</name><uuid>00000000-0000-4000-8000-0000000000b1</uuid>
    <bridge name='virbr9'/><forward mode='nat'/>
    <ip address='10.77.0.1' prefix='24'><dhcp><range start='10.77.0.2' end='10.77.0.254'/></dhcp></ip>
  </network>
</node>
XML

step --connect lists a libvirt host, running VMs or all
ctl --connect "$HOST" list | grepq '^ web  *running  *2 *512.0.MiB' || fail "web is not listed as running"
ctl --connect "$HOST" list | grepq ' db ' && fail "a shut-off VM is listed without --all"
ctl -c "$HOST" list --all | grepq '^ db  *shutoff  *1  *1.0.GiB' || fail "db is not listed with --all"
ctl -c "$HOST" --json list --all | python3 -c '
import json, sys
rows = {r["name"]: r for r in json.load(sys.stdin)}
assert rows["db"]["uuid"] == "00000000-0000-4000-8000-000000000002", rows
assert rows["web"]["memory-mib"] == 512, rows
' || fail "the JSON list of the host is wrong"

step the lifecycle verbs act on the host and say so
[ "$(ctl -c "$HOST" state web)" = running ] || fail "state of web"
ctl -c "$HOST" pause web | grepq "paused" || fail "pause did not say paused"
ctl -c "$HOST" start db >/dev/null || fail "start db failed"
ctl -c "$HOST" shutdown web --timeout 5 >/dev/null || fail "shutdown web failed"
ctl -c "$HOST" destroy web >/dev/null || fail "destroy web failed"
ctl -c "$HOST" dumpxml db | grepq "<name>db</name>" || fail "dumpxml db"

step disks on the host are volumes of its pools
ctl -c "$HOST" attach-disk db --size 64M | grepq "Added disk 'vdb' to VM 'db'" || fail "attach-disk --size on the host"
ctl -c "$HOST" attach-disk db /pool/data.img | grepq "Added disk 'vdb' to VM 'db'" || fail "attach-disk of a pool volume"
ctl -c "$HOST" attach-disk web --cdrom | grepq "Added CD-ROM drive 'hda' to VM 'web' (from its next start)" ||
  fail "an empty CD-ROM drive on a running VM"
ctl -c "$HOST" detach-disk db vda --remove-storage | grepq "Removed 'vda' from VM 'db'" || fail "detach-disk on the host"
expect_error 1 "VM 'db': /elsewhere/disk.qcow2 is in no storage pool of host" -- \
  ctl -c "$HOST" attach-disk db /elsewhere/disk.qcow2
expect_error 1 "VM 'db' has no disk 'vdz'" -- ctl -c "$HOST" detach-disk db vdz

step a new VM on the host gets its disk in the host pool
ctl -c "$HOST" create made --disk 64M --memory 256 --vcpus 1 | grepq "Created VM 'made'" || fail "create on the host"
expect_error 1 "VM 'made': host '$HOST' has no port forwards" -- \
  ctl -c "$HOST" create made --memory 256 --forward tcp:2222:22
expect_error 1 "VM 'big': memory must be from 64 to" -- ctl -c "$HOST" create big --memory 99999999

step define and undefine through the host
cat > "$ROOT/new.xml" <<'XML'
<domain type='qemu'><name>fresh</name><memory unit='MiB'>128</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>
XML
ctl -c "$HOST" define "$ROOT/new.xml" | grepq "Defined VM 'fresh'" || fail "define on the host"
ctl -c "$HOST" undefine db | grepq "Deleted VM 'db'" || fail "undefine on the host"

step networks of the host through --connect
# the test driver runs every network of its file, and each vireoctl
# starts from the file again: stop works, start finds it running
ctl -c "$HOST" net-list | grepq '^lab  *active  *no  *virbr9  *10.77.0.0/24' || fail "lab is not listed as active"
ctl -c "$HOST" --json net-list --all | python3 -c '
import json, sys
rows = {r["name"]: r for r in json.load(sys.stdin)}
assert rows["lab"]["subnet"] == "10.77.0.0/24" and rows["lab"]["active"], rows
' || fail "the JSON list of the host's networks is wrong"
ctl -c "$HOST" net-stop lab | grepq "Network 'lab' stopped" || fail "net-stop on the host"
ctl -c "$HOST" net-autostart lab | grepq "Network 'lab' starts by itself" || fail "net-autostart on the host"
ctl -c "$HOST" net-dumpxml lab | grepq "<name>lab</name>" || fail "net-dumpxml on the host"
ctl -c "$HOST" net-add-host lab --mac 52:54:00:00:00:77 --ip 10.77.0.77 | grepq "lab" || fail "net-add-host on the host"
cat > "$ROOT/iso.xml" <<'XML'
<network><name>iso</name><bridge name='virbr8'/><ip address='10.78.0.1' prefix='24'/></network>
XML
ctl -c "$HOST" net-define "$ROOT/iso.xml" | grepq "Defined network 'iso'" || fail "net-define on the host"
expect_error 1 "Network 'lab' on host '$HOST'" -- ctl -c "$HOST" net-start lab
expect_error 1 "Network 'lab' is running: stop it first" -- ctl -c "$HOST" net-undefine lab
expect_error 1 "Network 'nosuch' does not exist on host '$HOST'" -- ctl -c "$HOST" net-stop nosuch
ctl -c "$HOST" net-create more | grepq -E "^Created network 'more' on 192\.168\.[0-9]+\.0/24 \(bridge virbr[0-9]+\)$" ||
  fail "net-create on the host"
expect_error 1 "overlaps" -- ctl -c "$HOST" net-create other --subnet 10.77.0.0/24

step errors are one line naming the host or the VM
expect_error 1 "VM 'nosuch' does not exist on host '$HOST'" -- ctl -c "$HOST" state nosuch
expect_error 1 "is already" -- ctl -c "$HOST" start web
expect_error 2 "convert-disk works only on this computer's VMs" -- ctl -c "$HOST" convert-disk db vda
expect_error 1 "not a host URI Vireo can use" -- ctl -c "qemu+ssh://-oProxyCommand=x/system" list
expect_error 1 "Host 'test://$ROOT/missing.xml'" -- ctl -c "test://$ROOT/missing.xml" list

step clones on the host copy the volumes of the source in its pool
ctl -c "$HOST" clone tpl | grepq "Cloned VM 'tpl' as 'tpl-clone'" || fail "clone on the host"
ctl -c "$HOST" clone tpl copy | grepq "Cloned VM 'tpl' as 'copy'" || fail "clone with a name on the host"
expect_error 1 "VM 'web' is running; shut it down to clone it" -- ctl -c "$HOST" clone web
expect_error 1 "VM 'tpl': host '$HOST' makes no linked clones (a full clone copies the disks)" -- ctl -c "$HOST" clone tpl --linked
expect_error 1 "A VM named 'db' already exists" -- ctl -c "$HOST" clone tpl db

step saved hosts, and every VM of every host in one list
create_guest here
ctl host-add "$HOST" --title "Lab" | grepq "Saved host" || fail "host-add"
ctl host-add "test://$ROOT/missing.xml" --title "Gone" >/dev/null
expect_error 1 "already" -- ctl host-add "$HOST"
ctl host-list | grepq "^ $HOST  *Lab  *connected" || fail "the saved host is not connected in host-list"
ctl host-list | grepq "^ test://$ROOT/missing.xml  *Gone  *disconnected  *Host " || fail "the missing host does not say why"
out=$(ctl list --all --all-hosts 2>"$ROOT/err")
echo "$out" | grepq '^ Host  *Name' || fail "no HOST column: $out"
echo "$out" | grepq '^ This computer  *here  *shutoff' || fail "this computer's VM is missing: $out"
echo "$out" | grepq '^ Lab  *web  *running' || fail "the host's VM is missing: $out"
[ "$(grep -c . "$ROOT/err")" -eq 1 ] && grepq "missing.xml" "$ROOT/err" || fail "the unreachable host is not one line on stderr: $(cat "$ROOT/err")"
ctl --json list --all --all-hosts 2>/dev/null | python3 -c '
import json, sys
rows = {(r["host-uri"], r["name"]): r for r in json.load(sys.stdin)}
assert ("vireo:///session", "here") in rows, rows
assert rows[("'"$HOST"'", "db")]["host"] == "Lab", rows
' || fail "the JSON of list --all-hosts is wrong"
ctl host-remove "$HOST" >/dev/null
ctl list --all --all-hosts 2>/dev/null | grepq ' Lab ' && fail "a removed host is still listed"
echo PASS
