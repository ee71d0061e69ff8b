#!/usr/bin/env bash
# Configures and builds basin into ./build (release, warnings as errors).
# Extra arguments are passed to `meson setup`, e.g. -Db_sanitize=address,undefined.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILD_DIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dbuildtype=release -Dwerror=true "$@" >&2
fi
ninja -C "$builddir" >&2
