#!/usr/bin/env bash
# Installs what basin needs from Debian 12's packages.
#   install-deps.sh runtime   libraries the basin binary links, and curl (health checks)
#   install-deps.sh build     runtime + compiler, meson and the -dev packages
#   install-deps.sh test      build + Check, valgrind and the Python references (NumPy, SciPy)
# Packages already installed are not fetched again; apt-get runs only when one is missing.
set -euo pipefail

mode=${1:-build}
runtime=(libmicrohttpd12 libjansson4 libsqlite3-0 libuv1 libopenblas0 liblapacke libfftw3-double3 curl)
build=(gcc libc6-dev pkg-config meson ninja-build python3 libmicrohttpd-dev libjansson-dev
       libsqlite3-dev libuv1-dev libopenblas-dev liblapacke-dev libfftw3-dev check)
test=(python3-numpy python3-scipy python3-sklearn python3-pywt python3-yaml python3-jsonschema valgrind procps clang-format git clang
      libclang-rt-14-dev)

case "$mode" in
  runtime) want=("${runtime[@]}") ;;
  build) want=("${runtime[@]}" "${build[@]}") ;;
  test) want=("${runtime[@]}" "${build[@]}" "${test[@]}") ;;
  *) echo "usage: $0 runtime|build|test" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
