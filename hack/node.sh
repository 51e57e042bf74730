#!/usr/bin/env bash
# A real Kubernetes node on this machine, added to the control plane of
# hack/control-plane.sh: containerd + runc (Debian), a CNI bridge on a private /24,
# kubelet and kube-proxy built from the same Kubernetes module as the API server, and
# CoreDNS as a host process on the bridge address (*.svc.cluster.local in pods).
#
#   hack/node.sh up       start the control plane (if needed) and the node; a no-op when up
#   hack/node.sh down     remove the pods, stop what `up` started (the control plane too
#                         when `up` started it), restore the host
#   hack/node.sh status   say what is running (exit 1 unless all)
#   hack/node.sh env      print `export KUBECONFIG=... PATH=... CONTAINERD_SOCK=...`
#   hack/node.sh host-state   print what `up` changes on the host (sysctls, paths, cgroups,
#                         links, iptables rules, mounts, processes): equal before `up`
#                         and after `down`
#
# Kept inside this machine: the bridge spyt-br0 is 10.250.77.1/24 (pods get addresses in
# that /24, no masquerade, no default route in pods: only the pod and Service ranges are
# routed, and a FORWARD rule drops anything from the bridge to another interface).
# kubelet's API (10250) and CoreDNS (53) listen on the bridge address, everything else on
# 127.0.0.1; pods reach the API server (127.0.0.1) through a socat relay on the bridge
# address, published as the `kubernetes` Service's endpoint.
#
# State in ${SPYT_NODE_DIR:-/tmp/spyt-operator-node}: containerd's config, root, state and
# socket, kubelet's root dir, the CNI config and IPAM data, logs/, pids/, and host.env: the
# host's settings before the first `up` (sysctls kubelet and the bridge change, which of the
# paths containerd and kubelet write outside their roots existed), which `down` restores.
# The fake (kwok) node of the control plane is tainted NoSchedule while this node is up.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

STATE=$(realpath -m "${SPYT_NODE_DIR:-/tmp/spyt-operator-node}")
CP_STATE=$(realpath -m "${SPYT_CONTROL_PLANE_DIR:-/tmp/spyt-operator-control-plane}")
export SPYT_CONTROL_PLANE_DIR=$CP_STATE
BIN="$TOOLS_BIN/current"
NODE_NAME=${SPYT_NODE_NAME:-spyt-node}
FAKE_NODE=${SPYT_FAKE_NODE_NAME:-spyt-fake-node}
TIMEOUT=${SPYT_NODE_TIMEOUT:-90}
GRACE=${SPYT_NODE_GRACE:-10}
BRIDGE=spyt-br0
POD_CIDR=10.250.77.0/24
NODE_IP=10.250.77.1
SERVICE_CIDR=10.0.0.0/24
SOCK="$STATE/containerd/containerd.sock"
FWD_CHAIN=SPYT-NODE-FORWARD
COMPONENTS=(containerd coredns apiserver-relay kubelet kube-proxy)
# What kubelet, kube-proxy and the bridge plugin change on the host.
SYSCTLS=(net/ipv4/ip_forward vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops
  kernel/keys/root_maxkeys kernel/keys/root_maxbytes net/ipv4/conf/all/route_localnet
  net/bridge/bridge-nf-call-iptables net/bridge/bridge-nf-call-ip6tables net/netfilter/nf_conntrack_max)
# Written outside containerd's and kubelet's roots (hard-coded paths).
OUTSIDE_PATHS=(/run/containerd /var/lib/cni /opt/containerd /var/log/pods /var/log/containers)
CGROUP_DIRS=(kubepods)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------- processes

pid_of() {
  local f="$STATE/pids/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE/" || return 1
  echo "$pid"
}
alive() { pid_of "$1" >/dev/null; }
running() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# start NAME BINARY ARGS...: detached, own session, output to logs/NAME.log.
start() {
  local name=$1; shift
  log "starting $name"
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid "$@" </dev/null >"$STATE/logs/$name.log" 2>&1
  ) &
  echo $! >"$STATE/pids/$name.pid"
}

stop() {
  local name pid entry pids=() deadline
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$name:$pid")
    fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    deadline=$((SECONDS + GRACE))
    while :; do
      local left=()
      for entry in "${pids[@]}"; do alive "${entry%%:*}" && left+=("$entry"); done
      [ ${#left[@]} -gt 0 ] || break
      if [ $SECONDS -ge $deadline ]; then
        for entry in "${left[@]}"; do
          log "${entry%%:*} (pid ${entry#*:}) ignored SIGTERM for ${GRACE}s; killing it"
          kill -KILL "${entry#*:}" 2>/dev/null || true
        done
        sleep 0.2
        break
      fi
      sleep 0.1
    done
  fi
  for name in "$@"; do rm -f "$STATE/pids/$name.pid"; done
}

all_alive() { local c; for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done; }

show_log() {
  local f="$STATE/logs/$1.log"
  [ -f "$f" ] || return 0
  echo "----- last lines of $f -----" >&2
  tail -n "${2:-30}" "$f" >&2
  echo "-----" >&2
}

wait_until() {
  local what=$1 logname=$2; shift 2
  local deadline=$((SECONDS + TIMEOUT)) c
  until "$@" >/dev/null 2>&1; do
    for c in "${COMPONENTS[@]}"; do
      if [ -f "$STATE/pids/$c.pid" ] && ! running "$(<"$STATE/pids/$c.pid")"; then
        show_log "$c"
        die "$c exited while waiting for $what"
      fi
    done
    if [ $SECONDS -ge $deadline ]; then
      show_log "$logname"
      die "timed out after ${TIMEOUT}s waiting for $what"
    fi
    sleep 0.2
  done
}

kubectl_admin() { "$BIN/kubectl" --kubeconfig "$CP_STATE/kubeconfig" "$@"; }
crictl_() { "$BIN/crictl" --runtime-endpoint "unix://$SOCK" --image-endpoint "unix://$SOCK" --timeout 20s "$@"; }

# ---------------------------------------------------------------- host settings

# The host as it was before the first `up`; kept until a `down` has restored it.
record_host() {
  [ -f "$STATE/host.env" ] && return 0
  local s p
  {
    for s in "${SYSCTLS[@]}"; do
      [ -r "/proc/sys/$s" ] && echo "sysctl ${s} $(<"/proc/sys/$s")"
    done
    for p in "${OUTSIDE_PATHS[@]}"; do [ -e "$p" ] && echo "existed $p"; done
  } >"$STATE/host.env.tmp"
  mv "$STATE/host.env.tmp" "$STATE/host.env"
}

restore_host() {
  [ -f "$STATE/host.env" ] || return 0
  local kind key value p
  while read -r kind key value; do
    [ "$kind" = sysctl ] || continue
    if [ "$(cat "/proc/sys/$key" 2>/dev/null)" != "$value" ]; then
      echo "$value" >"/proc/sys/$key" 2>/dev/null || log "could not restore $key to $value"
    fi
  done <"$STATE/host.env"
  for p in "${OUTSIDE_PATHS[@]}"; do
    if grep -qxF "existed $p" "$STATE/host.env"; then
      continue
    fi
    [ -e "$p" ] || continue
    # Leftover mounts (a shim's rootfs, a netns) would make rm fail or reach into them.
    umount_under "$p"
    rm -rf "$p"
  done
  rm -f "$STATE/host.env"
}

# umount_under DIR: unmounts every mount point at or below DIR, deepest first.
umount_under() {
  local m
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done || true
}

# The cgroups kubelet made (cgroupfs driver: /kubepods in each v1 hierarchy), deepest first.
remove_cgroups() {
  local top d
  for top in /sys/fs/cgroup/*/; do
    for d in "${CGROUP_DIRS[@]}"; do
      [ -d "$top$d" ] || continue
      find "$top$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [ ! -d "$top$d" ] || log "could not remove cgroup $top$d (processes left?)"
    done
  done
}

# ---------------------------------------------------------------- network

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Pods reach only the pod and Service ranges; nothing from the bridge leaves the machine.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
  local ipt
  for ipt in iptables; do
    $ipt -N "$FWD_CHAIN" 2>/dev/null || $ipt -F "$FWD_CHAIN"
    $ipt -A "$FWD_CHAIN" -i "$BRIDGE" ! -o "$BRIDGE" -j DROP
    $ipt -A "$FWD_CHAIN" ! -i "$BRIDGE" -o "$BRIDGE" -j DROP
    $ipt -C FORWARD -j "$FWD_CHAIN" 2>/dev/null || $ipt -I FORWARD 1 -j "$FWD_CHAIN"
  done
  # Forwarding between pods and to Service IPs (DNAT to pod addresses) stays on the bridge.
  echo 1 >/proc/sys/net/ipv4/ip_forward
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
}

bridge_down() {
  ip route del "$SERVICE_CIDR" dev "$BRIDGE" 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  iptables -D FORWARD -j "$FWD_CHAIN" 2>/dev/null || true
  iptables -F "$FWD_CHAIN" 2>/dev/null || true
  iptables -X "$FWD_CHAIN" 2>/dev/null || true
}

# Chains kubelet and kube-proxy create (KUBE-*), in every table of iptables and ip6tables,
# after `kube-proxy --cleanup` removed its own.
remove_kube_chains() {
  local ipt table chain rule
  for ipt in iptables ip6tables; do
    for table in filter nat mangle; do
      # Rules in built-in chains that jump to KUBE-* chains, then the chains.
      $ipt -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -vE '^-A KUBE-' |
        while read -r rule; do
          eval "$ipt -t $table ${rule/-A/-D}" 2>/dev/null || true
        done || true
      for chain in $($ipt -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
        $ipt -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $($ipt -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
        $ipt -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

write_cni_config() {
  mkdir -p "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat >"$STATE/cni/net.d/10-spyt.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "spyt-pods",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "$SERVICE_CIDR"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": false}
  ]
}
EOF
}

# ---------------------------------------------------------------- components

write_containerd_config() {
  mkdir -p "$STATE/containerd"
  cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
    max_conf_num = 1
EOF
}

write_kubelet_config() {
  # Pods get only the cluster DNS server: no search domain or resolver of the host.
  printf 'nameserver %s\n' "$NODE_IP" >"$STATE/resolv.conf"
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 0
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://$SOCK
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
resolvConf: $STATE/resolv.conf
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $CP_STATE/pki/ca.crt}
authorization: {mode: Webhook}
failSwapOn: false
rotateCertificates: false
serverTLSBootstrap: false
protectKernelDefaults: false
volumePluginDir: $STATE/kubelet/volume-plugins
# Images are imported, never pulled: garbage-collecting one would lose it.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
maxPods: 40
nodeStatusReportFrequency: 10s
EOF
}

write_coredns_config() {
  cat >"$STATE/Corefile" <<EOF
cluster.local:53 in-addr.arpa:53 {
    bind $NODE_IP
    errors
    kubernetes cluster.local in-addr.arpa {
        kubeconfig $CP_STATE/kubeconfig admin@spyt-test
        pods insecure
        fallthrough in-addr.arpa
        ttl 5
    }
    cache 5
}
# Nothing is forwarded off this machine.
.:53 {
    bind $NODE_IP
    template ANY ANY {
        rcode NXDOMAIN
    }
}
EOF
}

write_kube_proxy_config() { # HEALTHZ-PORT METRICS-PORT
  cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$1
metricsBindAddress: 127.0.0.1:$2
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
iptables: {localhostNodePorts: false, masqueradeAll: false}
nodePortAddresses: ["$POD_CIDR"]
# Leave the host's conntrack table sizes and timeouts alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

node_ready() {
  [ "$(kubectl_admin get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

# The `kubernetes` Service (10.0.0.1:443) has no endpoints in this control plane
# (--endpoint-reconciler-type=none); publish the relay on the bridge address.
publish_apiserver_endpoint() {
  kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes-spyt-node
  namespace: default
  labels:
    kubernetes.io/service-name: kubernetes
    endpointslice.kubernetes.io/managed-by: spyt-node.sh
addressType: IPv4
endpoints:
- addresses: ["$NODE_IP"]
  conditions: {ready: true}
ports:
- name: https
  port: $APISERVER_PORT
  protocol: TCP
EOF
}

# ---------------------------------------------------------------- commands

cmd_up() {
  if all_alive; then
    log "already up ($STATE)"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "the node needs root (containerd, kubelet, iptables)"
  local t0=$SECONDS c
  mkdir -p "$STATE"
  if ! "$HACK_DIR/control-plane.sh" status >/dev/null 2>&1; then
    "$HACK_DIR/control-plane.sh" up
    touch "$STATE/control-plane.started"   # `down` stops it again
  fi
  "$HACK_DIR/tools.sh" --node
  # shellcheck source=/dev/null
  source "$CP_STATE/ports.env"
  for c in kubelet kube-proxy crictl coredns kubectl; do
    [ -x "$BIN/$c" ] || die "$BIN/$c is missing; run hack/tools.sh --node"
  done
  for c in containerd runc socat iptables ctr gcc; do
    command -v "$c" >/dev/null || die "$c is missing; run hack/install-deps.sh"
  done
  # A previous `up` that failed half-way: clean it up first.
  cmd_down_quiet
  mkdir -p "$STATE/pids" "$STATE/logs"
  record_host
  trap 'on_up_exit $?' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  PAUSE_IMAGE=$("$HACK_DIR/images.sh" pause); PAUSE_IMAGE=${PAUSE_IMAGE#pause=}
  bridge_up
  write_cni_config
  write_containerd_config
  start containerd containerd --config "$STATE/containerd/config.toml"
  wait_until "containerd's socket" containerd ctr -a "$SOCK" version
  "$HACK_DIR/images.sh" import "$SOCK" pause >/dev/null

  write_coredns_config
  start coredns "$BIN/coredns" -conf "$STATE/Corefile" -pidfile ""
  # -lf names the state dir on the relay's command line, as pid_of expects.
  start apiserver-relay socat -lf "$STATE/logs/apiserver-relay.socat.log" \
    "TCP-LISTEN:$APISERVER_PORT,bind=$NODE_IP,fork,reuseaddr" "TCP:127.0.0.1:$APISERVER_PORT"
  publish_apiserver_endpoint

  cp "$("$HACK_DIR/control-plane.sh" kubeconfig "system:node:$NODE_NAME" system:nodes)" "$STATE/kubelet.kubeconfig"
  cp "$("$HACK_DIR/control-plane.sh" kubeconfig system:kube-proxy)" "$STATE/kube-proxy.kubeconfig"
  write_kubelet_config
  mkdir -p "$STATE/kubelet"
  start kubelet "$BIN/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
    --root-dir "$STATE/kubelet" --node-ip "$NODE_IP" --hostname-override "$NODE_NAME" --v=1
  # shellcheck disable=SC2046 # two port numbers
  write_kube_proxy_config $(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
  start kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --v=1

  wait_until "node $NODE_NAME to be Ready" kubelet node_ready
  # Pods of the tests go to this node, not to the control plane's fake one.
  kubectl_admin taint node "$FAKE_NODE" spyt.dev/fake-node=true:NoSchedule --overwrite >/dev/null 2>&1 || true
  trap - EXIT INT TERM
  log "up in $((SECONDS - t0))s: node $NODE_NAME ($NODE_IP), KUBECONFIG=$CP_STATE/kubeconfig"
}

on_up_exit() {
  [ "$1" -eq 0 ] && return 0
  log "up failed; stopping what it started (logs stay in $STATE/logs)"
  cmd_down_quiet
}

# Pods first (kubelet stopped, so it cannot restart them), then the daemons, then the host.
cmd_down_quiet() {
  stop kubelet
  if alive containerd; then
    crictl_ rmp --all --force >/dev/null 2>&1 || true
    # Images stay (the next `up` reuses them); containers and sandboxes are gone.
  fi
  stop kube-proxy
  [ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  stop coredns apiserver-relay containerd
  umount_under "$STATE/containerd"
  umount_under "$STATE/kubelet"
  remove_cgroups
  remove_kube_chains
  bridge_down
  restore_host
  rm -rf "$STATE/kubelet" "$STATE/cni/ipam" "$STATE/pids"
  if [ -f "$CP_STATE/kubeconfig" ]; then
    kubectl_admin delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kubectl_admin -n default delete endpointslice kubernetes-spyt-node --ignore-not-found >/dev/null 2>&1 || true
    kubectl_admin taint node "$FAKE_NODE" spyt.dev/fake-node- >/dev/null 2>&1 || true
  fi
}

cmd_down() {
  cmd_down_quiet
  if [ -f "$STATE/control-plane.started" ]; then
    "$HACK_DIR/control-plane.sh" down
    rm -f "$STATE/control-plane.started"
  fi
  log "down"
}

cmd_env() {
  printf 'export KUBECONFIG=%q\n' "$CP_STATE/kubeconfig"
  # shellcheck disable=SC2016
  printf 'export PATH=%q:"$PATH"\n' "$BIN"
  printf 'export CONTAINERD_SOCK=%q\n' "$SOCK"
}

cmd_status() {
  local c pid ok=0
  for c in "${COMPONENTS[@]}"; do
    if pid=$(pid_of "$c"); then
      printf '%-24s running (pid %s)\n' "$c" "$pid"
    else
      printf '%-24s not running\n' "$c"; ok=1
    fi
  done
  echo "node: $NODE_NAME ($NODE_IP on $BRIDGE), containerd: $SOCK"
  return $ok
}

# What `up` changes on the host and `down` restores, one fact a line, for a test to
# compare before `up` and after `down`.
cmd_host_state() {
  local s p top d
  for s in "${SYSCTLS[@]}"; do [ -r "/proc/sys/$s" ] && echo "sysctl $s=$(<"/proc/sys/$s")"; done
  for p in "${OUTSIDE_PATHS[@]}"; do [ -e "$p" ] && echo "path $p exists"; done
  for top in /sys/fs/cgroup/*/; do
    for d in "${CGROUP_DIRS[@]}"; do [ -d "$top$d" ] && echo "cgroup $top$d"; done
  done
  { ip -o link show "$BRIDGE" 2>/dev/null || true; } | awk '{print "link " $2}'
  { ip -o link show type veth 2>/dev/null || true; } | awk '{print "veth " $2}'
  { ip route show "$SERVICE_CIDR" 2>/dev/null || true; } | sed 's/^/route /'
  for p in iptables ip6tables; do
    { $p-save 2>/dev/null || true; } | { grep -E "KUBE-|$FWD_CHAIN|CNI-" || true; } | sed "s/^/$p /"
  done
  awk -v a="$STATE/" -v b="/run/containerd/" '
    index($5, a) == 1 || index($5, b) == 1 || $9 == "nsfs" {print "mount " $5}' /proc/self/mountinfo
  for p in containerd containerd-shim kubelet kube-proxy coredns; do
    if pgrep -x "$p" >/dev/null; then echo "process $p running"; fi
  done
  true
}

lock() { mkdir -p "$STATE"; exec 8>"$STATE/.lock"; flock 8; }

case ${1:-} in
  up) lock; cmd_up ;;
  down) lock; cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  host-state) cmd_host_state ;;
  *) usage ;;
esac
