#!/usr/bin/env bash
# make bench, desktop part: the Vireo window against virt-manager's, under
# one Xvfb, measured the same way (launch until the X server maps the
# window, by its MapNotify event: bench/vireo-wait-map).  virt-manager runs where it is installed and we
# are root: libvirtd is started here if it is not running, the bench's
# VMs are named vireo-bench-N and removed again, and a libvirtd started
# here is stopped.  Figures, not assertions.
set -euo pipefail
builddir=${1:-build}
RUNS=${VIREO_BENCH_RUNS:-5}
app="$(realpath "$builddir/ui/vireo")"
ctl="$(realpath "$builddir/ui/cli/vireoctl")"
guest="$(realpath "$builddir/tests")"
wait_map="$(realpath "$builddir/bench/vireo-wait-map" 2>/dev/null || true)"
root=$(mktemp -d /tmp/vireo-bench-ui.XXXXXX)
export VIREO_ACCEL=tcg GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
lv=(virsh -q -c qemu:///system)
with_vmm=
started_daemons=()
xvfb=

c() { "$ctl" --root "$root" "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

lv_names() { "${lv[@]}" list --all --name 2>/dev/null | grep '^vireo-bench-' || true; }
cleanup() {
  local pid name
  "$(dirname "$0")/../build-aux/kill-runtime.sh" "$root"
  if [ -n "$with_vmm" ]; then
    for name in $(lv_names); do
      "${lv[@]}" destroy "$name" >/dev/null 2>&1 || true
      "${lv[@]}" undefine "$name" >/dev/null 2>&1 || true
    done
  fi
  for pid in "${started_daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

if ! command -v Xvfb >/dev/null || [ ! -x "$wait_map" ]; then
  echo "Xvfb or libx11 (for bench/vireo-wait-map) is missing: skipped"
  exit 0
fi
fifo=$(mktemp -u /tmp/vireo-bench-x.XXXXXX)
mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
xvfb=$!
read -r display < "$fifo"
rm -f "$fifo"
export DISPLAY=":$display"

if command -v virt-manager >/dev/null && command -v libvirtd >/dev/null && [ "$(id -u)" -eq 0 ]; then
  with_vmm=1
  for d in virtlogd libvirtd; do
    if ! pgrep -x "$d" >/dev/null; then
      "$d" >/dev/null 2>&1 &
      started_daemons+=($!)
    fi
  done
  for ((i = 0; i < 100; i++)); do "${lv[@]}" list >/dev/null 2>&1 && break; sleep 0.1; done
  # a fresh libvirtd probes QEMU for a while: let it finish first
  "${lv[@]}" domcapabilities >/dev/null 2>&1 || true
  sleep 3
fi

vireo=("$app" --root "$root")
vmm=(virt-manager --no-fork --connect qemu:///system)

# mapped_ms TITLE COMMAND…: launch until a window named TITLE is mapped
mapped_ms() {
  sleep 1   # the previous run's exit settles
  "$wait_map" "$1" 60000 -- "${@:2}" 2>>"$root/wait-map.log" || echo 60000
}
# idle_figures COMMAND…: "RSS-MiB CPU-ms" after 5 s, and CPU over the next 30 s
idle_figures() {
  local pid rss t0 t1 hz
  "$@" >/dev/null 2>&1 &
  pid=$!
  sleep 5
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep 30
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  hz=$(getconf CLK_TCK)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rss $(( (t1 - t0) * 1000 / hz ))"
}


# One diskless demo VM, so that copies of it can run side by side.
c create demo --memory 128 --kernel "$guest/vmlinuz" --initrd "$guest/initrd.img" \
  --cmdline "console=tty0 console=ttyS0 quiet" >/dev/null
xml=$(c dumpxml demo)
set_vms() {  # COUNT: that many VMs defined on each side
  local count=$1 i name
  rm -f "$root"/config/domains/vm*.xml
  for ((i = 1; i < count; i++)); do
    printf '%s\n' "$xml" | sed -e "s|<name>demo</name>|<name>vm$i</name>|" \
      -e "s|<uuid>.*</uuid>|<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" > "$root/config/domains/vm$i.xml"
  done
  [ -n "$with_vmm" ] || return 0
  for name in $(lv_names); do "${lv[@]}" undefine "$name" >/dev/null; done
  for ((i = 0; i < count; i++)); do
    printf '%s\n' "$xml" | sed -e "s|<name>demo</name>|<name>vireo-bench-$i</name>|" \
      -e "s|<uuid>.*</uuid>|<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" > "$root/lv.xml"
    "${lv[@]}" define "$root/lv.xml" >/dev/null
  done
}
vs() {  # LABEL VIREO VMM GOAL
  if [ -n "$with_vmm" ]; then
    echo "$1: Vireo $2, virt-manager $3 ($4)"
  else
    echo "$1: Vireo $2 ($4; virt-manager is not installed here)"
  fi
}

# hook_ms LINE ENV…: launch until Vireo itself prints "vireo-bench: LINE"
# (its map-event, or the console's first frame), without a poller
# competing for the two cores
hook_ms() {
  local line=$1 t0 t1
  shift
  sleep 1
  t0=$(date +%s%N)
  env "$@" "${vireo[@]}" | grep -q "vireo-bench: $line"
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}

echo "== desktop application (Xvfb, median of $RUNS, runs alternate) =="
for count in 1 200; do
  set_vms "$count"
  mine=() theirs=() hooked=() listed=()
  for i in $(seq "$RUNS"); do
    mine+=($(mapped_ms "Virtual Machines" "${vireo[@]}"))
    hooked+=($(hook_ms mapped VIREO_BENCH=map))
    listed+=($(hook_ms listed VIREO_BENCH=listed))
    [ -n "$with_vmm" ] && theirs+=($(mapped_ms "Virtual Machine Manager" "${vmm[@]}"))
  done
  vs "launch to window mapped, $count VM(s)" \
     "$(printf '%s\n' "${mine[@]}" | median) ms (its own map-event: $(printf '%s\n' "${hooked[@]}" | median) ms; every row built: $(printf '%s\n' "${listed[@]}" | median) ms)" \
     "$( [ -n "$with_vmm" ] && printf '%s\n' "${theirs[@]}" | median) ms" "goal: under 150 ms"
done

read -r mine_rss mine_cpu < <(idle_figures "${vireo[@]}")
theirs_rss=-
[ -n "$with_vmm" ] && read -r theirs_rss theirs_cpu < <(idle_figures "${vmm[@]}")
vs "RSS after 5 s idle, 200 VMs" "$mine_rss MiB" "$theirs_rss MiB" "goal: under 60 MiB"

echo "-- 10 running VMs (TCG guests booted and idle) --"
set_vms 10
c start demo >/dev/null
for i in $(seq 1 9); do c start "vm$i" >/dev/null; done
if [ -n "$with_vmm" ]; then
  for name in $(lv_names); do "${lv[@]}" start "$name" >/dev/null; done
fi
sleep 40   # boots on two cores
read -r mine_rss mine_cpu < <(idle_figures "${vireo[@]}")
theirs_cpu=-
[ -n "$with_vmm" ] && read -r theirs_rss theirs_cpu < <(idle_figures "${vmm[@]}")
vs "CPU time over 30 s idle, 10 running VMs listed" "$mine_cpu ms" "$theirs_cpu ms" "lower is better"
for i in $(seq 1 9); do c destroy "vm$i" >/dev/null; done
if [ -n "$with_vmm" ]; then
  for name in $(lv_names); do "${lv[@]}" destroy "$name" >/dev/null 2>&1 || true; done
fi
sleep 3

# Open console → first frame, through the app's own hook (one VM running)
mine=()
for i in $(seq "$RUNS"); do mine+=($(hook_ms first-frame VIREO_BENCH=console:demo)); done
echo "launch to first console frame: Vireo $(printf '%s\n' "${mine[@]}" | median) ms (goal: under 300 ms; virt-manager's console window took 843 ms on the issue's reference run)"
c destroy demo >/dev/null
