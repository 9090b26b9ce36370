#!/bin/sh
# make-fixtures.sh: remakes the virt-install corpus in this folder
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What `virt-install --print-xml` writes for a new VM under TCG, as
# libvirt's own tools make it: the fixtures test-domain-config reads back
# (test_virt_install_corpus) and the data suite validates with
# virt-xml-validate (tests/meson.build), with what Vireo writes of them.
# Not run by CI (it needs libvirtd and the QEMU driver); run it by hand
# and commit its output:
#   apt-get install virtinst libvirt-daemon libvirt-daemon-driver-qemu osinfo-db
#   sh tests/data/domain/virt-install/make-fixtures.sh
#
# Made with Debian 12's virtinst 1:4.1.0-2, libvirt 9.0.0-4+deb12u2,
# qemu-system-x86 1:7.2+dfsg-7+deb12u18 and osinfo-db 0.20221130-2
# (whose newest Debian is 11, so debian11 stands for "a current Debian";
# this virtinst gives win11 UEFI and a TPM, secure boot only when asked).
#
# A private session libvirtd (no system services, no bridge, no default
# network) answers virt-install; as root both run as nobody.  virt-install
# prints two documents, the install phase (CD-ROM first, on_reboot
# destroy) and the boot phase (media ejected): both are kept, NAME.xml
# is the boot phase and NAME-install.xml the install phase.  The disk
# images it makes (sparse) go into $work and are removed.
set -eu

out=$(cd "$(dirname "$0")" && pwd)
work=/tmp/vireo-virt-install
state=$(mktemp -d /tmp/vireo-libvirt.XXXXXX)

mkdir -p "$work" "$state/run" "$state/config" "$state/cache" "$state/data"
chmod 700 "$state/run"
truncate -s 1M "$work/install.iso"
as_user=
if [ "$(id -u)" = 0 ]; then
  chown -R nobody:nogroup "$work" "$state"
  as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
run () {
  $as_user env -i PATH=/usr/sbin:/usr/bin:/bin HOME="$state" XDG_RUNTIME_DIR="$state/run" \
    XDG_CONFIG_HOME="$state/config" XDG_CACHE_HOME="$state/cache" XDG_DATA_HOME="$state/data" "$@"
}

# exec: $! is the daemon itself, which the trap stops
(exec $as_user env -i PATH=/usr/sbin:/usr/bin:/bin HOME="$state" XDG_RUNTIME_DIR="$state/run" \
  XDG_CONFIG_HOME="$state/config" XDG_CACHE_HOME="$state/cache" XDG_DATA_HOME="$state/data" \
  /usr/sbin/libvirtd --timeout 600 >"$state/libvirtd.log" 2>&1) &
daemon=$!
trap 'kill $daemon 2>/dev/null || true; rm -rf "$state" "$work"' EXIT
while [ ! -S "$state/run/libvirt/libvirt-sock" ]; do sleep 0.2; done

# NAME OS-VARIANT MEMORY-MIB DISK-GIB [OPTION…]
make_one () {
  name=$1 variant=$2 memory=$3 disk=$4
  shift 4
  run virt-install --connect qemu:///session --print-xml --virt-type qemu \
    --name "$name" --os-variant "$variant" --memory "$memory" --vcpus 2 \
    --disk size="$disk",path="$work/$name.qcow2" --cdrom "$work/install.iso" \
    --network user "$@" >"$state/$name.out"
  # the first document is the install phase, the second the boot phase
  awk -v a="$out/$name-install.xml" -v b="$out/$name.xml" \
    '/^<domain/ { n++ } { print > (n == 1 ? a : b) }' "$state/$name.out"
}

make_one win11 win11 4096 64
# secure boot asked for, through virt-install's firmware features
make_one win11-secure-boot win11 4096 64 \
  --boot firmware=efi,firmware.feature0.name=secure-boot,firmware.feature0.enabled=yes,firmware.feature1.name=enrolled-keys,firmware.feature1.enabled=yes
make_one debian11 debian11 2048 20
make_one fedora37 fedora37 2048 20
make_one ubuntu22.04 ubuntu22.04 2048 20
make_one linux2022 linux2022 2048 20
