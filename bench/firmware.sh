#!/usr/bin/env bash
# make bench, firmware: figures for the test guest under TCG, each beside
# raw qemu-system-x86_64 on the same command line with the same firmware
# (the argv Vireo ran, as run.sh reruns it):
#   - start to ready (the guest's shell up, its ready marker on serial)
#     through SeaBIOS and through OVMF, and what OVMF adds;
#   - what a TPM 2.0 adds to the same start (swtpm, which the shim starts
#     before QEMU; for raw QEMU it is started by hand, as libvirt does).
# The marker is polled every 20 ms, for Vireo and raw QEMU alike.
# Medians of RUNS (VIREO_BENCH_RUNS, default 5); runs alternate.
set -uo pipefail
builddir=${1:-build}
. "$(dirname "$0")/common.sh"
root=$(mktemp -d /tmp/vireo-bench-fw.XXXXXX)
export VIREO_BENCH_SUMMARY=${VIREO_BENCH_SUMMARY:-$root/summary}
ovmf=${VIREO_OVMF_DIR:-/usr/share/OVMF}/OVMF_CODE_4M.fd

cleanup() {
  "$kill_runtime" "$root"/step.*
  rm -rf "$root"
}
trap cleanup EXIT

# fw_guest NAME [OPTION…]: the test guest as create_guest makes it, with
# 256 MiB (OVMF takes its share first: 128 MiB leave the kernel too little)
fw_guest() {
  local name=$1
  shift
  c create "$name" --memory 256 --vcpus 1 --kernel "$guest/vmlinuz" --initrd "$guest/initrd.img" \
    --cmdline "console=ttyS0 earlyprintk=serial" --network none "$@" >/dev/null
}

# ready_after LOG: ms since $t0 when LOG holds the ready marker (at most 300 s)
ready_after() {
  local i
  for ((i = 0; i < 15000; i++)); do
    grep -q VIREO-GUEST-READY "$1" 2>/dev/null && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return 0; }
    sleep 0.02
  done
  echo "bench: no ready marker in $1 within 300 s" >&2
  return 1
}

# vireo_ready NAME: ms from vireoctl start to the guest's ready marker
vireo_ready() {
  local log
  log=$(serial_log "$1")
  : > "$log"
  t0=$(date +%s%N)
  c start "$1" >/dev/null
  ready_after "$log"
  c destroy "$1" >/dev/null
}

# raw_ready NAME: the same for raw QEMU on Vireo's last argv of NAME,
# with swtpm first when the VM has a TPM
raw_ready() {
  local run qemu swtpm="" ms
  raw_argv "$1"
  run=$(run_dir "$1")
  rm -f "$r/raw-serial.log"
  t0=$(date +%s%N)
  if c dumpxml "$1" | grep -c '<tpm ' >/dev/null; then
    mkdir -p "$r/raw-tpm"
    rm -f "${run}swtpm.sock"
    swtpm socket --tpm2 --tpmstate "dir=$r/raw-tpm,mode=0600" \
      --ctrl "type=unixio,path=${run}swtpm.sock,mode=0600" --terminate >/dev/null 2>&1 &
    swtpm=$!
    while [ ! -S "${run}swtpm.sock" ]; do sleep 0.005; done
  fi
  "${raw[@]}" >/dev/null 2>&1 &
  qemu=$!
  ms=$(ready_after "$r/raw-serial.log") || ms=""
  kill -9 "$qemu" $swtpm 2>/dev/null || true
  wait "$qemu" $swtpm 2>/dev/null || true
  [ -n "$ms" ] && echo "$ms"
}

# measure NAME: "VIREO RAW", medians of RUNS alternating starts
measure() {
  local i v=() q=()
  c start "$1" >/dev/null    # the shim saves the argv raw QEMU reruns
  wait_ready "$1"
  c destroy "$1" >/dev/null
  for ((i = 0; i < RUNS; i++)); do
    v+=("$(vireo_ready "$1")")
    q+=("$(raw_ready "$1")")
  done
  echo "$(printf '%s\n' "${v[@]}" | median) $(printf '%s\n' "${q[@]}" | median)"
}

firmware_start() {
  local bios efi
  [ -f "$ovmf" ] || { echo "bench: $ovmf is not installed (package ovmf): no UEFI figures"; return 0; }
  fw_guest bios
  fw_guest efi --firmware efi
  read -r -a bios < <(measure bios)
  read -r -a efi < <(measure efi)
  figure "start to ready through SeaBIOS" "vireoctl ${bios[0]} ms, raw QEMU ${bios[1]} ms" "figure only"
  figure "start to ready through OVMF" "vireoctl ${efi[0]} ms, raw QEMU ${efi[1]} ms" "figure only"
  figure "OVMF over SeaBIOS on start" \
    "vireoctl $(printf %+d $((efi[0] - bios[0]))) ms, raw QEMU $(printf %+d $((efi[1] - bios[1]))) ms" "goal: Vireo adds nothing to raw QEMU's"
}

tpm_start() {
  local plain tpm
  command -v swtpm >/dev/null || { echo "bench: swtpm is not installed: no TPM figures"; return 0; }
  fw_guest plain
  fw_guest sealed --tpm
  read -r -a plain < <(measure plain)
  read -r -a tpm < <(measure sealed)
  figure "start to ready with a TPM 2.0 (SeaBIOS)" "vireoctl ${tpm[0]} ms, raw QEMU with swtpm ${tpm[1]} ms" \
    "figure only"
  figure "a TPM 2.0 on start" \
    "vireoctl $(printf %+d $((tpm[0] - plain[0]))) ms, raw QEMU with swtpm $(printf %+d $((tpm[1] - plain[1]))) ms" \
    "goal: Vireo adds nothing to raw QEMU's"
}

step "$root" "firmware: SeaBIOS and OVMF (TCG)" firmware_start
step "$root" "firmware: a TPM 2.0 (TCG)" tpm_start
