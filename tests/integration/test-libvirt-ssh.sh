#!/usr/bin/env bash
# A qemu+ssh host: an sshd this test starts on 127.0.0.1 with throwaway
# keys, in front of the qemu:///session daemon of libvirtd-lib.sh (its
# ForceCommand pipes each session to that daemon's socket).  Through
# Vireo: the new host key and the key's passphrase are asked through
# askpass, and a refused question fails in one line; a VM is defined and
# started over SSH, a command typed in its console, its display read
# through ssh -W; and all of it is one SSH session.  A CD-ROM image of
# this computer is streamed into the host's pool, a new disk made there and
# plugged into the running VM.
. "$(dirname "$0")/libvirtd-lib.sh"

[ -x /usr/sbin/sshd ] || fail "sshd is missing (make deps installs openssh-server)"
SSHD=$(mktemp -d /tmp/vireo-sshd.XXXXXX)
mkdir -p "$SSHD/home/.ssh" "$SSHD/run" && chmod 700 "$SSHD/run"
export HOME=$SSHD/home XDG_RUNTIME_DIR=$SSHD/run
MADE_PRIVSEP=no
[ -d /run/sshd ] || { mkdir -m 755 /run/sshd && MADE_PRIVSEP=yes; }

cleanup_sshd() {
  local master
  # the shared connection's master, then the server
  for master in "$SSHD"/run/vireo-ssh/cm-*; do
    [ -S "$master" ] && ssh -o ControlPath="$master" -O exit -- 127.0.0.1 >/dev/null 2>&1 || true
  done
  [ -f "$SSHD/sshd.pid" ] && kill "$(cat "$SSHD/sshd.pid")" 2>/dev/null || true
  [ "$MADE_PRIVSEP" = yes ] && rmdir /run/sshd 2>/dev/null || true
  rm -rf "$SSHD"
}
CLEANUPS=(cleanup_sshd "${CLEANUPS[@]}")

ssh-keygen -q -t ed25519 -f "$SSHD/host" -N ''
ssh-keygen -q -t ed25519 -f "$SSHD/id" -N 'vireo passphrase'
cp "$SSHD/id.pub" "$SSHD/authorized_keys"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$SSHD/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $SSHD/host
AuthorizedKeysFile $SSHD/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $SSHD/sshd.pid
AllowTcpForwarding local
ForceCommand nc -U $RUN/libvirt/libvirt-sock
CONF
cat > "$HOME/.ssh/config" <<CONF
Host 127.0.0.1
  IdentityFile $SSHD/id
  UserKnownHostsFile $SSHD/known_hosts
CONF
/usr/sbin/sshd -f "$SSHD/sshd_config" -E "$SSHD/sshd.log"
for _ in $(seq 50); do [ -f "$SSHD/sshd.pid" ] && break; sleep 0.1; done
[ -f "$SSHD/sshd.pid" ] || fail "sshd did not start: $(cat "$SSHD/sshd.log")"
URI="qemu+ssh://root@127.0.0.1:$PORT/session"
# the daemon behind sshd, started as nobody, and a client of nobody's that
# stays connected, so that the daemon (autostarted with a 120 s idle
# timeout) lives however slow the steps are (the sanitized build)
mkfifo "$LV/keep" && chown nobody "$LV/keep"
as_user virsh -c qemu:///session <"$LV/keep" >/dev/null 2>&1 &
BACKGROUND_PIDS+=($!)
exec 9>"$LV/keep"
for _ in $(seq 100); do [ -S "$RUN/libvirt/libvirt-sock" ] && break; sleep 0.1; done
as_user virsh -c qemu:///session version >/dev/null
sctl() { "$VIREOCTL" --root "$LV/root" --connect "$URI" "$@"; }

step a refused question fails the connection in one line, and saves nothing
VIREO_PROBE_ANSWERS="" "$VIREO_LIBVIRT_PROBE" "$URI" watch lv1 </dev/null 2>"$SSHD/refused" && fail "the connection went through without an answer"
grepq "asked confirm: The authenticity of host '\[127.0.0.1\]:$PORT" "$SSHD/refused" || fail "the host key was not asked about: $(cat "$SSHD/refused")"
grepq "Host '$URI'" "$SSHD/refused" || fail "the failure does not name the host: $(cat "$SSHD/refused")"
[ -s "$SSHD/known_hosts" ] && fail "a refused host key was saved"

step the host key and the passphrase are asked through askpass
as_user "$VIREOCTL" --root "$LV/root" --connect qemu:///session define "$LV/guest.xml" >/dev/null
printf 'x\n' | VIREO_PROBE_ANSWERS=$'yes\nvireo passphrase' "$VIREO_LIBVIRT_PROBE" "$URI" watch lv1 >"$SSHD/watch" 2>"$SSHD/asked" || fail "the connection failed: $(cat "$SSHD/asked")"
grepq "asked confirm: The authenticity of host" "$SSHD/asked" || fail "no host key question: $(cat "$SSHD/asked")"
grepq "asked secret: Enter passphrase for key '$SSHD/id'" "$SSHD/asked" || fail "no passphrase question: $(cat "$SSHD/asked")"
grepq "127.0.0.1" "$SSHD/known_hosts" || fail "the accepted host key was not saved"

step over the shared connection: start, the console, the display
sctl start lv1 | grepq "started" || fail "start over SSH"
type_until "echo over-ssh-\$((20+22))" "over-ssh-42" sctl
"$VIREO_LIBVIRT_PROBE" "$URI" display lv1 >"$SSHD/display" 2>&1 || fail "the display through ssh -W: $(cat "$SSHD/display")"
[ "$(head -n 1 "$SSHD/display")" = "RFB 003.008" ] || fail "no RFB greeting through ssh -W: $(cat "$SSHD/display")"
grepq -E '^frame [0-9]+x[0-9]+, ' "$SSHD/display" || fail "no first frame through ssh -W: $(cat "$SSHD/display")"
sessions=$(pgrep -c -P "$(cat "$SSHD/sshd.pid")" || true)
[ "$sessions" -eq 1 ] || fail "$sessions SSH sessions for one host: $(pgrep -a -P "$(cat "$SSHD/sshd.pid")")"

step a file of this computer is streamed into the host pool for the CD-ROM, a new disk is made there and plugged in
as_user virsh -c qemu:///session pool-define-as default dir --target "$LV/pool" >/dev/null
as_user virsh -c qemu:///session pool-build default >/dev/null
as_user virsh -c qemu:///session pool-start default >/dev/null
head -c 3000000 /dev/urandom >"$SSHD/local.iso"
sctl change-media lv1 hdc "$SSHD/local.iso" | grepq "Inserted" || fail "change-media with an ISO of this computer over SSH"
as_user virsh -c qemu:///session domblklist lv1 | grepq "$LV/pool/local.iso" || fail "the drive does not hold the uploaded ISO"
cmp -s "$SSHD/local.iso" "$LV/pool/local.iso" || fail "the uploaded ISO differs from the local one"
sctl attach-disk lv1 --size 16M | grepq "^Added disk 'vdb' to VM 'lv1'$" || fail "attach-disk over SSH was not plugged in live"
[ -f "$LV/pool/lv1-vdb.qcow2" ] || fail "the new disk is not a volume of the host pool: $(ls "$LV/pool")"
as_user virsh -c qemu:///session domblklist lv1 | grepq "vdb  *$LV/pool/lv1-vdb.qcow2" || fail "the running VM has no vdb"
expect_error 1 "VM 'lv1': /nowhere/disk.qcow2 is in no storage pool of host" -- sctl attach-disk lv1 /nowhere/disk.qcow2
sctl destroy lv1 >/dev/null
echo PASS
