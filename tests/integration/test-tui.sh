#!/usr/bin/env bash
# vireo-tui under tmux: the table, starting and forcing off a VM by key,
# the serial console, errors in the status line, resizing, snapshots taken
# and reverted by key, a clone, and a clean terminal after q and after Ctrl+C.
. "$(dirname "$0")/tui-lib.sh"

create_guest tg
create_guest other --memory 512
run_tui="$VIREO_TUI --root $ROOT; echo \$? > $ROOT/tui-exit"
tm -f /dev/null new-session -d -s tui -x 100 -y 30 "$run_tui"
tm set-option -t tui remain-on-exit on

step the table lists both VMs
wait_screen "Vireo · 2 VMs, 0 running"
wait_screen "^Shut off +other +1 +512.0.MiB"
wait_screen "^Shut off +tg "
screen | tail -n 2 | head -n 1 | grep "F1 Help" >/dev/null || fail "no key bar: $(screen)"

step filter, then start by key
tm send-keys -t tui / t g Enter
wait_screen " /tg$"
screen | grep "other" >/dev/null && fail "the filter left 'other' on screen"
tm send-keys -t tui s
wait_screen "^Running +tg " 60
wait_screen "VM 'tg' started."

step an action that cannot be done is one line in the status line
tm send-keys -t tui s
wait_screen "VM 'tg' is already running"
screen | tail -n 1 | grep "VM 'tg' is already running" >/dev/null || fail "the error is not in the status line"

step resize to 80x24 and to 200x60
tm resize-window -t tui -x 80 -y 24
wait_screen "^STATE +NAME"
[ "$(screen | wc -l)" -eq 24 ] || fail "80x24 shows $(screen | wc -l) lines"
[ "$(screen | wc -L)" -le 80 ] || fail "a line is wider than 80 columns"
screen | grep -E "^Running +tg " >/dev/null || fail "the row is gone at 80x24: $(screen)"
tm resize-window -t tui -x 200 -y 60
wait_screen "ADDRESS"
[ "$(screen | wc -l)" -eq 60 ] || fail "200x60 shows $(screen | wc -l) lines"
screen | sed -n 59p | grep "F1 Help" >/dev/null || fail "the key bar is not on line 59 at 200x60"

step the serial console takes the screen, and Ctrl+] returns
tm resize-window -t tui -x 100 -y 30
tm send-keys -t tui c
wait_screen "Connected to the serial console of VM 'tg'"
wait_screen "VIREO-GUEST-READY" 120
wait_prompt tg
tm send-keys -t tui 'echo tui-$((6*7))' Enter
wait_screen "^tui-42" 60
tm send-keys -t tui C-]
wait_screen "Left the console of VM 'tg'."
wait_screen "^Running +tg "
# disk and network rates (the network one from the guest agent's counters)
wait_screen "^Running +tg .*/s +.*/s " 60

step t takes a snapshot of the running VM, with the suggested name
tm send-keys -t tui t
wait_screen "Name of the new snapshot of VM 'tg': snapshot-1_"
tm send-keys -t tui Enter
wait_screen "Took snapshot 'snapshot-1' of VM 'tg'." 60
ctl snapshot-list tg | grep -E "^snapshot-1 .* running$" >/dev/null ||
  fail "snapshot-list does not show the snapshot: $(ctl snapshot-list tg)"

step Enter shows the details with the snapshot tree, Esc returns
tm send-keys -t tui Enter
wait_screen "Network interfaces"
wait_screen "vda disk +virtio · qcow2 · $ROOT/data/images/tg.qcow2"
wait_screen "^  snapshot-1 +[0-9-]+ [0-9:]+ +Running +current"
screen | tail -n 2 | head -n 1 | grep "R Revert" >/dev/null || fail "no snapshot keys in the key bar: $(screen)"
tm send-keys -t tui Escape
wait_screen "^Running +tg "

step force off asks first
tm send-keys -t tui K
wait_screen "Force VM 'tg' off, as if unplugged\\? \\(y/n\\)"
tm send-keys -t tui n
wait_screen "Nothing was done."
screen | grep -E "^Running +tg " >/dev/null || fail "'n' forced the VM off"
tm send-keys -t tui K y
wait_screen "^Shut off +tg " 30

step in the detail pane, a snapshot of the VM off, then R reverts to the running one after asking
tm send-keys -t tui Enter t
wait_screen "Name of the new snapshot of VM 'tg': snapshot-2_"
tm send-keys -t tui Enter
wait_screen "^    └ snapshot-2 +[0-9-]+ [0-9:]+ +Shut off +current" 30
tm send-keys -t tui Up R
wait_screen "Revert VM 'tg' to snapshot 'snapshot-1'\? What it did since is lost. \(y/n\)"
tm send-keys -t tui y
wait_screen "Reverted VM 'tg' to snapshot 'snapshot-1'." 120
[ "$(ctl state tg)" = running ] || fail "tg is $(ctl state tg) after reverting to a running snapshot"
[ "$(ctl snapshot-current tg)" = snapshot-1 ] || fail "the current snapshot is $(ctl snapshot-current tg)"
wait_screen "^  snapshot-1 +[0-9-]+ [0-9:]+ +Running +current"

step reverting the running VM to the snapshot taken off says that it forces the VM off
tm send-keys -t tui Down R
wait_screen "Revert VM 'tg' to snapshot 'snapshot-2'\? It is forced off, and what it did since is lost. \(y/n\)"
tm send-keys -t tui y
wait_screen "Reverted VM 'tg' to snapshot 'snapshot-2'." 60
[ "$(ctl state tg)" = shutoff ] || fail "tg is $(ctl state tg) after reverting to a snapshot of it off"
[ "$(ctl snapshot-current tg)" = snapshot-2 ] || fail "the current snapshot is $(ctl snapshot-current tg)"
tm send-keys -t tui Escape
wait_screen "^Shut off +tg " 30

step C clones the VM off: Tab chooses full or linked, the suggested name is taken
tm send-keys -t tui C
wait_screen "Clone VM 'tg' as: tg-clone_  \\[full copy\\] Tab switches"
tm send-keys -t tui Tab
wait_screen "Clone VM 'tg' as: tg-clone_  \\[linked clone\\]"
tm send-keys -t tui Tab Enter
wait_screen "Cloned VM 'tg' as 'tg-clone'." 60
wait_screen "^Shut off +tg-clone "
[ -f "$ROOT/data/images/tg-clone.qcow2" ] || fail "the clone has no disk of its own"
ctl dumpxml tg-clone | grepq backingStore && fail "a full copy has a base image"
ctl undefine tg-clone --remove-storage >/dev/null
wait_screen "Vireo · 2 VMs"

step the New VM form says what is wrong, in the status line, and keeps what was typed
tm send-keys -t tui Escape n
wait_screen "^New VM"
tm send-keys -t tui t g Enter
wait_screen "A VM named 'tg' already exists"
tm send-keys -t tui BSpace BSpace f r e s h Tab BSpace BSpace BSpace BSpace BSpace BSpace l o t s Enter
wait_screen "VM 'fresh': memory is a whole number of MiB"
tm send-keys -t tui BSpace BSpace BSpace BSpace 1 2 8 Tab Tab BSpace BSpace BSpace 1 6 M Tab
tm send-keys -t tui -l "$VIREO_GUEST_DIR/vmlinuz"
tm send-keys -t tui Tab Tab x Enter
wait_screen "VM 'fresh': the firmware is bios or uefi"
tm send-keys -t tui BSpace b i o s Tab y e s Enter
wait_screen "VM 'fresh' created: s starts it."
# the engine's default: 2 vCPUs, or fewer on a smaller host
vcpus=$(( $(nproc) < 2 ? $(nproc) : 2 ))
wait_screen "^Shut off +fresh +$vcpus +128.0.MiB"
ctl dumpxml fresh | grepq '<memory unit="KiB">131072</memory>' || fail "the form's memory was not used"
ctl dumpxml fresh | grepq "<kernel>$VIREO_GUEST_DIR/vmlinuz</kernel>" || fail "the form's kernel was not used"
ctl dumpxml fresh | grepq '<tpm model="tpm-crb">' || fail "the form's TPM was not used"
ctl dumpxml fresh | grepq 'firmware="efi"' && fail "the form's BIOS was not used"

step d deletes after asking, here with its disk
tm send-keys -t tui / f r e s h Enter d
wait_screen "Delete VM 'fresh'\? y: keep its disks, a: delete its disks too, n: no"
tm send-keys -t tui a
wait_screen "VM 'fresh' and its disks deleted."
wait_screen "Vireo · 2 VMs"
[ -e "$ROOT/data/images/fresh.qcow2" ] && fail "the disk of 'fresh' is still there"
ctl state fresh >/dev/null 2>&1 && fail "'fresh' is still defined"

step q quits and leaves the terminal as it was
tm send-keys -t tui Escape q
for ((i = 0; i < 50; i++)); do [ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] && break; sleep 0.1; done
[ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] || fail "q did not quit"
[ "$(tm display -p -t tui '#{alternate_on}')" = 0 ] || fail "the alternate screen is still on after q"
[ "$(cat "$ROOT/tui-exit")" = 0 ] || fail "q exited with status $(cat "$ROOT/tui-exit")"

step Ctrl+C too
tm respawn-pane -t tui "$run_tui"
wait_screen "Vireo · 2 VMs"
tm send-keys -t tui C-c
for ((i = 0; i < 50; i++)); do [ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] && break; sleep 0.1; done
[ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] || fail "Ctrl+C did not quit"
[ "$(tm display -p -t tui '#{alternate_on}')" = 0 ] || fail "the alternate screen is still on after Ctrl+C"

step a fatal signal restores the terminal too
tm respawn-pane -t tui "$run_tui"
wait_screen "Vireo · 2 VMs"
# the pane runs a shell that records the exit status: signal its child
kill -SEGV "$(pgrep -P "$(tm display -p -t tui '#{pane_pid}')" -f vireo-tui)"
for ((i = 0; i < 50; i++)); do [ -s "$ROOT/tui-exit" ] && [ "$(cat "$ROOT/tui-exit")" != 0 ] && break; sleep 0.1; done
[ "$(cat "$ROOT/tui-exit")" = 139 ] || fail "SIGSEGV: exit status $(cat "$ROOT/tui-exit"), expected 139"
for ((i = 0; i < 50; i++)); do [ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] && break; sleep 0.1; done
[ "$(tm display -p -t tui '#{pane_dead}')" = 1 ] || fail "SIGSEGV did not end it"
[ "$(tm display -p -t tui '#{alternate_on}')" = 0 ] || fail "the alternate screen is still on after SIGSEGV"

step vt100 without colours, screen and xterm-256color
for term in vt100 screen xterm-256color; do
  tm respawn-pane -k -t tui "TERM=$term $VIREO_TUI --root $ROOT"
  wait_screen "^Shut off +other "
  tm send-keys -t tui q
done
tm kill-server
echo "tui: ok"
