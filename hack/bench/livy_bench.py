#!/usr/bin/env python3
"""Benchmarks our Livy server (`spyt-launcher livy`) as clients see it (prints figures; asserts nothing).

  hack/bench/livy_bench.py [--runs 3] [--max-sessions 3] [--round-trips 5]

Starts a cluster with `spyt-operator local` (one worker with a core and 512m per
session; Livy with --max-sessions sessions of a 1-core/512m driver, each session
a 1-core/512m executor) and measures, medians over --runs runs:
  1. POST /sessions -> idle, for kind pyspark and for kind spark (the state polled every 50 ms);
  2. the first result: POST /sessions -> `sc.parallelize(1 to 1000).sum()` available
     (spark kind), posted as soon as the session is idle;
  3. the round trip of `1+1` on an idle session by a client polling the statement
     every 20 ms, next to the driver's own time for it (`completed - started` in
     the statement's JSON): the difference is the server's overhead;
  4. DELETE /sessions/{id} (Jupyter kills a kernel 5 s after asking it to stop:
     sparkmagic deletes its session within that time or leaves it behind);
  5. the server's RSS (VmRSS of the `spyt-launcher livy` process) with 0 sessions
     and with --max-sessions sessions open;
  6. for comparison, Apache Livy 0.7.1's server JVM idle (answering GET /sessions,
     no session: it has no REPL here), started as tests/integration/spark/livy_oracle.py does.
Targets are printed next to the figures, the load average at start and end.
Binaries: SPYT_OPERATOR_BIN and SPYT_LAUNCHER_BIN, as for the tests (default build/).
Run it with the test venv's python: $(hack/python-env.sh)/bin/python hack/bench/livy_bench.py
Everything listens on 127.0.0.1 and is stopped at the end."""

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration" / "spark"))
sys.path.insert(0, str(REPO / "tests" / "integration"))  # waiting.py
os.environ.setdefault("SPYT_SOURCE_DIR", str(REPO))
import livy_oracle  # noqa: E402
from local_proc import Local, marked_pids, sessions_cluster  # noqa: E402
from spark_procs import Processes, load_spark_livy_env  # noqa: E402
from waiting import wait_for  # noqa: E402

TARGET_RSS_MIB = 20
TARGET_IDLE_S = 15
TARGET_OVERHEAD_MS = 100
START = 240          # a session from POST to idle, at most
RUN = 120            # one statement, at most
FIRST = "sc.parallelize(1 to 1000).sum()"


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cluster_spec(max_sessions):
    c = sessions_cluster(max_sessions, memory=f"{512 * max_sessions}m")
    c["spec"]["livy"].update(driverCores=1, driverMemory="512m")
    return c


class Client:
    """A Livy client on one keep-alive connection, as sparkmagic and pylivy hold one."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        self.http.headers.update({"Content-Type": "application/json", "X-Requested-By": "livy-bench"})

    def get(self, path):
        r = self.http.get(self.url + path, timeout=30)
        r.raise_for_status()
        return r.json()

    def post(self, path, body):
        r = self.http.post(self.url + path, data=json.dumps(body), timeout=60)
        r.raise_for_status()
        return r.json()

    def create(self, kind):
        """POST /sessions; returns (id, the time just before the POST)."""
        t0 = time.monotonic()
        return self.post("/sessions", {"kind": kind})["id"], t0

    def wait_idle(self, sid):
        """Polls the state every 50 ms; returns when idle was seen."""
        while True:
            state = self.get(f"/sessions/{sid}/state")["state"]
            if state == "idle":
                return time.monotonic()
            if state in ("error", "dead", "killed", "success"):
                log = "\n".join(self.get(f"/sessions/{sid}/log?size=40")["log"])
                raise RuntimeError(f"session {sid} is {state}:\n{log}")
            time.sleep(0.05)

    def statement(self, sid, code, interval=0.02):
        """Posts `code` and polls it every `interval` s until available; returns
        (seconds from POST to seeing it available, its JSON, the wall-clock
        times of the POST and of the sighting, to set against the driver's)."""
        t0, posted = time.monotonic(), time.time()
        stid = self.post(f"/sessions/{sid}/statements", {"code": code})["id"]
        deadline = t0 + RUN
        while time.monotonic() < deadline:
            st = self.get(f"/sessions/{sid}/statements/{stid}")
            if st["state"] in ("available", "cancelled"):
                return time.monotonic() - t0, st, (posted, time.time())
            time.sleep(interval)
        raise RuntimeError(f"statement {stid} of session {sid} not available after {RUN}s")

    def delete(self, sid):
        t0 = time.monotonic()
        self.http.delete(f"{self.url}/sessions/{sid}", timeout=60).raise_for_status()
        return time.monotonic() - t0


def text_of(st):
    out = st.get("output") or {}
    return (out.get("data") or {}).get("text/plain", f"<{out.get('status')}: {out.get('evalue')}>").strip()


def round_trips(client, sid, n, expect):
    """n round trips of `1+1`: [(round trip, driver's time, POST -> driver started,
    driver completed -> client saw it)], in seconds."""
    out = []
    for _ in range(n):
        rt, st, (posted, seen) = client.statement(sid, "1+1")
        if not text_of(st).endswith(expect):
            print(f"  warning: `1+1` gave {text_of(st)!r}", flush=True)
        started, completed = st["started"] / 1000, st["completed"] / 1000
        out.append((rt, completed - started, started - posted, seen - completed))
    return out


def round_trip_figures(fig, kind, rts):
    for name, values in zip(("rt", "driver", "dispatch", "notice"), zip(*rts)):
        fig[f"{kind} {name}"] = statistics.median(values)


def one_run(client, local, args):
    """Returns {figure: value} for one pyspark and one spark session, one after the other."""
    fig = {}
    sid, t0 = client.create("pyspark")
    fig["pyspark idle"] = client.wait_idle(sid) - t0
    round_trip_figures(fig, "pyspark", round_trips(client, sid, args.round_trips, "2"))
    fig["delete"] = client.delete(sid)
    wait_for(lambda: not local.pids_running(b"spyt_driver.py"), 60, "the driver to exit")

    sid, t0 = client.create("spark")
    fig["spark idle"] = client.wait_idle(sid) - t0
    _, st, _ = client.statement(sid, FIRST, interval=0.05)
    fig["first result"] = time.monotonic() - t0
    if "500500" not in text_of(st):
        print(f"  warning: the sum gave {text_of(st)!r}", flush=True)
    round_trip_figures(fig, "spark", round_trips(client, sid, args.round_trips, "= 2"))
    client.delete(sid)
    wait_for(lambda: not local.pids_running(b"spyt_driver.py"), 60, "the driver to exit")
    return fig


def rss_with_sessions(client, local, server_pid, n):
    """The server's RSS with n sessions (kinds alternating) idle, each having run `1+1`."""
    sids = [client.create("spark" if i % 2 else "pyspark")[0] for i in range(n)]
    try:
        for sid in sids:
            client.wait_idle(sid)
            client.statement(sid, "1+1")
        return rss_mib(server_pid)
    finally:
        for sid in sids:
            client.delete(sid)
        wait_for(lambda: not local.pids_running(b"spyt_driver.py"), 90, "the drivers to exit")


def livy_server_pid(local):
    for pid in local.pids_running(b"spyt-launcher"):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if len(argv) > 1 and argv[1] == b"livy":
            return pid
    raise RuntimeError("no `spyt-launcher livy` process")


def apache_livy_rss(tmp, master_url):
    """Apache Livy 0.7.1's server JVM RSS once it answers GET /sessions and has
    served a few; None (with the reason printed) when it cannot start."""
    rt = Processes(tmp, load_spark_livy_env())
    try:
        ep = livy_oracle.start_apache_livy(rt, "apache-livy", master_url, tmp, csrf=False)
        livy_oracle.wait_answering(rt, ep, 180)
        for _ in range(20):
            requests.get(f"{ep.url}/sessions", timeout=10).raise_for_status()
        time.sleep(2)
        return rss_mib(ep.proc.popen.pid)
    except (pytest.fail.Exception, requests.RequestException, OSError) as e:
        print(f"Apache Livy 0.7.1 did not give a figure: {str(e)[:2000]}")
        return None
    finally:
        rt.stop_all()


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def against(value, target, unit):
    return f"(target <= {target} {unit}: {'met' if value <= target else 'missed'})"


def report(runs, rss, args):
    print(f"\nmedians of {len(runs)} run(s), {args.round_trips} round trips each:")
    for kind in ("pyspark", "spark"):
        idle = med(runs, f"{kind} idle")
        print(f"  {kind:7} POST -> idle {idle:6.1f} s   {against(idle, TARGET_IDLE_S, 's')}")
    print(f"  spark   POST -> `{FIRST}` available {med(runs, 'first result'):.1f} s")
    for kind in ("pyspark", "spark"):
        rt, drv = med(runs, f"{kind} rt") * 1000, med(runs, f"{kind} driver") * 1000
        over = statistics.median(r[f"{kind} rt"] - r[f"{kind} driver"] for r in runs) * 1000
        print(f"  {kind:7} `1+1` round trip {rt:6.0f} ms, driver's own {drv:6.0f} ms, "
              f"server overhead {over:5.0f} ms   {against(over, TARGET_OVERHEAD_MS, 'ms')}")
        print(f"          of which POST -> driver started {med(runs, f'{kind} dispatch') * 1000:.0f} ms, "
              f"driver completed -> client saw it {med(runs, f'{kind} notice') * 1000:.0f} ms "
              f"(polling every 20 ms)")
    print(f"  DELETE /sessions/{{id}} {med(runs, 'delete') * 1000:.0f} ms (Jupyter's kernel shutdown wait: 5000 ms)")
    print("server RSS (VmRSS of `spyt-launcher livy`):")
    for label, value in rss.items():
        if label.startswith("ours"):
            print(f"  {label[5:]:32} {value:6.1f} MiB   {against(value, TARGET_RSS_MIB, 'MiB')}")
    theirs = rss.get("apache")
    if theirs:
        ours = rss["ours 0 sessions (at start)"]
        print(f"  Apache Livy 0.7.1 JVM, idle      {theirs:6.1f} MiB   ({theirs / ours:.1f}x ours at 0 sessions; "
              f"-Xmx384m as the oracle starts it)")


def run_line(i, fig, rss):
    return (f"run {i}: idle pyspark {fig['pyspark idle']:.1f} s, spark {fig['spark idle']:.1f} s; "
            f"first result {fig['first result']:.1f} s; `1+1` pyspark {fig['pyspark rt'] * 1000:.0f} ms "
            f"(driver {fig['pyspark driver'] * 1000:.0f}), spark {fig['spark rt'] * 1000:.0f} ms "
            f"(driver {fig['spark driver'] * 1000:.0f}); DELETE {fig['delete'] * 1000:.0f} ms; "
            f"server RSS {rss:.1f} MiB")


def bench(local, tmp, args):
    local.write(cluster_spec(args.max_sessions))
    t0 = time.monotonic()
    local.start()
    wait_for(lambda: local.condition("Ready") == "True", args.ready_timeout, "the cluster to be Ready", 0.5)
    print(f"cluster Ready {time.monotonic() - t0:.1f} s after start (maxSessions {args.max_sessions})", flush=True)
    client = Client(f"http://{local.discovery()['livy']}")
    server = livy_server_pid(local)
    time.sleep(2)
    rss = {"ours 0 sessions (at start)": rss_mib(server)}
    runs = []
    for i in range(args.runs):
        runs.append(one_run(client, local, args))
        time.sleep(2)
        print(run_line(i + 1, runs[-1], rss_mib(server)), flush=True)
    rss[f"ours {args.max_sessions} sessions open"] = rss_with_sessions(client, local, server, args.max_sessions)
    rss["ours 0 sessions (after the runs)"] = rss_mib(server)
    (tmp / "apache-livy").mkdir()
    rss["apache"] = apache_livy_rss(tmp / "apache-livy", f"spark://{local.discovery()['spark_address']}")
    report(runs, rss, args)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs to take medians over (default 3)")
    ap.add_argument("--max-sessions", type=int, default=3,
                    help="Livy's maxSessions, all opened at once for the RSS figure (default 3)")
    ap.add_argument("--round-trips", type=int, default=5, help="`1+1` statements per session and run (default 5)")
    ap.add_argument("--ready-timeout", type=float, default=240, help="seconds for the cluster to be Ready")
    args = ap.parse_args()

    print(f"load average at start: {load()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="spyt-livy-bench-"))
    local = Local(tmp)
    ok = False
    try:
        bench(local, tmp, args)
        ok = True
    finally:
        stop_local(local, tmp, ok)


def stop_local(local, tmp, ok):
    """Stops the cluster and anything it left; removes `tmp` unless the run failed."""
    local.stop()
    for pid in marked_pids(local.marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if ok:  # a failed run keeps its logs for a look
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"logs kept in {tmp}", file=sys.stderr)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
