#!/usr/bin/env bash
# Host port forwards of user-mode NICs: at start, added and removed while
# the VM runs, and a port that is taken.  Loopback only.
. "$(dirname "$0")/lib.sh"

# free_port: a TCP port on 127.0.0.1 that nothing listens on now
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# guest_says PORT: what the guest's listener behind host port PORT says
# (the guest takes a while to have its address: retried for a minute)
guest_says() {
  python3 - "$1" <<'PY'
import socket, sys, time
deadline = time.time() + 60
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as s:
            data = s.recv(100)
            if data:
                print(data.decode().strip())
                sys.exit(0)
    except OSError:
        pass
    time.sleep(1)
PY
}

# refused PORT: nothing listens on host port PORT
refused() {
  python3 - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)
PY
}

pending() { ctl state fwd --json | grep -o '"pending-changes" *: *[a-z]*' | grep -o '[a-z]*$'; }

port=$(free_port)
port2=$(free_port)
while [ "$port2" = "$port" ]; do port2=$(free_port); done

step a taken host port makes the start fail with one clear line
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' > "$ROOT/busy-port" &
BACKGROUND_PIDS+=($!)
wait_nonempty "$ROOT/busy-port" 10
busy=$(cat "$ROOT/busy-port")
create_guest taken --forward "tcp:$busy:7777"
expect_error 1 "VM 'taken' failed to start: it cannot forward host port tcp 127.0.0.1:$busy: Address already in use" \
  -- ctl start taken
[ "$(ctl state taken)" = shutoff ] || fail "VM 'taken' is not shut off after its failed start"

step a forward given at create time reaches the guest
create_guest fwd --forward "tcp:$port:7777"
ctl port-forward-list fwd | grepq "^tcp  *127.0.0.1  *$port  *7777 " || fail "port-forward-list lacks the forward"
ctl start fwd >/dev/null
wait_for_log fwd "$READY"
console_expect fwd 'nc -ll -p 7777 -e echo VIREO-FWD-OK & echo LISTEN""ING' LISTENING
[ "$(guest_says "$port")" = VIREO-FWD-OK ] || fail "host port $port does not reach the guest's port 7777"

step a forward added while the VM runs applies at once
ctl port-forward-add fwd "tcp:$port2:7777" >/dev/null
[ "$(guest_says "$port2")" = VIREO-FWD-OK ] || fail "the live forward of host port $port2 does not reach the guest"
ctl dumpxml fwd | grepq "host=\"$port2\"" || fail "the live forward is not in the definition"
[ "$(pending)" = false ] || fail "a live forward was reported as pending"
ctl dominfo fwd | grepq "^tcp  *127.0.0.1  *$port2 " || fail "dominfo lacks the live forward"

step a taken port is refused live, and the definition stays as it was
expect_error 1 "VM 'fwd' cannot forward host port tcp 127.0.0.1:$busy now: Address already in use" \
  -- ctl port-forward-add fwd "tcp:$busy:7777"
ctl dumpxml fwd | grepq "host=\"$busy\"" && fail "a forward that failed live is in the definition"

step a forward removed while the VM runs closes at once
ctl port-forward-remove fwd "tcp:$port2" >/dev/null
refused "$port2" || fail "host port $port2 still accepts connections after port-forward-remove"
ctl dumpxml fwd | grepq "host=\"$port2\"" && fail "the removed forward is still in the definition"
[ "$(pending)" = false ] || fail "a live removal was reported as pending"
[ "$(guest_says "$port")" = VIREO-FWD-OK ] || fail "the first forward stopped working"

step mistakes are one clear line
expect_error 2 "'tcp:22' is not a port forward" -- ctl port-forward-add fwd tcp:22
expect_error 1 "VM 'fwd' does not forward host port tcp 127.0.0.1:$port2" -- ctl port-forward-remove fwd "tcp:$port2"
expect_error 1 "is forwarded twice" -- ctl port-forward-add fwd "tcp:$port:22"

ctl destroy fwd >/dev/null
echo "forward: ok"
