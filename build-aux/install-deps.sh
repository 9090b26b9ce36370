#!/usr/bin/env bash
# Installs what Vireo needs to build, test and run on Debian 12 / Ubuntu.
# As root it runs apt-get; otherwise it prints the one line to run and fails.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config
  libglib2.0-dev libjson-glib-dev libxml2-dev
  # the desktop application
  libgtk-3-dev libgtk-vnc-2.0-dev libvte-2.91-dev gettext desktop-file-utils appstream gtk-update-icon-cache
  # the terminal front end, and its tests
  libncurses-dev tmux
  # tests (locales: the errors test builds a zh_CN.UTF-8 locale with localedef;
  # clang and its runtime (only recommended, so named) bring libFuzzer and
  # the sanitizers for make fuzz and make check)
  clang libclang-rt-14-dev libcmocka-dev libvirt-clients xvfb xauth imagemagick locales
  # the integration tests' own tools (pgrep; the hostile shim client;
  # strings, and the window of the installed vireo, for the installed test)
  procps python3 binutils xdotool
  # xmllint, for the data tests of the D-Bus policy, polkit action and icons
  libxml2-utils
  # the libvirt backend (libvirt0 brings the test driver its tests use)
  libvirt-dev
  # the libvirtd test: a qemu:///session daemon of its own
  libvirt-daemon libvirt-daemon-driver-qemu
  # the SSH host test: an sshd of its own on 127.0.0.1, and ssh
  openssh-server openssh-client netcat-openbsd
  # the manual pages' lint (tests/check-man.sh)
  mandoc
  # the Flatpak manifest's test (flatpak-builder --show-manifest; brings
  # flatpak, ostree and bubblewrap, no runtime; python3-yaml parses without it)
  flatpak-builder python3-yaml
  # make screenshots optimises its PNGs with it
  optipng
  # running guests
  qemu-system-x86 qemu-utils
  # UEFI guests: OVMF's firmware and variable templates (4M builds)
  ovmf
  # the emulated TPM 2.0 of VMs with a <tpm> (swtpm; swtpm_setup is in -tools)
  swtpm swtpm-tools
  # NAT networks (vireo-net), and the private bus of its test
  dnsmasq-base nftables iproute2 dbus-daemon dbus-bin
  # the PID namespaces of Flatpak instances, in the pidns test; the
  # document portal of Flatpak's file chooser, in the portal test
  bubblewrap xdg-desktop-portal
  # the test and demo guest: host kernel + busybox initramfs
  linux-image-amd64 busybox-static cpio kmod
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Vireo needs these packages; install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Update the lists only when an install from the current ones fails.
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
