# Shared by the tests of a real libvirtd: qemu:///session of an
# unprivileged user (nobody) whose HOME and XDG runtime folder are a
# temporary folder ($LV), so the daemon libvirt autostarts there keeps all
# it has in it; the test guest's definition for it ($LV/guest.xml, lv1);
# cleanup that kills what the daemon started by the pids in that folder.
. "$(dirname "$0")/lib.sh"
: "${VIREO_LIBVIRT_PROBE:?}"

command -v libvirtd >/dev/null || PATH=$PATH:/usr/sbin
command -v libvirtd >/dev/null || fail "libvirtd is missing (make deps installs libvirt-daemon-driver-qemu)"
LV=$(mktemp -d /tmp/vireo-libvirtd.XXXXXX)
RUN=$LV/run
mkdir -p "$RUN" "$LV/root" "$LV/sanitizer" && chmod 700 "$RUN"
cp "$VIREO_GUEST_DIR/vmlinuz" "$VIREO_GUEST_DIR/initrd.img" "$LV/"
qemu-img create -q -f qcow2 "$LV/disk.qcow2" 64M
truncate -s 1M "$LV/tiny.iso"
chown -R nobody:nogroup "$LV"

# A sanitized build's reports go where nobody may write, then where the
# run looks for them (build-aux/run-sanitized-tests.sh)
sanitized() {
  printf '%s' "${1:-}" | sed "s|log_path=[^:]*/|log_path=$LV/sanitizer/|"
}

# gone_or_zombie PID: it can no longer write (PID 1 reaps late here)
gone_or_zombie() {
  [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

cleanup_libvirtd() {
  local f logdir pid killed=()
  # the test's own clients first: one that reconnects would autostart a
  # daemon again (as_user's subshell is the pid; its child is the client,
  # which would also write its history on a gentler end)
  for pid in "${BACKGROUND_PIDS[@]}"; do
    pkill -9 -P "$pid" 2>/dev/null || true
    kill -9 "$pid" 2>/dev/null || true
  done
  for f in "$RUN"/libvirt/qemu/run/*.pid "$RUN/libvirt/libvirtd.pid" "$RUN/libvirt/virtlogd.pid"; do
    [ -f "$f" ] && pid=$(cat "$f") && kill -9 "$pid" 2>/dev/null && killed+=("$pid")
  done
  # none of them writes into the folder as it goes
  for pid in "${killed[@]}"; do
    for _ in $(seq 20); do gone_or_zombie "$pid" && break; sleep 0.1; done
  done
  logdir=$(printf '%s' "${ASAN_OPTIONS:-}" | sed -n 's|.*log_path=\([^:]*\)/[^/:]*.*|\1|p')
  if [ -n "$logdir" ] && [ -d "$logdir" ]; then
    cp "$LV"/sanitizer/* "$logdir"/ 2>/dev/null || true
  fi
  rm -rf "$LV"
}
CLEANUPS=(cleanup_libvirtd)
trap 'for c in "${CLEANUPS[@]}"; do "$c"; done; cleanup' EXIT

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
    <disk type='file' device='cdrom'>
      <target dev='hdc' bus='ide'/>
      <readonly/>
      <boot order='1'/>
    </disk>
    <serial type='pty'/>
    <console type='pty'/>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>
XML
chown nobody "$LV/guest.xml"

# whether the session daemon runs, for failure messages
daemon_state() {
  local pid
  pid=$(cat "$RUN/libvirt/libvirtd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status"; then
    echo "running, pid $pid"
  else
    echo "not running"
  fi
}

# type COMMAND in lv1's console (through CTL…) until OUTPUT shows
type_until() {
  local command=$1 output=$2 out=""
  shift 2
  for _ in $(seq 60); do
    out=$(printf '%s\n' "$command" | "$@" console lv1 --idle 2 2>&1 || true)
    case "$out" in *"$output"*) return 0 ;; esac
    sleep 2
  done
  fail "the console did not show '$output' for '$command': $out (libvirtd: $(daemon_state))"
}
