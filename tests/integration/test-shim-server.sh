#!/usr/bin/env bash
# The shim as a server: its sockets are private, and hostile clients
# (garbage, a line without end, 200 connections, clients that never read
# while the guest floods its console) neither crash it, grow it without
# bound, nor keep a well-behaved client waiting.
. "$(dirname "$0")/lib.sh"

create_guest hostile
ctl start hostile >/dev/null
wait_for_log hostile "$READY"
wait_prompt hostile
state=$(ls "$ROOT"/run/*/state.json)
run_dir=$(dirname "$state")
shim_pid=$(grep -o '"shim-pid" *: *[0-9]*' "$state" | grep -o '[0-9]*$')
[ -n "$shim_pid" ] || fail "state.json names no shim-pid"

step the sockets are 0600 in a 0700 folder
[ "$(stat -c %a "$run_dir")" = 700 ] || fail "the run folder is $(stat -c %a "$run_dir")"
for s in shim.sock console.sock; do
  [ "$(stat -c %a "$run_dir/$s")" = 600 ] || fail "$s is $(stat -c %a "$run_dir/$s")"
done
if [ "$(id -u)" -eq 0 ]; then
  chmod 0755 "$ROOT" "$ROOT/run"   # let the other user try the sockets themselves
  setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); sys.exit('user nobody connected to ' + sys.argv[1])
except PermissionError:
    pass" "$run_dir/shim.sock" || fail "another user reaches the shim"
fi

step hostile clients
python3 "$(dirname "$0")/shim-hostile.py" "$run_dir" "$shim_pid"

step the guest still runs and answers its console
[ "$(ctl state hostile)" = running ] || fail "VM 'hostile' is $(ctl state hostile)"
console_expect hostile 'echo still=$((6*7))' 'still=42'
ctl destroy hostile >/dev/null
echo "shim-server: ok"
