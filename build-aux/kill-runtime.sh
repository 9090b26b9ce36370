#!/usr/bin/env bash
# kill-runtime.sh ROOT…: kills every vireo-shim, QEMU and swtpm of a Vireo --root
# tree, by pid.  Tests and benchmarks clean up with it, also after a crash.
# The pids that state.json records are the shim's own view: a shim started
# in another PID namespace (a Flatpak instance, bwrap --unshare-pid) wrote
# pids that are someone else's here.  So the processes are found by what
# they are: a vireo-shim or QEMU with an argument in the tree's runtime
# folder (the shim's --run-dir, QEMU's vnc=unix:…/vnc.sock, swtpm's
# --ctrl type=unixio,path=…/swtpm.sock).
for root in "$@"; do
  # an empty or "/" root (a caller whose mktemp failed) names no tree:
  # as a prefix it would match every VM of the user
  [ -n "$root" ] || continue
  # absolute and tidied, symlinks kept: as the engine names it
  # (g_canonicalize_filename), and so as the command lines say it
  root=$(realpath -ms -- "$root") || continue
  [ "$root" != / ] || continue
  run=$root/run/
  for dir in /proc/[0-9]*; do
    comm=$(cat "$dir/comm" 2>/dev/null) || continue
    case "$comm" in vireo-shim | qemu-system-* | swtpm) ;; *) continue ;; esac
    ours=
    # an argument that starts with the folder, or has it after a ':' or '='
    while IFS= read -r -d '' arg || [ -n "$arg" ]; do
      case "$arg" in "$run"* | *[:=]"$run"*) ours=1 ;; esac
    done 2>/dev/null <"$dir/cmdline"
    [ -z "$ours" ] || kill -9 "${dir#/proc/}" 2>/dev/null
  done
done
exit 0
