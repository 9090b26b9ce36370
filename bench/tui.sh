#!/usr/bin/env bash
# make bench, terminal part: vireo-tui's start-up to its first full frame
# with 1000 defined VMs (in a pty from script(1); VIREO_BENCH=frame makes
# it quit right after that frame), and its CPU time over 30 s idle with 50
# VMs listed (under tmux).  Figures, not assertions.
set -euo pipefail
builddir=${1:-build}
RUNS=${VIREO_BENCH_RUNS:-5}
tui="$(realpath "$builddir/ui/tui/vireo-tui")"
ctl="$(realpath "$builddir/ui/cli/vireoctl")"
root=$(mktemp -d /tmp/vireo-bench-tui.XXXXXX)
sock="vireo-bench-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== vireo-tui (median of $RUNS) =="
if ! command -v tmux >/dev/null || ! command -v script >/dev/null; then
  echo "tmux or script is not installed: skipped"
  exit 0
fi
"$ctl" --root "$root" create vm0000 --memory 128 >/dev/null
xml=$("$ctl" --root "$root" dumpxml vm0000)
define_vms() {  # COUNT
  rm -f "$root"/config/domains/vm*.xml
  for ((i = 0; i < $1; i++)); do
    name=$(printf 'vm%04d' "$i")
    printf '%s\n' "$xml" | sed -e "s|<name>vm0000</name>|<name>$name</name>|" \
      -e "s|<uuid>.*</uuid>|<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" > "$root/config/domains/$name.xml"
  done
}

define_vms 1000
times=()
for i in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  TERM=xterm-256color VIREO_BENCH=frame script -qec "$tui --root $root" /dev/null >/dev/null
  times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
echo "start-up to first full frame, 1000 VMs: $(printf '%s\n' "${times[@]}" | median) ms"

define_vms 50
tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 "$tui --root $root"
sleep 5
pid=$(tmux -L "$sock" display -p '#{pane_pid}')
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 30
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
echo "CPU time over 30 s idle, 50 VMs listed: $ms ms ($(awk -v ms="$ms" 'BEGIN {printf "%.2f", ms / 300}') % of one core; goal: under 1 %)"
