#!/usr/bin/env python3
"""Operator cost against the controller-runtime peer, in one run, with issue 15's goals
(prints figures and whether each goal is met; asserts nothing).

  hack/bench/operator_cost.py [--clusters 1000] [--qps 200:300] [--reps 2] [--startups 5]
                              [--peer-dir ../shared/bench/peer] [--out DIR]

Run from anywhere after `make build`. Two parts, both operators in each:
  1. The peer's side-by-side benchmark (<peer-dir>/bench.py, used as it is): for each
     repetition it starts our operator, then the peer, on a fresh control plane of their own
     (N > 200), at the same client QPS/burst, 4 workers and one watched namespace, creates N
     SpytClusters at once and records RSS (idle, at N, peak), CPU seconds, API requests and
     writes at rest. Its own tables are printed as they are.
  2. Start-up: on one control plane with the CRD installed and no cluster, each operator is
     started --startups times, alternating; the time from exec to its first 200 on /readyz
     (every informer synced: the controller can reconcile) is read by polling every 2 ms.
Then one table: the median of each figure over the repetitions, the peer's, the ratio, the
goal and whether it is met. Builds the peer into ~/.cache/spyt-peer/bin when missing (Go from
the machine). Everything listens on 127.0.0.1; every process started is stopped."""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import stop_group  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SPYT_CACHE", Path.home() / ".cache" / "spyt-operator"))
KUBECTL = CACHE / "bin" / "current" / "kubectl"
OPERATOR = REPO / "build" / "controller" / "spyt-operator"
PEER_BIN = Path(os.environ.get("PEER_BIN_DIR", Path.home() / ".cache" / "spyt-peer" / "bin"))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build_peer(peer_dir):
    env = {**os.environ, "GOTOOLCHAIN": "local"}
    PEER_BIN.mkdir(parents=True, exist_ok=True)
    for name, pkg in (("spyt-peer", "."), ("benchtool", "./cmd/benchtool")):
        if not (PEER_BIN / name).exists():
            log(f"building the peer's {name} (Go, first run only)")
            subprocess.run(["go", "build", "-o", str(PEER_BIN / name), pkg], cwd=peer_dir, env=env,
                           check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready_status(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
            return r.status
    except Exception:
        return None


def startup_seconds(kind, kubeconfig, ns):
    """Seconds from exec to the first 200 on /readyz."""
    health, metrics = free_port(), free_port()
    common = [f"--watch-namespaces={ns}", f"--health-probe-bind-address=127.0.0.1:{health}",
              f"--metrics-bind-address=127.0.0.1:{metrics}"]
    if kind == "cpp":
        argv = [str(OPERATOR), "run", "--kubeconfig", kubeconfig, "--livy-poll-interval=0", *common]
    else:
        argv = [str(PEER_BIN / "spyt-peer"), "--kubeconfig", kubeconfig, *common]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while time.monotonic() - t0 < 30:
            if ready_status(health) == 200:
                return time.monotonic() - t0
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited with {proc.returncode} before it was ready")
            time.sleep(0.002)
        raise RuntimeError(f"{kind} not ready after 30 s")
    finally:
        stop_group(proc)


def measure_startups(count, workdir):
    env = {**os.environ, "SPYT_CONTROL_PLANE_DIR": str(workdir / "startup-cp")}
    cp = str(REPO / "hack" / "control-plane.sh")
    kubeconfig = str(workdir / "startup-cp" / "kubeconfig")
    times = {"cpp": [], "peer": []}
    subprocess.run([cp, "up"], env=env, check=True, timeout=900)
    try:
        kc = [str(KUBECTL), "--kubeconfig", kubeconfig]
        subprocess.run(kc + ["apply", "--server-side", "-f", str(REPO / "crds")], check=True,
                       capture_output=True)
        subprocess.run(kc + ["wait", "--for=condition=Established", "crd/spytclusters.spyt.dev",
                             "--timeout=60s"], check=True, capture_output=True)
        subprocess.run(kc + ["create", "namespace", "startup"], check=True, capture_output=True)
        for i in range(count):
            for kind in ("cpp", "peer"):
                times[kind].append(startup_seconds(kind, kubeconfig, "startup"))
                log(f"start-up {kind} #{i + 1}: {times[kind][-1] * 1000:.0f} ms")
    finally:
        subprocess.run([cp, "down"], env=env, timeout=300)
    return times


def median_of(runs, op, key):
    xs = [r[key] for r in runs if r["operator"] == op and "error" not in r
          and isinstance(r.get(key), (int, float)) and r[key] == r[key]]
    return statistics.median(xs) if xs else float("nan")


def goal_rows(runs, n, startups):
    def m(op, key):
        return median_of([r for r in runs if r["n"] == n], op, key)

    rows = []

    def row(what, ours, peer, goal, met):
        ratio = ours / peer if peer == peer and peer else float("nan")
        rows.append((what, ours, peer, ratio, goal, "yes" if met else "NO"))

    ours, peer = m("cpp", "rss_at_n"), m("peer", "rss_at_n")
    row(f"RSS at {n} clusters, MiB", ours, peer, "<= 1/3 peer and <= 40",
        ours <= peer / 3 and ours <= 40)
    ours, peer = m("cpp", "rss_peak"), m("peer", "rss_peak")
    row("peak RSS, MiB", ours, peer, "(for reference)", True)
    ours, peer = m("cpp", "rss_idle"), m("peer", "rss_idle")
    row("idle RSS, MiB", ours, peer, "<= 10", ours <= 10)
    ours, peer = m("cpp", "cpu_load_s"), m("peer", "cpu_load_s")
    row(f"CPU s creating {n} clusters", ours, peer, "<= 0.7x peer", ours <= 0.7 * peer)
    ours, peer = m("cpp", "requests_per_cluster"), m("peer", "requests_per_cluster")
    row("API requests per cluster", ours, peer, "<= peer", ours <= peer)
    ours, peer = m("cpp", "ready_max"), m("peer", "ready_max")
    row("s from the burst to all Ready", ours, peer, "(for reference)", True)
    ours, peer = m("cpp", "writes_at_rest"), m("peer", "writes_at_rest")
    row("writes at rest", ours, peer, "0", ours == 0)
    if startups:
        ours = statistics.median(startups["cpp"]) * 1000
        peer = statistics.median(startups["peer"]) * 1000
        row("start-up to ready (caches synced), ms", ours, peer, "<= 200", ours <= 200)
    return rows


def print_goals(rows, n, reps, startups):
    print(f"\nissue 15's goals: medians of {reps} runs at N={n}"
          + (f", start-up medians of {len(startups['cpp'])}" if startups else ""))
    print(f"{'figure':<40}{'spyt-operator':>15}{'peer':>12}{'ratio':>8}  {'goal':<24}{'met':>4}")
    for what, ours, peer, ratio, goal, met in rows:
        print(f"{what:<40}{ours:>15.2f}{peer:>12.2f}{ratio:>8.2f}  {goal:<24}{met:>4}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clusters", type=int, default=1000)
    ap.add_argument("--qps", default="200:300", help="client qps:burst, the same for both operators")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--startups", type=int, default=5, help="start-ups per operator (0: skip)")
    ap.add_argument("--rest", type=float, default=30, help="seconds at rest after all Ready")
    ap.add_argument("--peer-dir", default=str(REPO.parent / "shared" / "bench" / "peer"))
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "operator-cost"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    peer_dir = Path(args.peer_dir)
    if not (peer_dir / "bench.py").exists():
        sys.exit(f"no peer benchmark at {peer_dir} (--peer-dir)")
    if not OPERATOR.exists():
        sys.exit(f"missing {OPERATOR}: run `make build` first")
    build_peer(peer_dir)

    startups = measure_startups(args.startups, out) if args.startups > 0 else None
    results = out / "runs.json"
    env = {**os.environ, "SPYT_REPO": str(REPO), "PEER_BIN_DIR": str(PEER_BIN),
           "SPYT_CONTROL_PLANE_DIR": str(out / "bench-cp")}
    subprocess.run([sys.executable, str(peer_dir / "bench.py"), "--clusters", str(args.clusters),
                    "--qps", args.qps, "--reps", str(args.reps), "--operators", "cpp,peer",
                    "--no-parity", "--rest", str(args.rest), "--out", str(results),
                    "--logdir", str(out / "logs")], env=env, check=True, cwd=REPO)
    runs = json.loads(results.read_text())["runs"]
    failed = [r for r in runs if "error" in r]
    for r in failed:
        print(f"run failed: {r['operator']} rep {r['rep']}: {r['error']}")
    print_goals(goal_rows(runs, args.clusters, startups), args.clusters, args.reps, startups)
    print(f"\nfigures: {results}")


if __name__ == "__main__":
    main()
