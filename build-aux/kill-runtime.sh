#!/usr/bin/env bash
# kill-runtime.sh ROOT…: kills every vireo-shim and QEMU of a Vireo --root
# tree, by pid.  Tests and benchmarks clean up with it, also after a crash.
# The pids that state.json records are the shim's own view: a shim started
# in another PID namespace (a Flatpak instance, bwrap --unshare-pid) wrote
# pids that are someone else's here.  So the processes are found by what
# they are: a vireo-shim or QEMU whose command line names the tree.
for root in "$@"; do
  root=$(realpath -m "$root")
  for dir in /proc/[0-9]*; do
    comm=$(cat "$dir/comm" 2>/dev/null) || continue
    case "$comm" in vireo-shim | qemu-system-*) ;; *) continue ;; esac
    if tr '\0' '\n' <"$dir/cmdline" 2>/dev/null | grep -qF -- "$root/"; then
      kill -9 "${dir#/proc/}" 2>/dev/null
    fi
  done
done
exit 0
