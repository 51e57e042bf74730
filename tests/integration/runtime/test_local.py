"""`spyt-operator local` end to end: SpytCluster files in a directory become real
Spark and Livy processes (through spyt-launcher), converge when the files change,
restart when killed, publish status and discovery records, and leave nothing
behind. Everything listens on 127.0.0.1."""

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from livy_batches import batch_log, batch_state, post_batch_when_free, sum_job
from waiting import wait_for

REPO = Path(os.environ.get("SPYT_SOURCE_DIR") or Path(__file__).resolve().parents[3])
OPERATOR = os.environ.get("SPYT_OPERATOR_BIN") or str(REPO / "build" / "controller" / "spyt-operator")
LAUNCHER = os.environ.get("SPYT_LAUNCHER_BIN") or str(REPO / "build" / "controller" / "spyt-launcher")

CLUSTER = {
    "apiVersion": "spyt.dev/v1alpha1", "kind": "SpytCluster", "metadata": {"name": "e2e"},
    "spec": {"master": {"memory": "512m"},
             "workers": {"replicas": 1, "cores": 1, "memory": "1G", "memoryOverhead": "0m"},
             "historyServer": {"enabled": False},
             "livy": {"enabled": True, "maxSessions": 2, "driverCores": 1, "driverMemory": "512m"}}}



def marked_pids(marker):
    """Processes whose environment carries the test's marker (children inherit it)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


class Local:
    def __init__(self, tmp_path):
        self.manifests = tmp_path / "manifests"
        self.state = tmp_path / "state"
        self.manifests.mkdir()
        self.marker = f"SPYT_TEST_RUN=local-{uuid.uuid4().hex}"
        self.log = tmp_path / "local.log"
        self.proc = None

    def write(self, cluster):
        (self.manifests / "cluster.yaml").write_text(yaml.safe_dump(cluster))

    def start(self):
        env = {**os.environ, self.marker.split("=")[0]: self.marker.split("=")[1]}
        self.proc = subprocess.Popen([OPERATOR, "local", "--manifests", str(self.manifests),
                                     "--state-dir", str(self.state), "--launcher", LAUNCHER,
                                     "--metrics-bind-address", "127.0.0.1:0",
                                     "--health-probe-bind-address", "127.0.0.1:0"],
                                    stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)

    def port_of(self, what):
        import re
        m = re.search(rf"serving {what} .*port=(\d+)", self.log.read_text())
        return int(m.group(1)) if m else None

    def status(self):
        path = self.state / "clusters" / "e2e" / "status.yaml"
        return yaml.safe_load(path.read_text()) if path.exists() else None

    def condition(self, type_):
        for c in (self.status() or {}).get("conditions", []):
            if c["type"] == type_:
                return c["status"]
        return None

    def discovery(self):
        root = self.state / "discovery" / "e2e" / "discovery"
        if not root.is_dir():
            return {}
        return {d.name: next(iter(os.listdir(d)), None) for d in root.iterdir()}

    def alive_workers(self):
        webui = self.discovery().get("webui")
        try:
            d = requests.get(f"http://{webui}/json/", timeout=5).json()
            return sum(1 for w in d["workers"] if w["state"] == "ALIVE")
        except (requests.RequestException, ValueError, TypeError):
            return -1

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        return self.proc.returncode if self.proc else None


@pytest.fixture
def local(tmp_path):
    rt = Local(tmp_path)
    yield rt
    rt.stop()
    leftovers = marked_pids(rt.marker)
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    log = rt.log.read_text(errors="replace")[-4000:] if rt.log.exists() else ""
    assert not leftovers, f"processes left behind: {leftovers}\n{log}"


def test_a_livy_cluster_runs_converges_and_leaves_nothing_behind(local):
    local.write(CLUSTER)
    local.start()
    wait_for(lambda: local.condition("Ready") == "True", 180, "the cluster to be Ready")
    entries = local.discovery()
    assert entries["spark_address"].startswith("127.0.0.1:")
    assert entries["livy"].startswith("127.0.0.1:")
    livy = f"http://{entries['livy']}"
    health = wait_for(lambda: local.port_of("health probes"), 10, "the health port")
    assert requests.get(f"http://127.0.0.1:{health}/readyz", timeout=5).text == "ok"
    metrics = requests.get(f"http://127.0.0.1:{local.port_of('metrics')}/metrics", timeout=5).text
    assert 'spyt_cluster_condition{name="e2e",namespace="local",type="Ready"} 1' in metrics
    assert requests.get(f"{livy}/sessions", timeout=10).json()["total"] == 0
    livy_conf = (local.state / "clusters" / "e2e" / "livy" / "livy-conf" / "livy.conf").read_text()
    assert "livy.server.session.max-creation = 2" in livy_conf  # spec.livy.maxSessions
    out = subprocess.run([OPERATOR, "discovery", "e2e", "--local", str(local.state)], capture_output=True,
                         text=True, timeout=30)
    assert f"Livy Server: {livy}/" in out.stdout.splitlines()

    # A Livy batch runs through the cluster's worker (files Livy may read: its work dir).
    files = local.state / "clusters" / "e2e" / "livy" / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "sum.py").write_text(sum_job("LOCAL_E2E_SUM"))
    r = post_batch_when_free(livy, {"file": (files / "sum.py").as_uri(), "conf": {"spark.executor.memory": "512m"}},
                             30)
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    fail = pytest.fail
    wait_for(lambda: batch_state(livy, bid, fail) == "success", 180, "the batch to succeed")
    assert "LOCAL_E2E_SUM=500500" in batch_log(livy, bid)

    # Two workers: edit the file.
    CLUSTER["spec"]["workers"]["replicas"] = 2
    local.write(CLUSTER)
    wait_for(lambda: local.alive_workers() == 2, 120, "2 workers registered at the master")

    # A killed worker is restarted and registers again.
    worker_launchers = [p for p in marked_pids(local.marker)
                        if b"spyt-launcher\x00worker" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert worker_launchers
    os.killpg(worker_launchers[0], signal.SIGKILL)
    wait_for(lambda: "restarting after backoff" in local.log.read_text(), 30, "the runtime to notice the crash")
    wait_for(lambda: local.condition("WorkersReady") == "True" and local.alive_workers() >= 2, 120,
             "the worker to be back")

    # Livy disabled: its process and discovery entry go away.
    CLUSTER["spec"]["livy"]["enabled"] = False
    local.write(CLUSTER)
    wait_for(lambda: "livy" not in local.discovery(), 60, "the Livy discovery entry to go")
    wait_for(lambda: not any(b"spyt-launcher\x00livy" in Path(f"/proc/{p}/cmdline").read_bytes()
                             for p in marked_pids(local.marker)), 60, "the Livy launcher to exit")

    # The file removed: every process of the cluster stops, the runtime stays up.
    (local.manifests / "cluster.yaml").unlink()
    wait_for(lambda: marked_pids(local.marker) == [local.proc.pid], 90, "every cluster process to exit")
    assert local.proc.poll() is None
    assert local.stop() == 0


def test_an_invalid_file_is_reported_and_starts_nothing(local):
    bad = json.loads(json.dumps(CLUSTER))
    bad["spec"]["livy"]["maxSessions"] = 0
    local.write(bad)
    local.start()
    wait_for(lambda: "invalid manifest" in local.log.read_text(), 30, "the runtime to report the file")
    assert "spec.livy.maxSessions" in local.log.read_text()
    assert marked_pids(local.marker) == [local.proc.pid]
    assert local.stop() == 0
