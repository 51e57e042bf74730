"""Starts and stops the real spyt-operator binary for integration tests.

Each process gets its own log file; its health port is read from its log (it
binds 127.0.0.1:0). Everything it starts is stopped at teardown."""

import json
import os
import re
import signal
import subprocess
from pathlib import Path

from waiting import wait_for  # noqa: F401  (re-exported for the tests that import it from here)

REPO = Path(os.environ.get("SPYT_SOURCE_DIR") or Path(__file__).resolve().parents[3])
BINARY = os.environ.get("SPYT_OPERATOR_BIN") or str(REPO / "build" / "controller" / "spyt-operator")


def control_plane_cmd(*args):
    """hack/control-plane.sh ARGS on the tests' control plane (restart-apiserver, compact, ...)."""
    subprocess.run([str(REPO / "hack" / "control-plane.sh"), *args], check=True, capture_output=True,
                   timeout=180, env=os.environ)


class OperatorProcess:
    def __init__(self, kubeconfig, log_path, args=(), metrics=False):
        self.log_path = Path(log_path)
        metrics_address = "127.0.0.1:0" if metrics else "0"
        # Livy polling is off unless a test asks for it: with kwok there is no Livy behind
        # a Ready Deployment, and its Service's DNS name would send lookups off loopback.
        # (tests/integration/cpp/operator_livy_test.cpp covers polling on Kubernetes.)
        livy = [] if any(a.startswith("--livy-poll-interval") for a in args) else ["--livy-poll-interval=0"]
        self.args = [BINARY, "run", "--kubeconfig", kubeconfig,
                     "--health-probe-bind-address=127.0.0.1:0",
                     f"--metrics-bind-address={metrics_address}", "--log-format=text", *livy, *args]
        self.proc = None

    def start(self):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def health_port(self, timeout=30):
        def find():
            m = re.search(r"serving health probes .*port=(\d+)", self.log())
            return int(m.group(1)) if m else None
        return wait_for(find, timeout, "the operator's health port")

    def metrics_port(self, timeout=30):
        def find():
            m = re.search(r"serving metrics .*port=(\d+)", self.log())
            return int(m.group(1)) if m else None
        return wait_for(find, timeout, "the operator's metrics port")

    def metric(self, metric_name, /, **labels):
        """Sum of the samples of `metric_name` whose labels include `labels`, from /metrics."""
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port()}/metrics", timeout=5) as r:
            text = r.read().decode()
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(metric_name) or line.startswith("#"):
                continue
            head, _, value = line.rpartition(" ")
            metric, _, label_text = head.partition("{")
            if metric != metric_name:
                continue
            got = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
            if all(got.get(k) == v for k, v in labels.items()):
                total += float(value)
        return total

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL if it has not exited; returns the exit code."""
        if self.proc is None:
            return None
        if self.alive():
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log_file.close()
        return self.proc.returncode

    def kill9(self):
        self.signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        return self.proc.returncode


def lease_holder(cp, namespace, lease="spyt-operator-leader"):
    """The Lease's holderIdentity ("" when released), or None when there is no Lease."""
    proc = cp.kubectl("get", "lease", lease, "-n", namespace, "-o", "json", check=False)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout)["spec"].get("holderIdentity") or ""


def identity_of(op):
    """The leader-election identity the operator logs at start."""
    m = wait_for(lambda: re.search(r"starting spyt-operator .*identity=(\S+)", op.log()), 30,
                 "the operator's start line")
    return m.group(1)

