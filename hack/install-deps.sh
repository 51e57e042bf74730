#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and any named on its
# command line. Idempotent: it only
# calls apt when something is missing, so a second run costs a dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libyaml-cpp-dev libboost-program-options-dev
  prometheus-cpp-dev doctest-dev libssl-dev zlib1g-dev
  clang-format openssl curl jq prometheus hyperfine wrk procps psmisc
  # The Livy session driver's Scala interpreter is compiled and packed with the JDK.
  openjdk-17-jdk-headless
  # sparkmagic (the notebook e2e) requires requests-kerberos, whose pykerberos builds
  # against krb5-config.
  libkrb5-dev
  # The real node (hack/node.sh) and its images (hack/images.sh): container runtime, CNI
  # plugins, the kube-proxy/kubelet host tools, a Debian root filesystem, busybox for checks.
  containerd runc containernetworking-plugins iptables conntrack socat
  debootstrap busybox-static util-linux
)
# Extra packages a caller needs (hack/fuzz.sh: clang, for libFuzzer).
packages+=("$@")

# One dpkg-query for all of them (it exits 1 when some name is unknown to dpkg: still missing).
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null \
  | grep "install ok installed" | cut -d' ' -f1) || true
missing=()
for p in "${packages[@]}"; do
  grep -qxF -- "$p" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
