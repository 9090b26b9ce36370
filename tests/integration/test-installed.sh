#!/usr/bin/env bash
# An installed Vireo works without its build tree: a fresh build of the
# source tree is installed into a prefix of its own and moved away, and
# from the installed programs alone (no VIREO_* variable but VIREO_ACCEL,
# and lib.sh's VIREO_NET_STATE_DIR under the test's root) a VM boots to its console, the desktop application shows its window
# with the installed settings schema, and vireoctl speaks Chinese from
# the installed catalog.  Every file meson lists is installed, in its
# place, and none names the build or the source folder.
#   test-installed.sh BINDIR LIBEXECDIR DATADIR LOCALEDIR MANDIR
# (the configured folders, relative to the prefix; an absolute one, outside
# the prefix, is left at meson's default here)
. "$(dirname "$0")/lib.sh"

srcdir=$(realpath "$VIREO_TEST_SRCDIR/..")
build=$ROOT/build prefix=$ROOT/prefix
dirs=(bindir libexecdir datadir localedir mandir)
args=("$@") layout=()
for i in "${!dirs[@]}"; do
  if [ -n "${args[i]:-}" ] && [[ ${args[i]} != /* ]]; then
    layout+=("-D${dirs[i]}=${args[i]}")
  fi
done
xvfb=
# Xvfb removes its lock and socket when it is asked to stop, not killed
stop_xvfb() {
  [ -n "$xvfb" ] || return 0
  kill "$xvfb" 2>/dev/null || true
  wait "$xvfb" 2>/dev/null || true
  xvfb=
}
trap 'stop_xvfb; cleanup' EXIT

# running PID: PID, a child of this shell, is neither gone nor a zombie
running() {
  local state
  state=$(sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || true
  [ -n "$state" ] && [ "$state" != Z ]
}
# exited PID TIMEOUT: PID has exited within TIMEOUT seconds
exited() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    running "$1" || return 0
    sleep 0.2
  done
  return 1
}

step configure, build and install into a prefix of its own
start=$SECONDS
# plain: no debug information, which records the build folder by design
# (packagers split it off); nice: beside the other tests' guests
nice -n 10 meson setup "$build" "$srcdir" --prefix "$prefix" -Dbuildtype=plain -Dtests=false \
  "${layout[@]}" >"$ROOT/setup.log" 2>&1 || fail "meson setup failed: $(tail -n 20 "$ROOT/setup.log")"
nice -n 10 ninja -C "$build" -j "$(nproc)" >"$ROOT/build.log" 2>&1 ||
  fail "the build failed: $(tail -n 30 "$ROOT/build.log")"
meson install -C "$build" --no-rebuild >"$ROOT/install.log" 2>&1 ||
  fail "meson install failed: $(tail -n 20 "$ROOT/install.log")"
echo "built and installed in $((SECONDS - start)) s"
opt() { meson introspect "$build" --buildoptions |
  python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"; }
bindir=$prefix/$(opt bindir) libexecdir=$prefix/$(opt libexecdir)
datadir=$prefix/$(opt datadir) localedir=$prefix/$(opt localedir) mandir=$prefix/$(opt mandir)
meson introspect "$build" --installed |
  python3 -c 'import json, sys; print("\n".join(sorted(json.load(sys.stdin).values())))' >"$ROOT/listed"

step every file meson lists is installed, where a GNOME application keeps it
expected=(
  "$bindir/vireo" "$bindir/vireo-tui" "$bindir/vireoctl"
  "$libexecdir/vireo-shim" "$libexecdir/vireo-net"
  "$datadir/applications/dev.vireo.Vireo.desktop"
  "$datadir/metainfo/dev.vireo.Vireo.metainfo.xml"
  "$datadir/icons/hicolor/scalable/apps/dev.vireo.Vireo.svg"
  "$datadir/icons/hicolor/symbolic/apps/dev.vireo.Vireo-symbolic.svg"
  "$datadir/glib-2.0/schemas/dev.vireo.Vireo.gschema.xml"
  "$datadir/polkit-1/actions/dev.vireo.Net1.policy"
  "$datadir/dbus-1/system-services/dev.vireo.Net1.service"
  "$datadir/dbus-1/system.d/dev.vireo.Net1.conf"
  "$localedir/zh_CN/LC_MESSAGES/vireo.mo"
  "$datadir/bash-completion/completions/vireoctl"
)
for f in "${expected[@]}"; do
  grepq -xF -- "$f" "$ROOT/listed" || fail "meson does not install $f"
done
while read -r f; do
  [ -f "$f" ] || fail "meson lists $f, which is not installed"
done <"$ROOT/listed"
for f in "$bindir"/* "$libexecdir"/*; do
  [ -x "$f" ] || fail "$f is not a program"
done
# man pages: when the build installs any, every program has its own
if grepq "^$mandir/" "$ROOT/listed"; then
  for f in "$bindir"/*; do
    grepq -xF -- "$mandir/man1/${f##*/}.1" "$ROOT/listed" || fail "no man page for ${f##*/}"
  done
fi
# meson's post-install: the schema compiled where the installed vireo looks
[ -f "$datadir/glib-2.0/schemas/gschemas.compiled" ] || fail "the settings schema was not compiled"
[ -f "$datadir/icons/hicolor/icon-theme.cache" ] || fail "the icon cache was not updated"
grepq -xF "Exec=$libexecdir/vireo-net --dbus" "$datadir/dbus-1/system-services/dev.vireo.Net1.service" ||
  fail "the D-Bus service does not start the installed vireo-net"

step the build folder moves away: nothing can be found there any more
mv "$build" "$build.moved"
if hits=$(find "$prefix" -name vireo-build-tree | grep .); then
  fail "the build tree's marker is installed: $hits"
fi

step no installed file names the build or the source folder
# a source's path as the compiler saw it, relative to the build folder,
# names the source folder too (__FILE__)
relative=$(realpath -m --relative-to="$build" "$srcdir")
names=(-e "$build" -e "$srcdir" -e "$relative/")
while read -r f; do
  if cmp -s -n 4 "$f" <(printf '\177ELF'); then
    hits=$(strings -a "$f" | grep -F "${names[@]}" | head -n 3) || true
  else
    hits=$(grep -F "${names[@]}" "$f" | head -n 3) || true
  fi
  [ -z "$hits" ] || fail "$f names the build or source folder: $hits"
done < <(find "$prefix" -type f)

step from the installed programs alone
# still known to this script (ctl, cleanup), no longer to the programs
for v in $(compgen -e | grep '^VIREO'); do
  case $v in VIREO_ACCEL | VIREO_NET_STATE_DIR) ;; *) export -n "$v" ;; esac
done
export PATH=$bindir:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
VIREOCTL=$(command -v vireoctl)
[ "$VIREOCTL" = "$bindir/vireoctl" ] || fail "vireoctl is $VIREOCTL, not the installed one"
# the test guest, copied: the programs see no path into any build tree
mkdir "$ROOT/guest"
cp "$VIREO_GUEST_DIR/vmlinuz" "$VIREO_GUEST_DIR/initrd.img" "$ROOT/guest/"
VIREO_GUEST_DIR=$ROOT/guest
expect_error 1 "The demo guest is not installed" -- ctl demo

step a VM boots through the installed vireo-shim, and its console answers
create_guest inst
ctl start inst >/dev/null
wait_for_log inst "$READY"
out=$(ctl console inst --idle 0.5 </dev/null)
case "$out" in *"$READY"*) ;; *) fail "the console backlog lacks the ready marker" ;; esac
console_expect inst 'echo installed-$((6*7))' installed-42
ctl shutdown inst --timeout 120 >/dev/null
[ "$(ctl state inst --reason)" = "shutoff: shut down by the guest" ] ||
  fail "after shutdown: $(ctl state inst --reason)"

step the installed catalog: vireoctl in Chinese
if zh_cn_locale; then
  zh_ctl() { env -u LC_ALL "${ZH_LOCPATH[@]}" LANGUAGE=zh_CN LANG=zh_CN.UTF-8 vireoctl --root "$ROOT" "$@"; }
  expect_error 1 "虚拟机“nosuch”不存在" -- zh_ctl start nosuch
else
  echo "skipped: no zh_CN.UTF-8 locale, and localedef cannot build one (install 'locales')"
fi

step the desktop application shows its window, and quits on Ctrl+Q
command -v Xvfb >/dev/null || fail "Xvfb is not installed (package xvfb)"
command -v xdotool >/dev/null || fail "xdotool is not installed (package xdotool)"
mkfifo "$ROOT/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$ROOT/display" >/dev/null 2>&1 &
xvfb=$!
read -r display <"$ROOT/display"
export DISPLAY=:$display GDK_BACKEND=x11 NO_AT_BRIDGE=1 GTK_A11Y=none
# the prefix's share/ first, as a session would have it; no session bus
# (nor one started for the test)
export XDG_DATA_DIRS=$datadir:/usr/local/share:/usr/share
export DBUS_SESSION_BUS_ADDRESS=unix:path=$ROOT/no-bus
vireo --root "$ROOT" >"$ROOT/vireo.log" 2>&1 &
vireo=$!
BACKGROUND_PIDS+=("$vireo")
window=
for ((i = 0; i < 300; i++)); do
  window=$(xdotool search --onlyvisible --pid "$vireo" 2>/dev/null | head -n 1) || true
  [ -n "$window" ] && break
  running "$vireo" || fail "vireo exited before it showed a window: $(cat "$ROOT/vireo.log")"
  sleep 0.2
done
[ -n "$window" ] || fail "vireo showed no window within 60 s: $(cat "$ROOT/vireo.log")"
name=$(xdotool getwindowname "$window")
[ "$name" = "Virtual Machines" ] || fail "the window is '$name', not Vireo's main window"
# no window manager here: focus it, and type as a user would
timeout 10 xdotool windowfocus --sync "$window" key ctrl+q || fail "xdotool could not type into vireo's window"
exited "$vireo" 30 || fail "vireo did not quit on Ctrl+Q"
rc=0
wait "$vireo" || rc=$?
[ "$rc" -eq 0 ] || fail "vireo exited $rc: $(cat "$ROOT/vireo.log")"
[ ! -s "$ROOT/vireo.log" ] || fail "vireo wrote: $(cat "$ROOT/vireo.log")"
stop_xvfb
echo "installed: ok in $((SECONDS - start)) s"
