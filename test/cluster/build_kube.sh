#!/usr/bin/env bash
# Builds kube-apiserver and kube-scheduler from Debian's `kubernetes` source package (1.20.2) with
# Debian's golang-go, once, into a cache outside the repository (default /var/cache/multisched).
# Idempotent: returns at once when both binaries are already cached.
#
# Two fixes are applied to the unpacked source, never to our repository:
#   - the vendored github.com/modern-go/reflect2 1.0.1 crashes under Go >= 1.18 (the runtime's map
#     iterator and reflect.mapiterinit changed); it is replaced with Debian's reflect2 1.0.2 source.
#   - apt needs a deb-src entry; it is derived from the existing debian.sources file.
set -euo pipefail

cache=${MULTISCHED_CACHE:-/var/cache/multisched}
bin="$cache/bin"
if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-scheduler" ]; then
    exit 0
fi
mkdir -p "$cache/src" "$bin"

export DEBIAN_FRONTEND=noninteractive
need=()
for p in golang-go dpkg-dev golang-github-modern-go-reflect2-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
src_list=/etc/apt/sources.list.d/multisched-deb-src.sources
if [ ! -f "$src_list" ]; then
    origin=/etc/apt/sources.list.d/debian.sources
    if [ -f "$origin" ]; then
        sed -E 's/^Types:.*/Types: deb-src/' "$origin" > "$src_list"
    elif [ -f /etc/apt/sources.list ]; then
        grep -E '^deb ' /etc/apt/sources.list | sed -E 's/^deb /deb-src /' > /etc/apt/sources.list.d/multisched-deb-src.list
        touch "$src_list"
    fi
    apt-get update -qq
fi
[ ${#need[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

cd "$cache/src"
srcdir=$(find . -maxdepth 1 -type d -name 'kubernetes-1.20*' | head -n 1)
if [ -z "$srcdir" ]; then
    echo "build_kube: fetching Debian's kubernetes source package"
    apt-get source -qq --download-only kubernetes >/dev/null
    dpkg-source -x --no-check kubernetes_*.dsc >/dev/null
    srcdir=$(find . -maxdepth 1 -type d -name 'kubernetes-1.20*' | head -n 1)
fi
cd "$srcdir"

reflect2=vendor/github.com/modern-go/reflect2
if [ ! -f "$reflect2/go_above_118.go" ]; then
    rm -rf "$reflect2"
    mkdir -p "$reflect2"
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go \
       /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$reflect2/"
    rm -f "$reflect2"/*_test.go
fi

# Kubernetes 1.20 predates Go 1.19's module checks: build in GOPATH mode, as its own hack/ scripts do.
export GO111MODULE=off GOFLAGS= GOPATH="$cache/gopath" GOCACHE="$cache/gocache" CGO_ENABLED=0
mkdir -p "$GOPATH/src/k8s.io"
ln -sfn "$PWD" "$GOPATH/src/k8s.io/kubernetes"
cd "$GOPATH/src/k8s.io/kubernetes"

# The source package does not ship pkg/generated/openapi/zz_generated.openapi.go (upstream's
# `make generated_files` writes it; Debian's rules run `make`), and kube-apiserver needs it.
# Generate it the way Makefile.generated_files does: openapi-gen over every package that carries
# a `+k8s:openapi-gen=` tag, staging packages named by their vendor/ paths.
openapi_out=pkg/generated/openapi/zz_generated.openapi.go
if [ ! -f "$openapi_out" ]; then
    echo "build_kube: generating $openapi_out"
    go build -o "$GOPATH/bin/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
    openapi_dirs=$(find -H . \( -not \( \( -path ./_\* -o -path ./.\* -o -path ./vendor \) -prune \) \) \
                       -type f -name '*.go' -print \
                   | sed -e 's|^\./staging/src|vendor|' -e 's|^\./||' \
                   | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' \
                   | xargs grep --color=never -l '^// *+k8s:' \
                   | xargs grep --color=never -l '+k8s:openapi-gen=' \
                   | xargs -n1 dirname | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd,)
    "$GOPATH/bin/openapi-gen" --logtostderr -i "$openapi_dirs" \
        -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
        -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt \
        -r "$cache/openapi_violations.report"
fi

# In GOPATH mode the version package is linked under its vendor/ path; -X must name that path
# (upstream's hack/lib/version.sh does the same), or /version reports v0.0.0-master.
version_pkg=k8s.io/kubernetes/vendor/k8s.io/component-base/version
ldflags="-s -w -X $version_pkg.gitVersion=v1.20.2 -X $version_pkg.gitMajor=1 -X $version_pkg.gitMinor=20"
ldflags="$ldflags -X $version_pkg.gitTreeState=clean -X $version_pkg.buildDate=2021-01-13T13:20:00Z"
for component in kube-apiserver kube-scheduler; do
    [ -x "$bin/$component" ] && continue
    echo "build_kube: building $component (several minutes on 2 cores)"
    go build -ldflags "$ldflags" -o "$bin/$component.tmp" "./cmd/$component"
    mv "$bin/$component.tmp" "$bin/$component"
done
echo "build_kube: $(ls "$bin")"
