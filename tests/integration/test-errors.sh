#!/usr/bin/env bash
# Bad input of every kind gets one clear line naming the VM and the cause,
# and loses nothing: other VMs and their disks stay as they were.
. "$(dirname "$0")/lib.sh"

create_guest keep
before=$(ctl dumpxml keep)
disks_before=$(ls "$ROOT/data/images")

step malformed XML
printf '<domain type="kvm"><name>half</name>' > "$ROOT/half.xml"
expect_error 1 "half.xml: malformed XML at line 1" -- ctl define "$ROOT/half.xml"
expect_error 1 "No such file" -- ctl define "$ROOT/missing.xml"

step unsupported XML names the element
cat > "$ROOT/spice.xml" <<XML
<domain type='kvm'><name>spicy</name><memory unit='MiB'>128</memory>
<os><type>hvm</type></os><devices><graphics type='sdl'/></devices></domain>
XML
expect_error 1 "VM 'spicy': <graphics type='sdl'> is not supported (vnc or spice)" -- ctl define "$ROOT/spice.xml"

step duplicate and path-like names
sed -e "s/<uuid>.*<\/uuid>//" <(ctl dumpxml keep) > "$ROOT/dup.xml"
expect_error 1 "A VM named 'keep' already exists" -- ctl define "$ROOT/dup.xml"
expect_error 1 "A VM named 'keep' already exists" -- ctl create keep --disk 1M
expect_error 1 "VM name '../evil' cannot start with '.'" -- ctl create ../evil
expect_error 1 "VM name 'a/b' may only contain" -- ctl create a/b
expect_error 1 "VM name '-rf' cannot start with '-'" -- ctl create -- -rf

step missing files, and nothing half-made stays
expect_error 1 "VM 'nokernel': kernel $ROOT/nope does not exist" -- \
  ctl create nokernel --kernel "$ROOT/nope" --disk 16M
expect_error 1 "VM 'noiso': CD-ROM image $ROOT/none.iso does not exist" -- \
  ctl create noiso --disk 16M --cdrom "$ROOT/none.iso"
expect_error 1 "VM 'noimport': disk image $ROOT/nothing.qcow2 does not exist" -- ctl create noimport --import "$ROOT/nothing.qcow2"
expect_error 1 "VM 'nonet': network 'lan' is not defined" -- ctl create nonet --network lan
expect_error 1 "Disk size 'huge' is not a size" -- ctl create nosize --disk huge
[ "$(ls "$ROOT/data/images")" = "$disks_before" ] || fail "a failed create left a disk behind"
[ "$(ctl list --all | tail -n +2 | wc -l)" -eq 1 ] || fail "a failed create left a VM behind"

step a VM whose disk vanished does not start
create_guest lost
rm "$ROOT/data/images/lost.qcow2"
expect_error 1 "VM 'lost': disk image $ROOT/data/images/lost.qcow2: No such file or directory" -- ctl start lost
[ "$(ctl state lost)" = shutoff ] || fail "a failed start left state $(ctl state lost)"

step QEMU refusing the configuration shows its own words
# a model on the list of CPU models definition accepts that this QEMU (7.2) does not have
ctl dumpxml lost | sed -e "s|<cpu mode=\"host-passthrough\"/>|<cpu mode=\"custom\"><model>SierraForest</model></cpu>|" \
  -e "s|<disk type=\"file\" device=\"disk\">|<disk type=\"file\" device=\"cdrom\">|" \
  -e "s|$ROOT/data/images/lost.qcow2|$VIREO_GUEST_DIR/initrd.img|" -e 's|bus="virtio"|bus="sata"|' \
  -e 's|dev="vda"|dev="sda"|' -e 's|type="qcow2"|type="raw"|' > "$ROOT/badcpu.xml"
ctl define "$ROOT/badcpu.xml" >/dev/null
expect_error 1 "VM 'lost' failed to start: unable to find CPU model 'SierraForest'" -- ctl start lost
[ "$(ctl state lost --reason)" = "shutoff: failed to start: unable to find CPU model 'SierraForest'" ] ||
  fail "after QEMU refused: $(ctl state lost --reason)"

step a corrupt definition is reported and skipped, never hiding others
printf 'garbage\0\1\2' > "$ROOT/config/domains/broken.xml"
out=$(ctl list --all 2>"$ROOT/list.err")
case "$out" in *keep*) ;; *) fail "a corrupt file hid VM 'keep'" ;; esac
grep -q "broken.xml" "$ROOT/list.err" || fail "list does not report the corrupt file"
expect_error 1 "broken.xml: malformed XML" -- ctl start broken
[ -f "$ROOT/config/domains/broken.xml" ] || fail "the corrupt file was deleted"

step usage errors exit 2
expect_error 2 "unknown verb 'bogus'" -- ctl bogus
expect_error 2 "start takes NAME" -- ctl start
expect_error 2 "create" -- ctl create x --memory lots
expect_error 2 "unknown option --frobnicate" -- ctl --frobnicate list
expect_error 1 "VM 'nosuch' does not exist" -- ctl start nosuch

step errors in the language of the user
if zh_cn_locale; then
  zh=("${ZH_LOCPATH[@]}" LC_ALL=zh_CN.UTF-8)
  : "${VIREO_LOCALEDIR:?}"
  zh_ctl() { env "${zh[@]}" VIREO_LOCALEDIR="$VIREO_LOCALEDIR" "$VIREOCTL" --root "$ROOT" "$@"; }
  expect_error 1 "虚拟机“nosuch”不存在" -- zh_ctl start nosuch
  expect_error 2 "未知命令“bogus”" -- zh_ctl bogus
  expect_error 1 "已跳过 $ROOT/config/domains/broken.xml：" -- zh_ctl start broken
  # grep reads it all: a grep -q that stops early fails the pipe (pipefail) when vireoctl is still writing
  zh_ctl --help | grep "^用法：vireoctl" >/dev/null || fail "vireoctl --help is not translated"
else
  echo "skipped: no zh_CN.UTF-8 locale, and localedef cannot build one (install 'locales')"
fi

step a running VM cannot be deleted or started twice
ctl start keep >/dev/null
expect_error 1 "VM 'keep' is running; shut it down first" -- ctl undefine keep
expect_error 1 "VM 'keep' is already running" -- ctl start keep
ctl destroy keep >/dev/null
expect_error 1 "VM 'keep' is not running" -- ctl screenshot keep "$ROOT/x.png"

step a QEMU that never answers does not leave the VM starting for ever
printf '#!/bin/sh\necho "silent QEMU $$" >&2\nexec sleep 600\n' > "$ROOT/silent-qemu"
chmod +x "$ROOT/silent-qemu"
create_guest hang
VIREO_QEMU="$ROOT/silent-qemu" VIREO_START_DEADLINE_S=2 \
  expect_error 1 "VM 'hang' failed to start: QEMU did not start the guest within 2 seconds" -- ctl start hang
[ "$(ctl state hang)" = shutoff ] || fail "the VM is $(ctl state hang) after its start gave up"
qpid=$(sed -n 's/.*silent QEMU \([0-9]*\).*/\1/p' "$ROOT/state/log/hang.log" | tail -n 1)
[ -n "$qpid" ] || fail "the silent QEMU never ran: $(tail -n 3 "$ROOT/state/log/hang.log")"
# gone, or a zombie waiting for the late reaper here
if [ -e "/proc/$qpid" ] && ! grep -q '^State:.*Z' "/proc/$qpid/status"; then fail "the silent QEMU still runs"; fi
ctl undefine hang --remove-storage >/dev/null

step nothing was lost
[ "$(ctl dumpxml keep)" = "$before" ] || fail "the definition of 'keep' changed"
[ -f "$ROOT/data/images/keep.qcow2" ] || fail "the disk of 'keep' vanished"
echo "errors: ok"
