#!/usr/bin/env bash
# make bench, libvirt hosts: a libvirtd of its own (qemu:///session of
# nobody in a temporary folder) serves its shared test driver
# (test+unix:///default), which holds 200 more VMs in mixed states while a
# virsh keeps a connection open, so Vireo and virsh see one state.
#   - vireoctl --connect URI list --all against virsh list --all (median);
#   - connecting to the host until every row is there;
#   - the statistics of every running VM: time to the first sample of all,
#     and libvirt calls per 1 s interval (goal: one per host);
#   - another client suspends and resumes 20 VMs: time until Vireo's row
#     shows each change (goal: under 1 s every time);
#   - idle CPU of a client watching every row, over 60 s
#     (VIREO_BENCH_IDLE_S).
# virt-manager is compared where it is installed; it is not on this
# machine's CI image, and the script says so.
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"
bench="$(realpath "$builddir/bench/vireo-bench-libvirt")"
IDLE_S=${VIREO_BENCH_IDLE_S:-60}
N=200
PATH=$PATH:/usr/sbin

LV=$(mktemp -d /tmp/vireo-bench-libvirt.XXXXXX)
RUN=$LV/run
mkdir -p "$RUN" && chmod 700 "$RUN" && chown -R nobody:nogroup "$LV"
HOLD_PID=
cleanup() {
  local f
  exec 8>&- 2>/dev/null
  [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
  for f in "$RUN/libvirt/libvirtd.pid" "$RUN/libvirt/virtlogd.pid"; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  rm -rf "$LV"
}
trap cleanup EXIT

(cd "$LV" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
   env -i PATH=/usr/bin:/bin:/usr/sbin HOME="$LV" XDG_RUNTIME_DIR="$RUN" virsh -c qemu:///session version >/dev/null) ||
  { echo "bench: no libvirtd (make deps installs libvirt-daemon-driver-qemu)"; exit 1; }
URI="test+unix:///default?socket=$RUN/libvirt/libvirt-sock"

# a client that keeps the test driver's state alive
mkfifo "$LV/hold"
virsh -c "$URI" <"$LV/hold" >/dev/null 2>&1 &
HOLD_PID=$!
exec 8>"$LV/hold"

commands=""
for ((i = 0; i < N; i++)); do
  printf "<domain type='test'><name>vm%03d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n" "$i" > "$LV/vm$i.xml"
  commands+="define $LV/vm$i.xml; "
  case $((i % 3)) in
    0) commands+="start vm$(printf %03d "$i"); " ;;
    1) commands+="start vm$(printf %03d "$i"); suspend vm$(printf %03d "$i"); " ;;
  esac
done
virsh -c "$URI" "$commands" >/dev/null || { echo "bench: defining $N VMs failed"; exit 1; }
rows=$(virsh -c "$URI" list --all --name | grep -c .)
echo "== libvirt: $rows VMs on $URI =="

ours=() theirs=()
for ((i = 0; i < RUNS; i++)); do
  ours+=($(ms "$ctl" --root "$LV/root" --connect "$URI" list --all))
  theirs+=($(ms virsh -c "$URI" list --all))
done
figure "list --all of $rows libvirt VMs: vireoctl --connect vs virsh" \
  "$(printf '%s\n' "${ours[@]}" | median) ms vs $(printf '%s\n' "${theirs[@]}" | median) ms" "goal: as fast as virsh"

connects=()
for ((i = 0; i < RUNS; i++)); do
  connects+=($("$bench" "$URI" rows | awk '{print $2}'))
done
figure "connect to $rows libvirt rows" "$(printf '%s\n' "${connects[@]}" | median) ms" \
  "virt-manager 4.1: about 1 s for 200 test-driver VMs (measured by hand)"

read -r _ first _ calls _ vms < <("$bench" "$URI" stats 5)
figure "statistics of $vms running libvirt VMs" "first sample of all in $first ms, $calls libvirt calls per interval" \
  "goal: one call per host per interval"

read -r _ median _ max _ changes < <("$bench" "$URI" events 20)
figure "another client's change to Vireo's row ($changes changes)" "median $median ms, max $max ms" "goal: under 1 s every time"

"$bench" "$URI" idle "$IDLE_S" &
idle=$!
sleep 2
t0=$(cpu_ticks "$idle")
sleep $((IDLE_S - 4))
t1=$(cpu_ticks "$idle")
wait "$idle"
figure "idle CPU watching $rows libvirt rows" \
  "$(awk -v t="$((t1 - t0))" -v s="$((IDLE_S - 4))" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f%%", 100 * t / hz / s}')" \
  "figure only"

if command -v virt-manager >/dev/null; then
  echo "virt-manager is installed: compare its debug log's connect time on $URI by hand"
else
  figure "virt-manager on the same libvirtd" "not installed here" "compared where installed"
fi
