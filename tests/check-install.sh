#!/usr/bin/env bash
# check-install.sh BUILDDIR SRCDIR PREFIX BINDIR LIBEXECDIR: installs into
# a temporary DESTDIR and checks that no installed file names the build or
# source tree, that the build tree's marker is not installed, and that the
# installed vireoctl looks for its shim in libexecdir and for the demo
# guest nowhere in the build tree, while the build tree's vireoctl finds
# both beside it (vireo_paths_find_build_tree).  Stripped, as packages ship
# programs: the debug sections that a packager splits off record where the
# compiler ran, like any unstripped build's.
set -euo pipefail
builddir=$(realpath "$1") srcdir=$(realpath "$2")
prefix=$3 bindir=$4 libexecdir=$5
[[ $bindir = /* ]] || bindir=$prefix/$bindir
[[ $libexecdir = /* ]] || libexecdir=$prefix/$libexecdir
tmp=$(mktemp -d /tmp/vireo-check-install.XXXXXX)
# a start that wrongly succeeds leaves a guest running: kill it by pid
trap '"$srcdir/build-aux/kill-runtime.sh" "$tmp/installed" "$tmp/built"; rm -rf "$tmp"' EXIT
dest=$tmp/dest
fail=0
unset VIREO_SHIM VIREO_DEMO_GUEST_DIR VIREO_ROOT

meson install -C "$builddir" --no-rebuild --strip --quiet --destdir "$dest" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; echo "meson install failed" >&2; exit 1; }
[ -x "$dest$bindir/vireoctl" ] || { echo "no vireoctl in $dest$bindir" >&2; exit 1; }

for tree in "$builddir" "$srcdir"; do
  if hits=$(grep -rlF -- "$tree" "$dest"); then
    echo "installed files that name $tree:" $hits >&2
    fail=1
  fi
done
if hits=$(find "$dest" -name vireo-build-tree | grep .); then
  echo "the build tree's marker is installed: $hits" >&2
  fail=1
fi

# expect_output WHAT TEXT COMMAND…: COMMAND's output contains TEXT
expect_output() {
  local out
  out=$("${@:3}" 2>&1) || true
  if ! grep -qF -- "$2" <<<"$out"; then
    echo "$1: expected '$2', got: $out" >&2
    fail=1
  fi
}

installed=("$dest$bindir/vireoctl" --root "$tmp/installed")
built=("$builddir/ui/cli/vireoctl" --root "$tmp/built")
expect_output "installed vireoctl demo" "The demo guest is not installed" "${installed[@]}" demo
expect_output "build tree's vireoctl demo" "Created VM 'demo'" "${built[@]}" demo
# The installed shim is not under $libexecdir on this host (it is in
# DESTDIR), so a start says where the installed vireoctl looked.
if [ ! -e "$libexecdir/vireo-shim" ]; then
  "${installed[@]}" create probe --memory 64 >/dev/null
  expect_output "installed vireoctl start" "$libexecdir/vireo-shim is missing" "${installed[@]}" start probe
fi
exit $fail
