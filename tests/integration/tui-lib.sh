# Shared by the vireo-tui tests: lib.sh, a tmux server of the test's own
# ($sock), and reading its screen.  A test adds its own cleanup to
# TUI_CLEANUPS; vireo-tui is killed by its pid, then lib.sh's cleanup runs.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }

: "${VIREO_TUI:?}"
sock="vireo-test-$$"
TUI_CLEANUPS=()
tm() { tmux -L "$sock" "$@"; }
tui_cleanup() {
  local pid c
  pid=$(tm display -p '#{pid}' 2>/dev/null || true)
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  cleanup
  for c in "${TUI_CLEANUPS[@]}"; do "$c"; done
}
trap tui_cleanup EXIT

screen() { tm capture-pane -p -t tui; }
# wait_screen PATTERN [TIMEOUT]: the screen shows PATTERN (grep -E)
wait_screen() {
  local i
  for ((i = 0; i < ${2:-30} * 10; i++)); do
    screen | grep -E -- "$1" >/dev/null && return 0
    sleep 0.1
  done
  fail "the screen never showed '$1':
$(screen)"
}
# status PATTERN: the last line (the status or prompt line) shows PATTERN
status() {
  wait_screen "$1"
  screen | tail -n 1 | grep -E -- "$1" >/dev/null || fail "'$1' is not in the last line: $(screen)"
}
