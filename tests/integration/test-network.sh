#!/usr/bin/env bash
# NAT virtual networks end to end: vireo-net's bridge, nftables and
# dnsmasq, taps handed to QEMU, DHCP leases, DNS between guests and the
# host reaching a guest.  Everything runs inside a network namespace this
# test creates and deletes: no packet leaves it.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: NAT networks need root (or vireo-net over D-Bus)"
  exit 77
fi

NS=vireo-it-net-$$
# not below $ROOT (0700): dnsmasq, once it dropped to its own user,
# re-reads its hosts files there, as it does in /run/vireo-net
VIREO_NET_STATE_DIR=$(mktemp -d /tmp/vireo-net-state.XXXXXX)
chmod 755 "$VIREO_NET_STATE_DIR"
export VIREO_NET_STATE_DIR
ip netns add "$NS"
in_ns() { ip netns exec "$NS" "$@"; }
ctl() { in_ns "$VIREOCTL" --root "$ROOT" "$@"; }

ns_cleanup() {
  local pid
  [ -z "${ROOT2:-}" ] || "$VIREO_TEST_SRCDIR/../build-aux/kill-runtime.sh" "$ROOT2"
  cleanup
  # whatever still runs in the namespace (dnsmasq, a bus, a helper) goes
  # with it; nothing of it lives outside
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$VIREO_NET_STATE_DIR"
}
trap ns_cleanup EXIT
in_ns ip link set lo up

# guest NAME NETWORK [AGENT]: the test guest on NETWORK, named NAME for DHCP
# and DNS; without AGENT it has no guest agent, so its address can only
# come from the lease
guest() {
  local name=$1 network=$2 agent=${3:-}
  ctl create "$name" --memory 256 --vcpus 1 --kernel "$VIREO_GUEST_DIR/vmlinuz" \
    --initrd "$VIREO_GUEST_DIR/initrd.img" \
    --cmdline "console=tty0 console=ttyS0 quiet vireo.hostname=$name" --network "$network" >/dev/null
  if [ -z "$agent" ]; then
    ctl dumpxml "$name" | python3 -c '
import re, sys
print(re.sub(r"<channel type=.unix.>.*?</channel>\s*", "", sys.stdin.read(), flags=re.S))' >"$ROOT/$name.xml"
    ctl define "$ROOT/$name.xml" >/dev/null
  fi
}

mac_of() { ctl dumpxml "$1" | sed -n "s/.*<mac address=[\"']\([^\"']*\)[\"'].*/\1/p" | head -n 1; }

# lease NAME [N]: the address the guest printed when udhcpc bound in its
# Nth boot (the serial log keeps the earlier boots)
lease() {
  wait_for_log "$1" "VIREO-GUEST-LEASE eth0 " "${2:-1}" 180
  grep -a -o "VIREO-GUEST-LEASE eth0 [0-9.]*" "$(serial_log "$1")" | tail -n 1 | cut -d' ' -f3
}

# fresh_prompt NAME: the lease line may have come after the prompt
fresh_prompt() {
  printf '\n' | ctl console "$1" --idle 0.5 >/dev/null
  wait_prompt "$1"
}

nothing_left() {
  in_ns ip -o link show | grepq "vireobr\|vnet\|vireotap" && fail "a bridge or a tap is left: $(in_ns ip -o link show)"
  in_ns nft list tables | grepq vireo && fail "the nftables table is left"
  pgrep -f "dnsmasq.*$VIREO_NET_STATE_DIR" >/dev/null && fail "a dnsmasq is left"
  return 0
}

cat >"$ROOT/lab.xml" <<EOF
<network>
  <name>lab</name>
  <forward mode='nat'/>
  <bridge name='vireobr7'/>
  <domain name='lab.test'/>
  <ip address='10.77.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.199'/>
    </dhcp>
  </ip>
</network>
EOF

step a network starts with its bridge, its table and its dnsmasq
ctl net-define "$ROOT/lab.xml" >/dev/null
ctl net-start lab >/dev/null
in_ns ip -o addr show dev vireobr7 | grepq "inet 10.77.0.1/24" || fail "the bridge has no address"
in_ns nft list table ip vireo >/dev/null || fail "no nftables table"
in_ns nft list table ip vireo | grepq masquerade || fail "a NAT network masquerades"
pgrep -f "dnsmasq.*$VIREO_NET_STATE_DIR" >/dev/null || fail "no dnsmasq"
ctl net-list | grepq "lab.*active" || fail "net-list: $(ctl net-list)"

step a guest gets a lease, and the engine reports it from the lease file
guest one lab
ctl start one >/dev/null
ip_one=$(lease one)
case "$ip_one" in 10.77.0.1[0-9][0-9]) ;; *) fail "VM one got '$ip_one', outside the range" ;; esac
for ((i = 0; i < 50; i++)); do ctl domifaddr one | grepq "$ip_one" && break; sleep 0.2; done
ctl domifaddr one | grepq "$ip_one" || fail "domifaddr does not report the lease: $(ctl domifaddr one)"
ctl net-leases lab | grep "$ip_one" | grepq one || fail "net-leases: $(ctl net-leases lab)"

step a static lease gives the configured address
guest two lab agent
ctl net-add-host lab --mac "$(mac_of two)" --ip 10.77.0.50 --name fixed >/dev/null
ctl start two >/dev/null
got=$(lease two); [ "$got" = 10.77.0.50 ] || fail "VM two got $got, not its static lease: $(cat "$VIREO_NET_STATE_DIR"/*/hosts* 2>&1) $(ctl net-dumpxml lab)"

step guests reach the bridge and each other, and resolve names through dnsmasq
fresh_prompt one
console_expect one "ping -c 1 -W 5 10.77.0.1 >/dev/null && echo PING-BRIDGE-OK" PING-BRIDGE-OK
console_expect one "nslookup two.lab.test 10.77.0.1 | grepq 10.77.0.50 && echo DNS-OK" DNS-OK
fresh_prompt two
console_expect two "ping -c 1 -W 5 $ip_one >/dev/null && echo PING-ONE-OK" PING-ONE-OK

step the host side reaches a guest listening with nc
console_expect one "nc -l -p 7000 -e echo VIREO-NC-OK & echo LISTENING" LISTENING
got=""
for ((i = 0; i < 50; i++)); do
  got=$(in_ns timeout 5 bash -c "exec 3<>/dev/tcp/$ip_one/7000 && head -n 1 <&3" 2>/dev/null || true)
  [ "$got" = VIREO-NC-OK ] && break
  sleep 0.2
done
[ "$got" = VIREO-NC-OK ] || fail "the host could not reach VM one on TCP 7000"

step a MAC already on the network is refused at start
guest three lab
sed "s/<mac address=[\"'][^\"']*[\"']/<mac address='$(mac_of one)'/" <(ctl dumpxml three) >"$ROOT/three.xml"
expect_error 1 "already used on network 'lab' by VM 'one'" -- ctl define "$ROOT/three.xml"
# another user's tree, whose VM has one's MAC: vireo-net refuses its tap
ROOT2=$ROOT/other-user
in_ns "$VIREOCTL" --root "$ROOT2" net-define "$ROOT/lab.xml" >/dev/null
sed "s/<name>three</<name>twin</; s/<uuid>[^<]*</<uuid>$(cat /proc/sys/kernel/random/uuid)</" "$ROOT/three.xml" >"$ROOT/twin.xml"
in_ns "$VIREOCTL" --root "$ROOT2" define "$ROOT/twin.xml" >/dev/null
expect_error 1 "a running VM already uses MAC address $(mac_of one)" -- in_ns "$VIREOCTL" --root "$ROOT2" start twin

step a dnsmasq that died is restarted when the next VM starts
ctl destroy two >/dev/null
pkill -9 -f "dnsmasq.*$VIREO_NET_STATE_DIR" || true
for ((i = 0; i < 50; i++)); do pgrep -f "dnsmasq.*$VIREO_NET_STATE_DIR" >/dev/null || break; sleep 0.1; done
ctl start three >/dev/null
pgrep -f "dnsmasq.*$VIREO_NET_STATE_DIR" >/dev/null || fail "dnsmasq was not restarted"
lease three >/dev/null

step net-stop is refused while a VM runs on the network, then leaves no bridge, no table, no dnsmasq and no tap
expect_error 1 "in use by running VM" -- ctl net-stop lab
for vm in one three; do ctl destroy "$vm" >/dev/null; done
ctl net-stop lab >/dev/null
nothing_left

step an isolated network gives no way out of its subnet
ctl net-create iso --subnet 10.78.0.0/24 --isolated >/dev/null
ctl net-start lab >/dev/null
ctl net-start iso >/dev/null
in_ns nft list table ip vireo | grep -A3 "10.78.0.0/24" | grepq masquerade && fail "an isolated network masquerades"
ctl start one >/dev/null
ip_one=$(lease one 2)
guest four iso
ctl start four >/dev/null
lease four >/dev/null
fresh_prompt four
console_expect four "ip route | grepq default || echo NO-DEFAULT-ROUTE" NO-DEFAULT-ROUTE
console_expect four "ip route add 10.77.0.0/24 via 10.78.0.1; ping -c 1 -W 3 $ip_one >/dev/null || echo ISOLATED-OK" ISOLATED-OK
for vm in one four; do ctl destroy "$vm" >/dev/null; done
ctl net-stop iso >/dev/null
ctl net-stop lab >/dev/null
nothing_left

step bad networks are refused and change nothing
expect_error 1 "overlaps" -- ctl net-create clash --subnet 10.77.0.0/16
in_ns ip link add vtest0 type veth peer name vtest1
in_ns ip addr add 10.90.0.1/24 dev vtest0
ctl net-create hostclash --subnet 10.90.0.0/24 >/dev/null
expect_error 1 "10.90.0.0/24" -- ctl net-start hostclash
nothing_left
ctl net-list --all | grepq hostclash || fail "a refused start lost the definition"

step without vireo-net, a VM on a network does not start, and the one line says how to fix it
ctl_without_helper() { VIREO_NET_HELPER=$ROOT/no-vireo-net ctl "$@"; }
expect_error 1 "'vireoctl start one --user-network' starts it on user-mode networking" -- ctl_without_helper start one
[ "$(ctl state one)" = shutoff ] || fail "VM one is not off after the refused start"
guest five lab
ctl_without_helper start five --user-network >/dev/null
ctl dumpxml five | grepq '<interface type="user">' || fail "--user-network left the NIC on the network"
ctl destroy five >/dev/null

step the D-Bus door: a tap fd comes over a private bus and the guest uses it
cat >"$ROOT/bus.conf" <<EOF
<busconfig>
  <type>session</type>
  <listen>unix:path=$ROOT/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
in_ns dbus-daemon --config-file="$ROOT/bus.conf" --nofork --nopidfile 2>/dev/null &
BACKGROUND_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [ -S "$ROOT/bus.sock" ] && break; sleep 0.1; done
in_ns "$VIREO_NET_HELPER" --dbus --bus-address "unix:path=$ROOT/bus.sock" --state-dir "$VIREO_NET_STATE_DIR" &
BACKGROUND_PIDS+=($!)
export VIREO_NET_BUS="unix:path=$ROOT/bus.sock"
for ((i = 0; i < 100; i++)); do
  in_ns dbus-send --bus="$VIREO_NET_BUS" --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:dev.vireo.Net1 2>/dev/null | grepq "boolean true" && break
  sleep 0.1
done
ctl net-start lab >/dev/null
ctl start one >/dev/null
case "$(lease one 3)" in 10.77.0.1[0-9][0-9]) ;; *) fail "VM one got no lease through the D-Bus tap" ;; esac
ctl destroy one >/dev/null
ctl net-stop lab >/dev/null
unset VIREO_NET_BUS
nothing_left

echo "network: all passed"
