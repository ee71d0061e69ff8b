#!/usr/bin/env bash
# Installs what is missing, builds, and starts the service on its defaults:
# 127.0.0.1:8080 with the database ./basin.db. Arguments go to `basin serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
scripts/build.sh
exec build/src/basin serve "$@"
