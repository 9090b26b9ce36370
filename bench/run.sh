#!/usr/bin/env bash
# make bench: figures, not assertions.  Prints, for the demo guest under TCG,
# the median of 5 runs of
#   - vireoctl start → ready marker, against raw qemu-system-x86_64 with
#     the same command line (the shim's own log line), and their difference;
#   - vireoctl list --all with 1000 defined VMs;
#   - the resident memory of a vireoctl client attached to a console;
#   - the desktop application against virt-manager (bench/desktop.sh);
#   - vireo-tui with 1000 and 50 VMs (bench/tui.sh).
set -euo pipefail
builddir=${1:-build}
ctl="$(realpath "$builddir/ui/cli/vireoctl")"
guest="$(realpath "$builddir/tests")"
root=$(mktemp -d /tmp/vireo-bench.XXXXXX)
export VIREO_ACCEL=tcg
READY=VIREO-GUEST-READY
RUNS=${VIREO_BENCH_RUNS:-5}

cleanup() {
  "$(dirname "$0")/../build-aux/kill-runtime.sh" "$root"
  [ -n "${raw_pid:-}" ] && kill -9 "$raw_pid" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wait_marker() {  # FILE
  local i
  for ((i = 0; i < 12000; i++)); do
    grep -q "$READY" "$1" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "bench: no ready marker in $1 after 120 s" >&2
  exit 1
}

c() { "$ctl" --root "$root" "$@"; }

c create demo --memory 256 --kernel "$guest/vmlinuz" --initrd "$guest/initrd.img" \
  --cmdline "console=tty0 console=ttyS0 quiet" --disk 64M >/dev/null
serial="$root/state/log/demo-serial.log"

echo "== start to ready marker (TCG, median of $RUNS, runs alternate) =="
# One start first, so the shim saves the exact argv that raw QEMU reruns
# without -S and with stock chardevs instead of the shim's fds.
c start demo >/dev/null
wait_marker "$serial"
c destroy demo >/dev/null
mapfile -d '' vireo_argv < "$(ls -d "$root"/run/*/)qemu-argv"
raw_args=()
out="$root/raw-serial.log"
for a in "${vireo_argv[@]}"; do
  case "$a" in
    -S) continue ;;
    socket,id=mon,fd=3) raw_args+=(file,id=mon,path=/dev/null); continue ;;
    socket,id=serial0,fd=4) raw_args+=("file,id=serial0,path=$out"); continue ;;
    socket,id=agent0,fd=5) raw_args+=(null,id=agent0); continue ;;
    unix:*vnc.sock) raw_args+=(none); continue ;;
  esac
  raw_args+=("$a")
done

vireo_times=()
start_times=()
raw_times=()
for i in $(seq $RUNS); do
  : > "$serial"
  t0=$(now_ms)
  c start demo >/dev/null
  start_times+=($(( $(now_ms) - t0 )))
  wait_marker "$serial"
  vireo_times+=($(( $(now_ms) - t0 )))
  c destroy demo >/dev/null

  : > "$out"
  t0=$(now_ms)
  "${raw_args[@]}" >/dev/null 2>&1 &
  raw_pid=$!
  wait_marker "$out"
  raw_times+=($(( $(now_ms) - t0 )))
  kill -9 "$raw_pid"; wait "$raw_pid" 2>/dev/null || true
  raw_pid=
done
echo "vireoctl start returns (guest running): $(printf '%s\n' "${start_times[@]}" | median) ms"
v=$(printf '%s\n' "${vireo_times[@]}" | median)
r=$(printf '%s\n' "${raw_times[@]}" | median)
echo "vireoctl start → ready: ${v} ms"
echo "raw qemu       → ready: ${r} ms"
echo "overhead: $((v - r)) ms, ratio $(awk -v v="$v" -v r="$r" 'BEGIN {printf "%.3f", v / r}') (goal: under 50 ms)"

echo "== vireoctl list --all with 1000 VMs (median of $RUNS) =="
xml=$(c dumpxml demo)
for i in $(seq -w 1 999); do
  uuid=$(cat /proc/sys/kernel/random/uuid)
  printf '%s\n' "$xml" | sed -e "s|<name>demo</name>|<name>vm$i</name>|" \
    -e "s|<uuid>.*</uuid>|<uuid>$uuid</uuid>|" > "$root/config/domains/vm$i.xml"
done
list_times=()
for i in $(seq $RUNS); do
  t0=$(date +%s%N)
  c list --all >/dev/null
  list_times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
echo "list of $(c list --all | tail -n +2 | wc -l) VMs: $(printf '%s\n' "${list_times[@]}" | median) ms (goal: under 100 ms)"

echo "== client memory =="
c start demo >/dev/null
c console demo --idle 3 </dev/null >/dev/null &
client=$!
sleep 1
rss=$(awk '/VmRSS/ {print $2}' "/proc/$client/status")
wait "$client" || true
echo "vireoctl console client RSS: $((rss / 1024)) MiB ($rss KiB)"
c destroy demo >/dev/null

"$(dirname "$0")/desktop.sh" "$builddir"
"$(dirname "$0")/tui.sh" "$builddir"
