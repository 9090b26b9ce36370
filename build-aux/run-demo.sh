#!/usr/bin/env bash
# make run: boots the demo VM (the test guest: the host kernel and a busybox
# shell) and opens the desktop application, or, without a display, the
# terminal front end vireo-tui.  The demo runs under TCG, which
# works everywhere, including nested VMs where KVM guests hang.
set -euo pipefail
builddir=${1:-build}
ctl="$builddir/ui/cli/vireoctl"

# the demo guest is copied into Vireo's images folder, so the VM outlives
# the build tree
"$ctl" state demo >/dev/null 2>&1 || "$ctl" demo

case "$("$ctl" state demo)" in
  running|paused|starting) ;;
  *) "$ctl" start demo ;;
esac

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$builddir/ui/vireo"
fi

if [ -t 0 ] && [ -t 1 ]; then
  # c on the demo's row opens its serial console, Ctrl+] comes back
  exec "$builddir/ui/tui/vireo-tui"
fi

cat <<MSG

The demo VM runs on its own now: leaving the console (Ctrl+]) does not stop it.
Try:  $ctl list
      $ctl stats demo
      $ctl shutdown demo

MSG
exec "$ctl" console demo
