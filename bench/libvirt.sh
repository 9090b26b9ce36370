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
#     (VIREO_BENCH_IDLE_S), and of Vireo's window with the host saved.
# virt-manager 4.1 is compared where it is installed (it is not in make
# deps), under an Xvfb of the bench's own, as the user the bench runs as:
# `virt-manager --no-fork --debug --connect URI`, its debug log stamped
# line by line as it is written (bench/vireo-stamp-lines; the log's own
# times are whole seconds):
#   - connecting: its open thread's start ("Scheduling background open
#     thread") to "changed to state=Active", which it logs once every VM
#     has its state (median of 5), and its launch to that line;
#   - a change by another client (the virsh that holds the connection):
#     until its log's "domain lifecycle event" of it (it refreshes the
#     row after that, which it does not log);
#   - its idle CPU, with its window, over the window Vireo's is measured.
# It logs no statistics sample: the first statistics are Vireo's alone.
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"
bench="$(realpath "$builddir/bench/vireo-bench-libvirt")"
stamp="$(realpath "$builddir/bench/vireo-stamp-lines" 2>/dev/null || true)"
app="$(realpath "$builddir/ui/vireo" 2>/dev/null || true)"
IDLE_S=${VIREO_BENCH_IDLE_S:-60}
N=200
PATH=$PATH:/usr/sbin

LV=$(mktemp -d /tmp/vireo-bench-libvirt.XXXXXX)
RUN=$LV/run
mkdir -p "$RUN" && chmod 700 "$RUN" && chown -R nobody:nogroup "$LV"
HOLD_PID= vmm_pid= stamp_pid= win_pid= xvfb=
cleanup() {
  local f pid
  for pid in $vmm_pid $win_pid $stamp_pid $xvfb; do kill "$pid" 2>/dev/null; done
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

# alive PID: PID runs (not a zombie)
alive() { local s; s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$s" != Z ]; }
# stop PID: SIGTERM, SIGKILL after 5 s; reaped
stop() {
  local i
  kill "$1" 2>/dev/null
  for ((i = 0; i < 50; i++)); do alive "$1" || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
now_us() { echo "${EPOCHREALTIME//[^0-9]/}"; }
# cpu_pct PID SECONDS: PID's share of one core over the next SECONDS
cpu_pct() {
  local t0 t1
  t0=$(cpu_ticks "$1") && sleep "$2" && t1=$(cpu_ticks "$1") || return 1
  awk -v t="$((t1 - t0))" -v s="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f %%", 100 * t / hz / s}'
}

# peer: why virt-manager has no column, or empty: it runs
peer=
if ! command -v virt-manager >/dev/null; then
  peer="not installed"
elif [ ! -x "$stamp" ]; then
  peer="bench/vireo-stamp-lines is not built"
fi
if command -v Xvfb >/dev/null && start_xvfb; then
  export GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
else
  xvfb=
  [ -n "$peer" ] || peer="no Xvfb to show its window"
fi

# vmm_start: virt-manager on $URI, its debug log stamped into $LV/vmm.log;
# its launch in $vmm_t0 (µs since the epoch, as the stamps)
vmm_start() {
  [ -p "$LV/vmm.fifo" ] || mkfifo "$LV/vmm.fifo"
  : > "$LV/vmm.log"   # the last run's is gone before anyone reads it
  "$stamp" < "$LV/vmm.fifo" >> "$LV/vmm.log" &
  stamp_pid=$!
  vmm_t0=$(now_us)
  env LC_ALL=C.UTF-8 XDG_CACHE_HOME="$LV/vmm-cache" \
    virt-manager --no-fork --debug --connect "$URI" > "$LV/vmm.fifo" 2>&1 &
  vmm_pid=$!
}
vmm_stop() {
  local i
  stop "$vmm_pid"
  vmm_pid=
  # the stamper ends at the log's end, unless a child of virt-manager
  # keeps the log open
  for ((i = 0; i < 20; i++)); do alive "$stamp_pid" || break; sleep 0.1; done
  stop "$stamp_pid"
  stamp_pid=
}
# vmm_wait TEXT SECONDS: the stamp (µs) of the log's first line with TEXT
# in $stamp_us, within SECONDS; fails if virt-manager ended first
vmm_wait() {
  local i line
  for ((i = 0; i < $2 * 10; i++)); do
    line=$(grep -m1 -F -- "$1" "$LV/vmm.log")
    if [ -n "$line" ]; then
      stamp_us=${line%% *}
      stamp_us=${stamp_us//./}
      return 0
    fi
    alive "$vmm_pid" || return 1
    sleep 0.1
  done
  return 1
}
# vmm_failed WHAT: says why; virt-manager's column is skipped from then on
vmm_failed() {
  [ -z "$vmm_pid" ] || vmm_stop
  echo "virt-manager: $1 failed on $URI, its column is skipped; its log ends:"
  tail -n 3 "$LV/vmm.log" 2>/dev/null | cut -c1-300
  peer="failed, see above"
}
# vs LABEL VIREO VMM GOAL: one figure, virt-manager's column or why not
vs() {
  if [ -z "$peer" ]; then
    figure "$1" "Vireo $2, virt-manager $3" "$4"
  else
    figure "$1" "Vireo $2 (virt-manager: $peer)" "$4"
  fi
}

# vmm_connect: one launch; its open thread to "state=Active" and its
# launch to it, in ms, into vmm_open_ms and vmm_launch_ms
vmm_connect() {
  local open
  vmm_start
  vmm_wait "changed to state=Active" 60 || return 1
  open=$(grep -m1 -F "Scheduling background open thread" "$LV/vmm.log") || return 1
  open=${open%% *}
  vmm_open_ms=$(( (stamp_us - ${open//./}) / 1000 ))
  vmm_launch_ms=$(( (stamp_us - vmm_t0) / 1000 ))
  vmm_stop
}

# vmm_events COUNT: the held virsh suspends, then resumes, COUNT running
# VMs, one at a time; each until virt-manager logs its lifecycle event:
# "median max changes" (ms) into vmm_events_fig
vmm_events() {
  local names name verb t0 times=()
  names=$(virsh -c "$URI" list --state-running --name | grep . | head -n "$1")
  [ -n "$names" ] || return 1
  vmm_start
  vmm_wait "changed to state=Active" 60 || return 1
  for name in $names; do
    for verb in suspend:SUSPENDED resume:RESUMED; do
      t0=$(now_us)
      echo "${verb%:*} $name" >&8
      if vmm_wait "domain lifecycle event: domain=$name state=VIR_DOMAIN_EVENT_${verb#*:} " 10; then
        times+=($((stamp_us - t0)))
      else
        alive "$vmm_pid" || return 1
        times+=(10000000)
      fi
    done
  done
  vmm_stop
  vmm_events_fig=$(printf '%s\n' "${times[@]}" | sort -n |
    awk '{a[NR] = $1} END {printf "median %.2f ms, max %.2f ms (%d changes)", a[int((NR + 1) / 2)] / 1000, a[NR] / 1000, NR}')
}

ours=() theirs=()
for ((i = 0; i < RUNS; i++)); do
  ours+=($(ms "$ctl" --root "$LV/root" --connect "$URI" list --all))
  theirs+=($(ms virsh -c "$URI" list --all))
done
figure "list --all of $rows libvirt VMs: vireoctl --connect vs virsh" \
  "$(printf '%s\n' "${ours[@]}" | median) ms vs $(printf '%s\n' "${theirs[@]}" | median) ms" "goal: as fast as virsh"

connects=() vmm_opens=() vmm_launches=()
for ((i = 0; i < RUNS; i++)); do
  connects+=($("$bench" "$URI" rows | awk '{print $2}'))
done
for ((i = 0; i < RUNS; i++)); do
  [ -z "$peer" ] || break
  if vmm_connect; then
    vmm_opens+=("$vmm_open_ms") vmm_launches+=("$vmm_launch_ms")
  else
    vmm_failed "connecting"
  fi
done
vs "connect to $rows libvirt rows, median of $RUNS" "$(printf '%s\n' "${connects[@]}" | median) ms" \
  "$(printf '%s\n' "${vmm_opens[@]}" | median) ms (open thread to its log's 'state=Active'; launch to it $(printf '%s\n' "${vmm_launches[@]}" | median) ms)" \
  "goal: faster than virt-manager"

read -r _ first _ calls _ vms < <("$bench" "$URI" stats 5)
figure "statistics of $vms running libvirt VMs" "first sample of all in $first ms, $calls libvirt calls per interval" \
  "goal: one call per host per interval; virt-manager logs no statistics sample"

read -r _ median _ max _ changes < <("$bench" "$URI" events 20)
[ -n "$peer" ] || vmm_events 20 || vmm_failed "watching another client's changes"
vs "another client's change to the row" "median $median ms, max $max ms ($changes changes)" \
  "${vmm_events_fig:-} to its log's lifecycle event (its row is refreshed after it, not logged)" \
  "goal: under 1 s every time"

"$bench" "$URI" idle "$IDLE_S" &
idle=$!
sleep 2
engine_idle=$(cpu_pct "$idle" $((IDLE_S - 4)))
wait "$idle"
# Vireo's window with the host saved, connecting at start
win_idle="not measured (no Xvfb or no ui/vireo)"
if [ -n "$xvfb" ] && [ -x "$app" ]; then
  mkdir -p "$LV/gui/config"
  printf '[%s]\nautoconnect=true\n' "$URI" > "$LV/gui/config/hosts.conf"
  "$app" --root "$LV/gui" >/dev/null 2>"$LV/gui.log" &
  win_pid=$!
  sleep 5
  win_idle=$(cpu_pct "$win_pid" $((IDLE_S - 4))) || win_idle="failed: $(tail -n 1 "$LV/gui.log")"
  stop "$win_pid"
  win_pid=
fi
if [ -z "$peer" ]; then
  vmm_start
  if vmm_wait "changed to state=Active" 60 && sleep 5 && vmm_idle=$(cpu_pct "$vmm_pid" $((IDLE_S - 4))); then
    vmm_stop
  else
    vmm_failed "idling"
  fi
fi
vs "idle CPU over $((IDLE_S - 4)) s watching $rows libvirt rows" "$engine_idle (engine client), $win_idle (window)" \
  "${vmm_idle:-} (window)" "figure only"
