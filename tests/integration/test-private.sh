#!/usr/bin/env bash
# Private by default, and a failing call removes only what it made:
# everything Vireo creates is 0600/0700 whatever the umask, another user
# reads nothing under the root, and a call that fails half way (a full
# disk, a missing kernel, a killed qemu-img) leaves every file that
# existed before byte for byte as it was, and nothing half-made.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "private: needs root (tmpfs mounts, another uid)"; exit 77; }
export VIREO_DEMO_GUEST_DIR=$VIREO_GUEST_DIR
MOUNTS=()
umount_all() {
  local m
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
  cleanup
}
trap umount_all EXIT

# small_root DIR SIZE: a Vireo root on a tmpfs of SIZE
small_root() {
  mkdir -p "$1"
  mount -t tmpfs -o size="$2",mode=0755 vireo-test "$1"
  MOUNTS+=("$1")
}

# sums DIR: every file under DIR (not the logs) with its checksum
sums() { (cd "$1" && find . -path ./state -prune -o -type f -print0 | sort -z | xargs -0r sha256sum); }

# unchanged DIR BEFORE WHAT: the files under DIR are the ones in BEFORE
unchanged() {
  local now
  now=$(sums "$1")
  [ "$now" = "$2" ] || fail "$3 changed the files under $1: $(diff <(echo "$2") <(echo "$now") | tail -n +2)"
}

step new files and folders are private whatever the umask
# the other user must reach the root itself, as a home folder on Debian
chmod 0755 "$ROOT"
umask 000
head -c 1048576 /dev/urandom > "$ROOT/theirs.img"
chmod 0644 "$ROOT/theirs.img"
create_guest priv
ctl attach-disk priv "$ROOT/theirs.img" >/dev/null
ctl demo >/dev/null
ctl start priv >/dev/null
wait_for_log priv "$READY"
ctl screenshot priv "$ROOT/data/shot.png" >/dev/null
# folders 0700, files and sockets without group or other bits (QEMU's
# own VNC socket is 0700), the shim's sockets 0600
bad=$(find "$ROOT" -mindepth 1 ! -path "$ROOT/theirs.img" \
        \( -type d ! -perm 0700 -o ! -type d -perm /077 -o -name '*.qcow2' ! -perm 0600 \
           -o -name 'shim.sock' ! -perm 0600 -o -name 'console.sock' ! -perm 0600 \))
[ -z "$bad" ] || fail "not private: $(for f in $bad; do stat -c '%a %n' "$f"; done)"
[ -n "$(find "$ROOT/run" -name shim.sock)" ] || fail "the running VM has no shim.sock"
[ "$(stat -c %a "$ROOT/theirs.img")" = 644 ] || fail "attaching an existing image changed its mode"

step another user reads nothing under the root
find "$ROOT" -mindepth 1 ! -path "$ROOT/theirs.img" > "$ROOT.list"
chmod 0644 "$ROOT.list"
leaked=$(setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c '
  while read -r p; do
    if [ -d "$p" ]; then ls "$p" >/dev/null 2>&1 && echo "$p"
    else head -c 1 "$p" >/dev/null 2>&1 && echo "$p"; fi
  done' < "$ROOT.list" || true)
rm -f "$ROOT.list"
[ -z "$leaked" ] || fail "user nobody can read: $leaked"
# the check itself can fail: nobody reads a file that is not private
setpriv --reuid=nobody --regid=nogroup --clear-groups head -c 1 "$ROOT/theirs.img" >/dev/null ||
  fail "the other user cannot even read an open file: the check proves nothing"

step a screenshot replaces its target only once QEMU wrote it
# (not onto a full disk: QEMU 7.2 aborts when libpng cannot write)
shots="$ROOT/shots"
mkdir "$shots"
printf 'old screenshot' > "$shots/shot.png"
ctl screenshot priv "$shots/shot.png" >/dev/null
"$VIREO_PNG_CHECK" "$shots/shot.png" >/dev/null || fail "the screenshot did not replace the old file"
[ "$(ls -A "$shots")" = shot.png ] || fail "a screenshot left files behind: $(ls -A "$shots")"
ctl destroy priv >/dev/null
printf 'old screenshot' > "$shots/shot.png"
before=$(sums "$shots")
expect_error 1 "VM 'priv' is not running" -- ctl screenshot priv "$shots/shot.png"
unchanged "$shots" "$before" "a failed screenshot"
[ "$(ls -A "$shots")" = shot.png ] || fail "a failed screenshot left files behind: $(ls -A "$shots")"

step a second demo keeps the kernel another VM boots from
ctl undefine demo >/dev/null
images="$ROOT/data/images"
create_guest borrower --kernel "$images/demo-vmlinuz" --initrd "$images/demo-initrd.img"
before=$(sums "$ROOT")
expect_error 1 "demo.qcow2 already exists; it was left untouched" -- ctl demo
unchanged "$ROOT" "$before" "a failed demo"
ctl start borrower >/dev/null
wait_for_log borrower "$READY"
ctl destroy borrower >/dev/null

step a missing kernel makes nothing
before=$(sums "$ROOT")
expect_error 1 "does not exist" -- ctl create nokernel --kernel "$ROOT/missing-vmlinuz" --disk 16M
unchanged "$ROOT" "$before" "create with a missing kernel"

step a full disk: import and demo fail half way
small="$ROOT/small"
small_root "$small" 6M
sctl() { "$VIREOCTL" --root "$small" "$@"; }
sctl create first --memory 256 --vcpus 1 --kernel "$VIREO_GUEST_DIR/vmlinuz" --disk 16M >/dev/null
head -c 16777216 /dev/urandom > "$ROOT/big.raw"
before=$(sums "$small")
expect_error 1 "No space left" -- sctl create big --memory 256 --import "$ROOT/big.raw"
unchanged "$small" "$before" "an import onto a full disk"
expect_error 1 "Cannot create the demo VM" -- sctl demo
unchanged "$small" "$before" "a demo onto a full disk"

step a killed qemu-img
fake="$ROOT/fake-bin"
mkdir "$fake"
cat > "$fake/qemu-img" <<EOF
#!/usr/bin/env bash
# convert is killed once it has written into its destination
[ "\$1" = convert ] || exec $(command -v qemu-img) "\$@"
$(command -v qemu-img) "\$@" & pid=\$!
for i in \$(seq 200); do [ -s "\${@: -1}" ] && break; sleep 0.01; done
kill -9 \$pid
exit 137
EOF
chmod +x "$fake/qemu-img"
before=$(sums "$ROOT")
set +e
PATH="$fake:$PATH" ctl create killed --memory 256 --import "$ROOT/big.raw" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "an import whose qemu-img was killed exited $rc"
unchanged "$ROOT" "$before" "an import whose qemu-img was killed"
echo "private: ok"
