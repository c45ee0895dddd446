#!/usr/bin/env bash
# The whole test suite on a Debian 12 machine, as root: installs what is missing (idempotent;
# the first run also builds kube-apiserver from Debian's source package, ~10 min), builds
# multisched, then runs every unit test and the e2e suite through ctest.
#   BUILD_DIR (default: build)   JOBS (default: nproc)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
jobs=${JOBS:-$(nproc)}

"$repo/test/cluster/install_deps.sh"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"
cd "$build"
ctest --output-on-failure --timeout 1500
