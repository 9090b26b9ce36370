#!/usr/bin/env bash
# make run: boots the demo VM (the test guest: the host kernel and a busybox
# shell) and opens the desktop application, or, without a display, attaches
# the demo's serial console in this terminal.  The demo runs under TCG, which
# works everywhere, including nested VMs where KVM guests hang.
set -euo pipefail
builddir=${1:-build}
ctl="$builddir/ui/cli/vireoctl"
guest="$builddir/tests"

if [ -n "${VIREO_ROOT:-}" ]; then
  images="$VIREO_ROOT/data/images"
elif [ "$(id -u)" -eq 0 ]; then
  images=/var/lib/vireo/images
else
  images="${XDG_DATA_HOME:-$HOME/.local/share}/vireo/images"
fi

if ! "$ctl" state demo >/dev/null 2>&1; then
  mkdir -p "$images"
  install -m 644 "$guest/vmlinuz" "$images/demo-vmlinuz"
  install -m 644 "$guest/initrd.img" "$images/demo-initrd.img"
  "$ctl" create demo --memory 256 --accel tcg --title "Vireo demo guest" \
    --kernel "$images/demo-vmlinuz" --initrd "$images/demo-initrd.img" \
    --cmdline "console=tty0 console=ttyS0 quiet" --disk 64M
fi

case "$("$ctl" state demo)" in
  running|paused|starting) ;;
  *) "$ctl" start demo ;;
esac

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$builddir/ui/vireo"
fi

cat <<MSG

The demo VM runs on its own now: leaving the console (Ctrl+]) does not stop it.
Try:  $ctl list
      $ctl stats demo
      $ctl shutdown demo

MSG
exec "$ctl" console demo
