#!/usr/bin/env bash
# check-completion.sh VIREOCTL COMPLETION: vireoctl's bash completion
# offers every verb `vireoctl --help` lists, each verb's options, and the
# names of VMs, snapshots and networks of the tree --root names.
set -euo pipefail
vireoctl=$(realpath "$1")
. "$(dirname "$0")/help-words.sh"
. "$2"
export LC_ALL=C.UTF-8 LANGUAGE=
root=$(mktemp -d /tmp/vireo-completion.XXXXXX)
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# complete WORD…: what completing the last WORD offers, one a line
complete_words() {
  COMP_WORDS=("$vireoctl" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _vireoctl
  printf '%s\n' "${COMPREPLY[@]}"
}
offers() {  # offers WANTED WORD…
  local want=$1
  shift
  complete_words "$@" | grep -x -- "$want" >/dev/null || fail "completing '$*' does not offer '$want': $(complete_words "$@" | tr '\n' ' ')"
}

verbs=$(help_verbs "$vireoctl")
for verb in $verbs; do
  offers "$verb" ""
done
offers --json -
offers --forward create --
offers --user-network start web --
offers --remove-storage undefine web --

"$vireoctl" --root "$root" create web --disk 32M >/dev/null
"$vireoctl" --root "$root" snapshot-create web before-upgrade >/dev/null
"$vireoctl" --root "$root" net-create lab --subnet 10.61.0.0/24 >/dev/null
offers web --root "$root" start ""
offers web --root "$root" snapshot-revert w
offers before-upgrade --root "$root" snapshot-revert web ""
offers lab --root "$root" net-start ""
offers default --root "$root" net-leases d
echo "completion: ok"
