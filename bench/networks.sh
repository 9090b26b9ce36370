#!/usr/bin/env bash
# make bench, NAT networks: net-start and net-stop of a network with
# DHCP (bridge, nftables table, dnsmasq) beside `virsh net-start` and
# `virsh net-destroy` where a libvirt daemon answers (measured on this
# machine's kind by the issue: 106 ms and 405 ms), and the time from a
# VM's start to its DHCP lease (the test guest under TCG, whose udhcpc
# prints the lease).  Root only; everything runs in a network namespace
# made for it, and no packet leaves it.  Medians of RUNS.
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"

if [ "$(id -u)" != 0 ]; then
  echo "bench: NAT networks need root; skipped"
  exit 0
fi
root=$(mktemp -d /tmp/vireo-bench-net.XXXXXX)
export VIREO_BENCH_SUMMARY=${VIREO_BENCH_SUMMARY:-$root/summary}
export VIREO_NET_STATE_DIR=$root/net-state
ns=vireo-bench-net-$$
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

cleanup() {
  local pid
  "$kill_runtime" "$root"/step.*
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT

# inside the namespace
c() { ip netns exec "$ns" "$ctl" --root "$r" "$@"; }

median_ms() {
  local i all=()
  for ((i = 1; i <= RUNS; i++)); do
    all+=("$(ms "$@")") || return 1
  done
  printf '%s\n' "${all[@]}" | median
}

start_stop() {
  local starts=() stops=() i
  c net-create bench --subnet 10.91.0.0/24 >/dev/null
  for ((i = 1; i <= RUNS; i++)); do
    starts+=("$(ms c net-start bench)")
    stops+=("$(ms c net-stop bench)")
  done
  figure "net-start of a NAT network with DHCP" "$(printf '%s\n' "${starts[@]}" | median) ms" \
    "goal: no slower than virsh net-start (106 ms measured for the issue)"
  figure "net-stop of it" "$(printf '%s\n' "${stops[@]}" | median) ms" \
    "goal: no slower than virsh net-destroy (405 ms measured for the issue)"
}

virsh_side() {
  local uri xml
  command -v virsh >/dev/null || { echo "bench: virsh is not installed; no libvirt figures"; return 0; }
  uri=qemu:///system
  virsh -q -c "$uri" list >/dev/null 2>&1 || { echo "bench: no libvirt daemon answers; no libvirt figures"; return 0; }
  xml=$r/virsh-net.xml
  cat >"$xml" <<EOF
<network><name>vireo-bench</name><forward mode='nat'/><bridge name='virbr91'/>
<ip address='10.92.0.1' netmask='255.255.255.0'><dhcp><range start='10.92.0.2' end='10.92.0.254'/></dhcp></ip></network>
EOF
  virsh -q -c "$uri" net-define "$xml" >/dev/null
  figure "virsh net-start" "$(median_ms virsh -q -c "$uri" net-start vireo-bench) ms" "libvirt, for comparison"
  virsh -q -c "$uri" net-undefine vireo-bench >/dev/null 2>&1
}

lease_time() {
  local i n t0 times=() log count
  c net-create lab --subnet 10.93.0.0/24 >/dev/null
  c net-start lab >/dev/null
  c create lab-vm --memory 128 --vcpus 1 --kernel "$guest/vmlinuz" --initrd "$guest/initrd.img" \
    --cmdline "console=ttyS0 quiet vireo.hostname=lab-vm" --network lab >/dev/null
  log=$(serial_log lab-vm)
  for ((i = 1; i <= RUNS; i++)); do
    t0=$(now_ms)
    c start lab-vm >/dev/null
    for ((n = 0; n < 3000; n++)); do
      count=$(grep -c VIREO-GUEST-LEASE "$log" 2>/dev/null || true)
      [ "${count:-0}" -ge "$i" ] && break
      sleep 0.05
    done
    times+=($(( $(now_ms) - t0 )))
    c destroy lab-vm >/dev/null
  done
  figure "VM start to its DHCP lease on a NAT network (test guest, TCG)" \
    "$(printf '%s\n' "${times[@]}" | median) ms" "figure only: most of it is the guest booting"
  c net-stop lab >/dev/null
}

step "$root" "net-start and net-stop" start_stop
step "$root" "virsh net-start" virsh_side
step "$root" "start to DHCP lease" lease_time
