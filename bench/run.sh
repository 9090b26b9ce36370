#!/usr/bin/env bash
# make bench: figures, not assertions, for the test guest under TCG:
#   - start overhead: vireoctl start against raw qemu-system-x86_64 with
#     the same command line, each until the guest's first serial byte
#     (the kernel's, console=ttyS0 earlyprintk=serial: SeaBIOS prints
#     nothing on a serial port), median of 11, runs alternate; and the
#     time vireoctl start takes to return;
#   - vireo-shim's RSS and PSS per running VM;
#   - defining the 1st and the 1000th VM; vireoctl list --all with 1000;
#   - the resident memory of a vireoctl client attached to a console;
#   - the desktop application (bench/desktop.sh), vireo-tui (bench/tui.sh),
#     snapshots and clones (bench/snapshots.sh), NAT networks
#     (bench/networks.sh), SeaBIOS against OVMF and a TPM's cost on start
#     (bench/firmware.sh).
# Every step runs on its own, in a temporary --root: one that fails says
# why and the next runs.  A summary of every figure and its goal ends it.
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"
START_RUNS=${VIREO_BENCH_START_RUNS:-11}
first_byte="$(realpath "$builddir/bench/vireo-first-byte")"
root=$(mktemp -d /tmp/vireo-bench.XXXXXX)
export VIREO_BENCH_SUMMARY="$root/summary"
: > "$VIREO_BENCH_SUMMARY"

cleanup() {
  "$kill_runtime" "$root"/step.*
  rm -rf "$root"
}
trap cleanup EXIT

start_overhead() {
  local i out vireo=() returned=() theirs=() v q
  create_guest boot
  c start boot >/dev/null    # the shim saves the argv raw QEMU reruns
  c destroy boot >/dev/null
  raw_argv boot
  for ((i = 0; i < START_RUNS; i++)); do
    read -r v q < <("$first_byte" "$(serial_log boot)" 60000 -- "$ctl" --root "$r" start boot)
    vireo+=("$v") returned+=("$q")
    c destroy boot >/dev/null
    rm -f "$r/raw-serial.log"
    read -r v q < <("$first_byte" --kill "$r/raw-serial.log" 60000 -- "${raw[@]}")
    theirs+=("$v")
  done
  v=$(printf '%s\n' "${vireo[@]}" | median)
  q=$(printf '%s\n' "${theirs[@]}" | median)
  echo "start to first serial byte, median of $START_RUNS: vireoctl start $v ms, raw QEMU $q ms"
  figure "start overhead to the first serial byte (Vireo - raw QEMU)" "$((v - q)) ms" "goal: under 50 ms"
  figure "vireoctl start returns" "$(printf '%s\n' "${returned[@]}" | median) ms" "figure only"
}

shim_memory() {
  local name pid rss pss n=3 total_rss=0 total_pss=0
  for ((i = 1; i <= n; i++)); do create_idle "vm$i"; c start "vm$i" >/dev/null; done
  sleep 5   # the shims have done their start-up work
  for f in "$r"/run/*/state.json; do
    pid=$(grep -o '"shim-pid":[0-9]*' "$f" | cut -d: -f2)
    read -r rss pss < <(awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} END {print r, p}' "/proc/$pid/smaps_rollup")
    total_rss=$((total_rss + rss)) total_pss=$((total_pss + pss))
  done
  figure "vireo-shim RSS per running VM ($n running)" \
    "$(awk -v k="$total_rss" -v n="$n" 'BEGIN {printf "%.2f MiB", k / n / 1024}')" "goal: under 3 MiB"
  figure "vireo-shim PSS per running VM ($n running)" \
    "$(awk -v k="$total_pss" -v n="$n" 'BEGIN {printf "%.2f MiB", k / n / 1024}')" "goal: under 3 MiB"
}

# define_times: median ms of RUNS `vireoctl create` and `vireoctl define`
# of one more VM, each deleted again
define_times() {
  local i created=() defined=()
  c dumpxml template | sed -e 's|<name>template</name>|<name>extra</name>|' \
    -e '/<uuid>/d' -e '/<mac /d' > "$r/extra.xml"
  for ((i = 0; i < RUNS; i++)); do
    created+=($(ms c create new --memory 64 --network none))
    c undefine new >/dev/null
    defined+=($(ms c define "$r/extra.xml"))
    c undefine extra >/dev/null
  done
  echo "$(printf '%s\n' "${created[@]}" | median) $(printf '%s\n' "${defined[@]}" | median)"
}

define_and_list() {
  local first last i times=()
  c create template --memory 64 --network none >/dev/null
  read -r -a first < <(define_times)
  define_copies template vm 1 998
  read -r -a last < <(define_times)
  figure "vireoctl create, 1st VM vs 1000th" "${first[0]} ms vs ${last[0]} ms" "goal: the 1000th as fast as the 1st"
  figure "vireoctl define, 1st VM vs 1000th" "${first[1]} ms vs ${last[1]} ms" "goal: the 1000th as fast as the 1st"
  define_copies template vm 999 999
  for ((i = 0; i < RUNS; i++)); do times+=($(ms c list --all)); done
  figure "vireoctl list --all, $(c list --all | tail -n +2 | wc -l) VMs" \
    "$(printf '%s\n' "${times[@]}" | median) ms" "goal: under 100 ms"
}

client_memory() {
  local client rss
  create_guest demo
  c start demo >/dev/null
  wait_ready demo
  c console demo --idle 3 </dev/null >/dev/null &
  client=$!
  sleep 1
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$client/status")
  wait "$client" || true
  figure "vireoctl console client RSS" "$((rss / 1024)) MiB ($rss KiB)" "figure only"
}

step "$root" "start overhead (TCG)" start_overhead
step "$root" "vireo-shim memory" shim_memory
step "$root" "definitions (1000 VMs)" define_and_list
step "$root" "client memory" client_memory
"$bench_dir/desktop.sh" "$builddir" || echo "bench: the desktop part failed (exit $?); going on"
"$bench_dir/tui.sh" "$builddir" || echo "bench: the vireo-tui part failed (exit $?); going on"
"$bench_dir/snapshots.sh" "$builddir" || echo "bench: the snapshot part failed (exit $?); going on"
"$bench_dir/networks.sh" "$builddir" || echo "bench: the network part failed (exit $?); going on"
"$bench_dir/firmware.sh" "$builddir" || echo "bench: the firmware part failed (exit $?); going on"
"$bench_dir/libvirt.sh" "$builddir" || echo "bench: the libvirt part failed (exit $?); going on"

echo
echo "== summary (figures, not assertions) =="
awk -F '\t' '{printf "  %s: %s [%s]\n", $1, $2, $3}' "$VIREO_BENCH_SUMMARY"
