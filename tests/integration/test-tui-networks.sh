#!/usr/bin/env bash
# vireo-tui's network view under tmux: networks defined with vireoctl
# listed with their subnets, the leases pane, autostart by key, the help
# of the view and Esc back to the VM table.  As root, the whole TUI runs in
# a network namespace of its own, where s and S start and stop a network,
# and where a VM on a network, started without vireo-net, is offered
# user-mode networking instead.
. "$(dirname "$0")/tui-lib.sh"
netns=""
delete_netns() { [ -z "$netns" ] || ip netns delete "$netns" 2>/dev/null || true; }
TUI_CLEANUPS+=(delete_netns)

ctl net-create lab --subnet 192.168.150.0/24 >/dev/null
run_tui="$VIREO_TUI --root $ROOT"
# starting a network makes a bridge: only ever in a namespace of our own
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns add "vireo-tui-$$" 2>/dev/null; then
  netns="vireo-tui-$$"
  ip -n "$netns" link set lo up
  # vireo-net's state (dnsmasq's files) in the test's tree, not the host's
  run_tui="VIREO_NET_STATE_DIR=$ROOT/net-state ip netns exec $netns $run_tui"
fi
tm -f /dev/null new-session -d -s tui -x 100 -y 30 "$run_tui; echo \$? > $ROOT/tui-exit"
tm set-option -t tui remain-on-exit on

step N shows the networks with their subnets, and the leases of the first
wait_screen "Vireo · 0 VMs, 0 running"
screen | tail -n 2 | head -n 1 | grep "N Networks" >/dev/null || fail "no N in the key bar: $(screen)"
tm send-keys -t tui N
wait_screen "Vireo · 2 networks, 0 active"
wait_screen "^NAME +STATE +AUTOSTART +BRIDGE +SUBNET"
wait_screen "^default +Inactive +yes +vireobr0 +192\\.168\\.124\\.0/24"
wait_screen "^lab +Inactive +no +vireobr[0-9]+ +192\\.168\\.150\\.0/24"
wait_screen "DHCP leases on network 'default'"
wait_screen "The network is not running: s starts it."
screen | tail -n 2 | head -n 1 | grep -E "s Start +S Stop +a Autostart" >/dev/null ||
  fail "no network keys in the key bar: $(screen)"

step Down chooses the next network and its leases
tm send-keys -t tui Down
wait_screen "DHCP leases on network 'lab'"

step a switches autostart on and off
tm send-keys -t tui a
wait_screen "Network 'lab' now starts automatically."
wait_screen "^lab +Inactive +yes "
ctl net-list --all | grep -E "^lab +inactive +yes " >/dev/null || fail "net-list does not show autostart: $(ctl net-list --all)"
tm send-keys -t tui a
wait_screen "Network 'lab' no longer starts automatically."
wait_screen "^lab +Inactive +no "

step the help lists the keys of the view, any key returns
tm send-keys -t tui F1
wait_screen "vireo-tui keys in the network view"
wait_screen "start the selected network"
tm send-keys -t tui x
wait_screen "DHCP leases on network 'lab'"

if [ -n "$netns" ]; then
  step in a namespace of its own, s starts the network and S stops it
  tm send-keys -t tui s
  wait_screen "Network 'lab' started." 30
  wait_screen "^lab +Active +no "
  wait_screen "Vireo · 2 networks, 1 active"
  wait_screen "No leases yet."
  ip -n "$netns" link show | grepq vireobr || fail "no bridge in the namespace"
  tm send-keys -t tui S
  wait_screen "Network 'lab' stopped." 30
  wait_screen "^lab +Inactive +no "
  ip -n "$netns" link show | grepq vireobr && fail "the bridge is still there"
else
  echo "(not root, or no network namespaces: starting and stopping is left to the engine's tests)"
fi

# without vireo-net, a VM on a network does not start: vireo-tui offers
# user-mode networking (in the namespace too, in case a helper is there)
if [ -n "$netns" ]; then
  step starting a VM on a network without vireo-net offers user-mode networking
  tm send-keys -t tui Escape
  create_guest onnet --network default
  tm resize-window -t tui -x 250 -y 30
  tm respawn-pane -k -t tui "VIREO_NET_HELPER=$ROOT/no-vireo-net $run_tui; echo \$? > $ROOT/tui-exit"
  wait_screen "^Shut off +onnet "
  tm send-keys -t tui s
fi
if [ -n "$netns" ]; then
  wait_screen "^Switch VM 'onnet' to user-mode networking and start it\? \(y/n\)  .*vireo-net helper is not installed"
  tm send-keys -t tui n
  wait_screen "Nothing was done."
  ctl dumpxml onnet | grepq "<source network=.default./>" || fail "'n' changed the VM's interface"
  tm send-keys -t tui s
  wait_screen "^Switch VM 'onnet' to user-mode networking" 60
  tm send-keys -t tui y
  wait_screen "VM 'onnet' started with user-mode networking." 120
  wait_screen "^Running +onnet "
  ctl dumpxml onnet | grepq "<interface type=.user.>" || fail "the VM's interface is not user-mode: $(ctl dumpxml onnet)"
  ctl destroy onnet >/dev/null
  wait_screen "^Shut off +onnet "
  tm resize-window -t tui -x 100 -y 30
  tm send-keys -t tui N
  wait_screen "DHCP leases on network 'default'"
fi

step Esc returns to the VM table, q quits
tm send-keys -t tui Escape
wait_screen "^STATE +NAME"
screen | grep "DHCP leases" >/dev/null && fail "Esc left the network view on screen"
tm send-keys -t tui q
for ((i = 0; i < 50; i++)); do [ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] && break; sleep 0.1; done
[ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] || fail "q did not quit"
[ "$(cat "$ROOT/tui-exit")" = 0 ] || fail "q exited with status $(cat "$ROOT/tui-exit")"
tm kill-server
echo "tui-networks: ok"
