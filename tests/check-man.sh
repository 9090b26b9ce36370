#!/usr/bin/env bash
# check-man.sh MANDIR VIREOCTL VIREO-TUI VIREO: each program's manual page,
# MANDIR/PROGRAM.1, lints clean with mandoc and shows every long option of
# the program's --help as `Fl -OPTION`; vireoctl.1 has an `.It Cm VERB` item
# for each verb `vireoctl --help` lists (and none other), which shows every
# option of `vireoctl VERB --help`.
set -euo pipefail
. "$(dirname "$0")/help-words.sh"
export LC_ALL=C.UTF-8 LANGUAGE=
mandir=$1
shift
root=$(mktemp -d /tmp/vireo-man.XXXXXX)
trap 'rm -rf "$root"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

if ! command -v mandoc >/dev/null; then
  echo "SKIP: mandoc is not installed (build-aux/install-deps.sh installs it)"
  exit 77
fi

# shows_options PAGE WHAT TEXT OPTION…: TEXT (of PAGE) writes each OPTION
# (--root) as `Fl -root`
shows_options() {
  local page=$1 what=$2 text=$3 option
  shift 3
  for option in "$@"; do
    grep -Eq -- "Fl ${option#-}([^a-z-]|\$)" <<<"$text" ||
      fail "$(basename "$page") does not show $option in $what (as 'Fl ${option#-}')"
  done
}

# verb_item PAGE VERB: the lines of VERB's `.It Cm VERB` item, nested
# lists included, up to the next item of its list
verb_item() {
  awk -v verb="$2" '
    /^\.Bl/ { depth++ }
    /^\.It/ && depth == level { inside = 0 }
    /^\.It Cm / && $3 == verb { inside = 1; level = depth }
    /^\.El/ { if (depth == level) inside = 0; depth-- }
    inside { print }
  ' "$1"
}

check_page() {  # check_page PROGRAM: lint, and its --help's options
  local program=$1 page options lint
  page=$mandir/$(basename "$program").1
  [ -f "$page" ] || { fail "$page is missing"; return; }
  lint=$(mandoc -T lint -W warning "$page" 2>&1) || true
  [ -z "$lint" ] || fail "mandoc -T lint -W warning $(basename "$page"):"$'\n'"$lint"
  options=$("$program" --help | help_long_options)
  # shellcheck disable=SC2086
  shows_options "$page" "its options" "$(cat "$page")" $options
}

check_verbs() {  # check_verbs VIREOCTL: each verb's item and its options
  local vireoctl=$1 page verbs verb item options
  page=$mandir/vireoctl.1
  verbs=$(help_verbs "$vireoctl")
  for verb in $verbs; do
    item=$(verb_item "$page" "$verb")
    if [ -z "$item" ]; then
      fail "vireoctl.1 has no '.It Cm $verb' item"
      continue
    fi
    options=$("$vireoctl" --root "$root" "$verb" --help | help_long_options | { grep -vx -- --help || true; })
    # shellcheck disable=SC2086
    shows_options "$page" "its item for $verb" "$item" $options
  done
  for verb in $(awk '/^\.It Cm / { print $3 }' "$page"); do
    grep -qx -- "$verb" <<<"$verbs" || fail "vireoctl.1 describes '$verb', which vireoctl --help does not list"
  done
}

vireoctl=$(realpath "$1")
for program in "$@"; do
  check_page "$(realpath "$program")"
done
check_verbs "$vireoctl"
[ "$failures" -eq 0 ] || exit 1
echo "man: ok"
