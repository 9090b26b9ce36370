# bench/common.sh: what make bench's scripts share (sourced, not run).
# Each script sets builddir first.  Figures are printed, never asserted;
# each goes to the summary file ($VIREO_BENCH_SUMMARY) that run.sh prints
# at the end.
RUNS=${VIREO_BENCH_RUNS:-5}
# guests run under TCG here: KVM opens on some hosts but its guests hang
export VIREO_ACCEL=${VIREO_ACCEL:-tcg}
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kill_runtime="$bench_dir/../build-aux/kill-runtime.sh"
ctl="$(realpath "$builddir/ui/cli/vireoctl")"
guest="$(realpath "$builddir/tests")"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# ms COMMAND…: the wall time of COMMAND in ms (its output dropped)
ms() {
  local t0
  t0=$(date +%s%N)
  "$@" >/dev/null
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# figure LABEL VALUE GOAL: prints one figure and keeps it for the summary
figure() {
  printf '%s: %s (%s)\n' "$1" "$2" "$3"
  [ -z "${VIREO_BENCH_SUMMARY:-}" ] || printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$VIREO_BENCH_SUMMARY"
}

# step ROOT TITLE FUNCTION…: runs one measurement in a subshell that stops
# at its first failing command, with its own Vireo --root ($r) below ROOT;
# a failure is said and the next step runs.  Whatever the step started
# is killed by pid (kill-runtime.sh) when it ends.
step() {
  local base=$1 title=$2 rc
  shift 2
  echo "== $title =="
  r=$(mktemp -d "$base/step.XXXXXX")
  ( set -e -o pipefail; shopt -s inherit_errexit; "$@" )
  rc=$?
  "$kill_runtime" "$r"
  if [ "$rc" -ne 0 ]; then
    echo "bench: '$title' failed (exit $rc, its reason is above); going on"
    figure "$title" "failed" "see its output"
  fi
  return 0
}

c() { "$ctl" --root "$r" "$@"; }

# start_xvfb: an Xvfb of the bench's own; its pid in $xvfb (the caller
# kills it by that pid) and DISPLAY set.  Fails if it did not start.
start_xvfb() {
  local fifo display=
  fifo=$(mktemp -u /tmp/vireo-bench-x.XXXXXX)
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
  xvfb=$!
  read -r display < "$fifo"
  rm -f "$fifo"
  [ -n "$display" ] || return 1
  export DISPLAY=":$display"
}

# define_copies TEMPLATE PREFIX FIRST LAST: VMs PREFIX<FIRST>…PREFIX<LAST>
# as copies of the defined VM TEMPLATE with their own name and UUID,
# written straight into the definitions folder (fast for 1000).
define_copies() {
  local xml i uuid
  xml=$(c dumpxml "$1")
  for ((i = $3; i <= $4; i++)); do
    read -r uuid < /proc/sys/kernel/random/uuid
    printf '%s\n' "$xml" | sed -e "s|<name>$1</name>|<name>$2$i</name>|" \
      -e "s|<uuid>.*</uuid>|<uuid>$uuid</uuid>|" > "$r/config/domains/$2$i.xml"
  done
}

# create_guest NAME: a diskless VM of the test guest that boots to an idle
# shell (-smp 1, 128 MiB: its kernel needs 96), saying early on its serial
# port
create_guest() {
  c create "$1" --memory 128 --vcpus 1 --kernel "$guest/vmlinuz" --initrd "$guest/initrd.img" \
    --cmdline "console=ttyS0 earlyprintk=serial" --network none >/dev/null
}

# create_idle NAME: a VM with no boot device (-smp 1, 64 MiB): SeaBIOS
# finds nothing to boot within a second or two and idles, retrying
# every minute
create_idle() {
  c create "$1" --memory 64 --vcpus 1 --network none >/dev/null
}

serial_log() { echo "$r/state/log/$1-serial.log"; }

# wait_ready NAME…: each guest's shell is up (its ready marker on serial)
wait_ready() {
  local name i
  for name in "$@"; do
    for ((i = 0; i < 3000; i++)); do
      grep -q VIREO-GUEST-READY "$(serial_log "$name")" 2>/dev/null && continue 2
      sleep 0.1
    done
    echo "bench: VM '$name' did not boot within 300 s" >&2
    return 1
  done
}

# run_dir NAME: the runtime folder of NAME, which keeps the argv its shim
# saved after the VM stops
run_dir() {
  local d
  for d in "$r"/run/*/; do
    grep -qa -- "guest=$1,debug" "${d}qemu-argv" 2>/dev/null && { echo "$d"; return 0; }
  done
  echo "bench: no saved QEMU argv of VM '$1'" >&2
  return 1
}

# raw_argv NAME: the argv Vireo's last start of NAME ran (the shim saves
# it), without -S and with stock chardevs in place of the shim's fds: the
# serial port writes to $r/raw-serial.log
raw_argv() {
  local a run
  run=$(run_dir "$1") || return 1
  raw=()
  while IFS= read -r -d '' a; do
    case "$a" in
      -S) continue ;;
      socket,id=mon,fd=3) a=file,id=mon,path=/dev/null ;;
      socket,id=serial0,fd=4) a="file,id=serial0,path=$r/raw-serial.log" ;;
      socket,id=agent0,fd=5) a=null,id=agent0 ;;
      unix:*vnc.sock) a=none ;;
    esac
    raw+=("$a")
  done < "${run}qemu-argv"
  [ "${#raw[@]}" -gt 0 ]
}
