#!/usr/bin/env bash
# Installs everything multisched needs to build and test on Debian 12 (bookworm), idempotently.
# Run as root. Safe to run repeatedly: each step checks before it acts.
#   - build deps: g++ 12, cmake, Boost 1.81 (Asio/Beast), RapidJSON, yaml-cpp, OpenSSL, Catch2 2.13
#   - benchmark: gnuplot (plots of test/bench/apiserver_bench.py); fuzzing: clang 14, libFuzzer;
#     load on the secure port (e2e z4): wrk
#   - test cluster: etcd-server, kubectl, and kube-apiserver + kube-scheduler built from Debian's
#     `kubernetes` source package (see build_kube.sh), cached outside the repository.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_pkgs=(g++ cmake make pkg-config libboost1.81-dev libboost-program-options1.81-dev
            rapidjson-dev libyaml-cpp-dev libssl-dev catch2 libfmt-dev libspdlog-dev openssl)
cluster_pkgs=(etcd-server curl python3)
# The apiserver benchmark draws its plot with gnuplot (test/bench/plot.gp); the fuzz targets
# (test/fuzz) are built with clang and its libFuzzer/sanitizer runtimes; e2e z4 loads the secure
# port with wrk.
bench_pkgs=(gnuplot-nox clang libclang-rt-14-dev wrk)

# kubectl: any package that provides it will do (kubernetes-client is Debian's).
command -v kubectl >/dev/null 2>&1 || cluster_pkgs+=(kubernetes-client)

missing=()
for p in "${build_pkgs[@]}" "${cluster_pkgs[@]}" "${bench_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install_deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# etcd-server's package starts a system etcd on 2379; the tests run their own on other ports.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi

"$here/build_kube.sh"
