#!/usr/bin/env bash
# Create, boot, console in and out, screenshot, pause/resume, stats,
# reboot, ACPI shutdown, start again, destroy, undefine.
. "$(dirname "$0")/lib.sh"

step create and start
create_guest life --title "Life cycle"
[ "$(ctl state life)" = shutoff ] || fail "a new VM is not shut off"
ctl start life
[ "$(ctl state life)" = running ] || fail "not running after start"
ctl list | grepq '^ life .*running' || fail "list does not show the running VM"

step ready marker through the console
wait_for_log life "$READY"
out=$(ctl console life --idle 0.5 </dev/null)
case "$out" in *"$READY"*) ;; *) fail "the console backlog lacks the ready marker" ;; esac

step type a command and read its output
console_expect life 'echo answer-$((6*7))' answer-42

step the interactive console on a terminal, left with Ctrl+]
wait_prompt life
# Ctrl+] once the answer is back, not after a guess of how long it takes
{ printf 'echo tty-$((5*5))\n'; wait_for_log life tty-25 1 60; printf '\035'; } |
  script -qfec "$VIREOCTL --root $ROOT console life" /dev/null > "$ROOT/tty.out" ||
  fail "the interactive console failed: $(cat "$ROOT/tty.out")"
wait_for_log life tty-25 1 60
grep -q "Connected to VM 'life'. Press Ctrl+] to leave." "$ROOT/tty.out" || fail "no greeting on the terminal"
grep -q "tty-25" "$ROOT/tty.out" || fail "the terminal did not show the answer"
grep -q "Left VM 'life'" "$ROOT/tty.out" || fail "Ctrl+] did not leave the console"
[ "$(ctl state life)" = running ] || fail "leaving the console stopped the VM"

step screenshot
ctl screenshot life "$ROOT/shot.png" >/dev/null
dims=$("$VIREO_PNG_CHECK" "$ROOT/shot.png") || fail "the screenshot is blank or not a PNG"
case "$dims" in 720x400*) ;; *) fail "unexpected screen $dims" ;; esac

step pause and resume
ctl pause life >/dev/null
[ "$(ctl state life)" = paused ] || fail "not paused"
ctl resume life >/dev/null
[ "$(ctl state life)" = running ] || fail "not running after resume"
console_expect life 'echo still-$((1+1))' still-2

step stats
ctl --json stats life > "$ROOT/stats.json"
grep -q '"rss-bytes" : [1-9]' "$ROOT/stats.json" || fail "stats lack memory: $(cat "$ROOT/stats.json")"
grep -q '"uptime-seconds"' "$ROOT/stats.json" || fail "stats lack uptime"
grep -q '"disk-read-bytes" : [1-9]' "$ROOT/stats.json" || fail "stats lack disk reads"

step reboot
ctl reboot life >/dev/null
wait_for_log life "$READY" 2
[ "$(ctl state life)" = running ] || fail "not running after reboot"

step ACPI shutdown
ctl shutdown life --timeout 120 >/dev/null
[ "$(ctl state life --reason)" = "shutoff: shut down by the guest" ] ||
  fail "after shutdown: $(ctl state life --reason)"
grep -q VIREO-GUEST-POWEROFF "$(serial_log life)" || fail "the guest did not see the power button"
[ ! -e "$ROOT/run/"*/vnc.sock ] || fail "a stale vnc.sock was left behind"

step start again and destroy
ctl start life >/dev/null
ctl destroy life >/dev/null
[ "$(ctl state life --reason)" = "shutoff: forced off" ] || fail "after destroy: $(ctl state life --reason)"

step undefine with storage
disk=$(ctl dumpxml life | grep -o "$ROOT/data/images/life.qcow2")
[ -f "$disk" ] || fail "no disk image"
ctl undefine life --remove-storage >/dev/null
[ ! -e "$disk" ] || fail "the disk survived --remove-storage"
[ -z "$(ctl list --all | tail -n +2)" ] || fail "the VM is still listed"
[ -z "$(ls "$ROOT/run")" ] || fail "the runtime folder stayed: $(ls -R "$ROOT/run")"
echo "lifecycle: ok"
