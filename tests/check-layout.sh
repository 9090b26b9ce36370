#!/usr/bin/env bash
# The engine's layout rules, checked: front ends include only the engine's
# public header (vireo.h), and vireo-shim includes nothing of the engine
# beyond util/ and the QMP client with the shim protocol.
set -euo pipefail
cd "${VIREO_TEST_SRCDIR:?}/.."
fail=0

engine_headers=$(find engine -name 'vireo*.h' ! -name vireo.h -printf '%f\n' | sort -u)
for h in $engine_headers; do
  hits=$(grep -rlF "#include \"$h\"" ui console 2>/dev/null || true)
  if [ -n "$hits" ]; then
    echo "front end includes engine header $h (use vireo.h): $hits" >&2
    fail=1
  fi
done

allowed=$( (find engine/util -name '*.h' -printf '%f\n'; echo vireo-qmp-client.h; echo vireo-shim-protocol.h; echo vireo-shim.h) | sort -u)
for inc in $(grep -ho '#include "[^"]*"' engine/shim/*.[ch] | sed 's/#include "\(.*\)"/\1/' | sort -u); do
  if ! printf '%s\n' "$allowed" | grep -qxF "$inc"; then
    echo "vireo-shim includes $inc, which is neither util/ nor the shim protocol" >&2
    fail=1
  fi
done

[ "$fail" = 0 ] && echo "layout: front ends include vireo.h only; the shim stays small"
exit $fail
