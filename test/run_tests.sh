#!/usr/bin/env bash
# The whole test suite on a Debian 12 machine, as root: installs what is missing (idempotent;
# the first run also builds kube-apiserver from Debian's source package, ~10 min), builds
# multisched, then runs every unit test and the e2e suite through ctest, then builds the fuzz
# targets with clang and fuzzes each for a bounded time, then runs the unit tests and the e2e
# suite once more against a build with ASan + UBSan.
#   BUILD_DIR (default: build)   JOBS (default: nproc)
#   FUZZ_BUILD_DIR (default: $BUILD_DIR-fuzz)   FUZZ_SECONDS (default: 30, per target)
#   SANITIZE_BUILD_DIR (default: $BUILD_DIR-asan)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
jobs=${JOBS:-$(nproc)}

"$repo/test/cluster/install_deps.sh"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"
(cd "$build" && ctest --output-on-failure --timeout 1500)

# libFuzzer: the fuzz targets of test/fuzz in a clang build tree of their own, each fuzzing for
# FUZZ_SECONDS from its committed corpus (the main build above already replayed the corpus).
fuzz_build=${FUZZ_BUILD_DIR:-$build-fuzz}
CXX=clang++ cmake -S "$repo" -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMULTISCHED_FUZZ=ON -DMULTISCHED_FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >/dev/null
cmake --build "$fuzz_build" -j "$jobs" --target fuzzers
(cd "$fuzz_build" && ctest --output-on-failure -L fuzz)

# ASan + UBSan (GCC): every unit test, the corpus replays and the e2e suite again, against a tree
# built with both at -O0 (-O2 under UBSan takes five times as long to compile; -O0 costs what the
# main build costs). A report fails its unit test, or the e2e run (run_e2e.py collects the
# reports of every scheduler process it starts). The apiserver benchmark's smoke run is left out:
# it measures, and the main build ran it.
san_build=${SANITIZE_BUILD_DIR:-$build-asan}
cmake -S "$repo" -B "$san_build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
    -DMULTISCHED_SANITIZE=address,undefined >/dev/null
cmake --build "$san_build" -j "$jobs"
(cd "$san_build" && ctest --output-on-failure --timeout 1500 -E '^apiserver_bench_smoke$')
