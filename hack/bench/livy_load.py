#!/usr/bin/env python3
"""Load and hostile clients against our Livy server (prints figures; asserts nothing).

  $(hack/python-env.sh)/bin/python hack/bench/livy_load.py [--runs 3] [--seconds 10]

Starts a cluster with `spyt-operator local` (as hack/bench/livy_bench.py does), opens
a pyspark session, then, medians over --runs runs:
  1. `wrk --latency` GET /sessions with 10, 100 and 1000 connections (2 threads),
     first with the session idle, then while one of its statements runs (sleeps in
     the driver): requests/s, latency p50/p90/p99, and every answer that was not
     a 2xx or was a socket error;
  2. while 50 slow clients (one header byte a second) and 50 clients that drop in
     the middle of a body hold connections, the latency of a plain GET /sessions;
  3. after all of it: the statement's result, the session's next `1+1`, and the
     server's RSS and thread count.
Everything listens on 127.0.0.1 and is stopped at the end."""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from livy_bench import Client, Local, cluster_spec, livy_server_pid, load, rss_mib, stop_local, text_of  # noqa: E402
from livy_bench import wait_for  # noqa: E402

CONNECTIONS = (10, 100, 1000)
SLOW_CLIENTS = 50
SLEEP_CODE = "import time\ntime.sleep({s})\n'slept'"


def wrk(url, connections, seconds):
    """{rps, p50, p90, p99 (ms), bad (non-2xx + socket errors)} of one wrk run."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                          url], capture_output=True, text=True, timeout=seconds + 60).stdout
    fig = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
        fig[f"p{pct}"] = float(m.group(1)) * scale
    bad = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        bad += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        bad += sum(int(x) for x in m.groups())
    fig["bad"] = bad
    return fig


def hostile_clients(host, port, stop):
    """SLOW_CLIENTS connections that send a header a byte a second, and as many that
    announce a body, send half of it and close; each repeats until `stop` is set."""
    def slow():
        while not stop.is_set():
            try:
                with socket.create_connection((host, port), timeout=5) as s:
                    for ch in b"GET /sessions HTTP/1.1\r\nHost: x\r\n":
                        if stop.is_set():
                            return
                        s.sendall(bytes([ch]))
                        time.sleep(1)
            except OSError:
                time.sleep(0.5)

    def dropping():
        while not stop.is_set():
            try:
                with socket.create_connection((host, port), timeout=5) as s:
                    s.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 1000\r\n\r\n{\"kind\": \"pys")
                time.sleep(0.2)
            except OSError:
                time.sleep(0.5)

    threads = [threading.Thread(target=f, daemon=True) for f in [slow] * SLOW_CLIENTS + [dropping] * SLOW_CLIENTS]
    for t in threads:
        t.start()
    return threads


def get_latency_ms(client, n=20):
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        client.get("/sessions")
        out.append((time.monotonic() - t0) * 1000)
        time.sleep(0.05)
    return statistics.median(out)


def threads_of(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def one_run(client, sid, url, args):
    fig = {}
    for c in CONNECTIONS:
        for k, v in wrk(f"{url}/sessions", c, args.seconds).items():
            fig[f"idle c{c} {k}"] = v
    stid = client.post(f"/sessions/{sid}/statements",
                       {"code": SLEEP_CODE.format(s=len(CONNECTIONS) * (args.seconds + 2) + 5)})["id"]
    for c in CONNECTIONS:
        for k, v in wrk(f"{url}/sessions", c, args.seconds).items():
            fig[f"busy c{c} {k}"] = v
    host, port = url[len("http://"):].split(":")
    fig["plain GET ms"] = get_latency_ms(client)
    stop = threading.Event()
    threads = hostile_clients(host, int(port), stop)
    time.sleep(3)
    fig["GET ms with hostile clients"] = get_latency_ms(client)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    deadline = time.monotonic() + 120
    while True:
        st = client.get(f"/sessions/{sid}/statements/{stid}")
        if st["state"] in ("available", "cancelled") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    fig["statement ok"] = st["state"] == "available" and text_of(st).endswith("'slept'")
    _, st, _ = client.statement(sid, "1+1")
    fig["next ok"] = text_of(st).endswith("2")
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    args = ap.parse_args()
    print(f"load average at start: {load()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="spyt-livy-load-"))
    local = Local(tmp)
    ok = False
    try:
        local.write(cluster_spec(2))
        local.start()
        wait_for(lambda: local.condition("Ready") == "True", 240, "the cluster to be Ready", 0.5)
        url = f"http://{local.discovery()['livy']}"
        client = Client(url)
        sid = client.create("pyspark")[0]
        client.wait_idle(sid)
        server = livy_server_pid(local)
        runs = []
        for i in range(args.runs):
            runs.append(one_run(client, sid, url, args))
            print(f"run {i + 1}: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                              for k, v in runs[-1].items()), flush=True)
        print(f"\nGET /sessions under wrk (2 threads, {args.seconds} s each), medians of {len(runs)} run(s):")
        print(f"  {'session':8} {'conns':>6} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'bad':>6}")
        for state in ("idle", "busy"):
            for c in CONNECTIONS:
                m = {k: statistics.median(r[f"{state} c{c} {k}"] for r in runs) for k in ("rps", "p50", "p90", "p99")}
                bad = sum(r[f"{state} c{c} bad"] for r in runs)
                print(f"  {state:8} {c:6} {m['rps']:9.0f} {m['p50']:8.1f} {m['p90']:8.1f} {m['p99']:8.1f} {bad:6}")
        print(f"  ('busy': one statement running in the session's driver; 'bad': non-2xx answers and "
              f"socket errors summed over the runs)")
        print(f"GET /sessions alone: {statistics.median(r['plain GET ms'] for r in runs):.1f} ms; "
              f"with {SLOW_CLIENTS} slow-header and {SLOW_CLIENTS} dropping clients: "
              f"{statistics.median(r['GET ms with hostile clients'] for r in runs):.1f} ms (medians)")
        print(f"the running statement finished with its result in {sum(r['statement ok'] for r in runs)}/{len(runs)} "
              f"runs; the next statement ran in {sum(r['next ok'] for r in runs)}/{len(runs)}")
        print(f"server after the runs: RSS {rss_mib(server):.1f} MiB, {threads_of(server)} threads")
        ok = True
    finally:
        stop_local(local, tmp, ok)


if __name__ == "__main__":
    main()
