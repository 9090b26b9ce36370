#!/usr/bin/env bash
# kill-runtime.sh ROOT…: kills every vireo-shim and QEMU that a Vireo
# --root tree recorded in its run/*/state.json, by pid.  Tests and
# benchmarks clean up with it, also after a crash.
for root in "$@"; do
  for f in "$root"/run/*/state.json; do
    [ -f "$f" ] || continue
    for pid in $(grep -o '"\(shim\|qemu\)-pid":[0-9]*' "$f" | cut -d: -f2); do
      [ "$pid" -gt 1 ] && kill -9 "$pid" 2>/dev/null
    done
  done
done
exit 0
