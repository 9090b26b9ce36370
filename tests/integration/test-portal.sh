#!/usr/bin/env bash
# Files from the Flatpak document portal (what the file chooser gives a
# sandboxed app): a real xdg-document-portal on a private session bus,
# whose FUSE file system has no locks.  A guest boots with a CD-ROM image
# from it and changes to another one live; a writable disk from it is
# refused, when defined and when started.  Where FUSE cannot be mounted
# (no /dev/fuse) the same steps run on a plain folder at the same place,
# which tests the engine's rules but not QEMU against FUSE.
. "$(dirname "$0")/lib.sh"

: "${VIREO_DOC_EXPORT:?}"
export XDG_RUNTIME_DIR=$ROOT/xdg
DOC=$XDG_RUNTIME_DIR/doc
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
PORTAL=/usr/libexec/xdg-document-portal

# the FUSE mount goes first, while its server still answers
trap 'fusermount3 -u -z "$DOC" 2>/dev/null || true; cleanup' EXIT

start_portal() {
  local i
  dbus-daemon --session --nofork --print-address=1 >"$ROOT/bus-address" &
  BACKGROUND_PIDS+=($!)
  for ((i = 0; i < 100; i++)); do [ -s "$ROOT/bus-address" ] && break; sleep 0.1; done
  DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$ROOT/bus-address")
  export DBUS_SESSION_BUS_ADDRESS
  "$PORTAL" >"$ROOT/portal.log" 2>&1 &
  BACKGROUND_PIDS+=($!)
  for ((i = 0; i < 100; i++)); do mountpoint -q "$DOC" && return 0; sleep 0.1; done
  return 1
}

[ -x "$PORTAL" ] || fail "$PORTAL is missing (Debian's xdg-desktop-portal)"
if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null &&
   command -v dbus-daemon >/dev/null && start_portal; then
  REAL=1
  export_file() { "$VIREO_DOC_EXPORT" "$1"; }
else
  REAL=0
  echo "portal: the document portal cannot mount here; a plain folder stands in for it"
  export_file() {
    local dir
    dir="$DOC/$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    mkdir -p "$dir" && cp "$1" "$dir/" && echo "$dir/$(basename "$1")"
  }
fi

step a CD-ROM image from the portal boots, read without a lock
head -c 4194304 /dev/urandom > "$ROOT/install.iso"
iso=$(export_file "$ROOT/install.iso")
case "$iso" in "$DOC"/*) ;; *) fail "the portal gave '$iso', not a path under $DOC" ;; esac
cmp -s "$iso" "$ROOT/install.iso" || fail "the portal's $iso differs from the file it shares"
create_guest portal --cdrom "$iso"
ctl start portal >/dev/null
wait_for_log portal "$READY"
argv_file=$(find "$ROOT" -name qemu-argv | head -n 1)
grepq '"locking":"off"' "$argv_file" || fail "the portal's CD-ROM image is opened with locking"
console_expect portal 'dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>&1 | grep -c "4+0 records in"; echo read-$?' read-0

step another image from the portal goes in live
head -c 2097152 /dev/urandom > "$ROOT/drivers.iso"
other=$(export_file "$ROOT/drivers.iso")
ctl change-media portal sda "$other" >/dev/null
ctl dumpxml portal | grepq "$other" || fail "the inserted image is not in the definition"
# the first read after a change reports the media change (unit attention)
console_expect portal 'dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>/dev/null; dd if=/dev/sr0 of=/dev/null bs=2048 count=4 2>/dev/null; echo again-$?' again-0
ctl destroy portal >/dev/null

step a writable disk from the portal is refused
truncate -s 32M "$ROOT/data.img"
disk=$(export_file "$ROOT/data.img")
why="VM 'portal' cannot write disk vdb ($disk): it is shared through the document portal, where QEMU cannot lock it; copy the image into Vireo's storage folder, or give Vireo access to its folder"
expect_error 1 "$why" -- ctl attach-disk portal "$disk"
ctl dumpxml portal | grepq "$disk" && fail "the refused disk is in the definition"

step and at start, if a definition names one all the same
ctl dumpxml portal > "$ROOT/portal.xml"
own_disk=$ROOT/data/images/portal.qcow2
grepq "file=\"$own_disk\"" "$ROOT/portal.xml" || fail "$own_disk is not the VM's disk"
sed -e "s|$own_disk|$disk|" -e 's|<driver name="qemu" type="qcow2"/>|<driver name="qemu" type="raw"/>|' \
  "$ROOT/portal.xml" > "$ROOT/writable.xml"
grepq "$disk" "$ROOT/writable.xml" || fail "could not edit the definition"
expect_error 1 "VM 'portal' cannot write disk vda ($disk)" -- ctl define "$ROOT/writable.xml"
cp "$ROOT/writable.xml" "$ROOT/config/domains/portal.xml"
expect_error 1 "VM 'portal' cannot write disk vda ($disk)" -- ctl start portal
[ "$(ctl state portal)" = shutoff ] || fail "the refused VM is '$(ctl state portal)'"

[ "$REAL" = 1 ] && echo "portal: ok (xdg-document-portal)" || echo "portal: ok (plain folder)"
