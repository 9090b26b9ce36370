#!/usr/bin/env bash
# make bench, terminal part: vireo-tui's start-up to its first full frame
# with 1000 defined VMs (in a pty from script(1); VIREO_BENCH=frame makes
# it quit right after that frame), and its CPU time over 30 s idle with 50
# VMs listed (under tmux).  Figures, not assertions.
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"
tui="$(realpath "$builddir/ui/tui/vireo-tui")"
root=$(mktemp -d /tmp/vireo-bench-tui.XXXXXX)
sock="vireo-bench-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

echo "== vireo-tui (median of $RUNS) =="
if ! command -v tmux >/dev/null || ! command -v script >/dev/null; then
  echo "tmux or script is not installed: skipped"
  exit 0
fi

first_frame() {
  local i times=()
  c create vm0 --memory 128 --network none >/dev/null
  define_copies vm0 vm 1 999
  for ((i = 0; i < RUNS; i++)); do
    times+=($(TERM=xterm-256color VIREO_BENCH=frame ms script -qec "$tui --root $r" /dev/null))
  done
  figure "vireo-tui start-up to first full frame, 1000 VMs" \
    "$(printf '%s\n' "${times[@]}" | median) ms" "figure only"
}

idle_cpu() {
  local pid t0 t1 ms
  c create vm0 --memory 128 --network none >/dev/null
  define_copies vm0 vm 1 49
  tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 "$tui --root $r"
  sleep 5
  pid=$(tmux -L "$sock" display -p '#{pane_pid}')
  t0=$(cpu_ticks "$pid")
  sleep 30
  t1=$(cpu_ticks "$pid")
  tmux -L "$sock" kill-server
  ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
  figure "vireo-tui CPU over 30 s idle, 50 VMs listed" \
    "$ms ms, $(awk -v ms="$ms" 'BEGIN {printf "%.2f", ms / 300}') % of one core" "goal: under 1 %"
}

step "$root" "vireo-tui: start-up" first_frame
step "$root" "vireo-tui: idle" idle_cpu
