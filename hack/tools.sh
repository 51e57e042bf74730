#!/usr/bin/env bash
# Builds the Kubernetes control plane, etcd, kwok and helm (and with --node also
# kubelet, kube-proxy, crictl and CoreDNS, for hack/node.sh) from the Go module
# proxy into $SPYT_CACHE/bin (one binary per name and version) and links the
# current versions into $SPYT_CACHE/bin/current/. Idempotent: a tool already
# built for its pinned version is not rebuilt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$TOOLS_BIN/current"
node=false
[ "${1:-}" = --node ] && node=true

kube_minor=${KUBE_VERSION#v1.}; kube_minor=${kube_minor%%.*}
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean"
done

# build_from_module DIR LDFLAGS NAME=PACKAGE... builds the missing ones.
build_from_module() {
  local dir=$1 ldflags=$2; shift 2
  local out pkgs=() names=()
  for spec in "$@"; do
    local name=${spec%%=*} pkg=${spec#*=}
    out=$(tool_path "$name" "$version")
    [ -x "$out" ] || { pkgs+=("$pkg"); names+=("$name"); }
  done
  [ ${#pkgs[@]} -gt 0 ] || return 0
  log "building ${names[*]} $version (a cold build takes minutes)"
  local tmp; tmp=$(mktemp -d)
  (cd "$HACK_DIR/tools/$dir" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}")
  for i in "${!pkgs[@]}"; do
    # go names a binary after the last path element, skipping a /vN major suffix.
    local base; base=$(basename "${pkgs[$i]}")
    [[ $base =~ ^v[0-9]+$ ]] && base=$(basename "$(dirname "${pkgs[$i]}")")
    local built="$tmp/$base"
    mv "$built" "$(tool_path "${names[$i]}" "$version")"
  done
  rm -rf "$tmp"
}

go_install() { # NAME PACKAGE@VERSION
  local name=$1 spec=$2 version=${2##*@} out
  out=$(tool_path "$name" "$version")
  [ -x "$out" ] && return 0
  log "installing $spec"
  local gobin; gobin=$(mktemp -d)
  GOBIN="$gobin" GOFLAGS=-mod=mod go install -trimpath "$spec"
  mv "$gobin/$(basename "${spec%@*}")" "$out"
  rm -rf "$gobin"
}

version=$KUBE_VERSION
kube_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
$node && kube_cmds+=(kubelet kube-proxy)
kube_specs=()
for c in "${kube_cmds[@]}"; do kube_specs+=("$c=k8s.io/kubernetes/cmd/$c"); done
build_from_module kube "$kube_ldflags" "${kube_specs[@]}"
version=$ETCD_VERSION
build_from_module etcd "-s -w" etcd=go.etcd.io/etcd/server/v3
go_install kwok "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
go_install helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
if $node; then
  # The real node: the CRI client and the cluster DNS server (CoreDNS: ~8 min cold).
  CGO_ENABLED=0 go_install crictl "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  CGO_ENABLED=0 go_install coredns "github.com/coredns/coredns@$COREDNS_VERSION"
fi

link() { ln -sfn "$(tool_path "$1" "$2")" "$TOOLS_BIN/current/$1"; }
for t in "${kube_cmds[@]}"; do link "$t" "$KUBE_VERSION"; done
link etcd "$ETCD_VERSION"
link kwok "$KWOK_VERSION"
link helm "$HELM_VERSION"
if $node; then
  link crictl "$CRICTL_VERSION"
  link coredns "$COREDNS_VERSION"
fi
