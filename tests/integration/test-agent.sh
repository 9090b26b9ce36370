#!/usr/bin/env bash
# The guest's address comes from its guest agent through the shim, and
# goes when the guest does.  (The test guest runs a stand-in agent and gets
# its address from QEMU's user-mode DHCP, inside QEMU.)
. "$(dirname "$0")/lib.sh"

wait_address() {  # NAME: prints the first address once the agent told it
  local i out
  for ((i = 0; i < 300; i++)); do
    out=$(ctl domifaddr "$1")
    [ -n "$out" ] && { echo "$out" | head -n 1; return 0; }
    sleep 0.2
  done
  fail "VM '$1' never reported an address"
}

create_guest ip
ctl dumpxml ip | grepq "org.qemu.guest_agent.0" || fail "new VMs have no guest agent channel"
[ -z "$(ctl domifaddr ip)" ] || fail "a shut-off VM has an address"

step the address shows once the guest has it
ctl start ip >/dev/null
[ "$(wait_address ip)" = "10.0.2.15/24" ] || fail "unexpected address: $(ctl domifaddr ip)"
ctl state ip --json | tr -d ' \n' | grepq '"guest-addresses":\["10.0.2.15/24"' || fail "state --json lacks the address"
ctl --json domifaddr ip | grepq '"10.0.2.15/24"' || fail "domifaddr --json"
ctl state ip --json | grepq '"guest-os" *: *"Vireo test guest (Linux ' || fail "the agent's OS name is missing"

step a reset forgets it until the guest tells again
ctl reset ip >/dev/null
for ((i = 0; i < 25; i++)); do [ -z "$(ctl domifaddr ip)" ] && break; sleep 0.2; done
[ -z "$(ctl domifaddr ip)" ] || fail "the address outlived the reset"
[ "$(wait_address ip)" = "10.0.2.15/24" ] || fail "no address after the reset"

step a paused VM keeps it, a stopped one has none
ctl pause ip >/dev/null
# (IPv4 first; user networking's IPv6 prefix may have come meanwhile)
[ "$(ctl domifaddr ip | head -n 1)" = "10.0.2.15/24" ] ||
  fail "pausing lost the address: [$(ctl domifaddr ip)] $(ctl state ip --json | tr -d "\n")"
ctl resume ip >/dev/null
ctl destroy ip >/dev/null
[ -z "$(ctl domifaddr ip)" ] || fail "a destroyed VM still has an address"

step without the channel there is no agent and no address
ctl dumpxml ip | sed -e '/<channel type="unix">/,/<\/channel>/d' > "$ROOT/noagent.xml"
ctl define "$ROOT/noagent.xml" >/dev/null
ctl dumpxml ip | grepq guest_agent && fail "the channel is still defined"
ctl start ip >/dev/null
wait_for_log ip "$READY"
grep -q virtserialport "$(ls -d "$ROOT"/run/*/)qemu-argv" && fail "QEMU got an agent port"
# QEMU has no port for an agent (above), so no address can ever come;
# the shim says so at once
[ -z "$(ctl domifaddr ip)" ] || fail "an address without an agent"
echo "agent: ok"
