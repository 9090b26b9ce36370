#!/usr/bin/env bash
# One VM, many processes at once: ten starts, a start racing an undefine,
# a start racing a destroy, two definers of one name.  Each ends with one
# VM at most, run by one shim and one QEMU, and nothing left half-made.
. "$(dirname "$0")/lib.sh"

# A kernel-boot VM without a disk: no image lock stops a second QEMU, so
# only Vireo's own locking can.
create_bare() {
  ctl create "$1" --memory 256 --vcpus 1 --kernel "$VIREO_GUEST_DIR/vmlinuz" \
    --initrd "$VIREO_GUEST_DIR/initrd.img" --cmdline "console=tty0 console=ttyS0 quiet" >/dev/null
}

# pids KIND: the live vireo-shim or QEMU processes of this test's root
# (other tests run on this machine too: they have other roots)
pids() {
  local pid comm state
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    case "$1:$comm" in vireo-shim:vireo-shim | qemu:qemu-system-*) ;; *) continue ;; esac
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || continue
    [ "$state" = Z ] && continue
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$ROOT/" && echo "$pid"
  done
  return 0
}

count() { pids "$1" | grep -c . || true; }
running_vms() { ctl list --all | grep -c ' running' || true; }

# The figures, and the rules that hold after every case: no QEMU without
# its shim, no shim that its state.json does not name, no definition
# without its disks.
check_invariants() {
  local what=$1 shims qemus orphans=0 stray=0 missing=0 pid dir parent f disk
  shims=$(pids vireo-shim)
  qemus=$(pids qemu)
  for pid in $qemus; do
    parent=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    printf '%s\n' $shims | grep -qx "$parent" || orphans=$((orphans + 1))
  done
  for pid in $shims; do
    dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" | grep -A1 -x -- --run-dir | tail -1)
    grep -q "\"shim-pid\":$pid[,}]" "$dir/state.json" 2>/dev/null || stray=$((stray + 1))
  done
  for f in "$ROOT"/config/domains/*.xml; do
    [ -f "$f" ] || continue
    for disk in $(grep -o '<source file="[^"]*"' "$f" | cut -d'"' -f2); do
      [ -e "$disk" ] || missing=$((missing + 1))
    done
  done
  echo "$what: running VMs $(running_vms), shims $(printf '%s\n' $shims | grep -c . || true)," \
       "QEMUs $(printf '%s\n' $qemus | grep -c . || true), orphaned QEMUs $orphans," \
       "shims without their state.json $stray, missing disks $missing"
  [ "$orphans" -eq 0 ] || fail "$what: $orphans QEMU without a shim"
  [ "$stray" -eq 0 ] || fail "$what: $stray shim(s) without a state.json naming them"
  [ "$missing" -eq 0 ] || fail "$what: $missing disk(s) of a definition are missing"
}

# expect_procs WHAT N: N shims and N QEMUs, once the losers have exited
expect_procs() {
  local what=$1 want=$2 i
  for ((i = 0; i < 50; i++)); do
    [ "$(count vireo-shim)" -eq "$want" ] && [ "$(count qemu)" -eq "$want" ] && return 0
    sleep 0.2
  done
  check_invariants "$what" || true
  fail "$what: $(count vireo-shim) shims and $(count qemu) QEMUs, expected $want of each"
}

# race OUT CMD… : runs CMD in the background, its exit code and stderr
# going to OUT.rc and OUT.err
race() {
  local out=$1; shift
  ( set +e; "$@" >/dev/null 2>"$out.err"; echo $? >"$out.rc" ) &
}

rc_of() { cat "$1.rc"; }

step ten starts at once
create_bare cc
for i in $(seq 1 10); do race "$ROOT/start$i" ctl start cc; done
wait
ok=0
for i in $(seq 1 10); do
  case "$(rc_of "$ROOT/start$i")" in
    0) ok=$((ok + 1)) ;;
    1) grep -qE "VM 'cc' is (busy \(starting\)|already running|already starting)" "$ROOT/start$i.err" ||
         fail "start $i failed with: $(cat "$ROOT/start$i.err")" ;;
    *) fail "start $i exited $(rc_of "$ROOT/start$i"): $(cat "$ROOT/start$i.err")" ;;
  esac
done
echo "ten starts: $ok succeeded, $((10 - ok)) refused"
[ "$ok" -eq 1 ] || fail "$ok of ten concurrent starts succeeded"
[ "$(ctl state cc)" = running ] || fail "the VM is $(ctl state cc) after the starts"
expect_procs "ten starts" 1
check_invariants "ten starts"
[ "$(running_vms)" -eq 1 ] || fail "$(running_vms) VMs run"
wait_for_log cc "$READY"
console_expect cc 'echo once-$((6*7))' once-42
ctl destroy cc >/dev/null

step start and undefine at once
for round in 1 2; do
  ctl list --all | grepq '^ cc ' || create_bare cc
  race "$ROOT/s" ctl start cc
  race "$ROOT/u" ctl undefine cc
  wait
  s=$(rc_of "$ROOT/s") u=$(rc_of "$ROOT/u")
  echo "round $round: start exited $s ($(cat "$ROOT/s.err")), undefine exited $u ($(cat "$ROOT/u.err"))"
  [ $((s + u)) -eq 1 ] || fail "start and undefine: exactly one must succeed"
  if [ "$s" -eq 0 ]; then
    grep -qE "VM 'cc' is (busy \(starting\)|still starting|running; shut it down first)" "$ROOT/u.err" ||
      fail "undefine said: $(cat "$ROOT/u.err")"
    [ "$(ctl state cc)" = running ] || fail "the started VM is $(ctl state cc)"
    expect_procs "start won over undefine" 1
    check_invariants "start won over undefine"
    ctl destroy cc >/dev/null
  else
    grep -qE "VM 'cc' (is busy \(being deleted\)|no longer exists)|VM 'cc' does not exist" "$ROOT/s.err" ||
      fail "start said: $(cat "$ROOT/s.err")"
    ctl list --all | grepq '^ cc ' && fail "the undefined VM is still listed"
    expect_procs "undefine won over start" 0
    check_invariants "undefine won over start"
  fi
done

step start and destroy at once
ctl list --all | grepq '^ cc ' || create_bare cc
# the destroy comes a little later each round, to land before, during
# and after the start
for round in 1 2 3; do
  race "$ROOT/s" ctl start cc
  sleep "0.$((round * round))"
  race "$ROOT/d" ctl destroy cc
  wait
  s=$(rc_of "$ROOT/s") d=$(rc_of "$ROOT/d")
  echo "round $round: start exited $s ($(cat "$ROOT/s.err")), destroy exited $d ($(cat "$ROOT/d.err"))"
  [ "$s" -eq 0 ] || fail "start failed: $(cat "$ROOT/s.err")"
  [ "$d" -eq 0 ] || grep -qE "VM 'cc' is (busy \(starting\)|not running|still starting)" "$ROOT/d.err" ||
    fail "destroy said: $(cat "$ROOT/d.err")"
  state=$(ctl state cc)
  case "$state" in
    running) expect_procs "start and destroy, round $round" 1 ;;
    shutoff) expect_procs "start and destroy, round $round" 0 ;;
    *) fail "after start and destroy the VM is $state" ;;
  esac
  check_invariants "start and destroy, round $round"
  [ "$state" = shutoff ] || ctl destroy cc >/dev/null
done

step two definers of one name
ctl dumpxml cc >"$ROOT/cc.xml"
for who in a b; do
  qemu-img create -q -f qcow2 "$ROOT/twin-$who.qcow2" 1M
done
for round in 1 2 3; do
  # one name, two UUIDs, each definition with a disk of its own
  for who in a b; do
    sed -e "s|<name>cc</name>|<name>twin</name>|" \
        -e "s|<uuid>[^<]*</uuid>|<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" \
        -e "s|</devices>|<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$ROOT/twin-$who.qcow2'/><target dev='vda' bus='virtio'/></disk></devices>|" \
        "$ROOT/cc.xml" >"$ROOT/twin-$who.xml"
  done
  race "$ROOT/a" ctl define "$ROOT/twin-a.xml"
  race "$ROOT/b" ctl define "$ROOT/twin-b.xml"
  wait
  a=$(rc_of "$ROOT/a") b=$(rc_of "$ROOT/b")
  echo "round $round: definers exited $a and $b ($(cat "$ROOT/a.err" "$ROOT/b.err"))"
  [ $((a + b)) -eq 1 ] || fail "two definers of 'twin' with two UUIDs: exactly one must succeed"
  winner=$([ "$a" -eq 0 ] && echo a || echo b)
  loser=$([ "$a" -eq 0 ] && echo b || echo a)
  grep -qE "A VM named 'twin' already exists|VM 'twin' is busy" "$ROOT/$loser.err" ||
    fail "the second definer said: $(cat "$ROOT/$loser.err")"
  [ "$(ctl dumpxml twin | grep -o '<uuid>[^<]*')" = "$(grep -o '<uuid>[^<]*' "$ROOT/twin-$winner.xml")" ] ||
    fail "the definition on disk is not the winner's"
  ctl dumpxml twin | grep -qF "$ROOT/twin-$winner.qcow2" || fail "the definition lacks the winner's disk"
  check_invariants "two definers, round $round"
  ctl undefine twin >/dev/null
done

echo "concurrency: ok"
