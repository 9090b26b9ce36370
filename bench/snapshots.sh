#!/usr/bin/env bash
# make bench, snapshots and clones: figures for the test guest under TCG,
# beside what the same work costs done by hand (qemu-img) and, where a
# libvirt daemon answers virsh, by libvirt on the same guest and image.
#   - a snapshot with RAM of the running guest: take, revert, delete;
#   - a snapshot of the guest shut off: take, revert, delete, against
#     `qemu-img snapshot -c/-a/-d` on the same image;
#   - a linked clone (any disk size), and a full clone of a 1 GiB qcow2
#     holding 1 GiB of data against `qemu-img convert -O qcow2` (what
#     virt-clone runs) and virt-clone itself where installed.
# Medians of RUNS (VIREO_BENCH_RUNS, default 5).
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"
root=$(mktemp -d /tmp/vireo-bench-snap.XXXXXX)
export VIREO_BENCH_SUMMARY=${VIREO_BENCH_SUMMARY:-$root/summary}

cleanup() {
  "$kill_runtime" "$root"/step.*
  rm -rf "$root"
}
trap cleanup EXIT

# median_ms LABEL COMMAND…: median ms of RUNS runs of COMMAND, where %n is
# replaced by the run's number
median_ms() {
  local label=$1 i t all=() args
  shift
  for ((i = 1; i <= RUNS; i++)); do
    args=("${@//%n/$i}")
    t=$(ms "${args[@]}") || return 1
    all+=("$t")
  done
  printf '%s\n' "${all[@]}" | median
}

# libvirt: a connection virsh can use, or nothing
virsh_uri() {
  local uri
  command -v virsh >/dev/null || return 1
  for uri in qemu:///session qemu:///system; do
    virsh -q -c "$uri" list >/dev/null 2>&1 && { echo "$uri"; return 0; }
  done
  return 1
}

running_snapshots() {
  local take revert delete
  create_guest snap
  c attach-disk snap --size 64M >/dev/null
  c start snap >/dev/null
  wait_ready snap
  take=$(median_ms take c snapshot-create snap s%n)
  revert=$(median_ms revert c snapshot-revert snap s%n)
  delete=$(median_ms delete c snapshot-delete snap s%n)
  figure "snapshot with RAM of a running 128 MiB guest: take" "$take ms" "goal: no slower than virsh"
  figure "revert to it (in place)" "$revert ms" "goal: no slower than virsh"
  figure "delete it" "$delete ms" "figure only"
}

shutoff_snapshots() {
  local img take revert delete raw_c raw_a raw_d
  create_guest off
  c attach-disk off --size 64M >/dev/null
  img="$r/data/images/off-vda.qcow2"
  [ -f "$img" ] || img=$(ls "$r"/data/images/off*.qcow2 | head -n 1)
  take=$(median_ms take c snapshot-create off s%n)
  revert=$(median_ms revert c snapshot-revert off s%n)
  delete=$(median_ms delete c snapshot-delete off s%n)
  raw_c=$(median_ms raw qemu-img snapshot -c raw%n "$img")
  raw_a=$(median_ms raw qemu-img snapshot -a raw%n "$img")
  raw_d=$(median_ms raw qemu-img snapshot -d raw%n "$img")
  figure "snapshot of a shut-off VM: take, revert, delete" "$take / $revert / $delete ms" \
    "qemu-img snapshot by hand: $raw_c / $raw_a / $raw_d ms"
}

clones() {
  local linked full raw img i
  for ((i = 1; i <= RUNS; i++)); do c create "big$i" --memory 64 --disk 1G --network none >/dev/null; done
  img=$(ls "$r"/data/images/big1*.qcow2 | head -n 1)
  qemu-io -f qcow2 -c 'write -q -P 0x55 0 1G' "$img"
  full=$(RUNS=3 median_ms full c clone big1 full%n)
  raw=$(RUNS=3 median_ms raw qemu-img convert -O qcow2 "$img" "$r/raw%n.qcow2")
  # each source once: a linked clone leaves its source on an overlay
  linked=$(median_ms linked c clone big%n linked%n --linked)
  figure "linked clone of a VM with a 1 GiB disk" "$linked ms" "goal: under 50 ms, any size"
  figure "full clone of a 1 GiB qcow2 holding 1 GiB" "$full ms" \
    "qemu-img convert by hand: $raw ms; goal: no slower than virt-clone"
}

# The same operations through libvirt, when a daemon answers.
libvirt_side() {
  local uri xml take revert delete
  if ! uri=$(virsh_uri); then
    figure "virsh snapshot-create-as / snapshot-revert" "not measured" "no libvirt daemon answers here"
    return 0
  fi
  create_guest lv
  c attach-disk lv --size 64M >/dev/null
  xml="$r/lv.xml"
  c dumpxml lv | sed -e 's|<name>lv</name>|<name>vireo-bench-lv</name>|' -e '/<uuid>/d' \
    -e '/<metadata>/,/<\/metadata>/d' > "$xml"
  virsh -q -c "$uri" define "$xml" >/dev/null
  virsh -q -c "$uri" start vireo-bench-lv >/dev/null
  sleep 20
  take=$(median_ms take virsh -q -c "$uri" snapshot-create-as vireo-bench-lv s%n)
  revert=$(median_ms revert virsh -q -c "$uri" snapshot-revert vireo-bench-lv s%n)
  delete=$(median_ms delete virsh -q -c "$uri" snapshot-delete vireo-bench-lv s%n)
  virsh -q -c "$uri" destroy vireo-bench-lv >/dev/null 2>&1
  virsh -q -c "$uri" undefine vireo-bench-lv --snapshots-metadata >/dev/null 2>&1
  figure "virsh, the same guest running: take, revert, delete" "$take / $revert / $delete ms" "libvirt"
}

step "$root" "snapshots of a running VM" running_snapshots
step "$root" "snapshots of a shut-off VM" shutoff_snapshots
step "$root" "clones" clones
step "$root" "snapshots through libvirt" libvirt_side
