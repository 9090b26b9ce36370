# shellcheck shell=bash
# help-words.sh: the verbs and options a program's --help shows, read the
# same way by every data test that checks something against them
# (check-completion.sh, check-man.sh).  Sourced, with LC_ALL=C.UTF-8.

# help_verbs VIREOCTL: the verbs `vireoctl --help` lists, one a line
help_verbs() {
  local verbs

  verbs=$("$1" --help | awk '/^  [a-z]/ { print $1 }')
  if [ "$(echo "$verbs" | wc -l)" -le 30 ]; then
    echo "FAIL: too few verbs in $1 --help: $verbs" >&2
    return 1
  fi
  echo "$verbs"
}

# help_long_options: the long options (--root) of the help text on stdin,
# one a line
help_long_options() {
  grep -o -- '--[a-z][a-z-]*' | sort -u
}
