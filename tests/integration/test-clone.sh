#!/usr/bin/env bash
# Full and linked clones: a new identity, images of their own (a write in
# a clone never reaches the source), bases kept while anyone stands on
# them, chains of linked clones (a template cloned twice, a clone of a
# clone, up to 16 images), and nothing left behind by a clone that is
# refused, cancelled or runs out of space.
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
ctl clone src fromsnap --from-snapshot snap1 | grepq "Cloned VM 'src' as 'fromsnap'" || fail "clone --from-snapshot"
[ "$(first4 "$images/fromsnap.qcow2")" = 53535353 ] || fail "the clone is not the snapshot's state"
[ "$(first4 "$images/src.qcow2")" = 43434343 ] || fail "the source changed"
qemu-img snapshot -l "$images/fromsnap.qcow2" | grepq snap1 && fail "the source's snapshots came along"
expect_error 1 "VM 'src': disk vda has no snapshot 'nosuch'" -- ctl clone src nosnap --from-snapshot nosuch
ls "$images" | grepq nosnap && fail "a refused clone left an image"
ctl undefine fromsnap --remove-storage >/dev/null

step a full and a linked clone, each a VM of its own
ctl clone src | grepq "Cloned VM 'src' as 'src-clone'" || fail "full clone with a suggested name"
ctl clone src linked --linked | grepq "Cloned VM 'src' as 'linked'" || fail "linked clone"
[ -f "$images/src-clone.qcow2" ] && [ -f "$images/linked.qcow2" ] || fail "the clones' images are missing"
for vm in src-clone linked; do
  [ "$(ctl dumpxml $vm | grep -c '<uuid>')" = 1 ] || fail "$vm has no UUID"
  [ "$(ctl dumpxml $vm | grep '<uuid>')" != "$(ctl dumpxml src | grep '<uuid>')" ] || fail "$vm has the source's UUID"
done
macs=$(for vm in src src-clone linked; do ctl dumpxml $vm | grep '<mac '; done | sort -u | wc -l)
[ "$macs" = 3 ] || fail "the clones' MACs are not their own ($macs distinct)"
[ "$(stat -c %a "$images/src.qcow2")" = 400 ] || fail "the base is not read-only"
ctl dumpxml src | grepq "src-vda-1.qcow2" || fail "the source is not on a fresh overlay"
ctl dumpxml linked | grepq "<source file=\"$images/src.qcow2\"/>" || fail "the clone names no base"
ctl vol-info "$images/linked.qcow2" | grepq "^Backing file: *$images/src.qcow2" || fail "vol-info shows no chain"
ctl vol-info --json "$images/src-vda-1.qcow2" | grepq '"name" : "snap1"' || fail "vol-info --json shows no snapshot"

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
ctl undefine src --remove-storage | grepq "Kept $images/src.qcow2: VM 'linked' uses it" ||
  fail "no word that the base was kept"
[ -f "$images/src.qcow2" ] || fail "the base was deleted under the linked clone"
[ -f "$images/src-vda-1.qcow2" ] && fail "the source's own overlay stayed"
ctl undefine linked --remove-storage >/dev/null
[ -f "$images/src.qcow2" ] && fail "the base outlived its last user"
[ -f "$images/linked.qcow2" ] && fail "the linked clone's overlay stayed"

step a template cloned linked twice: both clones boot on the template\'s data, and each writes its own
create_guest tpl --network none
qemu-io -f qcow2 -c 'write -P 0x54 0 4' "$images/tpl.qcow2" >/dev/null   # TTTT
ctl clone tpl c1 --linked >/dev/null || fail "the first linked clone of the template"
ctl clone tpl c2 --linked >/dev/null || fail "the second linked clone of the template"
# tpl.qcow2 and the template's first overlay are bases now; the template is on its second
for f in tpl.qcow2 tpl-vda-1.qcow2; do
  [ "$(stat -c %a "$images/$f")" = 400 ] || fail "$f is not a read-only base"
done
ctl dumpxml tpl | grepq "<source file=\"$images/tpl-vda-2.qcow2\"/>" || fail "the template is not on a fresh overlay"
for vm in tpl c2; do
  ctl dumpxml $vm | tr -d '\n ' | grepq "<backingStoretype=\"file\"><formattype=\"qcow2\"/><sourcefile=\"$images/tpl-vda-1.qcow2\"/><backingStoretype=\"file\"><formattype=\"qcow2\"/><sourcefile=\"$images/tpl.qcow2\"/></backingStore></backingStore>" ||
    fail "$vm does not declare the whole chain: $(ctl dumpxml $vm | grep -A8 '<source file')"
done
for vm in c1 c2; do ctl start $vm >/dev/null; done
for vm in c1 c2; do wait_for_log $vm "$READY"; done
for vm in c1 c2; do console_expect $vm 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=TTTT'; done
console_expect c1 'echo ONE1 | dd of=/dev/vda conv=fsync 2>/dev/null; echo W=$((1+1))' 'W=2'
console_expect c2 'echo TWO2 | dd of=/dev/vda conv=fsync 2>/dev/null; echo W=$((2+2))' 'W=4'
console_expect c1 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=ONE1'
console_expect c2 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=TWO2'
for vm in c1 c2; do ctl destroy $vm >/dev/null; done
[ "$(first4 "$images/tpl-vda-2.qcow2")" = 54545454 ] || fail "a clone's write reached the template"

step a linked clone of a linked clone boots on its source\'s data, and the chain is in vol-info
ctl clone c1 cc --linked >/dev/null || fail "a linked clone of a linked clone"
[ "$(stat -c %a "$images/c1.qcow2")" = 400 ] || fail "c1's image is not a read-only base"
ctl vol-info "$images/cc.qcow2" | grep '^Backing file:' | awk '{print $3}' > "$ROOT/chain"
printf '%s\n' "$images/c1.qcow2" "$images/tpl.qcow2" | cmp -s - "$ROOT/chain" ||
  fail "vol-info shows the chain $(cat "$ROOT/chain")"
# a base whose header names another image than the definition declares (even one of Vireo's) is refused
qemu-img rebase -u -f qcow2 -F qcow2 -b "$images/tpl-vda-1.qcow2" "$images/c1.qcow2"
expect_error 1 "VM 'cc': disk vda ($images/c1.qcow2) has a backing file ($images/tpl-vda-1.qcow2)" -- ctl start cc
qemu-img rebase -u -f qcow2 -F qcow2 -b "$images/tpl.qcow2" "$images/c1.qcow2"
for vm in tpl cc; do ctl start $vm >/dev/null; done
for vm in tpl cc; do wait_for_log $vm "$READY"; done
console_expect cc 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=ONE1'
console_expect cc 'echo LNK2 | dd of=/dev/vda conv=fsync 2>/dev/null; echo W=$((3+3))' 'W=6'
console_expect tpl 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=TTTT'
console_expect cc 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=LNK2'
for vm in tpl cc; do ctl destroy $vm >/dev/null; done
[ "$(first4 "$images/c1-vda-1.qcow2")" = 4f4e4531 ] || fail "a write in the clone's clone reached its source"
[ "$(first4 "$images/c2.qcow2")" = 54574f32 ] || fail "c2 lost its write"

step deleting VMs keeps every base another VM stands on, and each base goes with its last user
# tpl: tpl-vda-2 on tpl-vda-1, tpl; c2 on tpl-vda-1, tpl; c1: c1-vda-1 on c1, tpl; cc on c1, tpl
ctl undefine tpl --remove-storage | grepq "Kept $images/tpl-vda-1.qcow2: VM 'c2' uses it" ||
  fail "no word that the template's bases were kept"
ctl undefine c1 --remove-storage | grepq "Kept $images/c1.qcow2: VM 'cc' uses it" ||
  fail "no word that c1's base was kept"
for f in tpl.qcow2 tpl-vda-1.qcow2 c1.qcow2 c2.qcow2 cc.qcow2; do [ -f "$images/$f" ] || fail "$f was deleted"; done
for f in tpl-vda-2.qcow2 c1-vda-1.qcow2; do [ -f "$images/$f" ] && fail "$f outlived its VM"; done
ctl undefine c2 --remove-storage | grepq "Kept $images/tpl.qcow2: VM 'cc' uses it" ||
  fail "no word that the template's image was kept for cc"
for f in c2.qcow2 tpl-vda-1.qcow2; do [ -f "$images/$f" ] && fail "$f outlived its last user"; done
# what cc stands on is all still there: it starts (the image checks read the whole chain)
ctl start cc >/dev/null && wait_for_log cc "$READY" 2 || fail "cc does not start on what is left"
console_expect cc 'echo R=$(dd if=/dev/vda bs=4 count=1 2>/dev/null)' 'R=LNK2'
ctl destroy cc >/dev/null
ctl detach-disk cc vda --remove-storage >/dev/null || fail "detach-disk --remove-storage"
left=$(ls "$images" | grep -E '^(tpl|c1|c2|cc)' || true)
[ -z "$left" ] || fail "the last user's delete left $left"
ctl undefine cc >/dev/null

step a chain grows to 16 images and no further, and a VM boots on the deepest
create_guest deep --network none
for ((i = 1; i <= 15; i++)); do ctl clone deep deep$i --linked >/dev/null || fail "linked clone $i of deep"; done
expect_error 1 "VM 'deep': disk vda stands on 15 base images; a linked clone adds one, and Vireo runs chains of at most 16 images: make a full clone of it" \
  -- ctl clone deep --linked
[ "$(ctl dumpxml deep15 | grep -c '<backingStore')" = 15 ] || fail "deep15 does not declare 15 bases"
ctl start deep15 >/dev/null && wait_for_log deep15 "$READY" || fail "deep15 does not start on a chain of 16"
ctl destroy deep15 >/dev/null
for vm in deep{15..1} deep; do ctl undefine $vm --remove-storage >/dev/null; done
left=$(ls "$images" | grep '^deep' || true)
[ -z "$left" ] || fail "deleting every VM of the chain left $left"

step a raw disk is refused for a linked clone, and nothing is made
create_guest rawvm --network none
head -c 4194304 /dev/zero > "$ROOT/raw.img"
ctl attach-disk rawvm "$ROOT/raw.img" >/dev/null
before=$(ls "$images"; ctl dumpxml rawvm)
expect_error 1 "VM 'rawvm': disk vdb is raw: convert it to qcow2 to make a linked clone" -- ctl clone rawvm --linked
[ "$before" = "$(ls "$images"; ctl dumpxml rawvm)" ] || fail "a refused linked clone changed something"
[ "$(stat -c %a "$images/rawvm.qcow2")" = 600 ] || fail "a refused linked clone made a base"

step a symlink in the images folder never becomes a base, and the source is put back and starts
create_guest lnk --network none
mv "$images/lnk.qcow2" "$ROOT/lnk-target.qcow2"
ln -s "$ROOT/lnk-target.qcow2" "$images/lnk.qcow2"
before=$(ls "$images"; ctl dumpxml lnk)
expect_error 1 "VM 'lnk': $images/lnk.qcow2 is not a regular file" -- ctl clone lnk lnkc --linked
[ "$before" = "$(ls "$images"; ctl dumpxml lnk)" ] || fail "a refused linked clone changed something"
[ "$(stat -c %a "$ROOT/lnk-target.qcow2")" = 600 ] || fail "the mode went through the symlink"
[ -f "$domains/lnkc.xml" ] && fail "a refused linked clone left a definition"
ctl start lnk >/dev/null && ctl destroy lnk >/dev/null || fail "the source does not start after the rollback"
ctl undefine lnk >/dev/null && rm "$images/lnk.qcow2"

step an image another VM also uses never becomes a base
ctl detach-disk rawvm vdb >/dev/null
ctl dumpxml rawvm | sed -e 's|<name>rawvm</name>|<name>twin</name>|' -e '/<uuid>/d' -e '/<mac /d' > "$ROOT/twin.xml"
ctl define "$ROOT/twin.xml" >/dev/null
expect_error 1 "VM 'rawvm': disk vda ($images/rawvm.qcow2) is also used by VM 'twin'" -- ctl clone rawvm --linked
[ "$(stat -c %a "$images/rawvm.qcow2")" = 600 ] || fail "a shared image was made a base"
ctl undefine twin >/dev/null

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
ls "$images" | grepq bigc && fail "a cancelled clone left $(ls "$images" | grep bigc)"
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
