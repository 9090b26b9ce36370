#!/usr/bin/env bash
# check-screenshots.sh METAINFO DIR: every screenshot the metainfo names is
# a PNG in DIR (data/screenshots/) of the width and height it says, and
# every PNG there is named; build-aux/take-screenshots.sh remakes them.
set -euo pipefail
metainfo=$1
dir=$2
fail=0
named=()
while read -r width height url; do
  png=$dir/${url##*/}
  named+=("${url##*/}")
  if [ ! -f "$png" ]; then
    echo "$metainfo names $url, but $png does not exist" >&2
    fail=1
    continue
  fi
  # the IHDR chunk: width and height, big-endian, at bytes 16 and 20
  size=$(od -An -tu1 -j16 -N8 "$png" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
  if [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ] || [ "$size" != "${width}x${height}" ]; then
    echo "$png is not a ${width}x${height} PNG (it is: $size), as $metainfo says" >&2
    fail=1
  fi
done < <(sed -n 's#.*<image type="source" width="\([0-9]*\)" height="\([0-9]*\)">\([^<]*\)</image>.*#\1 \2 \3#p' "$metainfo")
[ ${#named[@]} -gt 0 ] || { echo "$metainfo names no screenshot" >&2; exit 1; }
for png in "$dir"/*.png; do
  if ! printf '%s\n' "${named[@]}" | grep -qxF "$(basename "$png")"; then
    echo "$png is not named in $metainfo" >&2
    fail=1
  fi
done
[ "$fail" = 0 ] && echo "screenshots: ${#named[@]} named in the metainfo, each in $dir at its size"
exit $fail
