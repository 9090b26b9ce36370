#!/usr/bin/env bash
# Snapshots on a real guest: with RAM while it runs (a marker on its disk
# and a counting process come back), of its disks while it is off, a
# definition restored with them, a tree whose middle and current
# snapshots are deleted, a raw disk refused, and a snapshot made by
# qemu-img outside Vireo listed and reverted.
. "$(dirname "$0")/lib.sh"

create_guest snap
snapdir="$ROOT/config/snapshots/snap"

# marker NAME: the first bytes of the guest's disk, as the guest reads them
marker() {
  console_expect "$1" 'echo "marker=$(dd if=/dev/vda bs=9 count=1 2>/dev/null)"' "marker=$2"
}
write_marker() {
  console_expect "$1" "echo $2 | dd of=/dev/vda conv=fsync 2>/dev/null; echo wrote-\$?" 'wrote-0'
}
# count NAME: what the guest's counting process wrote last
count() {
  local log before
  log=$(serial_log "$1")
  before=$(grep -c '^count=' "$log" || true)
  console_expect "$1" 'echo "cou""nt=$(cat /tmp/count)"' 'count=' >/dev/null
  grep '^count=[0-9]' "$log" | tail -n 1 | sed 's/^count=\([0-9]*\).*/\1/'
}

step a snapshot of the VM shut off
ctl snapshot-create snap s1 --description "fresh disk" | grepq "Took snapshot 's1' of VM 'snap'" ||
  fail "snapshot-create s1"
[ "$(ctl snapshot-current snap)" = s1 ] || fail "s1 is not current"
ctl snapshot-info snap s1 | grepq "State: *Shut off" || fail "s1 is not a shut-off snapshot"
qemu-img snapshot -l "$ROOT/data/images/snap.qcow2" | grepq ' s1 ' || fail "the image holds no s1"
expect_error 1 "VM 'snap' already has a snapshot 's1'" -- ctl snapshot-create snap s1
expect_error 1 "Snapshot name 'a/b' may only contain" -- ctl snapshot-create snap a/b
expect_error 1 "Snapshot name '2' has only digits" -- ctl snapshot-create snap 2
expect_error 1 "cannot hold control characters" -- ctl snapshot-create snap ok1 --description "$(printf 'a\033[1mb')"
expect_error 1 "VM 'snap' has no snapshot 'nope'" -- ctl snapshot-revert snap nope

step a snapshot with RAM of the running VM
ctl start snap >/dev/null
wait_for_log snap "$READY"
write_marker snap MARK-ONE
console_expect snap '(i=0; while true; do i=$((i+1)); echo $i >/tmp/count; sleep 1; done) & echo "pid=$!" >/tmp/pid; echo "sta""rted"' started
sleep 3
at_snapshot=$(count snap)
ctl snapshot-create snap live --description "with RAM" | grepq "Took snapshot 'live'" || fail "snapshot-create live"
ctl snapshot-info snap live | grepq "Memory: *yes" || fail "live holds no RAM"
ctl snapshot-info snap live | grepq "Parent: *s1" || fail "live is not a child of s1"
"$VIREO_PNG_CHECK" "$snapdir/live.png" || fail "no thumbnail of the running VM"
[ "$(ctl state snap)" = running ] || fail "the VM does not run after its snapshot"

step the guest changes, then the revert brings back its disk and its process
write_marker snap MARK-TWO
console_expect snap 'kill $(sed s/pid=// /tmp/pid); echo "ki""lled"' killed
stopped=$(count snap); sleep 2
[ "$(count snap)" = "$stopped" ] || fail "the counting process still runs"
ctl snapshot-revert snap live | grepq "Reverted VM 'snap' to snapshot 'live'" || fail "snapshot-revert live"
[ "$(ctl state snap)" = running ] || fail "the VM does not run after the revert"
marker snap MARK-ONE
first=$(count snap); sleep 2; second=$(count snap)
[ "$first" -ge "$at_snapshot" ] || fail "the count went back to $first (it was $at_snapshot at the snapshot)"
[ "$second" -gt "$first" ] || fail "the counting process does not run after the revert ($first, $second)"

step a revert to a shut-off snapshot forces the running VM off
ctl destroy snap >/dev/null
ctl snapshot-create snap off1 >/dev/null
ctl start snap >/dev/null
wait_for_log snap "$READY" 2
write_marker snap MARK-TRE
expect_error 1 "reverting forces it off (add --force)" -- ctl snapshot-revert snap off1
[ "$(ctl state snap)" = running ] || fail "a refused revert stopped the VM"
ctl snapshot-revert snap off1 --force >/dev/null
[ "$(ctl state snap)" = shutoff ] || fail "the VM runs after a revert to a shut-off snapshot"
ctl start snap >/dev/null
wait_for_log snap "$READY" 3
marker snap MARK-ONE
ctl destroy snap >/dev/null

step a changed definition comes back with its snapshot
ctl snapshot-create snap mem1 >/dev/null
ctl dumpxml snap | sed 's|<memory unit="KiB">262144</memory>|<memory unit="KiB">393216</memory>|;s|<currentMemory unit="KiB">262144</currentMemory>|<currentMemory unit="KiB">393216</currentMemory>|' >"$ROOT/bigger.xml"
grep -q 393216 "$ROOT/bigger.xml" || fail "the test could not change the memory"
ctl define "$ROOT/bigger.xml" >/dev/null
ctl snapshot-revert snap mem1 >/dev/null
ctl dumpxml snap | grepq '<memory unit="KiB">262144</memory>' || fail "the memory size did not come back"

step a snapshot with RAM of another machine restarts QEMU from it
ctl define "$ROOT/bigger.xml" >/dev/null
ctl start snap >/dev/null
wait_for_log snap "$READY" 4
# the revert adds nothing to the serial log: the new guest's shell waits
# at the prompt the old one printed last
wait_prompt snap
ctl snapshot-revert snap live >/dev/null
[ "$(ctl state snap)" = running ] || fail "the VM does not run after a revert that restarts it"
ctl dumpxml snap | grepq '<memory unit="KiB">262144</memory>' || fail "the revert kept the bigger memory"
marker snap MARK-ONE
[ "$(count snap)" -ge "$at_snapshot" ] || fail "the restarted guest lost its process"
[ "$(ctl snapshot-current snap)" = live ] || fail "live is not current after its revert"

step a tree: deleting in the middle moves the children up
ctl snapshot-list snap --tree >"$ROOT/tree"
grep -q 'live \*' "$ROOT/tree" || fail "the tree does not mark live current: $(cat "$ROOT/tree")"
ctl snapshot-info snap off1 | grepq "Parent: *live" || fail "off1 is not a child of live"
ctl snapshot-info snap mem1 | grepq "Parent: *off1" || fail "mem1 is not a child of off1"
ctl snapshot-delete snap off1 | grepq "Deleted snapshot 'off1' of VM 'snap'" || fail "snapshot-delete off1"
ctl snapshot-info snap mem1 | grepq "Parent: *live" || fail "mem1 did not move to live"
qemu-img snapshot -U -l "$ROOT/data/images/snap.qcow2" | grepq ' off1 ' && fail "off1 is still in the image"
[ -f "$snapdir/off1.xml" ] && fail "off1's metadata is still there"
step deleting the current snapshot makes its parent current, while the VM runs
ctl snapshot-delete snap live >/dev/null
[ "$(ctl snapshot-current snap)" = s1 ] || fail "s1 did not become current"
ctl snapshot-info snap mem1 | grepq "Parent: *s1" || fail "mem1 did not move to s1"
[ -f "$snapdir/live.png" ] && fail "live's thumbnail is still there"
ctl --json snapshot-list snap | grepq '"name" *: *"mem1"' || fail "snapshot-list --json"
ctl snapshot-edit snap mem1 --description "memory test" >/dev/null
ctl snapshot-dumpxml snap mem1 | grepq '<description>memory test</description>' || fail "snapshot-edit"

step a snapshot of the running VM keeps the changes pending for its next start
ctl define "$ROOT/bigger.xml" >/dev/null
ctl snapshot-create snap pend >/dev/null
ctl snapshot-dumpxml snap pend | grepq '<inactiveDomain' || fail "no inactive definition in the snapshot"
sed 's/393216/327680/g' "$ROOT/bigger.xml" >"$ROOT/other.xml"
ctl define "$ROOT/other.xml" >/dev/null
ctl snapshot-revert snap pend >/dev/null
ctl dumpxml snap | grepq '<memory unit="KiB">393216</memory>' || fail "the pending memory size did not come back"
ctl state snap --json | grepq '"pending-changes" *: *true' || fail "the change is not pending after the revert"
[ "$(ctl state snap)" = running ] || fail "the VM does not run after the revert"
ctl destroy snap >/dev/null

step a second operation on the VM is refused as busy, not interleaved
uuid=$(ctl dumpxml snap | sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p')
lockfile="$ROOT/run/$(printf '%s' "$uuid" | tr -d - | cut -c1-12)/change.lock"
[ -f "$lockfile" ] || fail "no change lock at $lockfile"
# the holder is this subshell itself, so killing it frees the lock; it
# waits for an operation that still holds it, and says when it has it
(exec 9>>"$lockfile"; flock -w 30 9 && touch "$ROOT/lock-held"; exec sleep 30) &
BACKGROUND_PIDS+=($!)
for _ in $(seq 300); do [ -e "$ROOT/lock-held" ] && break; sleep 0.1; done
[ -e "$ROOT/lock-held" ] || fail "the test's lock holder did not take $lockfile within 30 s"
expect_error 1 "VM 'snap' is busy" -- ctl snapshot-create snap busy1
expect_error 1 "VM 'snap' is busy" -- ctl snapshot-revert snap mem1
kill "${BACKGROUND_PIDS[-1]}"; wait "${BACKGROUND_PIDS[-1]}" 2>/dev/null || true
flock -n "$lockfile" true || fail "the test's lock holder is still there"
ctl snapshot-list snap | grepq busy1 && fail "a refused snapshot was listed"

step a raw disk refuses snapshots, and nothing is made
head -c 1048576 /dev/zero >"$ROOT/raw.img"
ctl attach-disk snap "$ROOT/raw.img" >/dev/null
expect_error 1 "disk vdb is raw: convert it to qcow2" -- ctl snapshot-create snap r1
qemu-img snapshot -l "$ROOT/data/images/snap.qcow2" | grepq ' r1 ' && fail "a refused snapshot reached vda"
ctl detach-disk snap vdb >/dev/null

step a snapshot made by qemu-img outside Vireo is listed and reverted
img="$ROOT/outside.qcow2"
qemu-img create -q -f qcow2 "$img" 16M
qemu-io -f qcow2 -c 'write -q -P 0x41 0 4k' "$img"
qemu-img snapshot -c before "$img"
qemu-io -f qcow2 -c 'write -q -P 0x42 0 4k' "$img"
ctl dumpxml snap | sed -e 's|<name>snap</name>|<name>outside</name>|' -e '/<uuid>/d' -e '/<mac /d' \
  -e "s|$ROOT/data/images/snap.qcow2|$img|" >"$ROOT/outside.xml"
ctl define "$ROOT/outside.xml" >/dev/null
ctl snapshot-list outside | grepq '^before ' || fail "the outside snapshot is not listed: $(ctl snapshot-list outside)"
ctl snapshot-info outside before | grepq "Metadata: *no" || fail "the outside snapshot claims metadata"
ctl snapshot-revert outside before >/dev/null
qemu-io -f qcow2 -c 'read -q -P 0x41 0 4k' "$img" | grepq 'Pattern verification failed' &&
  fail "the revert did not bring back the outside snapshot's data"
qemu-io -f qcow2 -c 'read -P 0x41 0 4k' "$img" | grepq 'read 4096/4096' || fail "cannot read the reverted image"
expect_error 1 "was made outside Vireo: it has no description to change" -- ctl snapshot-edit outside before --description x
ctl snapshot-delete outside before >/dev/null
qemu-img snapshot -l "$img" | grepq ' before ' && fail "the outside snapshot is still in the image"
[ -z "$(ctl snapshot-list outside | tail -n +2)" ] || fail "a deleted outside snapshot is still listed"

step a snapshot inside the base of a linked clone stays as it is
ctl clone snap snapc --linked >/dev/null
expect_error 1 "the base image of VM 'snapc'" -- ctl snapshot-revert snap mem1
expect_error 1 "the base image of VM 'snapc'" -- ctl snapshot-delete snap mem1
ctl snapshot-create snap after >/dev/null
ctl snapshot-revert snap after >/dev/null || fail "a snapshot of the overlay cannot be reverted"
ctl undefine snapc --remove-storage >/dev/null
expect_error 1 "the base image of VM 'snap'" -- ctl snapshot-revert snap mem1

step undefine takes the snapshot metadata with it
ctl undefine snap >/dev/null
[ -d "$snapdir" ] && fail "the snapshots of a deleted VM stayed"
echo "snapshot: ok"
