"""`spyt-operator local` as the end-to-end tests run it: a SpytCluster file in a
directory of the test's own, the operator started on it with every process
marked (an environment variable its children inherit), and a fixture that stops
it with Ctrl-C and fails the test if any marked process is left."""

import copy
import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
import yaml

REPO = Path(os.environ.get("SPYT_SOURCE_DIR") or Path(__file__).resolve().parents[3])
OPERATOR = os.environ.get("SPYT_OPERATOR_BIN") or str(REPO / "build" / "controller" / "spyt-operator")
LAUNCHER = os.environ.get("SPYT_LAUNCHER_BIN") or str(REPO / "build" / "controller" / "spyt-launcher")

CLUSTER = {
    "apiVersion": "spyt.dev/v1alpha1", "kind": "SpytCluster", "metadata": {"name": "e2e"},
    "spec": {"master": {"memory": "512m"},
             "workers": {"replicas": 1, "cores": 1, "memory": "1G", "memoryOverhead": "0m"},
             "historyServer": {"enabled": False},
             "livy": {"enabled": True, "maxSessions": 2, "driverCores": 1, "driverMemory": "512m"}}}


def sessions_cluster(max_sessions, executor_cores=None, memory="2G"):
    """CLUSTER sized for Livy sessions that compute at once: Livy takes `max_sessions`,
    one worker has `executor_cores` cores (default: one per session) and `memory`,
    and each session's app gets one 512m executor core. A standalone app keeps its
    executor while it lives, so with fewer cores a session's first job waits."""
    c = copy.deepcopy(CLUSTER)
    c["spec"]["workers"] = {"replicas": 1, "cores": executor_cores or max_sessions, "memory": memory,
                            "memoryOverhead": "0m"}
    c["spec"]["livy"]["maxSessions"] = max_sessions
    c["spec"]["sparkConf"] = {"spark.executor.memory": "512m", "spark.cores.max": "1",
                              "spark.ui.enabled": "false"}
    return c


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
                                     "--livy-poll-interval", "1s", "--livy-poll-timeout", "2s",
                                     "--health-probe-bind-address", "127.0.0.1:0"],
                                    stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True)

    def port_of(self, what):
        m = re.search(rf"serving {what} .*port=(\d+)", self.log.read_text())
        return int(m.group(1)) if m else None

    def status(self):
        path = self.state / "clusters" / "e2e" / "status.yaml"
        return yaml.safe_load(path.read_text()) if path.exists() else None

    def condition(self, type_, field="status"):
        for c in (self.status() or {}).get("conditions", []):
            if c["type"] == type_:
                return c[field]
        return None

    def metrics(self):
        return requests.get(f"http://127.0.0.1:{self.port_of('metrics')}/metrics", timeout=5).text

    def pids_running(self, needle):
        """Marked processes whose command line contains `needle` (bytes)."""
        out = []
        for p in marked_pids(self.marker):
            try:
                if needle in Path(f"/proc/{p}/cmdline").read_bytes():
                    out.append(p)
            except OSError:
                continue
        return out

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


def stop_and_check(rt):
    """Stops the local controller with Ctrl-C; fails, after killing them, if any of its
    processes is left."""
    rt.stop()
    leftovers = marked_pids(rt.marker)
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    log = rt.log.read_text(errors="replace")[-4000:] if rt.log.exists() else ""
    assert not leftovers, f"processes left behind: {leftovers}\n{log}"


@pytest.fixture
def local(tmp_path):
    rt = Local(tmp_path)
    yield rt
    stop_and_check(rt)
