#!/usr/bin/env bash
# Builds the project's container images on this machine, without a registry or a Docker
# engine, from Debian packages and PyPI only, following docker/images.env (the definition
# docker/*.Dockerfile follow too):
#
#   hack/images.sh pause|operator|spyt|toolbox...   build (cached) and print NAME=REPO:TAG lines
#   hack/images.sh import SOCKET NAME...    build and import into containerd (namespace k8s.io)
#
# Each image is a one-layer OCI layout tarball (hack/oci-pack.py) tagged with a content
# hash. Caches under $SPYT_CACHE/images:
#   base-<release>/                 debootstrap --variant=minbase (done once)
#   <image>-deps-<hash>/            base + the image's Debian packages (+ for spyt: the venv
#                                   with pyspark and SPYT's jars); hash of what goes in
#   <image>-<hash>.tar, .ref        the packed image; hash of the deps and the binaries
# The binaries come from the CMake build in $SPYT_BUILD_DIR (default: build/).
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "$0")/lib.sh"
source "$REPO_ROOT/docker/images.env"

IMAGES="$SPYT_CACHE/images"
BUILD_DIR=$(realpath -m "${SPYT_BUILD_DIR:-$REPO_ROOT/build}")
SPYT_VERSION=${SPYT_VERSION:-$(sed -n 's/.*kDefaultSpytVersion *= *"\([^"]*\)".*/\1/p' "$REPO_ROOT/controller/api/defaults.h")}
MIRROR=${SPYT_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$IMAGES"

hash_of() { sha256sum | cut -c1-12; }

# ---------------------------------------------------------------- chroot

# in_chroot DIR COMMAND...: runs COMMAND chrooted into DIR, in a mount namespace of its
# own (private propagation) with /proc, a private /dev (a tmpfs with the few nodes apt, pip
# and Java use) and, when PIP_CACHE_MOUNT is set, the host's pip cache. Every mount lives
# and dies with that namespace: none is ever visible on the host, so no later `rm -rf` of
# a build directory can reach through one into the host's /dev or caches.
in_chroot() {
  local dir=$1; shift
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"
  unshare --mount --propagation private -- bash -euc '
    d=$1; shift
    mount -t proc proc "$d/proc"
    mount -t tmpfs -o mode=755,size=16m devtmp "$d/dev"
    for n in null:3 zero:5 full:7 random:8 urandom:9; do mknod -m 666 "$d/dev/${n%%:*}" c 1 "${n#*:}"; done
    ln -s /proc/self/fd "$d/dev/fd"
    if [ -n "${PIP_CACHE_MOUNT:-}" ]; then
      mkdir -p "$d/root/.cache/pip"; mount --bind "$PIP_CACHE_MOUNT" "$d/root/.cache/pip"
    fi
    # A clean environment: nothing of the host (its CA bundle paths, pip settings) leaks in.
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$d" "$@"' _ "$dir" "$@"
}

# remove_tree DIR: rm -rf, refused while anything is mounted at or below DIR.
remove_tree() {
  local d; d=$(realpath -m "$1")
  if awk -v d="$d" '$5 == d || index($5, d "/") == 1 {found = 1} END {exit !found}' /proc/self/mountinfo; then
    die "refusing to remove $d: something is mounted below it"
  fi
  rm -rf "$d"
}

# Removes what a build leaves that an image must not carry.
chroot_scrub() { # DIR
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
    "$1/usr/sbin/policy-rc.d" "$1"/root/.cache "$1"/tmp/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log
  : >"$1/etc/resolv.conf"
}

base_rootfs() {
  local dir="$IMAGES/base-$IMAGE_DEBIAN_RELEASE"
  if [ ! -f "$dir/.complete" ]; then
    log "debootstrap $IMAGE_DEBIAN_RELEASE (minbase) from $MIRROR (once; about 2 minutes)"
    remove_tree "$dir.tmp"
    debootstrap --variant=minbase "$IMAGE_DEBIAN_RELEASE" "$dir.tmp" "$MIRROR" >"$IMAGES/debootstrap.log" 2>&1 ||
      die "debootstrap failed; see $IMAGES/debootstrap.log"
    remove_tree "$dir"; mv "$dir.tmp" "$dir"; touch "$dir/.complete"
  fi
  echo "$dir"
}

# deps_rootfs IMAGE PACKAGES HASH-INPUT [SETUP-FUNCTION]: base + apt packages (+ setup), cached.
deps_rootfs() {
  local image=$1 packages=$2 input=$3 setup=${4:-} base dir
  base=$(base_rootfs)
  dir="$IMAGES/$image-deps-$(printf '%s\n' "$packages" "$input" | hash_of)"
  if [ ! -f "$dir.complete" ]; then
    local stale
    for stale in "$IMAGES/$image"-deps-*/; do   # half-built ones of earlier definitions
      stale=${stale%/}; [ -d "$stale" ] || continue
      [ -f "$stale.complete" ] || { remove_tree "$stale"; rm -f "$stale.log"; }
    done
    log "$image: installing $packages"
    remove_tree "$dir"; cp -a "$base" "$dir"; rm -f "$dir/.complete"
    in_chroot "$dir" sh -c \
      "apt-get update -qq && apt-get install -y -qq --no-install-recommends $packages" >"$dir.log" 2>&1 ||
      die "$image: apt-get failed; see $dir.log"
    [ -z "$setup" ] || "$setup" "$dir" >>"$dir.log" 2>&1 || die "$image: $setup failed; see $dir.log"
    chroot_scrub "$dir"
    touch "$dir.complete"
  fi
  echo "$dir"
}

# pack IMAGE REPO HASH-INPUT ROOTFS... -- OCI-PACK-ARGS: the cached tarball's ref.
pack() {
  local image=$1 repo=$2 input=$3; shift 3
  local dirs=() key
  while [ "$1" != -- ]; do dirs+=("$1"); shift; done; shift
  key=$(printf '%s\n' "$input" "$*" | hash_of)
  local tar="$IMAGES/$image-$key.tar"
  if [ ! -f "$tar.ref" ] || [ ! -f "$tar" ]; then
    log "$image: packing ${dirs[*]}"
    "$HACK_DIR/oci-pack.py" "$tar" "${dirs[@]}" --name "$repo" "$@" >"$tar.ref.tmp"
    mv "$tar.ref.tmp" "$tar.ref"
  fi
  echo "$(<"$tar.ref") $tar"
}

# tree_hash DIR...: a hash of the files' names and contents.
tree_hash() { find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | hash_of; }

# ---------------------------------------------------------------- images

build_pause() {
  local out="$IMAGES/pause-rootfs"
  local src="$HACK_DIR/images/pause.c" h
  h=$(hash_of <"$src")
  if [ "$(cat "$out/.src-hash" 2>/dev/null)" != "$h" ]; then
    remove_tree "$out"; mkdir -p "$out"
    gcc -static -Os -s -o "$out/pause" "$src"
    echo "$h" >"$out/.src-hash"
  fi
  local root; root=$(mktemp -d); chmod 755 "$root"; cp "$out/pause" "$root/pause"
  pack pause spyt.local/pause "$h" "$root" -- --entrypoint '["/pause"]'
  rm -rf "$root"
}

# busybox (static, from the host's busybox-static) for the node's own checks: DNS, wget.
build_toolbox() {
  local root h
  root="$IMAGES/toolbox-rootfs"
  h=$(hash_of </bin/busybox)
  if [ "$(cat "$root.hash" 2>/dev/null)" != "$h" ]; then
    remove_tree "$root"; mkdir -p "$root/bin" "$root/etc" "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    local applet
    for applet in $("$root/bin/busybox" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    echo "$h" >"$root.hash"
  fi
  pack toolbox spyt.local/toolbox "$h" "$root" -- --entrypoint '["/bin/sh"]'
}

binary_layer() { # SRC DEST-IN-IMAGE -> a directory holding the stripped binary
  local src=$1 dest=$2 dir
  [ -x "$src" ] || die "$src is missing: build it first (cmake --build $BUILD_DIR --target $(basename "$src"))"
  dir="$IMAGES/layer-$(basename "$src")"
  remove_tree "$dir"; mkdir -p "$dir$(dirname "$dest")"
  chmod 755 "$dir" "$dir"/*
  strip -o "$dir$dest" "$src"
  echo "$dir"
}

build_operator() {
  local deps bin
  deps=$(deps_rootfs operator "$OPERATOR_PACKAGES" "")
  bin=$(binary_layer "$BUILD_DIR/controller/spyt-operator" "$OPERATOR_BINARY")
  pack operator spyt.local/spyt-operator "$deps $(tree_hash "$bin")" "$deps" "$bin" -- \
    --user "$OPERATOR_USER" --entrypoint "$OPERATOR_ENTRYPOINT"
}

# In the chroot, as spyt.Dockerfile's RUN lines: the venv with pyspark, SPYT's jars.
spyt_python() { # DIR
  local dir=$1
  local cache=${PIP_CACHE_DIR:-$HOME/.cache/pip}
  mkdir -p "$cache"
  # pip trusts what the host trusts (a proxy's CA, say) for this build only: /tmp is scrubbed.
  cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$dir/tmp/host-ca.crt"
  PIP_CACHE_MOUNT="$cache" in_chroot "$dir" sh -exc "
    export PIP_CERT=/tmp/host-ca.crt REQUESTS_CA_BUNDLE=/tmp/host-ca.crt PIP_DEFAULT_TIMEOUT=180
    python3 -m venv $SPYT_VENV
    $SPYT_VENV/bin/pip install -q --disable-pip-version-check 'pyspark==$SPARK_VERSION'
    ln -s \"\$($SPYT_VENV/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')\" $SPYT_SPARK_LINK
    $SPYT_VENV/bin/pip install -q --disable-pip-version-check --no-deps --only-binary=:all: \
      --target $SPYT_RELEASE_DIR 'ytsaurus-spyt==$SPYT_VERSION'
    ls $SPYT_RELEASE_DIR/spyt/jars/*.jar >/dev/null
    mkdir -p $SPYT_CONF_DIR && chmod 1777 /tmp"
}

# account_layer DEPS-ROOTFS: /etc/passwd and /etc/group of DEPS plus SPYT_ACCOUNT for
# SPYT_USER, as spyt.Dockerfile's groupadd/useradd write them.
account_layer() {
  local deps=$1 dir="$IMAGES/layer-spyt-account" uid=${SPYT_USER%%:*} gid=${SPYT_USER##*:}
  remove_tree "$dir"; mkdir -p "$dir/etc"; chmod 755 "$dir" "$dir/etc"
  { grep -v "^$SPYT_ACCOUNT:" "$deps/etc/passwd"
    echo "$SPYT_ACCOUNT:x:$uid:$gid::$SPYT_WORKDIR:/usr/sbin/nologin"; } >"$dir/etc/passwd"
  { grep -v "^$SPYT_ACCOUNT:" "$deps/etc/group"; echo "$SPYT_ACCOUNT:x:$gid:"; } >"$dir/etc/group"
  chmod 644 "$dir/etc/passwd" "$dir/etc/group"
  echo "$dir"
}

build_spyt() {
  local deps bin driver account env_args=() kv
  deps=$(deps_rootfs spyt "$SPYT_PACKAGES" "$SPARK_VERSION $SPYT_VERSION $(declare -f spyt_python | hash_of)" spyt_python)
  bin=$(binary_layer "$BUILD_DIR/controller/spyt-launcher" "$SPYT_BINARY")
  driver="$IMAGES/layer-spyt-driver"
  mkdir -p "$driver$SPYT_DRIVER_DIR"
  # The driver's Scala interpreter compiled against the image's own Spark jars (the link
  # is absolute inside the image).
  "$HACK_DIR/build-driver.sh" "$deps$(readlink "$deps$SPYT_SPARK_LINK")" "$driver$SPYT_DRIVER_DIR" >&2
  find "$driver" -type d -exec chmod 755 {} +
  account=$(account_layer "$deps")
  for kv in $SPYT_ENV; do env_args+=(--env "$kv"); done
  pack spyt spyt.local/spyt "$deps $(tree_hash "$bin" "$driver" "$account")" "$deps" "$bin" "$driver" "$account" -- \
    --user "$SPYT_USER" --workdir "$SPYT_WORKDIR" --entrypoint "$SPYT_ENTRYPOINT" "${env_args[@]}"
}

build() { # NAME -> "NAME=REF TAR"
  local line
  case $1 in
    pause) line=$(build_pause) ;;
    operator) line=$(build_operator) ;;
    spyt) line=$(build_spyt) ;;
    toolbox) line=$(build_toolbox) ;;
    *) die "unknown image '$1' (pause, operator, spyt, toolbox)" ;;
  esac
  echo "$1=$line"
}

# import SOCKET NAME...: builds, then imports what containerd does not have yet.
cmd_import() {
  local sock=$1 name line ref tar; shift
  for name in "$@"; do
    line=$(build "$name"); ref=${line#*=}; tar=${ref#* }; ref=${ref%% *}
    if ! ctr -a "$sock" -n k8s.io images ls -q "name==$ref" | grep -qxF "$ref"; then
      log "importing $ref"
      ctr -a "$sock" -n k8s.io images import "$tar" >/dev/null
    fi
    # Earlier builds of the same image (only our spyt.local names): containerd's GC then
    # drops their content, so rebuilt images do not pile up in its root.
    local old
    for old in $(ctr -a "$sock" -n k8s.io images ls -q | grep "^${ref%%:*}:" | grep -vxF "$ref" || true); do
      ctr -a "$sock" -n k8s.io images rm "$old" >/dev/null 2>&1 || true
    done
    # The CRI plugin also names each image it has seen by its ID (sha256:<config digest>,
    # whose first 12 digits are our tag): drop the IDs no tag of ours names any more.
    local all id keep
    all=$(ctr -a "$sock" -n k8s.io images ls -q)
    keep=$(grep '^spyt\.local/' <<<"$all" | sed 's/.*://' || true)
    for id in $(grep '^sha256:' <<<"$all" || true); do
      grep -qxF "${id:7:12}" <<<"$keep" || ctr -a "$sock" -n k8s.io images rm "$id" >/dev/null 2>&1 || true
    done
    echo "$name=$ref"
  done
}

[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
if [ "$1" = import ]; then
  shift; cmd_import "$@"
else
  for n in "$@"; do line=$(build "$n"); echo "${line%% *}"; done
fi
