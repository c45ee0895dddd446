#!/usr/bin/env bash
# The main job on a Debian 12 machine, as root: installs what is missing, builds multisched,
# starts a throw-away cluster (etcd + kube-apiserver on 127.0.0.1), runs multisched with the
# sample two-profile config, creates the sample nodes and pods, prints where each pod went,
# and tears everything down.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$repo/build}

"$repo/test/cluster/install_deps.sh"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target multisched
SCHEDULER_BIN="$build/multisched" exec python3 "$repo/test/cluster/demo.py" "$@"
