#!/usr/bin/env bash
# One real libvirtd under TCG: qemu:///session of an unprivileged user
# (nobody) whose HOME and XDG runtime folder are a temporary folder, so
# the daemon libvirt autostarts there keeps all it has in it.  Through
# Vireo: define a VM of the test guest, start it, type a command in its
# serial console, read its display's first bytes, kill the daemon (the
# host turns lost, comes back, and the VM's row is the same object), shut
# it down by ACPI, and undefine it.  Everything it started is killed by
# the pids in that folder.
. "$(dirname "$0")/lib.sh"
: "${VIREO_LIBVIRT_PROBE:?}"

command -v libvirtd >/dev/null || PATH=$PATH:/usr/sbin
command -v libvirtd >/dev/null || fail "libvirtd is missing (make deps installs libvirt-daemon-driver-qemu)"
LV=$(mktemp -d /tmp/vireo-libvirtd.XXXXXX)
RUN=$LV/run
mkdir -p "$RUN" "$LV/root" "$LV/sanitizer" && chmod 700 "$RUN"
cp "$VIREO_GUEST_DIR/vmlinuz" "$VIREO_GUEST_DIR/initrd.img" "$LV/"
qemu-img create -q -f qcow2 "$LV/disk.qcow2" 64M
chown -R nobody:nogroup "$LV"

# A sanitized build's reports go where nobody may write, then where the
# run looks for them (build-aux/run-sanitized-tests.sh)
sanitized() {
  printf '%s' "${1:-}" | sed "s|log_path=[^:]*/|log_path=$LV/sanitizer/|"
}

cleanup_libvirtd() {
  local f logdir
  for f in "$RUN"/libvirt/qemu/run/*.pid "$RUN/libvirt/libvirtd.pid" "$RUN/libvirt/virtlogd.pid"; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  logdir=$(printf '%s' "${ASAN_OPTIONS:-}" | sed -n 's|.*log_path=\([^:]*\)/[^/:]*.*|\1|p')
  if [ -n "$logdir" ] && [ -d "$logdir" ]; then
    cp "$LV"/sanitizer/* "$logdir"/ 2>/dev/null || true
  fi
  rm -rf "$LV"
}
trap 'cleanup_libvirtd; cleanup' EXIT

# as nobody, with the temporary folder for HOME and XDG_RUNTIME_DIR
as_user() {
  (cd "$LV" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
     env -i PATH=/usr/bin:/bin:/usr/sbin HOME="$LV" XDG_RUNTIME_DIR="$RUN" LC_ALL=C.UTF-8 \
         VIREO_LOCALEDIR="${VIREO_LOCALEDIR:-}" ASAN_OPTIONS="$(sanitized "${ASAN_OPTIONS:-}")" UBSAN_OPTIONS="$(sanitized "${UBSAN_OPTIONS:-}")" \
         G_DEBUG=fatal-warnings "$@")
}
lctl() { as_user "$VIREOCTL" --root "$LV/root" --connect qemu:///session "$@"; }

cat > "$LV/guest.xml" <<XML
<domain type='qemu'>
  <name>lv1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$LV/vmlinuz</kernel>
    <initrd>$LV/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$LV/disk.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'/>
    <console type='pty'/>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>
XML
chown nobody "$LV/guest.xml"

step define through Vireo, on a libvirtd it autostarts
lctl define "$LV/guest.xml" | grepq "Defined VM 'lv1'" || fail "define on qemu:///session"
[ -f "$RUN/libvirt/libvirtd.pid" ] || fail "no libvirtd was started in the test folder"
lctl list --all | grepq '^ lv1  *shutoff' || fail "lv1 is not listed shut off"

step start, and type a command in the serial console
lctl start lv1 | grepq "started" || fail "start lv1"
[ "$(lctl state lv1)" = running ] || fail "lv1 is not running"
# type COMMAND in the console until OUTPUT shows
type_until() {
  local command=$1 output=$2 out=""
  for _ in $(seq 60); do
    out=$(printf '%s\n' "$command" | lctl console lv1 --idle 2 2>&1 || true)
    case "$out" in *"$output"*) return 0 ;; esac
    sleep 2
  done
  fail "the console did not show '$output' for '$command': $out"
}
marker="typed-through-libvirt-$$"
type_until "echo $marker-\$((6*7))" "$marker-42"

step a snapshot with RAM, and back to it
lctl snapshot-create lv1 base --description "before the file" | grepq "Took snapshot 'base' of VM 'lv1'" || fail "snapshot-create"
type_until "touch /tmp/after-snapshot && echo touched-\$((1+1))" "touched-2"
lctl snapshot-revert lv1 base | grepq "Reverted VM 'lv1' to snapshot 'base'" || fail "snapshot-revert"
[ "$(lctl state lv1)" = running ] || fail "lv1 does not run after reverting to a snapshot with RAM"
type_until "ls /tmp/after-snapshot 2>&1 | tail -1" "No such file"
lctl snapshot-list lv1 | grepq "base" || fail "snapshot-list does not list base"
lctl snapshot-current lv1 | grepq "base" || fail "base is not the current snapshot"

step the display answers as a VNC server
[ "$(as_user "$VIREO_LIBVIRT_PROBE" qemu:///session display lv1)" = "RFB 003.008" ] || fail "no RFB greeting from the display"

step statistics come from libvirt
lctl stats lv1 | grepq -i "cpu" || fail "no statistics"

step the daemon dies: the host is lost, comes back, and the row is the same object
mkfifo "$LV/hold" && chown nobody "$LV/hold"
as_user "$VIREO_LIBVIRT_PROBE" qemu:///session watch lv1 <"$LV/hold" >"$LV/watch.out" 2>&1 &
BACKGROUND_PIDS+=($!)
exec 7>"$LV/hold"
for _ in $(seq 50); do grepq "host connected" "$LV/watch.out" && break; sleep 0.2; done
kill -9 "$(cat "$RUN/libvirt/libvirtd.pid")"
for _ in $(seq 100); do grepq "row " "$LV/watch.out" && break; sleep 0.2; done
grepq "host lost: Host 'qemu:///session': the host closed the connection" "$LV/watch.out" || fail "the host did not turn lost: $(cat "$LV/watch.out")"
grepq "row kept" "$LV/watch.out" || fail "after reconnecting the row is not the same: $(cat "$LV/watch.out")"
exec 7>&-
[ "$(lctl state lv1)" = running ] || fail "the VM did not outlive its daemon"

step ACPI shutdown, then undefine
lctl shutdown lv1 --timeout 120 >/dev/null || fail "shutdown lv1"
[ "$(lctl state lv1)" = shutoff ] || fail "lv1 is not shut off"
lctl undefine lv1 | grepq "Deleted VM 'lv1'" || fail "undefine lv1"
lctl list --all | grepq ' lv1 ' && fail "lv1 is still listed"
echo PASS
