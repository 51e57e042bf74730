#!/usr/bin/env python3
"""Time from apply to all Ready at N clusters, against what the API server allows for the
same objects (issue 15's goal: within 10%), in one run. Prints figures; asserts nothing.

  hack/bench/api_limit.py [--clusters 1000] [--reps 2] [--parallel 32] [--qps 100000:100000]
                          [--workers 4] [--peer-dir ../shared/bench/peer] [--out FILE]

Run from anywhere after `make build`. Each repetition runs both parts, alternating which
goes first, each on a fresh control plane of its own (the peer benchmark's: control-plane.sh,
kwok nodes for the pods, extra Service IPs), with one watched namespace:
  - bare: hack/bench/bareclient (Go, client-go with no client-side limit) creates the N
    SpytClusters the peer's benchtool creates and, for each, the children `spyt-operator
    render` prints (ownerReferences dropped: nothing sets their owners' uids), from
    --parallel workers, then waits until every StatefulSet has all its replicas ready. No
    operator runs. Figure: seconds from the first create to all ready.
  - operator: the peer benchmark's run of spyt-operator (with --workers reconcile workers; 4,
    the operator's default, is what that benchmark gives both operators) with a client QPS and
    burst so high they never bind; benchtool creates the clusters from 32 workers. Figure:
    seconds from the first create to the last cluster Ready. That includes the operator's
    status writes and Events, which bare does not make: bare is a floor, not a twin.
Then the medians, the ratio and the goal. The Go tools are built into ~/.cache when missing.
Everything listens on 127.0.0.1; every process started is stopped."""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SPYT_CACHE", Path.home() / ".cache" / "spyt-operator"))
OPERATOR = REPO / "build" / "controller" / "spyt-operator"
BARECLIENT_SRC = REPO / "hack" / "bench" / "bareclient"
BARECLIENT = CACHE / "bin" / "bareclient"
# benchtool's SpytCluster spec (hack/bench/operator_bench.py's small clusters).
SPEC = {"master": {"memory": "1G"},
        "workers": {"replicas": 2, "cores": 1, "memory": "1G", "memoryOverhead": "512m"},
        "historyServer": {"enabled": False}}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_peer_bench(peer_dir, cp_dir):
    """The peer's bench.py as a module: its control plane, operator runs and benchtool."""
    os.environ["SPYT_REPO"] = str(REPO)
    os.environ["SPYT_CONTROL_PLANE_DIR"] = cp_dir
    spec = importlib.util.spec_from_file_location("peer_bench", Path(peer_dir) / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_bareclient():
    sources = list(BARECLIENT_SRC.glob("*.go")) + [BARECLIENT_SRC / "go.mod"]
    if BARECLIENT.exists() and all(s.stat().st_mtime <= BARECLIENT.stat().st_mtime for s in sources):
        return
    log("building hack/bench/bareclient (Go)")
    BARECLIENT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["go", "build", "-o", str(BARECLIENT), "."], cwd=BARECLIENT_SRC, check=True,
                   env={**os.environ, "GOTOOLCHAIN": "local"})


def cluster_names(n):
    width = max(4, len(str(n - 1)))  # benchtool's names
    return [f"c{i:0{width}d}" for i in range(n)]


def bare_objects(n, ns, path):
    """Writes the List bareclient creates: each SpytCluster, then its rendered children."""
    clusters = [{"apiVersion": "spyt.dev/v1alpha1", "kind": "SpytCluster",
                 "metadata": {"name": name, "namespace": ns}, "spec": SPEC}
                for name in cluster_names(n)]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as manifests:
        manifests.write("\n---\n".join(json.dumps(c) for c in clusters))
        manifests.flush()
        rendered = subprocess.run([str(OPERATOR), "render", "-o", "json", manifests.name],
                                  check=True, capture_output=True, text=True).stdout
    children = {}
    for item in json.loads(rendered)["items"]:
        item["metadata"].pop("ownerReferences", None)
        children.setdefault(item["metadata"]["labels"]["app.kubernetes.io/instance"], []).append(item)
    items = []
    for c in clusters:
        items.append(c)
        items.extend(children[c["metadata"]["name"]])
    Path(path).write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    return len(items)


def run_bare(bench, n, rep, parallel, workdir):
    ns = f"bare-n{n}-r{rep}"
    bench.control_plane_up(n)
    try:
        bench.kubectl("create", "namespace", ns)
        objects = Path(workdir) / f"{ns}.json"
        count = bare_objects(n, ns, objects)
        log(f"bare: creating {count} objects for {n} clusters from {parallel} workers")
        out = subprocess.run([str(BARECLIENT), "--kubeconfig", bench.KUBECONFIG, "--namespace", ns,
                              "--file", str(objects), "--parallel", str(parallel)],
                             check=True, capture_output=True, text=True, timeout=3600)
        r = json.loads(out.stdout)
        log(f"bare: {r['objects']} objects created in {r['created_s']:.1f} s, "
            f"{r['workloads']} workloads ready at {r['ready_s']:.1f} s ({r['failed']} creates failed)")
        return r
    finally:
        subprocess.run([bench.CP, "down"], env=bench.ENV, timeout=300)


def set_workers(bench, workers):
    """bench.py starts every operator with 4 reconcile workers; this makes it `workers`."""
    flag = "--max-concurrent-reconciles="
    init = bench.Operator.__init__

    def with_workers(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.args = [f"{flag}{workers}" if a.startswith(flag) else a for a in self.args]

    bench.Operator.__init__ = with_workers


def run_operator(bench, n, rep, qps, burst, workdir):
    bench.control_plane_up(n)  # run_one(fresh=True) takes it down
    args = SimpleNamespace(run_timeout=1800, rest=0, stall=240, resync_max_n=0)
    r = bench.run_one("cpp", n, qps, burst, rep, args, workdir, fresh=True)
    if "error" in r or not r.get("all_ready"):
        raise RuntimeError(f"the operator's run failed: {r.get('error', 'not all Ready')}")
    log(f"operator: children of all {n} at {r['children_max']:.1f} s, all Ready at "
        f"{r['ready_max']:.1f} s, CPU {r['cpu_load_s']:.1f} s")
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clusters", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--parallel", type=int, default=32, help="bareclient's concurrent creates")
    ap.add_argument("--qps", default="100000:100000", help="the operator's client qps:burst")
    ap.add_argument("--workers", type=int, default=4, help="the operator's reconcile workers")
    ap.add_argument("--peer-dir", default=str(REPO.parent / "shared" / "bench" / "peer"))
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "api-limit.json"))
    args = ap.parse_args()
    qps, burst = (int(x) for x in args.qps.split(":"))
    if not OPERATOR.exists():
        sys.exit(f"{OPERATOR} is missing: run `make build` first")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from operator_cost import build_peer  # benchtool, which the operator part uses

    build_peer(args.peer_dir)
    build_bareclient()
    workdir = tempfile.mkdtemp(prefix="api-limit-")
    bench = load_peer_bench(args.peer_dir, os.path.join(workdir, "cp"))
    set_workers(bench, args.workers)
    results = []
    for rep in range(args.reps):
        order = ("bare", "operator") if rep % 2 == 0 else ("operator", "bare")
        r = {}
        for part in order:
            if part == "bare":
                r["bare"] = run_bare(bench, args.clusters, rep, args.parallel, workdir)
            else:
                r["operator"] = run_operator(bench, args.clusters, rep, qps, burst, workdir)
        results.append(r)
        Path(args.out).write_text(json.dumps(results, indent=1))

    bare = [r["bare"]["ready_s"] for r in results]
    ours = [r["operator"]["ready_max"] for r in results]
    print(f"\nN={args.clusters}, {args.reps} repetition(s), operator with {args.workers} workers, "
          f"bare with {args.parallel}; logs in {workdir}; results in {args.out}")
    print(f"{'figure':<44} {'operator':>9} {'bare':>9} {'ratio':>6}  goal")
    for i, r in enumerate(results):
        print(f"{'rep ' + str(i) + ': s from first create to all Ready':<44} "
              f"{ours[i]:9.1f} {bare[i]:9.1f} {ours[i] / bare[i]:6.2f}")
    med_ours, med_bare = statistics.median(ours), statistics.median(bare)
    ratio = med_ours / med_bare
    print(f"{'median':<44} {med_ours:9.1f} {med_bare:9.1f} {ratio:6.2f}  "
          f"<= 1.10: {'met' if ratio <= 1.10 else 'not met'}")
    created = statistics.median(r["bare"]["created_s"] for r in results)
    children = statistics.median(r["operator"]["children_max"] for r in results)
    print(f"{'median s to all objects created':<44} {children:9.1f} {created:9.1f} {children / created:6.2f}")


if __name__ == "__main__":
    main()
