#!/usr/bin/env python3
"""Measures how our Livy server comes back after `kill -9` (prints figures; asserts nothing).

  hack/bench/livy_recovery_bench.py [--sessions 3] [--runs 3]

Starts the cluster livy_bench.py starts (Livy's limit --sessions, 1-core/512m drivers, one
worker with a core and 512m per session), opens --sessions pyspark sessions and
runs a statement on each, then --runs times: SIGKILLs the `spyt-launcher livy`
process and measures
  1. back: from the kill to GET /sessions answering with every session (the
     local supervisor's restart backoff, 1 s, included);
  2. lost: sessions not listed again, or listed but no longer idle;
  3. next statement: `1 + 1` on every session after the restart, all of them
     answered (a session whose statement fails counts as lost).
Prints medians over the runs, and each run. Binaries: SPYT_OPERATOR_BIN and
SPYT_LAUNCHER_BIN, as for the tests (default build/).
Run it with the test venv's python: $(hack/python-env.sh)/bin/python hack/bench/livy_recovery_bench.py
Everything listens on 127.0.0.1 and is stopped at the end."""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration" / "spark"))
sys.path.insert(0, str(REPO / "tests" / "integration"))  # waiting.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # livy_bench.py
os.environ.setdefault("SPYT_SOURCE_DIR", str(REPO))
from livy_batches import HEADERS  # noqa: E402
from livy_bench import cluster_spec  # noqa: E402  (the same cluster as the other Livy benches)
from livy_recovery import kill_and_wait_back  # noqa: E402
from local_proc import Local, stop_and_check  # noqa: E402
from waiting import wait_for  # noqa: E402

START = 240  # a session from POST to idle, at most
RUN = 120


def state(url, path):
    return requests.get(url + path, timeout=30).json()["state"]


def run_statement(url, sid, code):
    r = requests.post(f"{url}/sessions/{sid}/statements", json={"code": code}, headers=HEADERS,
                      timeout=30)
    if r.status_code != 201:
        return None
    path = f"/sessions/{sid}/statements/{r.json()['id']}"
    try:
        wait_for(lambda: state(url, path) in ("available", "cancelled"), RUN, path, interval=0.05)
    except AssertionError:
        return None
    out = requests.get(url + path, timeout=30).json().get("output") or {}
    return (out.get("data") or {}).get("text/plain")


def one_run(local, url, ids):
    back, listed = kill_and_wait_back(local, url, ids)
    idle_again = {s["id"] for s in listed if s["state"] == "idle"}
    t0 = time.monotonic()
    answered = {sid for sid in ids if run_statement(url, sid, "1 + 1") == "2"}
    return {"back_s": back, "lost": len(set(ids) - (idle_again & answered)),
            "next_s": time.monotonic() - t0}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="livy-recovery-bench-"))
    local = Local(tmp)
    try:
        local.write(cluster_spec(args.sessions))
        local.start()
        wait_for(lambda: local.condition("Ready") == "True", 180, "the cluster to be Ready")
        url = f"http://{local.discovery()['livy']}"
        ids = []
        for _ in range(args.sessions):
            r = requests.post(f"{url}/sessions", json={"kind": "pyspark"}, headers=HEADERS,
                              timeout=30)
            ids.append(r.json()["id"])
        for sid in ids:
            wait_for(lambda: state(url, f"/sessions/{sid}") == "idle", START, f"session {sid}")
            assert run_statement(url, sid, "1 + 1") == "2"
        runs = [one_run(local, url, ids) for _ in range(args.runs)]
        print(f"\nLivy server after kill -9, {args.sessions} sessions, median of {args.runs} runs "
              f"(load {os.getloadavg()[0]:.1f}):")
        print(f"  back (kill -> GET /sessions lists all): "
              f"{statistics.median(r['back_s'] for r in runs):.2f} s")
        print(f"  sessions lost: {max(r['lost'] for r in runs)} (worst run)")
        print(f"  next statement on every session after it: "
              f"{statistics.median(r['next_s'] for r in runs):.2f} s")
        for i, r in enumerate(runs, 1):
            print(f"  run {i}: back {r['back_s']:.2f} s, lost {r['lost']}, "
                  f"next statements {r['next_s']:.2f} s")
    finally:
        stop_and_check(local)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
