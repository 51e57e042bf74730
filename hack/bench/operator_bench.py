#!/usr/bin/env python3
"""Benchmarks of the operator on the local control plane (prints figures; asserts nothing).

  hack/bench/operator_bench.py [--clusters 100] [--configmaps 1000] [--qps 20]

Starts its own control plane (hack/control-plane.sh, state in /tmp/spyt-bench-cp),
the CRD and one operator process, then measures:
  1. for N minimal SpytClusters applied at once: time from `kubectl apply` to all
     children created, and to Ready (p50/p99/max), from each cluster's
     creationTimestamp to the times the bench observes (polled every 0.5 s);
  2. API requests per reconcile (from the operator's own /metrics);
  3. the operator's RSS with N clusters;
  4. informer memory: the operator's RSS before and after M ConfigMaps carrying
     the operator's managed-by label (so they are cached) are created.
Everything runs on 127.0.0.1 and is stopped at the end."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration" / "kube"))
sys.path.insert(0, str(REPO / "tests" / "integration"))  # waiting.py
os.environ.setdefault("SPYT_SOURCE_DIR", str(REPO))
from operator_proc import OperatorProcess, wait_for  # noqa: E402

STATE = os.environ.get("SPYT_BENCH_CP", "/tmp/spyt-bench-cp")
ENV = {**os.environ, "SPYT_CONTROL_PLANE_DIR": STATE}
KUBECTL = str(Path(os.environ.get("SPYT_CACHE", Path.home() / ".cache" / "spyt-operator")) / "bin" / "current" / "kubectl")
KUBECONFIG = f"{STATE}/kubeconfig"


def kubectl(*args, input=None, check=True):
    p = subprocess.run([KUBECTL, "--kubeconfig", KUBECONFIG, *args], input=input, capture_output=True,
                       text=True, timeout=600)
    if check and p.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {p.stderr}")
    return p.stdout


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def ts(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def bench_clusters(op, n, ns):
    kubectl("create", "namespace", ns)
    docs = []
    for i in range(n):
        docs.append({"apiVersion": "spyt.dev/v1alpha1", "kind": "SpytCluster",
                     "metadata": {"name": f"c{i:03d}", "namespace": ns},
                     # Small enough that 100 fit the fake node (1Ti of memory).
                     "spec": {"master": {"memory": "1G"},
                              "workers": {"replicas": 2, "cores": 1, "memory": "1G", "memoryOverhead": "512m"},
                              "historyServer": {"enabled": False}}})
    applied = time.time()
    kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
    created, ready = {}, {}
    expected_children = {"statefulset": 2, "service": 2, "configmap": 2}
    deadline = time.time() + 600
    while (len(created) < n or len(ready) < n) and time.time() < deadline:
        now = time.time()
        counts = {}
        for kind in expected_children:  # the discovery ConfigMap counts once it exists
            items = json.loads(kubectl("get", kind, "-n", ns, "-l", "app.kubernetes.io/managed-by=spyt-operator",
                                       "-o", "json"))["items"]
            for it in items:
                inst = it["metadata"]["labels"].get("app.kubernetes.io/instance")
                counts.setdefault(inst, {}).setdefault(kind, 0)
                counts[inst][kind] += 1
        for inst, c in counts.items():
            if inst not in created and all(c.get(k, 0) >= v for k, v in expected_children.items()):
                created[inst] = now
        for it in json.loads(kubectl("get", "spytclusters", "-n", ns, "-o", "json"))["items"]:
            name = it["metadata"]["name"]
            conds = {c["type"]: c["status"] for c in it.get("status", {}).get("conditions", [])}
            if name not in ready and conds.get("Ready") == "True":
                ready[name] = now
        time.sleep(0.5)
    to_created = [created[k] - applied for k in created]
    to_ready = [ready[k] - applied for k in ready]
    return to_created, to_ready


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clusters", type=int, default=100)
    ap.add_argument("--configmaps", type=int, default=1000)
    ap.add_argument("--qps", type=float, default=20, help="the operator's --kube-api-qps (burst = 1.5x)")
    args = ap.parse_args()
    subprocess.run([str(REPO / "hack" / "control-plane.sh"), "up"], check=True, env=ENV)
    op = None
    try:
        kubectl("apply", "--server-side", "-f", str(REPO / "crds"))
        kubectl("wait", "--for=condition=Established", "crd/spytclusters.spyt.dev")
        log = Path(tempfile.mkdtemp()) / "operator.log"
        op = OperatorProcess(KUBECONFIG, log, ["--watch-namespaces", "bench,bench-cm",
                                               f"--kube-api-qps={args.qps}",
                                               f"--kube-api-burst={int(args.qps * 1.5)}"], metrics=True).start()
        print(f"operator with --kube-api-qps={args.qps}")
        op.metrics_port()
        wait_for(lambda: "starting controller" in op.log(), 60, "the controller")
        idle = rss_mib(op.proc.pid)
        print(f"operator RSS idle: {idle:.1f} MiB")

        to_created, to_ready = bench_clusters(op, args.clusters, "bench")
        print(f"{args.clusters} clusters applied at once ({len(to_created)} got all children, {len(to_ready)} Ready):")
        for label, xs in [("apply -> all children created", to_created), ("apply -> Ready", to_ready)]:
            if xs:
                print(f"  {label}: p50 {pct(xs, 50):.2f} s, p99 {pct(xs, 99):.2f} s, max {max(xs):.2f} s")
        time.sleep(3)
        requests = op.metric("rest_client_requests_total")
        writes = sum(op.metric("rest_client_requests_total", method=m) for m in ["POST", "PUT", "PATCH", "DELETE"])
        reconciles = op.metric("controller_runtime_reconcile_total")
        print(f"  reconciles: {reconciles:.0f}, API requests: {requests:.0f} ({writes:.0f} writes), "
              f"{requests / max(reconciles, 1):.2f} requests per reconcile")
        print(f"operator RSS with {args.clusters} clusters: {rss_mib(op.proc.pid):.1f} MiB")

        before = rss_mib(op.proc.pid)
        kubectl("create", "namespace", "bench-cm")
        payload = "x" * 512
        items = [{"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": f"cm{i:04d}", "namespace": "bench-cm",
                               "labels": {"app.kubernetes.io/managed-by": "spyt-operator"}},
                  "data": {"payload": payload}} for i in range(args.configmaps)]
        for start in range(0, len(items), 250):
            kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                          "items": items[start:start + 250]}))
        time.sleep(5)
        after = rss_mib(op.proc.pid)
        print(f"informer memory: RSS {before:.1f} -> {after:.1f} MiB with {args.configmaps} more cached "
              f"ConfigMaps of ~0.6 KiB ({(after - before) * 1024 / args.configmaps:.2f} KiB per object)")
    finally:
        if op:
            op.stop()
        subprocess.run([str(REPO / "hack" / "control-plane.sh"), "down"], env=ENV)


if __name__ == "__main__":
    main()
