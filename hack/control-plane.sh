#!/usr/bin/env bash
# A real, throw-away Kubernetes control plane for the integration tests, bound to
# 127.0.0.1 only: etcd, kube-apiserver, kube-controller-manager, kube-scheduler
# and kwok (which plays the kubelet of one fake node, so pods become Running and
# Ready without a container runtime).
#
#   hack/control-plane.sh up                  start it (a no-op when already up)
#   hack/control-plane.sh down                stop what `up` started, drop etcd data
#   hack/control-plane.sh env                 print `export KUBECONFIG=... PATH=...`
#   hack/control-plane.sh status              say what is running (exit 1 unless all)
#   hack/control-plane.sh kubeconfig USER [GROUP...]
#                                             mint a client-certificate user (CN=USER,
#                                             O=GROUP...) and print the path of
#                                             STATE/users/USER.kubeconfig
#   hack/control-plane.sh restart-apiserver   restart kube-apiserver with the same flags
#   hack/control-plane.sh compact             compact etcd up to its current revision
#
# State lives in ${SPYT_CONTROL_PLANE_DIR:-/tmp/spyt-operator-control-plane}:
#   kubeconfig        the admin user (CN=admin, O=system:masters)
#   ports.env         the ports chosen at `up` time
#   pki/              CA, serving and client certificates, service-account keys
#   pids/NAME.pid     one per process `up` started; `down` stops exactly these
#   logs/NAME.log     one per process (kept after `down` for post-mortems)
#   logs/audit.log    the API server's audit log (JSON lines): the writes of users
#                     in the group spyt:audited only, so other tests pay nothing for it
#   users/            kubeconfigs minted by the `kubeconfig` subcommand
#
# The fake node (default name spyt-fake-node, annotation kwok.x-k8s.io/node=fake)
# carries no taint, so pods schedule onto it without tolerations. Its InternalIP
# is 127.0.0.1 and pod IPs come from 127.1.0.0/16: nothing ever dials outside
# the loopback range. Never `kubectl logs/exec/port-forward` into its pods.
#
# Environment knobs:
#   SPYT_CONTROL_PLANE_DIR      state directory (above)
#   SPYT_CONTROL_PLANE_TIMEOUT  seconds `up` waits for each readiness step (90)
#   SPYT_CONTROL_PLANE_GRACE    seconds `down` waits after SIGTERM before SIGKILL (10)
#   SPYT_FAKE_NODE_NAME         name of the fake node (spyt-fake-node)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

STATE=$(realpath -m "${SPYT_CONTROL_PLANE_DIR:-/tmp/spyt-operator-control-plane}")
BIN="$TOOLS_BIN/current"
NODE_NAME=${SPYT_FAKE_NODE_NAME:-spyt-fake-node}
TIMEOUT=${SPYT_CONTROL_PLANE_TIMEOUT:-90}
GRACE=${SPYT_CONTROL_PLANE_GRACE:-10}
SERVICE_CIDR=10.0.0.0/24
POD_CIDR=127.1.0.1/16
NODE_IP=127.0.0.1
# Start order; `down` stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
PKI="$STATE/pki"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------- processes

# pid_of NAME -> the pid `up` recorded, if that process still runs and is ours
# (its command line names the state dir, which guards against pid reuse; a
# zombie has an empty command line and so counts as stopped).
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

# running PID: the process exists and is not a zombie. While `up` waits on what it
# just started, this is the test for "it died": pid_of's command-line check can
# miss a process that is still between fork and exec (its command line is then
# this script's), which read as a death with an empty log.
running() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# start NAME ARGS...: runs $BIN/NAME detached (own session, no terminal, stdin
# from /dev/null, output to its log, no other inherited descriptor, so a caller
# reading our output through a pipe is not held open) and records its pid. The
# subshell execs setsid, which execs the binary: $! is the daemon's pid.
start() {
  local name=$1; shift
  log "starting $name"
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid "$BIN/$name" "$@" </dev/null >"$STATE/logs/$name.log" 2>&1
  ) &
  echo $! >"$STATE/pids/$name.pid"
}

# stop NAME...: SIGTERM the named processes, wait up to $GRACE seconds, then
# SIGKILL whatever is left. Only pids from our pid files are ever signalled.
stop() {
  local name pid entry pids=() deadline
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$name:$pid")
    fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
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
  for name in "$@"; do rm -f "$STATE/pids/$name.pid"; done
}

stop_all() {
  # The clients first (together), then the apiserver, then its storage.
  stop kwok kube-scheduler kube-controller-manager
  stop kube-apiserver
  stop etcd
}

all_alive() { local c; for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done; }
any_alive() { local c; for c in "${COMPONENTS[@]}"; do alive "$c" && return 0; done; return 1; }

show_log() {
  local f="$STATE/logs/$1.log"
  [ -f "$f" ] || return 0
  echo "----- last lines of $f -----" >&2
  tail -n "${2:-40}" "$f" >&2
  echo "-----" >&2
}

# wait_until DESCRIPTION LOG-TO-SHOW CMD...: polls CMD until it succeeds. Fails
# (showing LOG-TO-SHOW) after $TIMEOUT seconds, or at once if any started
# process died (showing that process's log).
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

# ---------------------------------------------------------------- pki

# Keys are ECDSA P-256: generating them takes milliseconds, unlike RSA.
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# subject CN [O...] -> an openssl -subj string; refuses characters that would
# need escaping there.
subject() {
  local s="" part
  for part in "$@"; do
    [[ -n $part && $part != */* && $part != *=* && $part != *\\* && $part != *+* ]] ||
      die "invalid certificate name component: '$part'"
  done
  s="/CN=$1"; shift
  for part in "$@"; do s+="/O=$part"; done
  echo "$s"
}

# sign NAME EXTENSIONS SUBJECT: key + certificate pki/NAME.{key,crt} signed by the CA.
sign() {
  local name=$1 ext=$2 subj=$3
  new_key "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" 2>/dev/null |
    openssl x509 -req -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days 30 -extfile <(printf '%b' "$ext") -out "$PKI/$name.crt" 2>/dev/null ||
    die "could not sign the certificate $name"
}

CLIENT_EXT='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'

gen_pki() {
  mkdir -p "$PKI"
  new_key "$PKI/ca.key"
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=spyt-operator-test-ca" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/ca.crt" 2>/dev/null || die "could not create the CA"
  sign apiserver "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n" \
    "/CN=kube-apiserver"
  sign admin "$CLIENT_EXT" "$(subject admin system:masters)"
  sign controller-manager "$CLIENT_EXT" "$(subject system:kube-controller-manager)"
  sign scheduler "$CLIENT_EXT" "$(subject system:kube-scheduler)"
  # kwok updates node and pod status, leases and events and impersonates; in this
  # test-only cluster it is simply an admin.
  sign kwok "$CLIENT_EXT" "$(subject kwok system:masters)"
  # The API server's identity towards a real kubelet (hack/node.sh): logs, exec, port-forward.
  sign apiserver-kubelet-client "$CLIENT_EXT" "$(subject kube-apiserver-kubelet-client system:masters)"
  new_key "$PKI/sa.key"
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}

# write_kubeconfig FILE CERT-NAME USER: a self-contained kubeconfig (data inlined).
write_kubeconfig() {
  local file=$1 name=$2 user=$3
  b64() { base64 -w0 <"$1"; }
  (umask 077; cat >"$file") <<EOF
apiVersion: v1
kind: Config
clusters:
- name: spyt-test
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(b64 "$PKI/$name.crt")
    client-key-data: $(b64 "$PKI/$name.key")
contexts:
- name: $user@spyt-test
  context:
    cluster: spyt-test
    user: $user
    namespace: default
current-context: $user@spyt-test
EOF
}

# ---------------------------------------------------------------- ports

free_ports() { # N -> N distinct free TCP ports on 127.0.0.1, one a line
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
EOF
}

load_ports() {
  [ -f "$STATE/ports.env" ] || return 1
  # shellcheck source=/dev/null
  source "$STATE/ports.env"
}

# ---------------------------------------------------------------- readiness

apiserver_ready() {
  curl -fsS --noproxy '*' --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" | grep -qx ok
}
kubectl_admin() { "$BIN/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"; }
node_ready() {
  [ "$(kubectl_admin get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

create_node() {
  kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $NODE_NAME
    kubernetes.io/os: linux
    type: kwok
EOF
}

# ---------------------------------------------------------------- commands

# Audit only writes, only by users a test puts in the group spyt:audited (minted
# with the `kubeconfig` subcommand): the chaos tests tell operator replicas apart
# by user and order their writes by the API server's clock.
write_audit_policy() {
  cat >"$STATE/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    userGroups: ["spyt:audited"]
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
EOF
}

start_apiserver() {
  local etcd_url="http://127.0.0.1:$ETCD_CLIENT_PORT"
  write_audit_policy
  start kube-apiserver \
    --etcd-servers="$etcd_url" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --cert-dir="$PKI/apiserver-generated" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --allow-privileged=true \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --endpoint-reconciler-type=none \
    --profiling=false \
    --audit-policy-file="$STATE/audit-policy.yaml" --audit-log-path="$STATE/logs/audit.log" \
    --audit-log-format=json --audit-log-mode=blocking \
    --v=1
}

cmd_up() {
  if all_alive; then
    log "already up ($STATE)"
    return 0
  fi
  if any_alive; then
    log "a previous control plane is partly running; stopping it first"
    stop_all
  fi
  "$HACK_DIR/tools.sh"
  local c
  for c in "${COMPONENTS[@]}" kubectl; do [ -x "$BIN/$c" ] || die "$BIN/$c is missing; run hack/tools.sh"; done

  mkdir -p "$STATE"
  # A fresh cluster every time: drop exactly what a previous `up` wrote.
  rm -rf "$STATE/etcd" "$STATE/pki" "$STATE/pids" "$STATE/logs" "$STATE/users" "$STATE/kwok" \
    "$STATE/kubeconfig" "$STATE/kubeconfigs" "$STATE/ports.env" "$STATE/flexvolume"
  mkdir -p "$STATE/pids" "$STATE/logs" "$STATE/users" "$STATE/kwok" "$STATE/kubeconfigs"
  trap 'on_up_exit $?' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  gen_pki
  local ports; mapfile -t ports < <(free_ports 3)
  ETCD_CLIENT_PORT=${ports[0]} ETCD_PEER_PORT=${ports[1]} APISERVER_PORT=${ports[2]}
  cat >"$STATE/ports.env" <<EOF
ETCD_CLIENT_PORT=$ETCD_CLIENT_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
APISERVER_PORT=$APISERVER_PORT
EOF
  write_kubeconfig "$STATE/kubeconfig" admin admin
  write_kubeconfig "$STATE/kubeconfigs/controller-manager.kubeconfig" controller-manager system:kube-controller-manager
  write_kubeconfig "$STATE/kubeconfigs/scheduler.kubeconfig" scheduler system:kube-scheduler
  write_kubeconfig "$STATE/kubeconfigs/kwok.kubeconfig" kwok kwok

  local etcd_url="http://127.0.0.1:$ETCD_CLIENT_PORT" peer_url="http://127.0.0.1:$ETCD_PEER_PORT"
  start etcd --name=default --data-dir="$STATE/etcd" \
    --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
    --listen-peer-urls="$peer_url" --initial-advertise-peer-urls="$peer_url" \
    --initial-cluster="default=$peer_url" --initial-cluster-state=new \
    --unsafe-no-fsync=true --log-level=warn
  wait_until "etcd's /health" etcd \
    curl -fsS --noproxy '*' --max-time 2 "$etcd_url/health"

  # --endpoint-reconciler-type=none: the default reconciler would publish the
  # advertise address 127.0.0.1 as the endpoints of the `kubernetes` Service,
  # which validation rejects (loopback) every 10 s. The Service (10.0.0.1)
  # still exists; nothing runs in-cluster that could use it anyway.
  start_apiserver
  wait_until "the API server's /readyz" kube-apiserver apiserver_ready

  # A higher client QPS lets its ~40 controllers start in ~1 s instead of ~5 s
  # (each one fetches a service-account token first); the flex-volume dir would
  # otherwise be created under /usr/libexec on the host.
  start kube-controller-manager \
    --kubeconfig="$STATE/kubeconfigs/controller-manager.kubeconfig" \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=true \
    --leader-elect=false --secure-port=0 --bind-address=127.0.0.1 \
    --kube-api-qps=200 --kube-api-burst=400 \
    --flex-volume-plugin-dir="$STATE/flexvolume" \
    --node-monitor-grace-period=2m \
    --profiling=false --v=1
  start kube-scheduler \
    --kubeconfig="$STATE/kubeconfigs/scheduler.kubeconfig" \
    --leader-elect=false --secure-port=0 --bind-address=127.0.0.1 \
    --profiling=false --v=1
  # Node health: kwok renews a node Lease (--node-lease-duration-seconds; without
  # it the node's status is posted only about once a minute, and a loaded machine
  # lets the node controller mark the node NotReady and every pod not Ready for
  # good); the controller-manager's grace period is raised for the same reason.
  # kwok reads $KWOK_WORKDIR/kwok.yaml on top of --config; pointing the work dir
  # into the state dir keeps a user's ~/.kwok/kwok.yaml out. No Stage objects in
  # the config means kwok's built-in "fast" node and pod stages apply.
  cat >"$STATE/kwok/kwok.yaml" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  cidr: $POD_CIDR
  nodeIP: $NODE_IP
EOF
  KWOK_WORKDIR="$STATE/kwok" start kwok \
    --config="$STATE/kwok/kwok.yaml" \
    --kubeconfig="$STATE/kubeconfigs/kwok.kubeconfig" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr="$POD_CIDR" --node-ip="$NODE_IP" --node-port=0 \
    --node-lease-duration-seconds=40

  wait_until "the default namespace" kube-apiserver kubectl_admin get namespace default
  create_node
  wait_until "the default ServiceAccount" kube-controller-manager kubectl_admin -n default get serviceaccount default
  wait_until "node $NODE_NAME to be Ready" kwok node_ready

  trap - EXIT INT TERM
  log "up: https://127.0.0.1:$APISERVER_PORT (KUBECONFIG=$STATE/kubeconfig)"
}

on_up_exit() {
  [ "$1" -eq 0 ] && return 0
  log "up failed; stopping what it started (logs stay in $STATE/logs)"
  stop_and_clean
}

# Stops everything, then drops the etcd data and all that points at the stopped
# API server; logs and pki stay for post-mortems until the next `up`. Anything
# left in pids/ was not running (stale), so there is nothing more to signal.
stop_and_clean() {
  stop_all
  rm -rf "$STATE/etcd" "$STATE/pids" "$STATE/users" "$STATE/kubeconfig" "$STATE/kubeconfigs" "$STATE/ports.env"
}

cmd_down() {
  stop_and_clean
  log "down"
}

cmd_env() {
  printf 'export KUBECONFIG=%q\n' "$STATE/kubeconfig"
  # shellcheck disable=SC2016 # $PATH is for the shell that evals this
  printf 'export PATH=%q:"$PATH"\n' "$BIN"
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
  if load_ports; then
    echo "apiserver: https://127.0.0.1:$APISERVER_PORT  etcd: http://127.0.0.1:$ETCD_CLIENT_PORT"
    echo "kubeconfig: $STATE/kubeconfig"
  fi
  return $ok
}

# Restarts kube-apiserver with the same flags and state (tests of watch resumption).
cmd_restart_apiserver() {
  all_alive || die "the control plane is not up ($STATE)"
  load_ports
  stop kube-apiserver
  start_apiserver
  wait_until "the API server's /readyz" kube-apiserver apiserver_ready
  log "kube-apiserver restarted"
}

# Compacts etcd's history up to its current revision, so watches from older
# resource versions get 410 Gone (tests of informer relists).
cmd_compact() {
  all_alive || die "the control plane is not up ($STATE)"
  load_ports
  local url="http://127.0.0.1:$ETCD_CLIENT_PORT" rev
  rev=$(curl -fsS --noproxy '*' -X POST "$url/v3/kv/range" -d '{"key":"AA=="}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
  curl -fsS --noproxy '*' -X POST "$url/v3/kv/compaction" -d "{\"revision\":\"$rev\",\"physical\":true}" >/dev/null
  log "etcd compacted at revision $rev"
}

cmd_kubeconfig() {
  [ $# -ge 1 ] || die "usage: $0 kubeconfig USER [GROUP...]"
  local user=$1
  [[ $user =~ ^[A-Za-z0-9._:@-]+$ ]] || die "user name '$user' must match [A-Za-z0-9._:@-]+"
  load_ports && [ -f "$PKI/ca.key" ] || die "the control plane is not up; run hack/control-plane.sh up"
  local name="user-${user//:/_}" subj
  subj=$(subject "$@")
  sign "$name" "$CLIENT_EXT" "$subj"
  mkdir -p "$STATE/users"
  write_kubeconfig "$STATE/users/$user.kubeconfig" "$name" "$user"
  echo "$STATE/users/$user.kubeconfig"
}

# One command at a time per state dir (the daemons do not inherit the lock's fd).
lock() { mkdir -p "$STATE"; exec 9>"$STATE/.lock"; flock 9; }

case ${1:-} in
  up) lock; cmd_up ;;
  down) lock; cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  kubeconfig) shift; lock; cmd_kubeconfig "$@" ;;
  restart-apiserver) lock; cmd_restart_apiserver ;;
  compact) lock; cmd_compact ;;
  *) usage ;;
esac
