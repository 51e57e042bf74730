"""spyt-launcher runs a real cluster: master, worker and Livy, each started the
way a container starts it (the flags of the Kubernetes builders) plus the
local controller's flags (--work-dir, --spark-home, --livy-home).

Everything binds 127.0.0.1 on ports picked free at run time; each launcher
writes its config under its own work dir in pytest's tmp dir. The worker and
Livy are started together with the master and wait for its RPC port
(--wait-for-master). Checks: the master's /json/ says ALIVE with the one
worker and the offer the flags gave, Livy answers GET /sessions, a Livy batch
computes 500500 on the cluster, --livy-max-sessions 1 turns a second
concurrent batch away with Livy's HTTP 400, and YT_TOKEN (in every
launcher's environment) is written to no file.

A history server launched on the batches' event log lists the batch.

Stopping: SIGTERM to a launcher is forwarded to its JVM; the JVM ends and the
launcher exits 143, the JVM's own exit code for SIGTERM (128 + 15), the same
for every role. A launcher killed with SIGKILL still takes its JVM along (the
JVM gets SIGTERM by PR_SET_PDEATHSIG). Afterwards no process carrying this
run's environment marker is left (spark_procs.py).

The binary: $SPYT_LAUNCHER_BIN, else build/controller/spyt-launcher.
Prerequisite: `bash hack/spark-livy.sh` (writes $SPYT_CACHE/spark-livy.env).
"""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from livy_batches import (SLEEPER_JOB, batch_log, batch_state, delete_batch, expect_too_many,
                          post_batch_when_free, sum_job)
from spark_procs import LOOPBACK, Processes, free_port, load_spark_livy_env, processes_for_module

REPO = Path(__file__).resolve().parents[3]
LAUNCHER = os.environ.get("SPYT_LAUNCHER_BIN") or str(REPO / "build" / "controller" / "spyt-launcher")

START_TIMEOUT = 150       # a JVM daemon (and Livy's spark-submit --version) on a busy 2-core machine
BATCH_TIMEOUT = 240       # spark-submit + driver + executor on the worker, through Livy
SETTLE_TIMEOUT = 30       # Livy's child-process count, the master's app list
STOP_TIMEOUT = 40         # SIGTERM to a launcher until it and its JVM have exited
TOKEN = "yt-token-" + uuid.uuid4().hex   # in every launcher's environment; must reach no file


# ------------------------------------------------------------------ fixtures --

def launcher_env(rt: Processes) -> dict:
    """The launchers' environment: nothing of Spark, Livy or YT from outside
    (the launcher sets SPARK_LOCAL_IP etc. itself), the run marker, small
    daemon heaps and a token that must stay in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_", "LIVY_", "YT_"))}
    env.update(SPYT_TEST_RUN=rt.run_id, SPARK_DAEMON_MEMORY="512m", YT_TOKEN=TOKEN)
    return env


@pytest.fixture(scope="module")
def rt(tmp_path_factory):
    if not os.access(LAUNCHER, os.X_OK):
        pytest.fail(f"{LAUNCHER} is not built (ninja -C build spyt-launcher)", pytrace=False)
    with processes_for_module(tmp_path_factory, "launcher") as processes:
        conf = processes.tmp / "conf"   # what the ConfigMap holds in a pod
        conf.mkdir()
        events = processes.tmp / "event-log"   # Livy's batches log here, the history server reads it
        events.mkdir()
        (conf / "spark-defaults.conf").write_text(
            "spark.ui.enabled false\n"
            "spark.yt.version 1.75.4\n"
            "spark.eventLog.enabled true\n"
            f"spark.eventLog.dir {events.as_uri()}\n"
            "spark.history.fs.update.interval 2s\n"
        )
        processes.conf_dir = conf
        processes.event_log = events
        yield processes


def launch(rt: Processes, role: str, *args):
    work = rt.tmp / role
    cmd = [LAUNCHER, role, "--host", LOOPBACK, *args, "--conf-dir", rt.conf_dir, "--work-dir", work,
           "--spark-home", rt.cfg["SPARK_HOME"]]
    proc = rt.start(f"launcher-{role}", cmd, launcher_env(rt))
    proc.work = work
    return proc


@pytest.fixture(scope="module")
def cluster(rt):
    """Master, worker and Livy launchers started at once; returns when the
    master has its worker and Livy answers."""
    port, webui, rest = free_port(), free_port(), free_port()
    master_url = f"spark://{LOOPBACK}:{port}"
    master = launch(rt, "master", "--port", port, "--webui-port", webui, "--rest-port", rest)
    worker = launch(rt, "worker", "--cores", 1, "--memory", "1G", "--webui-port", free_port(),
                    "--worker-port", free_port(), "--master", master_url)
    livy_port = free_port()
    livy = launch(rt, "livy", "--port", livy_port, "--master", master_url, "--enable-livy",
                  "--livy-max-sessions", 1, "--livy-driver-cores", 1, "--livy-driver-memory", "512m",
                  "--livy-session-timeout", "10m", "--python", rt.cfg["SPARK_PYTHON"])
    webui_url = f"http://{LOOPBACK}:{webui}"
    rt.wait_master_alive(webui_url, master, START_TIMEOUT)
    rt.wait_worker_registered(webui_url, worker, START_TIMEOUT)
    livy_url = f"http://{LOOPBACK}:{livy_port}"
    rt.wait_livy_answers(livy_url, livy, START_TIMEOUT)
    return {"master": master, "worker": worker, "livy": livy, "master_url": master_url,
            "webui": webui_url, "rest_port": rest, "livy_url": livy_url,
            "jobs": jobs_dir(rt)}


# ------------------------------------------------------------------- helpers --

def jobs_dir(rt: Processes) -> Path:
    jobs = rt.tmp / "jobs"
    jobs.mkdir(exist_ok=True)
    return jobs


def batch_conf(rt: Processes) -> dict:
    python = rt.cfg["SPARK_PYTHON"]
    return {"spark.pyspark.python": python, "spark.pyspark.driver.python": python,
            "spark.executor.memory": "512m", "spark.cores.max": "1", "spark.log.level": "WARN"}


def stop_launcher(rt, proc, sig) -> int:
    """Sends `sig` to the launcher alone (not its group) and returns its exit code."""
    os.kill(proc.popen.pid, sig)
    try:
        return proc.popen.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        rt.fail(f"{proc.name} did not exit within {STOP_TIMEOUT}s of {signal.Signals(sig).name}")


def java_of(rt, work: Path):
    """Live JVMs of this run whose command line mentions `work` (a daemon's conf dir)."""
    return [f"{r.pid} {r.args}" for r in rt.marked_rows(str(work)) if "java" in r.args.split()[0]]


# --------------------------------------------------------------------- tests --

def test_bad_flags_exit_2_naming_the_flag():
    r = subprocess.run([LAUNCHER, "worker", "--host", LOOPBACK, "--cores", "x", "--memory", "1G",
                        "--webui-port", "8081", "--master", "spark://m:7077"],
                       capture_output=True, text=True, timeout=10)
    assert (r.returncode, r.stderr) == (2, 'spyt-launcher: --cores: "x" is not a whole number from 1 to 4096\n')
    r = subprocess.run([LAUNCHER, "livy", "--no-such-flag"], capture_output=True, text=True, timeout=10)
    assert (r.returncode, r.stderr) == (2, "spyt-launcher: unrecognised option '--no-such-flag'\n")


def test_dry_run_prints_config_and_command_and_starts_nothing(tmp_path):
    work = tmp_path / "work"
    r = subprocess.run([LAUNCHER, "livy", "--host", LOOPBACK, "--port", "8998", "--master", "spark://m:7077",
                        "--enable-livy", "--livy-max-sessions", "5", "--work-dir", work, "--dry-run",
                        "--spark-home", "/opt/spark", "--driver-home", "/opt/spyt/driver"],
                       capture_output=True, text=True, timeout=10, env={**os.environ, "YT_TOKEN": TOKEN})
    assert r.returncode == 0, r.stderr
    assert f"==> {work}/spark-conf/spark-defaults.conf <==" in r.stdout
    assert "max sessions 5" in r.stdout
    assert "/opt/spyt/driver/spyt_driver.py" in r.stdout
    assert TOKEN not in r.stdout + r.stderr
    assert not work.exists()


def test_master_is_alive_with_the_worker_as_offered(rt, cluster):
    state = requests.get(f"{cluster['webui']}/json/", timeout=10).json()
    if state.get("url") != cluster["master_url"] or state.get("status") != "ALIVE":
        rt.fail(f"master is not ALIVE at {cluster['master_url']}: {state}")
    workers = [w for w in state.get("workers", []) if w.get("state") == "ALIVE"]
    if len(workers) != 1 or workers[0].get("cores") != 1 or workers[0].get("memory") != 1024:
        rt.fail(f"expected one ALIVE worker with 1 core and 1024 MB: {state.get('workers')}")
    if not workers[0].get("host", "").startswith("127."):
        rt.fail(f"worker is not on loopback: {workers[0]}")
    # The REST port the master's spark-defaults.conf turned on.
    r = requests.get(f"http://{LOOPBACK}:{cluster['rest_port']}/v1/submissions/status/none", timeout=10)
    if r.status_code not in (200, 400, 404) or "action" not in r.text:
        rt.fail(f"the master's REST server does not answer: {r.status_code} {r.text}")


def test_worker_and_livy_waited_for_the_master(rt, cluster):
    for proc in (cluster["worker"], cluster["livy"]):
        log = proc.log_path.read_text(errors="replace")
        if "the master accepts connections" not in log:
            rt.fail(f"{proc.name} did not wait for the master")


def test_livy_answers_with_no_sessions(rt, cluster):
    r = requests.get(f"{cluster['livy_url']}/sessions", timeout=10)
    if r.status_code != 200 or r.json() != {"from": 0, "total": 0, "sessions": []}:
        rt.fail(f"GET /sessions answered {r.status_code}: {r.text}")


def test_everything_listens_on_loopback_only(rt, cluster):
    pids = {str(r.pid) for r in rt.marked_rows()}
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, timeout=10).stdout
    ours = [line for line in out.splitlines() if any(f"pid={pid}," in line for pid in pids)]
    bad = [line for line in ours if not line.split()[3].startswith(("127.", "[::ffff:127.", "[::1]:"))]
    if bad or len(ours) < 6:   # master rpc/webui/rest, worker rpc/webui, livy
        rt.fail(f"listeners not on loopback: {bad}; ours: {ours}")


def test_livy_batch_computes_the_sum_on_the_cluster(rt, cluster):
    job = cluster["jobs"] / "sum_batch.py"
    job.write_text(sum_job("LIVY_BATCH_SUM"))
    name = f"launcher-sum-{uuid.uuid4().hex[:8]}"
    t0 = time.monotonic()
    r = post_batch_when_free(cluster['livy_url'], {"file": job.as_uri(), "name": name, "conf": batch_conf(rt)}, SETTLE_TIMEOUT)
    if r.status_code != 201:
        rt.fail(f"POST /batches answered {r.status_code}: {r.text}")
    bid = r.json()["id"]
    rt.wait_for(f"batch {bid} to succeed", lambda: batch_state(cluster['livy_url'], bid, rt.fail) == "success",
                BATCH_TIMEOUT, interval=1, proc=cluster["livy"])
    rt.timings["livy_batch_result"] = time.monotonic() - t0
    log = batch_log(cluster['livy_url'], bid)
    if "LIVY_BATCH_SUM=500500" not in log:
        rt.fail(f"batch {bid} succeeded without printing LIVY_BATCH_SUM=500500; its log:\n{log}")
    state = requests.get(f"{cluster['webui']}/json/", timeout=10).json()
    if not any(a.get("name") == name for a in state.get("completedapps", [])):
        rt.fail(f"the master has no completed app {name}: {state.get('completedapps')}")


def test_history_server_lists_the_batch(rt, cluster):
    port = free_port()
    proc = launch(rt, "history", "--port", port, "--log-directory", rt.event_log.as_uri())
    cluster["history"] = proc
    url = f"http://{LOOPBACK}:{port}/api/v1/applications"

    def sum_app():
        r = requests.get(url, timeout=5)
        apps = r.json() if r.status_code == 200 else []
        return [a for a in apps if a.get("name", "").startswith("launcher-sum-")]

    rt.wait_for("the history server to list the sum batch", sum_app, START_TIMEOUT, proc=proc)
    rt.timings["history_lists_app"] = time.monotonic() - proc.started


def test_a_second_concurrent_batch_is_rejected_by_max_sessions(rt, cluster):
    sleeper = cluster["jobs"] / "sleeper_batch.py"
    sleeper.write_text(SLEEPER_JOB)
    run = uuid.uuid4().hex[:8]
    body = {"file": sleeper.as_uri(), "name": f"launcher-sleeper-{run}", "conf": batch_conf(rt)}
    r = post_batch_when_free(cluster['livy_url'], body, SETTLE_TIMEOUT)
    if r.status_code != 201:
        rt.fail(f"POST /batches answered {r.status_code}: {r.text}")
    first = r.json()["id"]
    try:
        rt.wait_for(f"the driver of batch {first} to start",
                    lambda: batch_state(cluster['livy_url'], first, rt.fail) == "running"
                    and "LIVY_SLEEPER_UP" in batch_log(cluster['livy_url'], first),
                    BATCH_TIMEOUT, interval=1, proc=cluster["livy"])
        expect_too_many(rt, cluster['livy_url'], {**body, "name": f"launcher-sleeper-{run}-2"}, sleeper,
                        SETTLE_TIMEOUT)
    finally:
        delete_batch(rt, cluster['livy_url'], first, sleeper, SETTLE_TIMEOUT)


def test_the_token_is_written_nowhere(rt, cluster):
    needle = TOKEN.encode()
    found = [str(p) for p in rt.tmp.rglob("*") if p.is_file() and needle in p.read_bytes()]
    if found:
        rt.fail(f"YT_TOKEN found in {found}")


def test_a_sigkilled_launcher_takes_its_jvm_along(rt, cluster):
    worker = cluster["worker"]
    if not java_of(rt, worker.work):
        rt.fail("no worker JVM found before the kill")
    code = stop_launcher(rt, worker, signal.SIGKILL)
    if code != -signal.SIGKILL:
        rt.fail(f"the worker's launcher exited {code} after SIGKILL")
    rt.wait_for("the worker's JVM to exit after its launcher was killed",
                lambda: not java_of(rt, worker.work), STOP_TIMEOUT)


def test_sigterm_to_the_livy_launcher_ends_its_drivers_and_it_exits_0(rt, cluster):
    proc = cluster["livy"]
    code = stop_launcher(rt, proc, signal.SIGTERM)
    if code != 0:
        rt.fail(f"the livy launcher exited {code} after SIGTERM, expected 0")
    left = [f"{r.pid} {r.args}" for r in rt.marked_rows(str(proc.work))]
    if left:
        rt.fail(f"the livy launcher exited but left: {left}")


def test_sigterm_to_a_launcher_stops_its_jvm_and_it_exits_143(rt, cluster):
    for name in ("history", "master"):
        proc = cluster.get(name)
        if proc is None:
            continue   # its test did not get to start it
        if not java_of(rt, proc.work):
            rt.fail(f"no {name} JVM found before SIGTERM")
        t0 = time.monotonic()
        code = stop_launcher(rt, proc, signal.SIGTERM)
        rt.timings[f"{name}_stop"] = time.monotonic() - t0
        if code != 143:
            rt.fail(f"the {name} launcher exited {code} after SIGTERM, expected 143")
        left = java_of(rt, proc.work)   # the launcher waits for its JVM, so none may be left
        if left:
            rt.fail(f"the {name} launcher exited but its JVM runs: {left}")
