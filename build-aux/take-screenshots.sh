#!/usr/bin/env bash
# take-screenshots.sh [BUILDDIR]: the screenshots of the AppStream metainfo
# (data/screenshots/*.png), taken of the real application.
#
# To regenerate them: `make screenshots` (or this script with the build
# folder, default build/), then look at each PNG and commit them (the
# data test 'screenshots' checks that the metainfo names each one at its
# size).  Under its own Xvfb (tests/run-under-xvfb.sh) it makes a
# temporary --root with six VMs, boots the test guest as "busybox" under
# TCG (its boot log on the graphical console) and a second one that it
# pauses, and takes disk snapshots of the shut-off "debian-12" (the ISOs
# are empty files: those VMs never start).  tests/vireo-screenshots then
# opens the manager window, busybox's console, debian-12's details and
# snapshots (each window 1000x700) and the new-VM wizard, and saves each
# window as drawn.  The PNGs are stripped and optimised (optipng if it is
# installed, else ImageMagick).  Every shim and QEMU it started is killed
# by the pids in the root's state.json and the root removed, also when it
# fails (run-under-xvfb.sh).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --inside-xvfb ]; then
  build=$(cd "${1:-$src/build}" && pwd)
  ninja -C "$build" tests/vireo-screenshots ui/cli/vireoctl engine/shim/vireo-shim tests/vmlinuz >/dev/null
  exec "$src/tests/run-under-xvfb.sh" "$0" --inside-xvfb "$build"
fi
build=$2

# what the test suite runs under: TCG, no settings of the user's, English
export VIREO_ACCEL=tcg GSETTINGS_BACKEND=memory LC_ALL=C.UTF-8 LANGUAGE=
root=$(mktemp -d "$VIREO_TEST_TMPDIR/root.XXXXXX")
shots=$(mktemp -d "$VIREO_TEST_TMPDIR/shots.XXXXXX")
ctl() { "$build/ui/cli/vireoctl" --root "$root" "$@"; }
guest=$build/tests

# the boot log on the graphical console, the shell on the serial one; no
# IPv6, whose late "link becomes ready" would land amid the ready lines
boot=(--kernel "$guest/vmlinuz" --initrd "$guest/initrd.img" --cmdline "console=ttyS0 console=tty0 ipv6.disable=1" --memory 256 --vcpus 1)
ctl create busybox "${boot[@]}" >/dev/null
ctl create build-box "${boot[@]}" --title "A second BusyBox guest" >/dev/null
# installers that never start: empty files with the names of real ISOs
mkdir -p "$root/iso"
installer() { : > "$root/iso/$1"; echo "$root/iso/$1"; }
ctl create debian-12 --memory 2048 --disk 20G --cdrom "$(installer debian-12.8.0-amd64-netinst.iso)" \
  --title "Debian 12 desktop" >/dev/null
ctl create fedora-41 --memory 4096 --vcpus 4 --disk 40G \
  --cdrom "$(installer Fedora-Workstation-Live-x86_64-41-1.4.iso)" >/dev/null
ctl create ubuntu-24.04 --memory 4096 --disk 25G --cdrom "$(installer ubuntu-24.04.1-desktop-amd64.iso)" \
  --title "Ubuntu LTS" >/dev/null
ctl create alpine-router --memory 256 --vcpus 1 --disk 1G \
  --cdrom "$(installer alpine-virt-3.20.3-x86_64.iso)" --title "Firewall and DNS" >/dev/null
ctl dumpxml debian-12 | sed 's#<title>#<description>GNOME desktop for trying out packages before they go on the laptop.</description><title>#' \
  > "$root/debian-12.xml"
ctl define "$root/debian-12.xml" >/dev/null
ctl snapshot-create debian-12 fresh-install --description "Right after the installer" >/dev/null
ctl snapshot-create debian-12 with-updates --description "Security updates applied" >/dev/null
ctl snapshot-create debian-12 before-upgrade --description "Before trying testing" >/dev/null
ctl start build-box >/dev/null
ctl start busybox >/dev/null
ctl pause build-box >/dev/null

"$build/tests/vireo-screenshots" "$root" "$shots"

out=$src/data/screenshots
mkdir -p "$out"
for f in "$shots"/*.png; do
  dest=$out/$(basename "$f")
  if command -v optipng >/dev/null; then
    optipng -quiet -o5 -strip all -out "$dest.tmp" "$f"
  else
    convert "$f" -strip -define png:compression-level=9 "png:$dest.tmp"
  fi
  mv "$dest.tmp" "$dest"
  echo "$dest: $(stat -c %s "$dest") bytes"
done
