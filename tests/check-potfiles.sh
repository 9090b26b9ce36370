#!/usr/bin/env bash
# POTFILES.in lists every file with translatable strings, sorted.
set -euo pipefail
cd "${VIREO_TEST_SRCDIR:?}/.."
listed=$(grep -v '^#' po/POTFILES.in | grep .)
[ "$listed" = "$(printf '%s\n' "$listed" | LC_ALL=C sort)" ] || { echo "po/POTFILES.in is not sorted" >&2; exit 1; }
found=$( { find console engine ui -name '*.c' -exec grep -lE '\b(N?_|ngettext) ?\(' {} + 2>/dev/null || true
           grep -l 'translatable="yes"' data/ui/*.ui 2>/dev/null || true
           ls data/*.desktop.in data/*.metainfo.xml.in; } | LC_ALL=C sort -u)
missing=$(LC_ALL=C comm -13 <(printf '%s\n' "$listed") <(printf '%s\n' "$found"))
if [ -n "$missing" ]; then
  echo "po/POTFILES.in lacks: $missing" >&2
  exit 1
fi
echo "POTFILES.in: complete ($(printf '%s\n' "$listed" | wc -l) files)"
