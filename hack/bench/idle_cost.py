#!/usr/bin/env python3
"""What an idle operator costs: RSS, its parts and threads, for one or more builds side by side
(prints figures; asserts nothing).

  hack/bench/idle_cost.py [--reps 3] [--settle 10] [BINARY ...]

Default BINARY: build/controller/spyt-operator. Give two to compare builds (say, this commit's
and a worktree of the one before) in the same run, on the same control plane.
Needs a control plane with the CRD (`make control-plane-up`; the CRD is applied here). Each
repetition starts every binary in turn (`run`, one watched namespace with no cluster, the
bench's flags), waits for /readyz, scrapes /metrics once (so the metrics server has answered),
lets it settle, then reads /proc/PID/status (VmRSS, Threads) and smaps_rollup (shared and
private, clean and dirty), and the largest mappings by RSS. Medians over the repetitions.
Everything listens on 127.0.0.1; every process started is stopped."""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import stop_group  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SPYT_CACHE", Path.home() / ".cache" / "spyt-operator"))
KUBECTL = CACHE / "bin" / "current" / "kubectl"
KUBECONFIG = os.environ.get("KUBECONFIG", "/tmp/spyt-operator-control-plane/kubeconfig")
NAMESPACE = "idle-cost"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kubectl(*args, check=True):
    subprocess.run([str(KUBECTL), "--kubeconfig", KUBECONFIG, *args], check=check, capture_output=True)


def kib(path, field):
    m = re.search(rf"^{field}:\s+(\d+)", Path(path).read_text(), re.M)
    return int(m.group(1)) if m else 0


def mappings(pid, top=6):
    """RSS by mapped file (anonymous memory as [anon]), largest first, in KiB."""
    by_name, name = {}, None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split(None, 5)
            name = os.path.basename(parts[5]) if len(parts) == 6 and parts[5].startswith("/") else "[anon]"
        elif line.startswith("Rss:"):
            by_name[name] = by_name.get(name, 0) + int(line.split()[1])
    return sorted(by_name.items(), key=lambda kv: -kv[1])[:top]


def measure(binary, settle):
    metrics, health = free_port(), free_port()
    args = [binary, "run", "--kubeconfig", KUBECONFIG, "--livy-poll-interval=0", "--log-format=text",
            f"--watch-namespaces={NAMESPACE}", "--max-concurrent-reconciles=4",
            f"--metrics-bind-address=127.0.0.1:{metrics}", f"--health-probe-bind-address=127.0.0.1:{health}"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{health}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{binary} did not become ready")
            time.sleep(0.05)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=5) as r:
            r.read()
        time.sleep(settle)
        pid = proc.pid
        roll = f"/proc/{pid}/smaps_rollup"
        return {
            "rss": kib(f"/proc/{pid}/status", "VmRSS") / 1024,
            "threads": kib(f"/proc/{pid}/status", "Threads"),
            "shared_clean": kib(roll, "Shared_Clean") / 1024,
            "private_clean": kib(roll, "Private_Clean") / 1024,
            "private_dirty": kib(roll, "Private_Dirty") / 1024,
            "top": mappings(pid),
        }
    finally:
        stop_group(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--settle", type=float, default=10, help="seconds idle before reading")
    ap.add_argument("binaries", nargs="*", default=[str(REPO / "build" / "controller" / "spyt-operator")])
    args = ap.parse_args()
    kubectl("apply", "--server-side", "-f", str(REPO / "crds"))
    kubectl("create", "namespace", NAMESPACE, check=False)  # there already on a second run
    runs = {b: [] for b in args.binaries}
    for rep in range(args.reps):
        for b in args.binaries:
            runs[b].append(measure(b, args.settle))
            r = runs[b][-1]
            print(f"rep {rep} {b}: RSS {r['rss']:.1f} MiB, {r['threads']} threads", file=sys.stderr, flush=True)
    fields = [("rss", "VmRSS, MiB"), ("shared_clean", "shared clean, MiB"),
              ("private_clean", "private clean, MiB"), ("private_dirty", "private dirty (heap, stacks), MiB"),
              ("threads", "threads")]
    print(f"\nidle, {args.settle:g} s after the first /readyz 200 and one /metrics scrape; "
          f"medians of {args.reps}")
    print("| figure | " + " | ".join(args.binaries) + " |")
    print("|---|" + "---|" * len(args.binaries))
    for key, label in fields:
        print(f"| {label} | " + " | ".join(f"{statistics.median(r[key] for r in runs[b]):.1f}"
                                          for b in args.binaries) + " |")
    for b in args.binaries:
        top = ", ".join(f"{name} {k / 1024:.1f}" for name, k in runs[b][-1]["top"])
        print(f"largest mappings by RSS (MiB, last run) of {b}: {top}")


if __name__ == "__main__":
    main()
