#!/usr/bin/env bash
# Full and linked clones: a new identity, images of their own (a write in
# a clone never reaches the source), bases kept while anyone stands on
# them, and nothing left behind by a clone that is refused, cancelled or
# runs out of space.
. "$(dirname "$0")/lib.sh"

images="$ROOT/data/images"
domains="$ROOT/config/domains"
trap 'umount "$images" 2>/dev/null || true; cleanup' EXIT

# first4 IMAGE: the image's first four bytes, as the guest would read them
first4() { qemu-io -f qcow2 -r -c 'read -v 0 4' "$1" | sed -n 's/^00000000: *\([0-9a-f ]*\).*/\1/p' | tr -d ' '; }

create_guest src --network user
qemu-io -f qcow2 -c 'write -P 0x53 0 4' "$images/src.qcow2" >/dev/null   # SSSS
qemu-img snapshot -c snap1 "$images/src.qcow2"
qemu-io -f qcow2 -c 'write -P 0x43 0 4' "$images/src.qcow2" >/dev/null   # CCCC

step a full clone from a snapshot has the snapshot\'s contents
ctl clone src fromsnap --from-snapshot snap1 | grep -q "Cloned VM 'src' as 'fromsnap'" || fail "clone --from-snapshot"
[ "$(first4 "$images/fromsnap.qcow2")" = 53535353 ] || fail "the clone is not the snapshot's state"
[ "$(first4 "$images/src.qcow2")" = 43434343 ] || fail "the source changed"
qemu-img snapshot -l "$images/fromsnap.qcow2" | grep -q snap1 && fail "the source's snapshots came along"
expect_error 1 "VM 'src': disk vda has no snapshot 'nosuch'" -- ctl clone src nosnap --from-snapshot nosuch
ls "$images" | grep -q nosnap && fail "a refused clone left an image"
ctl undefine fromsnap --remove-storage >/dev/null

step a full and a linked clone, each a VM of its own
ctl clone src | grep -q "Cloned VM 'src' as 'src-clone'" || fail "full clone with a suggested name"
ctl clone src linked --linked | grep -q "Cloned VM 'src' as 'linked'" || fail "linked clone"
[ -f "$images/src-clone.qcow2" ] && [ -f "$images/linked.qcow2" ] || fail "the clones' images are missing"
for vm in src-clone linked; do
  [ "$(ctl dumpxml $vm | grep -c '<uuid>')" = 1 ] || fail "$vm has no UUID"
  [ "$(ctl dumpxml $vm | grep '<uuid>')" != "$(ctl dumpxml src | grep '<uuid>')" ] || fail "$vm has the source's UUID"
done
macs=$(for vm in src src-clone linked; do ctl dumpxml $vm | grep '<mac '; done | sort -u | wc -l)
[ "$macs" = 3 ] || fail "the clones' MACs are not their own ($macs distinct)"
[ "$(stat -c %a "$images/src.qcow2")" = 400 ] || fail "the base is not read-only"
ctl dumpxml src | grep -q "src-vda-1.qcow2" || fail "the source is not on a fresh overlay"
ctl dumpxml linked | grep -q "<source file=\"$images/src.qcow2\"/>" || fail "the clone names no base"
ctl vol-info "$images/linked.qcow2" | grep -q "^Backing file: *$images/src.qcow2" || fail "vol-info shows no chain"
ctl vol-info --json "$images/src-vda-1.qcow2" | grep -q '"name" : "snap1"' || fail "vol-info --json shows no snapshot"

step the three boot side by side, and a write in a clone stays there
for vm in src src-clone linked; do ctl start $vm >/dev/null; done
for vm in src src-clone linked; do wait_for_log $vm "$READY"; done
console_expect linked 'echo LINK | dd of=/dev/vda conv=fsync 2>/dev/null; echo W=$((1+1))' 'W=2'
console_expect src-clone 'echo FULL | dd of=/dev/vda conv=fsync 2>/dev/null; echo W=$((2+2))' 'W=4'
console_expect linked 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=LINK'
console_expect src-clone 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=FULL'
console_expect src 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=CCCC'
expect_error 1 "VM 'src' is running; shut it down to clone it" -- ctl clone src again
for vm in src src-clone linked; do ctl destroy $vm >/dev/null; done

step a base stays while a clone uses it and goes with its last user
ctl undefine src --remove-storage | grep -q "Kept $images/src.qcow2: VM 'linked' uses it" ||
  fail "no word that the base was kept"
[ -f "$images/src.qcow2" ] || fail "the base was deleted under the linked clone"
[ -f "$images/src-vda-1.qcow2" ] && fail "the source's own overlay stayed"
ctl undefine linked --remove-storage >/dev/null
[ -f "$images/src.qcow2" ] && fail "the base outlived its last user"
[ -f "$images/linked.qcow2" ] && fail "the linked clone's overlay stayed"

step a raw disk is refused for a linked clone, and nothing is made
create_guest rawvm --network none
head -c 4194304 /dev/zero > "$ROOT/raw.img"
ctl attach-disk rawvm "$ROOT/raw.img" >/dev/null
before=$(ls "$images"; ctl dumpxml rawvm)
expect_error 1 "VM 'rawvm': disk vdb is raw: convert it to qcow2 to make a linked clone" -- ctl clone rawvm --linked
[ "$before" = "$(ls "$images"; ctl dumpxml rawvm)" ] || fail "a refused linked clone changed something"
[ "$(stat -c %a "$images/rawvm.qcow2")" = 600 ] || fail "a refused linked clone made a base"

step a clone cancelled half way leaves no files, and the source is busy meanwhile
ctl create big --memory 256 --vcpus 1 --disk 1G --network none >/dev/null
qemu-io -f qcow2 -c 'write -P 0x55 0 300M' "$images/big.qcow2" >/dev/null
# the real qemu-img, at 30 MB/s, so that half way lasts long enough to be seen
mkdir "$ROOT/slow"
printf '#!/bin/sh\n[ "$1" = convert ] && { shift; exec %s convert -r 30M "$@"; }\nexec %s "$@"\n' \
  "$(command -v qemu-img)" "$(command -v qemu-img)" > "$ROOT/slow/qemu-img"
chmod +x "$ROOT/slow/qemu-img"
# vireoctl itself in the background (not the ctl function's subshell), to get the SIGINT
PATH="$ROOT/slow:$PATH" "$VIREOCTL" --root "$ROOT" clone big bigc 2>"$ROOT/cancel.err" &
pid=$!
BACKGROUND_PIDS+=("$pid")
for ((i = 0; i < 300; i++)); do
  [ "$(stat -c %s "$images/bigc.qcow2" 2>/dev/null || echo 0)" -gt 20000000 ] && break
  sleep 0.1
done
[ "$i" -lt 300 ] || fail "the clone never got half way"
expect_error 1 "VM 'big' is busy (being cloned)" -- ctl start big
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "a cancelled clone exited $rc: $(cat "$ROOT/cancel.err")"
grep -q "VM 'big' was not cloned: Operation was cancelled" "$ROOT/cancel.err" || fail "cancel said $(cat "$ROOT/cancel.err")"
ls "$images" | grep -q bigc && fail "a cancelled clone left $(ls "$images" | grep bigc)"
[ -f "$domains/bigc.xml" ] && fail "a cancelled clone left a definition"
pgrep -f "$images/bigc.qcow2" >/dev/null && fail "qemu-img outlived the cancel"
ctl start big >/dev/null && ctl destroy big >/dev/null || fail "the source is not free after a cancel"

step a full disk leaves the source intact and no partial files
ctl dumpxml big | sed -e 's|<name>big</name>|<name>outside</name>|' -e '/<uuid>/d' -e '/<mac /d' \
  -e "s|$images/big.qcow2|$ROOT/outside.qcow2|" > "$ROOT/outside.xml"
mv "$images/big.qcow2" "$ROOT/outside.qcow2"
ctl undefine big >/dev/null
ctl define "$ROOT/outside.xml" >/dev/null
sum=$(md5sum < "$ROOT/outside.qcow2")
mount -t tmpfs -o size=40M,mode=0700 tmpfs "$images"
expect_error 1 "VM 'outside': cannot copy disk vda: " -- ctl clone outside
[ -z "$(ls -A "$images")" ] || fail "a clone that ran out of space left $(ls -A "$images")"
[ -f "$domains/outside-clone.xml" ] && fail "a failed clone left a definition"
umount "$images"
[ "$sum" = "$(md5sum < "$ROOT/outside.qcow2")" ] || fail "a failed clone changed the source"
echo PASS
