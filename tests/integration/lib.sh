# Shared by the integration tests: a private --root, the test guest, and
# cleanup that kills by pid whatever the test started.
set -euo pipefail

: "${VIREOCTL:?}" "${VIREO_GUEST_DIR:?}" "${VIREO_PNG_CHECK:?}"
export VIREO_ACCEL=tcg
# The tests compare English text: untranslated, whatever the caller's
# language (C.UTF-8, not C, so that vireo-tui still draws UTF-8).
export LC_ALL=C.UTF-8 LANGUAGE=
ROOT=$(mktemp -d /tmp/vireo-it.XXXXXX)
# vireo-net (run directly, as root) keeps its state here, not in /run
export VIREO_NET_STATE_DIR=$ROOT/net-state
BACKGROUND_PIDS=()
READY=VIREO-GUEST-READY

ctl() { "$VIREOCTL" --root "$ROOT" "$@"; }

cleanup() {
  local pid
  for pid in "${BACKGROUND_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  "$VIREO_TEST_SRCDIR/../build-aux/kill-runtime.sh" "$ROOT"
  rm -rf "$ROOT"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# grepq ARGS…: grep -q that reads all its input: a grep -q that stops at
# the first match makes a longer writer fail with SIGPIPE, and the whole
# pipe with it (pipefail)
grepq() { grep "$@" >/dev/null; }
step() { echo "--- $*"; }

create_guest() {
  local name=$1; shift
  # one vCPU: the test guest boots fastest under TCG on a small host
  ctl create "$name" --memory 256 --vcpus 1 --kernel "$VIREO_GUEST_DIR/vmlinuz" \
    --initrd "$VIREO_GUEST_DIR/initrd.img" --cmdline "console=tty0 console=ttyS0 quiet" \
    --disk 32M "$@" >/dev/null
}

serial_log() { echo "$ROOT/state/log/$1-serial.log"; }

# wait_for_log NAME PATTERN [COUNT] [TIMEOUT]: the serial log holds PATTERN COUNT times
wait_for_log() {
  local name=$1 pattern=$2 count=${3:-1} timeout=${4:-180} i
  for ((i = 0; i < timeout * 5; i++)); do
    if [ -f "$(serial_log "$name")" ] &&
       [ "$(grep -c -- "$pattern" "$(serial_log "$name")" || true)" -ge "$count" ]; then
      return 0
    fi
    sleep 0.2
  done
  fail "VM '$name' never printed '$pattern' ($count×) within ${timeout}s"
}

# wait_nonempty FILE [TIMEOUT]: FILE has something in it (a console client
# is connected once the shim's backlog reached it)
wait_nonempty() {
  local file=$1 timeout=${2:-60} i
  for ((i = 0; i < timeout * 10; i++)); do
    [ -s "$file" ] && return 0
    sleep 0.1
  done
  fail "$file stayed empty for ${timeout}s"
}

wait_state() {
  local name=$1 want=$2 timeout=${3:-60} i state
  for ((i = 0; i < timeout * 5; i++)); do
    state=$(ctl state "$name")
    [ "$state" = "$want" ] && return 0
    sleep 0.2
  done
  fail "VM '$name' is '$state', expected '$want'"
}

# wait_prompt NAME: the guest's shell waits at its prompt (typing earlier
# is lost: nobody has the serial port open yet)
wait_prompt() {
  local name=$1 i
  for ((i = 0; i < 600; i++)); do
    [ "$(tail -c 7 "$(serial_log "$name")" 2>/dev/null)" = "guest# " ] && return 0
    sleep 0.2
  done
  fail "VM '$name' shows no shell prompt"
}

# console_expect NAME COMMAND EXPECTED: types COMMAND through the console,
# waits for EXPECTED to come back and checks the console shows it.  (Under
# TCG a guest can take seconds to answer, so wait on the output, not a clock.)
console_expect() {
  local name=$1 command=$2 expected=$3 before out
  wait_prompt "$name"
  before=$(grep -c -- "$expected" "$(serial_log "$name")" 2>/dev/null || true)
  printf '%s\n' "$command" | ctl console "$name" --idle 0.5 >/dev/null
  wait_for_log "$name" "$expected" $((before + 1)) 120
  out=$(ctl console "$name" --idle 0.5 </dev/null)
  case "$out" in
    *"$expected"*) ;;
    *) fail "the console of VM '$name' does not show '$expected': $out" ;;
  esac
}

# expect_error CODE SUBSTRING -- COMMAND…: fails with CODE and one stderr line
expect_error() {
  local code=$1 needle=$2 out rc lines
  shift 3
  set +e
  out=$("$@" 2>&1 >/dev/null)
  rc=$?
  set -e
  [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code (stderr: $out)"
  lines=$(printf '%s\n' "$out" | grep -c . || true)
  [ "$lines" -eq 1 ] || fail "'$*' printed $lines lines, expected one: $out"
  case "$out" in
    *"$needle"*) ;;
    *) fail "'$*' said '$out', expected it to mention '$needle'" ;;
  esac
}

# zh_cn_locale: whether a zh_CN.UTF-8 locale exists, the system's or one
# built for this test alone under $ROOT (localedef needs the sources of
# Debian's 'locales' package); ZH_LOCPATH holds the LOCPATH=… that a
# command then needs, or nothing
zh_cn_locale() {
  ZH_LOCPATH=()
  if locale -a 2>/dev/null | grepq -ix 'zh_CN.utf8'; then
    return 0
  fi
  mkdir -p "$ROOT/locale"
  localedef -i zh_CN -f UTF-8 "$ROOT/locale/zh_CN.UTF-8" >/dev/null 2>&1 || return 1
  ZH_LOCPATH=(LOCPATH="$ROOT/locale")
}
