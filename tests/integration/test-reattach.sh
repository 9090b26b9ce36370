#!/usr/bin/env bash
# Guests outlive their clients: a client killed with SIGKILL mid-run, a new
# client that picks the VM up again, and two clients at once, one of them
# holding the serial console.
. "$(dirname "$0")/lib.sh"

create_guest attach
ctl start attach >/dev/null
wait_for_log attach "$READY"
wait_prompt attach

step a console client killed with SIGKILL
fifo=$ROOT/console.in
mkfifo "$fifo"
ctl console attach --idle 600 <"$fifo" >"$ROOT/console1.out" &
holder=$!
BACKGROUND_PIDS+=("$holder")
exec 7>"$fifo"          # keeps the holder's stdin open
wait_nonempty "$ROOT/console1.out"
kill -9 "$holder"
wait "$holder" 2>/dev/null || true
exec 7>&-

step a new client finds the VM running and uses it
[ "$(ctl state attach)" = running ] || fail "the VM did not survive its client"
ctl list | grepq '^ attach .*running' || fail "list does not show the VM"
console_expect attach 'echo after-kill-$((2*3))' after-kill-6

step two clients at once, one holding the console
mkfifo "$ROOT/console2.in"
ctl console attach --idle 600 <"$ROOT/console2.in" >"$ROOT/console2.out" &
holder=$!
BACKGROUND_PIDS+=("$holder")
exec 8>"$ROOT/console2.in"
wait_nonempty "$ROOT/console2.out"
# the second client drives the VM while the first one listens
ctl pause attach >/dev/null
[ "$(ctl state attach)" = paused ] || fail "pause through a second client failed"
ctl resume attach >/dev/null
ctl --json stats attach | grepq '"rss-bytes"' || fail "stats with a console attached failed"
console_expect attach 'echo both-$((3*3))' both-9
# the holding client saw the output too, and can type
for i in $(seq 1 100); do grep -q both-9 "$ROOT/console2.out" && break; sleep 0.2; done
grep -q both-9 "$ROOT/console2.out" || fail "the first console client missed the output"
echo 'echo from-holder-$((4*4))' >&8
wait_for_log attach from-holder-16 1 120

step the holder ends by itself when the VM goes away
ctl destroy attach >/dev/null
[ "$(ctl state attach)" = shutoff ] || fail "not shut off"
for i in $(seq 1 50); do kill -0 "$holder" 2>/dev/null || break; sleep 0.2; done
kill -0 "$holder" 2>/dev/null && fail "the console client hangs after the VM went away"
wait "$holder" || fail "the console client failed when the VM went away"
exec 8>&-
echo "reattach: ok"
