#!/usr/bin/env bash
# `hack/node.sh down` restores the host: what `node.sh host-state` prints (sysctls, paths
# outside containerd's root, cgroups, the bridge and veths, iptables rules, mounts,
# processes) is the same before `up` and after `down`, with a pod run in between.
#   tests/integration/node/host_restored.sh STATE-DIR
set -euo pipefail
dir=$(realpath -m "$1")
hack=$(cd "$(dirname "$0")/../../../hack" && pwd)
export SPYT_NODE_DIR="$dir/node" SPYT_CONTROL_PLANE_DIR="$dir/control-plane"
mkdir -p "$dir"
"$hack/node.sh" host-state >"$dir/before.txt"
trap '"$hack/node.sh" down >/dev/null 2>&1 || true' EXIT
t0=$(date +%s.%N)
"$hack/node.sh" up
echo "FIGURE node up (control plane included): $(echo "$(date +%s.%N) - $t0" | bc)s"
eval "$("$hack/node.sh" env)"
image=$("$hack/images.sh" import "$CONTAINERD_SOCK" toolbox); image=${image#toolbox=}
kubectl run probe --image="$image" --image-pull-policy=IfNotPresent --restart=Never \
  --command -- sh -c 'nslookup kubernetes.default.svc.cluster.local && sleep 3600'
kubectl wait --for=condition=Ready pod/probe --timeout=60s
"$hack/node.sh" host-state >"$dir/during.txt"
grep -q '^veth ' "$dir/during.txt" || { echo "no pod network while up?" >&2; exit 1; }
t0=$(date +%s.%N)
"$hack/node.sh" down
echo "FIGURE node down with a running pod: $(echo "$(date +%s.%N) - $t0" | bc)s"
trap - EXIT
"$hack/node.sh" host-state >"$dir/after.txt"
if ! diff -u "$dir/before.txt" "$dir/after.txt"; then
  echo "node.sh down left the host changed (above: before -> after)" >&2
  exit 1
fi
echo "host restored: $(wc -l <"$dir/before.txt") facts equal before up and after down"
