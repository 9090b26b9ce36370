#!/usr/bin/env bash
# ssh's questions in vireo-tui, sent by the real vireo-askpass to its
# socket as ssh would send them for a qemu+ssh:// host (no sshd needed):
# a password typed as stars, a new host key's question of several lines
# answered with y while a second question waits its turn, Esc refusing,
# a question waiting for the user's own prompt to close, and one still
# open when vireo-tui is told to quit.
. "$(dirname "$0")/tui-lib.sh"
: "${VIREO_ASKPASS:?}"

# ask NAME KIND PROMPT: vireo-askpass in the background, as ssh runs it
# (KIND "" for a secret), its answer in $ROOT/NAME.out, its status in
# $ROOT/NAME.rc
ask() {
  local name=$1 kind=$2 prompt=$3
  (
    if [ -n "$kind" ]; then export SSH_ASKPASS_PROMPT=$kind; else unset SSH_ASKPASS_PROMPT; fi
    rc=0
    VIREO_ASKPASS_SOCKET=$SOCKET "$VIREO_ASKPASS" "$prompt" >"$ROOT/$name.out" || rc=$?
    echo $rc >"$ROOT/$name.rc"
  ) &
  BACKGROUND_PIDS+=($!)
}
# answered NAME RC OUT: vireo-askpass NAME ended with RC, having printed OUT
answered() {
  local name=$1 i
  for ((i = 0; i < 100; i++)); do [ -s "$ROOT/$name.rc" ] && break; sleep 0.1; done
  [ "$(cat "$ROOT/$name.rc" 2>/dev/null)" = "$2" ] ||
    fail "vireo-askpass $name ended with '$(cat "$ROOT/$name.rc" 2>/dev/null)', not $2: $(screen)"
  [ "$(cat "$ROOT/$name.out")" = "$3" ] || fail "vireo-askpass $name printed '$(cat "$ROOT/$name.out")', not '$3'"
}

host_key="The authenticity of host 'lab.example.org (192.0.2.7)' can't be established.
ED25519 key fingerprint is SHA256:mX3kq9d2V1Jx0xwz5tLrZyH2m2QdC1p4n7Yb9rTq0aE.
This key is not known by any other names.
Are you sure you want to continue connecting (yes/no/[fingerprint])? "

# vireo-tui's own runtime folder: its socket is askpass-PID.sock in vireo-ssh/
mkdir -m 700 "$ROOT/runtime"
run_tui="XDG_RUNTIME_DIR=$ROOT/runtime sh -c 'echo \$\$ > $ROOT/tui-pid; exec $VIREO_TUI --root $ROOT'; echo \$? > $ROOT/tui-exit"
tm -f /dev/null new-session -d -s tui -x 120 -y 30 "$run_tui"
tm set-option -t tui remain-on-exit on
wait_screen "^Vireo · 0 VMs"
TUI_PID=$(cat "$ROOT/tui-pid")
SOCKET=$ROOT/runtime/vireo-ssh/askpass-$TUI_PID.sock
for ((i = 0; i < 50; i++)); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || fail "vireo-tui has no askpass socket at $SOCKET"

step a password is asked in the prompt line, typed as stars, and reaches ssh
ask password "" "ann@lab.example.org's password: "
status "^ssh asks: ann@lab.example.org's password: _  Enter confirms, Esc cancels"
tm send-keys -t tui -l "s3cret pass"
status "^ssh asks: ann@lab.example.org's password: \\*{11}_ "
screen | grepq "s3cret" && fail "the password shows on the screen: $(screen)"
tm send-keys -t tui Enter
answered password 0 "s3cret pass"
status "^ssh's question was answered\\.$"

step a new host key shows whole above the prompt line, and y answers yes
ask host-key confirm "$host_key"
status "^ssh asks: Are you sure you want to continue connecting \\(yes/no/\\[fingerprint\\]\\)\\?  y: yes, n or Esc: no"
wait_screen "^The authenticity of host 'lab.example.org \\(192.0.2.7\\)' can't be established\\. *$"
wait_screen "^ED25519 key fingerprint is SHA256:mX3kq9d2V1Jx0xwz5tLrZyH2m2QdC1p4n7Yb9rTq0aE\\. *$"
[ "$(screen | wc -L)" -le 120 ] || fail "a line is wider than 120 columns: $(screen)"

step a second question waits for the answer to the first, and Esc refuses it
ask passphrase "" "Enter passphrase for key '/home/ann/.ssh/id_ed25519': "
sleep 0.5
[ -e "$ROOT/passphrase.rc" ] && fail "the second question was answered before it was asked"
screen | tail -n 1 | grepq "Are you sure" || fail "the second question took the first one's place: $(screen)"
tm send-keys -t tui x
screen | tail -n 1 | grepq "Are you sure" || fail "x answered the host key question: $(screen)"
tm send-keys -t tui y
answered host-key 0 yes
status "^ssh asks: Enter passphrase for key '/home/ann/.ssh/id_ed25519': _ "
screen | grepq "The authenticity" && fail "the host key's box stayed: $(screen)"
tm send-keys -t tui Escape
answered passphrase 1 ""
status "^ssh's question was not answered: ssh takes it as no\\.$"

step n refuses a host key
ask host-key-no confirm "$host_key"
status "y: yes, n or Esc: no"
tm send-keys -t tui n
answered host-key-no 1 ""

step a question waits while the user types in a prompt of their own, and is asked after it
tm send-keys -t tui A
status "URI of the host to add"
ask later "" "bob@annex's password: "
sleep 0.5
status "URI of the host to add"
tm send-keys -t tui -l "qemu"
status "URI of the host to add .*qemu_"
tm send-keys -t tui Escape
status "^ssh asks: bob@annex's password: _ "
tm send-keys -t tui -l "pw2"
tm send-keys -t tui Enter
answered later 0 pw2
ctl host-list --no-connect | grepq qemu && fail "the user's prompt saved a host"

step at 80 columns the lines of a host key question are cut to fit
tm resize-window -t tui -x 80 -y 24
ask narrow confirm "$host_key"
status "^ssh asks: Are you sure you want to continue connecting"
wait_screen "^The authenticity of host 'lab.example.org \\(192.0.2.7\\)' can't be established\\.$"
[ "$(screen | wc -L)" -le 80 ] || fail "a line is wider than 80 columns: $(screen)"
tm send-keys -t tui y
answered narrow 0 yes

step a question still open when vireo-tui quits is refused, and vireo-tui ends cleanly
ask open "" "ann@lab.example.org's password: "
status "^ssh asks: ann@lab.example.org's password: "
kill -TERM "$TUI_PID"
answered open 1 ""
for ((i = 0; i < 50; i++)); do [ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] && break; sleep 0.1; done
[ "$(cat "$ROOT/tui-exit" 2>/dev/null)" = 0 ] || fail "vireo-tui did not quit cleanly"
[ -e "$SOCKET" ] && fail "vireo-tui left its askpass socket behind"
tm kill-server
echo "tui-askpass: ok"
