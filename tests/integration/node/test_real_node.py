"""The Kubernetes path for real: a kubelet with containerd (hack/node.sh, the `node` ctest
fixture) runs the operator's pods from images built on this machine (hack/images.sh).

`helm install` runs the operator as 2 pods (leader election); a SpytCluster with Livy,
sized for a 2-core machine, starts real master, worker and Livy pods; workers register at
the master (its /json read through its Service), a Livy session computes on executors in
the worker pods, discovery names addresses that answer, the in-cluster operator marks
LivyResponding; then scaling, a deleted worker pod, a deleted leader, pods' security
contexts and memory limits read from their cgroups, and deletion. Figures are printed
(`pytest -s`, or ctest --output-on-failure -V) and appended to $SPYT_NODE_DIR/figures.txt.
"""

import json
import os
import secrets
import socket
import struct
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from waiting import wait_for

REPO = Path(__file__).resolve().parents[3]
NODE_SH = REPO / "hack" / "node.sh"
IMAGES_SH = REPO / "hack" / "images.sh"
CHART = REPO / "charts" / "spyt-operator"
NODE_DIR = Path(os.environ.get("SPYT_NODE_DIR") or "/tmp/spyt-operator-node")
SOCK = NODE_DIR / "containerd" / "containerd.sock"
NODE_NAME, NODE_IP = "spyt-node", "10.250.77.1"
SYSTEM_NS, RELEASE, LEASE = "spyt-system", "spyt-operator", "spyt-operator-leader"
NS, NAME = "spyt-node-e2e", "livy"
# A recognisable YT token: the pods get it from a Secret, and it must show nowhere else.
YT_TOKEN = "yt-token-node-" + secrets.token_hex(12)
# examples/livy.yaml sized for 2 cores: the same shape (Livy, 2 workers of 1 core / 1G),
# one session of 1 core / 512m, and CPU requests below the limits the operator sizes.
CLUSTER = {
    "apiVersion": "spyt.dev/v1alpha1", "kind": "SpytCluster",
    "metadata": {"name": NAME, "namespace": NS},
    "spec": {
        "spytVersion": "2.9.3",
        "imagePullPolicy": "IfNotPresent",
        "yt": {"user": "robot-spark", "tokenSecretRef": {"name": "yt-token", "key": "token"}},
        "master": {"resources": {"requests": {"cpu": "100m"}}},
        "workers": {"replicas": 2, "cores": 1, "memory": "1G", "resources": {"requests": {"cpu": "100m"}}},
        "historyServer": {"enabled": False},
        "livy": {"enabled": True, "maxSessions": 1, "driverCores": 1, "driverMemory": "512m",
                 "resources": {"requests": {"cpu": "100m"}}},
    },
}


def figure(what, value):
    line = f"FIGURE {what}: {value}"
    print(line)
    with open(NODE_DIR / "figures.txt", "a") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def run(cmd, timeout=600, env=None):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        pytest.fail(f"{cmd[0]} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}",
                    pytrace=False)
    return proc.stdout


def http_json(url, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    with opener.open(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def resolve(name, server=NODE_IP):
    """IPv4 addresses of `name` from the cluster DNS server (CoreDNS on the bridge)."""
    query = struct.pack(">HHHHHH", 0x5359, 0x0100, 1, 0, 0, 0)
    query += b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    query += struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(query, (server, 53))
        reply = s.recv(4096)
    answers = struct.unpack(">H", reply[6:8])[0]
    pos = len(query)  # the question is echoed unchanged
    found = []
    for _ in range(answers):
        pos += 2 if reply[pos] & 0xC0 == 0xC0 else len(reply[pos:].split(b"\0", 1)[0]) + 1
        rtype, _, _, length = struct.unpack(">HHIH", reply[pos:pos + 10])
        pos += 10
        if rtype == 1:
            found.append(socket.inet_ntoa(reply[pos:pos + length]))
        pos += length
    return found


def answers_tcp(host, port):
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return True
    except OSError:
        return False


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def images(control_plane):
    """pause, operator, spyt and toolbox images, built (cached) and imported into containerd."""
    build_dir = Path(os.environ["SPYT_OPERATOR_BIN"]).parents[1]
    t0 = time.monotonic()
    out = run([IMAGES_SH, "import", SOCK, "pause", "operator", "spyt", "toolbox"], timeout=3600,
              env={"SPYT_BUILD_DIR": str(build_dir)})
    figure("images build+import (pause, operator, spyt, toolbox)", f"{time.monotonic() - t0:.1f}s")
    refs = dict(line.split("=", 1) for line in out.split())
    for ref in refs.values():
        assert ":" in ref and not ref.endswith(":latest")
    return refs


@pytest.fixture(scope="module")
def operator(control_plane, images):
    cp = control_plane
    repo, tag = images["operator"].rsplit(":", 1)
    cp.kubectl("create", "namespace", SYSTEM_NS, check=False)
    cp.kubectl("label", "namespace", SYSTEM_NS, "--overwrite", "pod-security.kubernetes.io/enforce=restricted")
    helm = Path(cp.kubectl_bin).parent / "helm"
    t0 = time.monotonic()
    run([helm, "--kubeconfig", cp.kubeconfig, "upgrade", "--install", RELEASE, CHART, "-n", SYSTEM_NS,
         "--set", f"image.repository={repo}", "--set", f"image.tag={tag}",
         "--set", "spytImageRepository=spyt.local/spyt", "--set", "livyPoll.interval=5s",
         "--wait", "--timeout", "180s"], timeout=240)
    figure("helm install --wait (2 operator pods Ready)", f"{time.monotonic() - t0:.1f}s")
    yield cp
    run([helm, "--kubeconfig", cp.kubeconfig, "uninstall", RELEASE, "-n", SYSTEM_NS, "--wait"], timeout=180)
    cp.kubectl("delete", "namespace", SYSTEM_NS, "--wait=false", check=False)


def cluster_pods(cp, phase=None):
    pods = cp.kubectl_json("get", "pods", "-n", NS, "-l", f"app.kubernetes.io/instance={NAME}")["items"]
    pods = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    return [p for p in pods if phase is None or p["status"].get("phase") == phase]


def component_pods(cp, component):
    return [p for p in cluster_pods(cp, "Running")
            if p["metadata"]["labels"].get("app.kubernetes.io/component") == component]


@pytest.fixture(scope="module")
def cluster(operator, images):
    cp = operator
    cp.kubectl("create", "namespace", NS, check=False)
    cp.kubectl("create", "secret", "generic", "yt-token", "-n", NS, f"--from-literal=token={YT_TOKEN}")
    manifest = json.loads(json.dumps(CLUSTER))
    manifest["spec"]["image"] = images["spyt"]
    t0 = time.monotonic()
    cp.kubectl("apply", "-f", "-", input=manifest)
    cp.wait_ready(NS, NAME, timeout=600)
    figure("kubectl apply -> SpytCluster Ready (real pods)", f"{time.monotonic() - t0:.1f}s")
    yield {"t_apply": t0}
    # Deletion removes every pod (also checked by the last test, which deletes it first).
    cp.kubectl("delete", "spytcluster", NAME, "-n", NS, "--ignore-not-found", "--wait=true", timeout=180)
    cp.kubectl("delete", "namespace", NS, "--wait=false", check=False)


def service_url(cp, component, port_name):
    svc = cp.get(NS, "service", f"{NAME}-{component}", check=True)
    port = next(p["port"] for p in svc["spec"]["ports"] if p["name"] == port_name)
    return f"http://{svc['spec']['clusterIP']}:{port}"


def master_json(cp):
    svc = cp.get(NS, "service", f"{NAME}-master", check=True)
    ports = {p["name"]: p["port"] for p in svc["spec"]["ports"]}
    web = next(v for k, v in ports.items() if "web" in k or "ui" in k)
    return http_json(f"http://{svc['spec']['clusterIP']}:{web}/json")


def alive_workers(cp):
    return [w for w in master_json(cp)["workers"] if w["state"] == "ALIVE"]


def exec_in(cp, pod, *cmd):
    return cp.kubectl("exec", "-n", NS, pod["metadata"]["name"], "--", *cmd, timeout=60).stdout


# ------------------------------------------------------------------ the operator


def test_the_operator_runs_as_two_pods_on_the_node_with_one_leader(operator):
    cp = operator
    pods = cp.kubectl_json("get", "pods", "-n", SYSTEM_NS, "-l", "app.kubernetes.io/name=spyt-operator")["items"]
    assert len(pods) == 2
    assert {p["spec"]["nodeName"] for p in pods} == {NODE_NAME}
    assert all(p["status"]["phase"] == "Running" for p in pods)
    holder = wait_for(lambda: (cp.get(SYSTEM_NS, "lease", LEASE) or {}).get("spec", {}).get("holderIdentity"),
                      60, "a leader")
    assert any(holder.startswith(p["metadata"]["name"]) for p in pods), holder


# ------------------------------------------------------------------ the cluster


def test_master_worker_and_livy_pods_run_on_the_real_node(cluster, operator):
    cp = operator
    pods = cluster_pods(cp, "Running")
    components = sorted(p["metadata"]["labels"]["app.kubernetes.io/component"] for p in pods)
    assert components == ["livy", "master", "worker", "worker"]
    assert {p["spec"]["nodeName"] for p in pods} == {NODE_NAME}
    assert all(p["status"]["podIP"].startswith("10.250.77.") for p in pods)


def test_workers_register_at_the_master_through_its_service(cluster, operator):
    workers = wait_for(lambda: len(alive_workers(operator)) == 2 and alive_workers(operator), 120,
                       "2 ALIVE workers in the master's /json")
    ips = {p["status"]["podIP"] for p in component_pods(operator, "worker")}
    assert {w["host"] for w in workers} <= ips | {p["metadata"]["name"] for p in component_pods(operator, "worker")}


def test_a_livy_session_computes_on_executors_in_the_worker_pods(cluster, operator):
    cp = operator
    livy = service_url(cp, "livy", next(p["name"] for p in cp.get(NS, "service", f"{NAME}-livy")["spec"]["ports"]))
    session = http_json(f"{livy}/sessions", {"kind": "spark"})
    sid = session["id"]
    wait_for(lambda: http_json(f"{livy}/sessions/{sid}/state")["state"] in ("idle", "error", "dead"), 300,
             "the session to start", interval=1)
    assert http_json(f"{livy}/sessions/{sid}/state")["state"] == "idle"
    st = http_json(f"{livy}/sessions/{sid}/statements", {"code": "sc.parallelize(1 to 1000).sum()"})
    done = wait_for(lambda: (r := http_json(f"{livy}/sessions/{sid}/statements/{st['id']}"))["state"]
                    in ("available", "error") and r, 300, "the statement", interval=1)
    figure("kubectl apply -> first result (500500)", f"{time.monotonic() - cluster['t_apply']:.1f}s")
    assert done["output"]["status"] == "ok", done
    assert "500500" in done["output"]["data"]["text/plain"], done
    # The application's executors run in the worker pods: each worker's own /json (its web
    # UI on the pod IP) lists the executors it launched.
    app_id = http_json(f"{livy}/sessions/{sid}")["appId"]
    assert app_id and any(a["id"] == app_id for a in master_json(cp)["activeapps"]), app_id
    with_executors = []
    for pod in component_pods(cp, "worker"):
        port = next(p["containerPort"] for p in pod["spec"]["containers"][0]["ports"]
                    if "web" in p["name"] or "ui" in p["name"])
        state = http_json(f"http://{pod['status']['podIP']}:{port}/json")
        if any(e.get("appid") == app_id for e in state.get("executors", [])):
            with_executors.append(pod["metadata"]["name"])
    assert with_executors, f"no worker pod runs an executor of {app_id}"
    figure("worker pods running the session's executors", ", ".join(with_executors))
    cluster["session"] = (livy, sid)


def test_the_yt_token_is_in_the_pods_environment_and_in_no_log_or_written_file(cluster, operator):
    """After a session has computed: every cluster pod has YT_TOKEN from the Secret; no
    container log (cluster and operator pods) and no file in a writable mount of any
    cluster pod (work and log directories, the Livy server's state and the session
    drivers' files) holds it."""
    cp = operator
    assert "session" in cluster, "runs after the session test"
    pods = cluster_pods(cp, "Running")
    operator_pods = cp.kubectl_json("get", "pods", "-n", SYSTEM_NS, "-l",
                                    "app.kubernetes.io/name=spyt-operator")["items"]
    files_scanned = 0
    for pod in pods:
        name = pod["metadata"]["name"]
        assert exec_in(cp, pod, "printenv", "YT_TOKEN").strip() == YT_TOKEN, name
        mounts = [m["mountPath"] for c in pod["spec"]["containers"] for m in c.get("volumeMounts", [])
                  if not m.get("readOnly") and not m["mountPath"].startswith("/var/run/secrets")]
        assert mounts, f"{name} has no writable mount to scan"
        listing = exec_in(cp, pod, "find", *mounts, "-type", "f")
        files_scanned += len(listing.split())
        found = cp.kubectl("exec", "-n", NS, name, "--", "grep", "-rlF", YT_TOKEN, *mounts,
                           check=False, timeout=120)
        assert found.returncode == 1 and not found.stdout, f"the token in {name}: {found.stdout} {found.stderr}"
    for pod in pods + operator_pods:
        ns = pod["metadata"]["namespace"]
        for c in pod["spec"]["containers"]:
            logs = cp.kubectl("logs", "-n", ns, pod["metadata"]["name"], "-c", c["name"], timeout=60).stdout
            assert YT_TOKEN not in logs, f"the token in the log of {pod['metadata']['name']}/{c['name']}"
    figure("token scan: pods, files in writable mounts, container logs",
           f"{len(pods)} pods, {files_scanned} files, {len(pods) + len(operator_pods)} logs: token in none")


def test_discovery_names_addresses_that_answer(cluster, operator):
    cp = operator
    cm = cp.get(NS, "configmap", f"{NAME}-discovery", check=True)
    checked = 0
    for key, value in cm["data"].items():
        if key not in ("spark_address", "webui", "rest", "livy"):
            continue
        host, port = value.rsplit(":", 1)
        addrs = [host] if host.replace(".", "").isdigit() else resolve(host)
        assert addrs, f"{key}={value}: the cluster DNS does not know {host}"
        assert any(answers_tcp(a, port) for a in addrs), f"{key}={value} ({addrs}) does not answer"
        checked += 1
    assert checked >= 3, cm["data"]
    out = run([os.environ["SPYT_OPERATOR_BIN"], "discovery", NAME, "-n", NS, "--kubeconfig", cp.kubeconfig])
    assert cm["data"]["livy"] in out


def test_livy_responding_becomes_true_from_the_in_cluster_operator(cluster, operator):
    cp = operator
    cond = wait_for(lambda: cp.condition(cp.get(NS, "spytcluster", NAME), "LivyResponding", "status") == "True",
                    120, "LivyResponding=True")
    assert cond


def test_pods_run_under_the_restricted_security_context(cluster, operator):
    cp = operator
    for pod in cluster_pods(cp, "Running"):
        uid = exec_in(cp, pod, "id", "-u").strip()
        assert uid != "0", pod["metadata"]["name"]
        status = exec_in(cp, pod, "cat", "/proc/self/status")
        assert "NoNewPrivs:\t1" in status, pod["metadata"]["name"]
        assert "CapEff:\t0000000000000000" in status, pod["metadata"]["name"]
        writable = cp.kubectl("exec", "-n", NS, pod["metadata"]["name"], "--", "touch", "/probe", check=False)
        ro = pod["spec"]["containers"][0].get("securityContext", {}).get("readOnlyRootFilesystem")
        assert (writable.returncode != 0) == bool(ro), (pod["metadata"]["name"], writable.stderr)


def test_pods_have_routes_to_the_pod_and_service_ranges_only(cluster, operator):
    """No default route in a pod: nothing it sends can leave this machine."""
    cp = operator
    for pod in cluster_pods(cp, "Running"):
        routes = exec_in(cp, pod, "cat", "/proc/net/route").splitlines()[1:]
        dests = set()
        for line in routes:
            iface, dest, _, _, _, _, _, mask = line.split()[:8]
            to_ip = lambda h: socket.inet_ntoa(struct.pack("<I", int(h, 16)))  # noqa: E731
            dests.add(f"{to_ip(dest)}/{bin(int(mask, 16)).count('1')}")
        assert dests == {"10.250.77.0/24", "10.0.0.0/24"}, (pod["metadata"]["name"], dests)


def test_memory_limits_hold_in_the_pods_cgroups_while_a_job_runs(cluster, operator):
    """Each pod's cgroup usage is sampled while a job runs on every executor, and stays
    under the limit the operator wrote; the limit is what the pod asked for."""
    cp = operator
    assert "session" in cluster, "runs after the session test"
    livy_url, sid = cluster["session"]
    pods = cluster_pods(cp, "Running")
    # 4 tasks of ~12 s each, holding 64 MiB apiece: every worker's executor is busy.
    job = ("sc.parallelize(1 to 4, 4).map { i => val a = new Array[Byte](64 << 20); "
           "java.util.Arrays.fill(a, 1.toByte); Thread.sleep(12000); a.length.toLong }.sum()")
    st = http_json(f"{livy_url}/sessions/{sid}/statements", {"code": job})
    peak = {p["metadata"]["name"]: 0 for p in pods}
    samples_while_running = 0
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = http_json(f"{livy_url}/sessions/{sid}/statements/{st['id']}")["state"]
        if state in ("available", "error", "cancelled"):
            break
        for pod in pods:
            usage = int(exec_in(cp, pod, "cat", "/sys/fs/cgroup/memory/memory.usage_in_bytes").strip())
            peak[pod["metadata"]["name"]] = max(peak[pod["metadata"]["name"]], usage)
        if state == "running":
            samples_while_running += 1
    done = http_json(f"{livy_url}/sessions/{sid}/statements/{st['id']}")
    assert done["state"] == "available" and done["output"]["status"] == "ok", done
    assert samples_while_running >= 3, f"only {samples_while_running} rounds of samples while the job ran"
    for pod in pods:
        name = pod["metadata"]["name"]
        limit = int(exec_in(cp, pod, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").strip())
        want = pod["spec"]["containers"][0]["resources"]["limits"]["memory"]
        figure(f"memory {name} (sampled during a job)", f"peak {peak[name] >> 20} MiB of limit "
               f"{limit >> 20} MiB ({want}), {samples_while_running} rounds")
        assert 0 < peak[name] <= limit
        assert limit == parse_quantity(want)
    # SPYT's rule: the Livy container holds 1G + driverMemory x maxSessions.
    livy = next(iter(component_pods(cp, "livy")))
    assert parse_quantity(livy["spec"]["containers"][0]["resources"]["limits"]["memory"]) == (1024 + 512) << 20


def parse_quantity(q):
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 1000, "M": 10 ** 6, "G": 10 ** 9}
    for suffix, mult in units.items():
        if q.endswith(suffix):
            return int(q[: -len(suffix)]) * mult
    return int(q)


def test_scaling_to_three_workers_registers_three(cluster, operator):
    cp = operator
    cp.kubectl("scale", "spytcluster", NAME, "-n", NS, "--replicas=3")
    wait_for(lambda: len(alive_workers(cp)) == 3, 240, "3 ALIVE workers", interval=1)


def test_a_deleted_worker_pod_is_replaced_and_registers_again(cluster, operator):
    cp = operator
    victim = component_pods(cp, "worker")[0]["metadata"]["name"]
    cp.kubectl("delete", "pod", victim, "-n", NS, "--wait=true", timeout=120)
    wait_for(lambda: len(component_pods(cp, "worker")) == 3, 180, "3 running worker pods", interval=1)
    wait_for(lambda: len(alive_workers(cp)) == 3, 240, "3 ALIVE workers again", interval=1)


def test_deleting_the_leader_pod_hands_over_and_a_spec_change_still_applies(cluster, operator):
    cp = operator
    holder = cp.get(SYSTEM_NS, "lease", LEASE)["spec"]["holderIdentity"]
    pods = cp.kubectl_json("get", "pods", "-n", SYSTEM_NS, "-l", "app.kubernetes.io/name=spyt-operator")["items"]
    leader = next(p["metadata"]["name"] for p in pods if holder.startswith(p["metadata"]["name"]))
    cp.kubectl("delete", "pod", leader, "-n", SYSTEM_NS, "--wait=false")
    new = wait_for(lambda: (h := cp.get(SYSTEM_NS, "lease", LEASE)["spec"].get("holderIdentity"))
                   and not h.startswith(leader) and h, 90, "another leader", interval=1)
    assert new
    cp.kubectl("scale", "spytcluster", NAME, "-n", NS, "--replicas=2")
    wait_for(lambda: len(component_pods(cp, "worker")) == 2, 180, "2 running worker pods", interval=1)


def test_zz_deleting_the_cluster_removes_every_pod(cluster, operator):
    cp = operator
    cp.kubectl("delete", "spytcluster", NAME, "-n", NS, "--wait=true", timeout=180)
    wait_for(lambda: not cp.kubectl_json("get", "pods", "-n", NS)["items"], 180, "no pods left", interval=1)
    sandboxes = run([Path(cp.kubectl_bin).parent / "crictl", "--runtime-endpoint", f"unix://{SOCK}",
                     "pods", "--namespace", NS, "--state", "ready", "-q"])
    assert sandboxes.strip() == "", "containerd still runs sandboxes of the deleted pods"
