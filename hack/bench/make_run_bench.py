#!/usr/bin/env python3
"""Benchmarks `make run` on a warm cache (prints figures; asserts nothing).

  hack/bench/make_run_bench.py [--runs 3]

Each run starts `make run` (install checks, a no-op build, then `spyt-operator local`
on examples/local/) with a fresh state directory and measures, from the moment the
command starts:
  1. Livy answering: the first 200 from GET /sessions at the address the local controller
     publishes in its discovery directory;
  2. the first result: a PySpark batch summing 1..1000 on the cluster's workers,
     posted as soon as Livy answers, until Livy reports it `success` (interactive
     statements need Livy's REPL jars, which this machine cannot get; see README);
  3. the RSS of the `spyt-operator local` process while it supervises the cluster
     (after the batch, with the Livy poller running).
Then it sends SIGINT and waits for every process to exit. Medians are printed last.
A failed run keeps its state directory and log in /tmp (the error names them).
Everything listens on 127.0.0.1."""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration" / "spark"))
from livy_batches import batch_log, post_batch_when_free, sum_job  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import stop_group  # noqa: E402


def discovered_livy(state):
    root = state / "discovery" / "local" / "discovery" / "livy"
    children = os.listdir(root) if root.is_dir() else []
    return f"http://{children[0]}" if children else None


def operator_pid(pgid):
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != pgid:
                continue
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd[0].endswith(b"spyt-operator") and b"local" in cmd:
            return int(proc.name)
    return None


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(timeout):
    state = Path(tempfile.mkdtemp(prefix="spyt-make-run-"))
    log = open(state.parent / f"{state.name}.log", "wb")
    ok = False
    start = time.monotonic()
    proc = subprocess.Popen(["make", "--no-print-directory", "run", f"RUN_STATE={state}"], cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        livy = None
        while time.monotonic() - start < timeout:
            livy = livy or discovered_livy(state)
            if livy:
                try:
                    if requests.get(f"{livy}/sessions", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"Livy did not answer within {timeout}s; see {log.name}")
        t_livy = time.monotonic() - start

        job = state / "clusters" / "local" / "livy" / "files" / "sum.py"
        job.parent.mkdir(parents=True, exist_ok=True)
        job.write_text(sum_job("BENCH_SUM"))
        r = post_batch_when_free(livy, {"file": job.as_uri(), "conf": {"spark.executor.memory": "512m"}}, 30)
        r.raise_for_status()
        bid = r.json()["id"]
        while time.monotonic() - start < timeout:
            st = requests.get(f"{livy}/batches/{bid}", timeout=5).json()["state"]
            if st in ("success", "dead", "error", "killed"):
                break
            time.sleep(0.2)
        if st != "success" or "BENCH_SUM=500500" not in batch_log(livy, bid):
            raise RuntimeError(f"the batch ended {st}:\n{batch_log(livy, bid)}")
        t_result = time.monotonic() - start
        time.sleep(3)  # a few supervision passes and Livy polls
        rss = rss_mib(operator_pid(proc.pid))
        ok = True
        return t_livy, t_result, rss
    finally:
        stop_group(proc, signal.SIGINT, 90)
        log.close()
        if ok:  # a failed run keeps its state and log for a look
            shutil.rmtree(state, ignore_errors=True)
            os.unlink(log.name)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    subprocess.run(["make", "--no-print-directory", "build"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    results = []
    for i in range(args.runs):
        t_livy, t_result, rss = one_run(args.timeout)
        results.append((t_livy, t_result, rss))
        print(f"run {i + 1}: Livy answering {t_livy:.1f} s, first batch result {t_result:.1f} s, "
              f"operator RSS {rss:.1f} MiB", flush=True)
    med = [statistics.median(r[k] for r in results) for k in range(3)]
    print(json.dumps({"runs": args.runs, "median_livy_answering_s": round(med[0], 1),
                      "median_first_result_s": round(med[1], 1), "median_operator_rss_mib": round(med[2], 1)}))


if __name__ == "__main__":
    main()
