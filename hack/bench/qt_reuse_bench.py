#!/usr/bin/env python3
"""A Query Tracker query on a reused session vs on a fresh one (prints figures; asserts nothing).

  hack/bench/qt_reuse_bench.py [--runs 3]

Starts the cluster of the other Livy benches (livy_bench.cluster_spec, 2 sessions) with
`spyt-operator local` and its default SPYT release, then runs Query Tracker's flow
(tests/integration/spark/query_tracker.py) for `SELECT id, ... FROM range(100)` with
rowCountLimit 10, --runs times each way, alternating:
  fresh   without session reuse: POST /sessions, wait for idle, the statement, DELETE
          (what every query costs when reuse is off, or the first query of a user);
  reused  with reuse, on the user's warm session: find-by-user, the statement, cancel.
For each it prints the query time as Query Tracker sees it (from its first request to the
decoded result), split into the session part and the statement part, medians over the
runs and each run, and the saving. The seed's claim to check: reuse saves 10-20 s.
Run it with the test venv's python: $(hack/python-env.sh)/bin/python hack/bench/qt_reuse_bench.py
Everything listens on 127.0.0.1 and is stopped at the end."""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration" / "spark"))
sys.path.insert(0, str(REPO / "tests" / "integration"))  # waiting.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # livy_bench.py
from livy_bench import cluster_spec, load, stop_local  # noqa: E402
from local_proc import Local  # noqa: E402
from query_tracker import QueryTracker  # noqa: E402
from waiting import wait_for  # noqa: E402

QUERY = "SELECT id, concat('row-', cast(id AS string)) AS s FROM range(100)"


def timed(client):
    t0 = time.monotonic()
    r = client.run(QUERY)
    total = time.monotonic() - t0
    assert r.truncated and b"row-0" in r.wire, "the query's rows are not in the result"
    return total, r.session_seconds, r.statement_seconds


def report(name, runs):
    totals, sessions, statements = zip(*runs)
    each = ", ".join(f"{t:.1f}" for t in totals)
    print(f"  {name:6} query {statistics.median(totals):6.1f} s  (session {statistics.median(sessions):5.1f} s"
          f" + statement {statistics.median(statements):5.1f} s)   runs: {each}")
    return statistics.median(totals)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ready-timeout", type=float, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="spyt-qt-bench-"))
    local = Local(tmp)
    ok = False
    try:
        print(f"load average at start: {load()}", flush=True)
        local.write(cluster_spec(2))
        local.start()
        wait_for(lambda: local.condition("Ready") == "True", args.ready_timeout, "the cluster to be Ready", 0.5)
        discovery = local.discovery()
        print(f"cluster Ready; SPYT {discovery.get('version')}, Livy at {discovery.get('livy')}", flush=True)
        reuser = QueryTracker(discovery, "bench-reuse", token="t1", reuse=True)
        warm_up = timed(reuser)  # the user's first query starts the session it reuses later
        print(f"  first query of the reusing user (starts its session): {warm_up[0]:.1f} s", flush=True)
        fresh, reused = [], []
        for i in range(args.runs):
            fresh.append(timed(QueryTracker(discovery, f"bench-fresh-{i}", token="t2", reuse=False)))
            reused.append(timed(reuser))
            print(f"  run {i + 1}: fresh {fresh[-1][0]:.1f} s, reused {reused[-1][0]:.1f} s", flush=True)
        print(f"Query Tracker query ({QUERY!r}, rowCountLimit 10), medians of {args.runs} runs:")
        f = report("fresh", fresh)
        r = report("reused", reused)
        print(f"  reuse saves {f - r:.1f} s per query ({f / r:.1f}x faster); the seed says 10-20 s")
        ok = True
    finally:
        stop_local(local, tmp, ok)


if __name__ == "__main__":
    main()
