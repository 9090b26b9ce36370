#!/usr/bin/env bash
# Builds the test/demo guest: the host's kernel and a busybox initramfs with
# the virtio, ACPI button, input and TPM modules (built in on Debian's kernel), and a stand-in guest agent.  Usage: build-guest.sh OUTDIR INIT
set -euo pipefail
out=$1
init=$2

kver=""
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
  v=${k#/boot/vmlinuz-}
  if [ -d "/lib/modules/$v" ]; then kver=$v; break; fi
done
if [ -z "$kver" ]; then
  echo "build-guest: no kernel with modules in /boot (install linux-image-amd64)" >&2
  exit 1
fi
busybox=$(command -v busybox || true)
# the whole list first: grep -q stops reading at the match, and with
# pipefail busybox's SIGPIPE would make a present busybox look missing
applets=$([ -n "$busybox" ] && "$busybox" --list || true)
if [ -z "$busybox" ] || ! grep -qx cttyhack <<<"$applets"; then
  echo "build-guest: busybox-static is missing" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,root,tmp,lib/modules}
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
chmod 755 "$stage/init"

: > "$stage/etc/modules.list"
mods="virtio_pci virtio_blk virtio_scsi virtio_net virtio_balloon virtio_rng virtio_console button evdev ahci sd_mod sr_mod isofs tpm_crb tpm_tis"
for m in $mods; do
  /sbin/modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
  dest="/lib/modules/$(basename "$ko")"
  cp "$ko" "$stage$dest"
  echo "$dest" >> "$stage/etc/modules.list"
done

mkdir -p "$out"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz.tmp"
chmod 644 "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
(cd "$stage" && find . | cpio -o -H newc --quiet --owner=0:0) | gzip -1 > "$out/initrd.img.tmp"
mv "$out/initrd.img.tmp" "$out/initrd.img"
