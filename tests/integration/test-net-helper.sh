#!/usr/bin/env bash
# vireo-net, the privileged network helper, inside a network namespace of
# this test's own (nothing leaves it; it is deleted on any exit): start,
# status, taps, a dead dnsmasq repaired, requests refused without a trace,
# an isolated network, exact teardown, and the D-Bus door on a private bus.
set -euo pipefail
: "${VIREO_NET_HELPER:?}" "${VIREO_NET_PROBE:?}"
export LC_ALL=C.UTF-8 LANGUAGE=
if [ "$(id -u)" != 0 ]; then echo "SKIP: vireo-net needs root"; exit 77; fi

NS=vireo-test-$$
TMP=$(mktemp -d /tmp/vireo-net-it.XXXXXX)
chmod 755 "$TMP"   # dnsmasq, once it dropped root, re-reads its hosts file here
STATE=$TMP/state
export VIREO_NET_STATE_DIR=$STATE
BACKGROUND_PIDS=()

cleanup() {
  local pid
  for pid in "${BACKGROUND_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  # whatever still runs in the namespace is this test's (dnsmasq)
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns delete "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' TERM INT

fail() { echo "FAIL: $*" >&2; exit 1; }
# reads all its input: with pipefail, grep -q would fail the pipe of a writer it left early
grepq() { grep "$@" >/dev/null; }
step() { echo "--- $*"; }
in_ns() { ip netns exec "$NS" "$@"; }
helper() { in_ns "$VIREO_NET_HELPER" --state-dir "$STATE" "$@"; }
probe() { in_ns timeout 60 "$VIREO_NET_PROBE" "$@"; }

# params NAME BRIDGE ADDRESS PREFIX FORWARD [DHCP-START DHCP-END [HOSTS]]
params() {
  local p="{'name': <'$1'>, 'bridge': <'$2'>, 'address': <'$3'>, 'prefix': <uint32 $4>, 'forward': <'$5'>"
  [ -n "${6:-}" ] && p+=", 'dhcp-start': <'$6'>, 'dhcp-end': <'$7'>"
  [ -n "${8:-}" ] && p+=", 'hosts': <$8>"
  echo "$p, 'domain': <'vireo.test'>}"
}

# refused WHAT PATTERN COMMAND…: fails with one line matching PATTERN
refused() {
  local what=$1 pattern=$2 err
  shift 2
  if err=$("$@" 2>&1 >/dev/null); then fail "$what was accepted"; fi
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "$what: not one line: $err"
  printf '%s\n' "$err" | grepq -- "$pattern" || fail "$what: '$err' does not say '$pattern'"
  echo "refused: $err"
}

dnsmasq_pid() { cat "$STATE/$1/dnsmasq.pid"; }
# alive and not a zombie (PID 1 reaps late)
alive() { [ -r "/proc/$1/stat" ] && ! grep -qE '^[0-9]+ \(.*\) [ZX]' "/proc/$1/stat"; }
# names and MACs: a bridge's carrier comes and goes by itself
snapshot() { in_ns ip -br link | awk '{print $1, $3}'; in_ns ip -br addr | awk '{print $1, $3, $4}'; in_ns nft list ruleset; ls "$STATE"; }

ip netns add "$NS"
in_ns ip link set lo up
DEFAULT=$(params default vireobr0 10.77.0.1 24 nat 10.77.0.2 10.77.0.254 "[('52:54:00:00:00:01', '10.77.0.10', 'web')]")

step "the state folder: queries make nothing, a umask does not narrow it, its parents are root's"
FRESH=$TMP/fresh
helper --state-dir "$FRESH" status default | grepq "'running': <false>" || fail "status without a state folder"
[ "$(helper --state-dir "$FRESH" list)" = "@as []" ] || fail "list without a state folder"
refused "leases without a state folder" "Network 'default' is not running" helper --state-dir "$FRESH" leases default
[ -e "$FRESH" ] && fail "a query made the state folder"
mkdir "$FRESH"
helper --state-dir "$FRESH" status default >/dev/null
[ -e "$FRESH/.lock" ] && fail "a query made the lock file"
(umask 077; helper --state-dir "$TMP/masked" net-stop default 2>/dev/null) && fail "stopped a network never started"
[ "$(stat -c %a "$TMP/masked")" = 755 ] || fail "umask 077 made the state folder $(stat -c %a "$TMP/masked")"
mkdir -p "$TMP/users/sub"
chown 12345 "$TMP/users"
refused "a state folder under a user's folder" "$TMP/users may be changed by users other than root" \
  helper --state-dir "$TMP/users/sub/state" list
mkdir "$TMP/group"
chmod 775 "$TMP/group"
refused "a state folder under a group-writable folder" "$TMP/group may be changed by users other than root" \
  helper --state-dir "$TMP/group/state" net-stop default
chmod 1777 "$TMP/group"
[ "$(helper --state-dir "$TMP/group/state" list)" = "@as []" ] || fail "a folder under a sticky one was refused"

step "a request held up by a stuck peer gives up after 30 s, with one line"
mkdir "$TMP/held"
exec 9>"$TMP/held/.lock"
flock 9   # this shell is the stuck peer
SECONDS=0
refused "a request on a held lock" "another request has held it for 30 seconds" \
  helper --state-dir "$TMP/held" net-stop default 9>&-
[ "$SECONDS" -le 40 ] || fail "the lock was waited for $SECONDS s"
exec 9>&-

step "net-start: bridge, address, firewall chains, dnsmasq on the bridge only"
helper net-start "$DEFAULT"
in_ns ip -br addr show dev vireobr0 | grepq '10.77.0.1/24' || fail "vireobr0 has no address"
in_ns ip -d link show dev vireobr0 | grepq 'link/ether 52:54:00:' || fail "vireobr0 has no fixed 52:54:00 MAC"
in_ns ip -d link show dev vireobr0 | grepq 'stp_state 0' || fail "vireobr0 runs STP"
[ "$(in_ns cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "forwarding is off"
in_ns nft list chain ip vireo fwd_vireobr0 | grepq 'ip saddr 10.77.0.0/24 accept' || fail "no forward chain"
in_ns nft list chain ip vireo nat_vireobr0 | grepq 'masquerade to :1024-65535' || fail "no masquerade"
pid=$(dnsmasq_pid default)
alive "$pid" || fail "dnsmasq does not run"
listeners=$(in_ns ss -Hlnu 'sport = :53')
echo "$listeners" | grepq '10.77.0.1:53' || fail "dnsmasq does not answer on the bridge: $listeners"
if echo "$listeners" | grep -v '10.77.0.1:53' | grepq .; then fail "dnsmasq listens beyond the bridge: $listeners"; fi
grep -q '^52:54:00:00:00:01,10.77.0.10,web$' "$STATE/default/hostsfile" || fail "no static lease"

step "status, list, leases"
helper status default | grepq "'running': <true>, 'dnsmasq-alive': <true>" || fail "status: $(helper status default)"
[ "$(helper list)" = "['default']" ] || fail "list: $(helper list)"
[ "$(helper leases default)" = "@a(xsss) []" ] || fail "leases: $(helper leases default)"
probe status default | grepq 'running=1 dnsmasq-alive=1 bridge=vireobr0' || fail "client status"

step "tap-open: a tap on the bridge comes back over fd 3 and vanishes with its fd"
out=$(probe open-tap default 52:54:00:12:34:56)
echo "$out" | grepq 'master=vireobr0' || fail "tap: $out"
echo "$out" | grepq '^gone$' || fail "tap outlived its fd: $out"
in_ns ip -br link | grepq vireotap && fail "a tap is left"

step "a dead dnsmasq comes back at the next tap-open and the next net-start"
kill -9 "$pid"
for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
helper status default | grepq "'dnsmasq-alive': <false>" || fail "dead dnsmasq not seen"
probe open-tap default 52:54:00:12:34:57 >/dev/null
alive "$(dnsmasq_pid default)" || fail "tap-open did not restart dnsmasq"
kill -9 "$(dnsmasq_pid default)"
sleep 0.3
helper net-start "$DEFAULT"
alive "$(dnsmasq_pid default)" || fail "net-start did not restart dnsmasq"

step "a user's process that looks like our dnsmasq is not ours"
kill -9 "$(dnsmasq_pid default)"
ip netns exec "$NS" setpriv --reuid=12345 --regid=12345 --clear-groups \
  bash -c 'exec -a dnsmasq "$0" "$1"' "$VIREO_NET_FAKE" "--conf-file=$STATE/default/dnsmasq.conf" &
fake=$!
BACKGROUND_PIDS+=($fake)
for _ in $(seq 50); do grep -q '^dnsmasq' "/proc/$fake/cmdline" 2>/dev/null && break; sleep 0.1; done
grep -q '^dnsmasq' "/proc/$fake/cmdline" || fail "no fake dnsmasq"
echo "$fake" > "$STATE/default/dnsmasq.pid"
helper status default | grepq "'dnsmasq-alive': <false>" || fail "a user's process was taken for dnsmasq"
helper net-start "$DEFAULT"
alive "$fake" || fail "the user's process was killed"
[ "$(dnsmasq_pid default)" != "$fake" ] && alive "$(dnsmasq_pid default)" || fail "dnsmasq was not restarted"
kill -9 "$fake"

step "a dnsmasq that does not stop keeps its network's folder"
helper net-start "$(params stuck vireobr7 10.70.0.1 24 nat)"
kill -9 "$(dnsmasq_pid stuck)"
# PID 1 of a PID namespace of its own ignores the signals sent from inside it
ip netns exec "$NS" unshare --pid --fork --mount-proc \
  bash -c 'exec -a dnsmasq "$0" "$1"' "$VIREO_NET_FAKE" "--conf-file=$STATE/stuck/dnsmasq.conf" &
holder=$!
BACKGROUND_PIDS+=($holder)
init=
for _ in $(seq 50); do
  init=$(awk '{print $1}' "/proc/$holder/task/$holder/children" 2>/dev/null)
  [ -n "$init" ] && grep -q '^dnsmasq' "/proc/$init/cmdline" 2>/dev/null && break
  sleep 0.1
done
grep -q '^dnsmasq' "/proc/$init/cmdline" || fail "no unkillable fake dnsmasq"
BACKGROUND_PIDS+=($init)
echo 1 > "$STATE/stuck/dnsmasq.pid"
refused "a dnsmasq that does not stop" "dnsmasq (pid 1) does not stop" \
  nsenter -t "$init" -p -m -n "$VIREO_NET_HELPER" --state-dir "$STATE" net-stop stuck
[ -e "$STATE/stuck/dnsmasq.pid" ] || fail "the folder of a dnsmasq still running is gone"
alive "$init" || fail "the fake dnsmasq stopped after all"
kill -9 "$init"
helper net-stop stuck
[ -e "$STATE/stuck" ] && fail "stuck's folder is left once its dnsmasq is gone"

step "refused with one line, and nothing changed"
before=$(snapshot)
refused "other settings" "already runs with other settings" \
  helper net-start "$(params default vireobr0 10.77.0.1 24 none)"
refused "an overlapping subnet" "overlaps 10.77.0.0/24 on vireobr0" \
  helper net-start "$(params other vireobr1 10.77.0.1 16 nat)"
refused "a bad bridge name" "not one of Vireo's" helper net-start "$(params other eth0 10.78.0.1 24 nat)"
refused "a lease outside the subnet" "10.99.0.10 is not a host address of 10.78.0.0/24" \
  helper net-start "$(params other vireobr1 10.78.0.1 24 nat 10.78.0.2 10.78.0.9 "[('52:54:00:00:00:02', '10.99.0.10', '')]")"
refused "a /30" "not allowed" helper net-start "$(params other vireobr1 10.78.0.1 30 nat)"
refused "a used bridge" "already used by network 'default'" helper net-start "$(params other vireobr0 10.78.0.1 24 nat)"
refused "a bad MAC" "not a locally administered" helper tap-open default 01:00:5e:00:00:01 3>/dev/null
refused "a stopped network" "Network 'other' is not running" helper net-stop other
after=$(snapshot); [ "$after" = "$before" ] || fail "a refused request changed something: $(diff <(echo "$before") <(echo "$after"))"
in_ns ip link add hostnet0 type bridge   # no dummy module here: any interface will do
in_ns ip address add 10.88.0.1/24 dev hostnet0
in_ns ip link add vireobr5 type bridge
before=$(snapshot)
refused "a subnet on the host" "overlaps 10.88.0.0/24 on hostnet0" \
  helper net-start "$(params other vireobr1 10.88.0.1 24 nat)"
in_ns ip route add 10.95.0.0/24 dev lo table 100   # policy routing (a VPN's table)
refused "a subnet routed in another table" "overlaps 10.95.0.0/24 on lo" \
  helper net-start "$(params other vireobr1 10.95.0.1 24 nat)"
refused "an interface not Vireo's" "vireobr5 already exists and is not Vireo's" \
  helper net-start "$(params other vireobr5 10.89.0.1 24 nat)"
after=$(snapshot); [ "$after" = "$before" ] || fail "a refused request changed something: $(diff <(echo "$before") <(echo "$after"))"
refused "vireobr5 not Vireo's for stop" "is not running" helper net-stop other

step "an isolated network: no forward, no masquerade"
helper net-start "$(params iso vireobr2 10.66.0.1 24 none 10.66.0.2 10.66.0.20)"
in_ns nft list chain ip vireo iso_vireobr2 | grepq 'iifname "vireobr2" reject' || fail "isolated bridge not closed"
in_ns nft list ruleset | grepq -E 'fwd_vireobr2|nat_vireobr2|10\.66\.0\.0/24' && fail "isolated network forwards or masquerades"
helper net-stop iso
in_ns nft list ruleset | grepq vireobr2 && fail "iso's chains are left"
in_ns nft list chain ip vireo fwd_vireobr0 >/dev/null || fail "stopping iso took default's chains"

step "a stale network's stop leaves the network that took its bridge"
helper net-start "$(params a vireobr6 10.67.0.1 24 nat)"
in_ns ip link del vireobr6
kill -9 "$(dnsmasq_pid a)"
helper net-start "$(params b vireobr6 10.68.0.1 24 none)"
[ -e "$STATE/a" ] && fail "a's stale folder, claiming vireobr6, is left"
in_ns nft list ruleset | grepq -E 'fwd_vireobr6|nat_vireobr6' && fail "a's chains are left"
refused "a stale network" "Network 'a' is not running" helper net-stop a
in_ns nft list chain ip vireo iso_vireobr6 >/dev/null || fail "stopping a took b's chains"
# a folder left by an older helper that claims b's bridge: its stop must not touch b's chains
mkdir "$STATE/ghost"
sed "s/'name': <'b'>/'name': <'ghost'>/; s/10\.68\./10.69./g" "$STATE/b/params" > "$STATE/ghost/params"
grep -q "'ghost'" "$STATE/ghost/params" || fail "no ghost params"
helper net-stop ghost
[ -e "$STATE/ghost" ] && fail "ghost's folder is left"
in_ns nft list chain ip vireo iso_vireobr6 >/dev/null || fail "stopping ghost took b's chains"
in_ns ip link show vireobr6 >/dev/null || fail "stopping ghost took b's bridge"
helper net-stop b
in_ns ip link show vireobr6 >/dev/null 2>&1 && fail "b's bridge is left"
in_ns nft list ruleset | grepq vireobr6 && fail "b's chains are left"

step "net-stop: nothing left"
pid=$(dnsmasq_pid default)
helper net-stop default
in_ns ip link show vireobr0 >/dev/null 2>&1 && fail "the bridge is left"
in_ns nft list tables | grepq vireo && fail "the table is left"
alive "$pid" && fail "dnsmasq is left"
[ -e "$STATE/default" ] && fail "the state folder is left"
in_ns ip link show vireobr5 >/dev/null || fail "vireobr5, not Vireo's, was touched"
[ "$(helper list)" = "@as []" ] || fail "list after stop: $(helper list)"

step "D-Bus: dev.vireo.Net1 on a private bus, a tap fd in a GUnixFDList"
cat > "$TMP/bus.conf" <<CONF
<busconfig>
  <type>session</type>
  <listen>unix:path=$TMP/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
in_ns dbus-daemon --config-file="$TMP/bus.conf" --nofork --print-address=1 >"$TMP/address" &
BACKGROUND_PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/address" ] && break; sleep 0.05; done
export VIREO_NET_BUS=$(head -n1 "$TMP/address")
[ -n "$VIREO_NET_BUS" ] || fail "no private bus"
ip netns exec "$NS" "$VIREO_NET_HELPER" --state-dir "$TMP/dstate" --dbus --bus-address "$VIREO_NET_BUS" &
service=$!
BACKGROUND_PIDS+=($service)
for _ in $(seq 100); do probe status default >/dev/null 2>&1 && break; sleep 0.1; done
probe status default | grepq 'running=0' || fail "no service on the bus"
[ -e "$TMP/dstate" ] && fail "Status over D-Bus made the state folder"
probe start "$DEFAULT" || fail "Start over D-Bus"
probe status default | grepq 'running=1 dnsmasq-alive=1' || fail "Status over D-Bus"
out=$(probe open-tap default 52:54:00:12:34:56)
echo "$out" | grepq 'master=vireobr0' || fail "OpenTap over D-Bus: $out"
echo "$out" | grepq '^gone$' || fail "tap outlived its fd: $out"
probe leases default | grepq '^0 leases$' || fail "Leases over D-Bus"
refused "a bad network over D-Bus" "Invalid network name" probe stop 'a/b'
err=$(probe stop other 2>&1) && fail "Stop of a stopped network succeeded"
echo "$err" | grepq "Network 'other' is not running" || fail "D-Bus error: $err"
probe stop default || fail "Stop over D-Bus"
in_ns ip link show vireobr0 >/dev/null 2>&1 && fail "the bridge is left"
in_ns nft list tables | grepq vireo && fail "the table is left"

step "D-Bus as the system bus, polkit says yes: users share a network, its owner or root changes or stops it"
kill "$service"
wait "$service" 2>/dev/null || true
ip netns exec "$NS" env DBUS_SYSTEM_BUS_ADDRESS="$VIREO_NET_BUS" "$VIREO_NET_FAKE" polkit >"$TMP/polkit" &
BACKGROUND_PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/polkit" ] && break; sleep 0.05; done
[ "$(cat "$TMP/polkit")" = ready ] || fail "no fake polkit"
ip netns exec "$NS" env DBUS_SYSTEM_BUS_ADDRESS="$VIREO_NET_BUS" "$VIREO_NET_HELPER" --state-dir "$TMP/dstate" --dbus &
BACKGROUND_PIDS+=($!)
chmod 666 "$TMP/bus"   # users reach the bus, as they do the system bus
as_user() { local uid=$1; shift; in_ns setpriv --reuid="$uid" --regid="$uid" --clear-groups timeout 60 "$VIREO_NET_PROBE" "$@"; }
for _ in $(seq 100); do as_user 1 status default >/dev/null 2>&1 && break; sleep 0.1; done
as_user 1 start "$DEFAULT" || fail "a user's Start"
as_user 2 start "$DEFAULT" || fail "another user's Start of the same network"
out=$(as_user 2 open-tap default 52:54:00:12:34:58) || fail "another user's OpenTap: $out"
CHANGED=$(params default vireobr0 10.77.0.1 24 nat 10.77.0.2 10.77.0.254 "[('52:54:00:00:00:09', '10.77.0.19', 'db')]")
refused "another user's new static leases" "Network 'default' was started by another user" \
  as_user 2 start "$CHANGED"
refused "another user's Stop" "Network 'default' was started by another user" as_user 2 stop default
as_user 1 start "$CHANGED" || fail "the owner's new static leases"
grepq '^52:54:00:00:00:09,10.77.0.19,db$' "$TMP/dstate/default/hostsfile" || fail "the owner's lease is not there"
probe stop default || fail "root's Stop of a user's network"
in_ns ip link show vireobr0 >/dev/null 2>&1 && fail "the bridge is left"

step "a flood of requests waiting for polkit: the 33rd is refused at once"
for pid in "${BACKGROUND_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
sleep 0.5
ip netns exec "$NS" env DBUS_SYSTEM_BUS_ADDRESS="$VIREO_NET_BUS" "$VIREO_NET_FAKE" polkit-stall >"$TMP/polkit" &
BACKGROUND_PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/polkit" ] && break; sleep 0.05; done
ip netns exec "$NS" env DBUS_SYSTEM_BUS_ADDRESS="$VIREO_NET_BUS" "$VIREO_NET_HELPER" --state-dir "$TMP/dstate" --dbus &
service=$!
BACKGROUND_PIDS+=($service)
for _ in $(seq 100); do as_user 1 status default >/dev/null 2>&1 && break; sleep 0.1; done
waiting=()
for _ in $(seq 32); do
  as_user 1 stop default >/dev/null 2>&1 &
  waiting+=($!)
done
for _ in $(seq 50); do
  # one that came before all 32 queued waits too: it gives up after 3 s
  out=$(in_ns setpriv --reuid=1 --regid=1 --clear-groups timeout 3 "$VIREO_NET_PROBE" stop default 2>&1) &&
    fail "a Stop past the limit went through"
  case "$out" in *"busy with 32 requests"*) break ;; esac
  sleep 0.1
done
case "$out" in *"busy with 32 requests"*) ;; *) fail "no refusal past 32 requests: $out" ;; esac
# the service goes, and with it the calls that waited
kill "$service"
for pid in "${waiting[@]}"; do wait "$pid" 2>/dev/null || true; done
echo "PASS"
