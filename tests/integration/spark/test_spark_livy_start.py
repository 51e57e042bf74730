"""The Spark and Livy that hack/spark-livy.sh installs really start, answer and
run jobs.

Everything runs on 127.0.0.1 with ports picked free at run time: a Spark
standalone master (its web UI's /json/ says ALIVE), one worker, and a Livy
server started the way a launcher must start it (java -cp <livy jars>:<conf
dirs> org.apache.livy.server.LivyServer, with a generated livy.conf). Livy runs
PySpark batches on the cluster (POST /batches) and enforces
livy.server.session.max-creation. Interactive sessions are not tested: the
registry has no livy-repl jars for any Livy release (see hack/versions.env).

Each process gets its own process group; teardown ends the groups, then checks
with ps that no process carrying this run's environment marker (spark-submit,
Python drivers, executors, pyspark daemons included) is left. Logs go under
pytest's tmp dir and are shown in the failure message of any check that fails.

Prerequisite: `bash hack/spark-livy.sh` (writes $SPYT_CACHE/spark-livy.env).
"""

import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from livy_batches import (SLEEPER_JOB, batch_log, batch_state, delete_batch, expect_too_many, post_batch,
                          post_batch_when_free, sum_job)
from spark_procs import LOOPBACK, Processes, free_port, load_spark_livy_env, processes_for_module

START_TIMEOUT = 90        # a JVM daemon on a busy 2-core machine
JOB_TIMEOUT = 180         # spark-submit + driver + executor on the worker
BATCH_TIMEOUT = 240       # the same through Livy
SETTLE_TIMEOUT = 30       # Livy's child-process count, the master's app list
MAX_CREATION = 1          # livy.server.session.max-creation


# ------------------------------------------------------------------ fixtures --

@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    with processes_for_module(tmp_path_factory, "spark-livy") as rt:
        yield rt


@pytest.fixture(scope="module")
def master(processes):
    port, webui = free_port(), free_port()
    spark_class = Path(processes.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    proc = processes.start("spark-master", [
        spark_class, "org.apache.spark.deploy.master.Master",
        "--host", LOOPBACK, "--port", port, "--webui-port", webui,
    ], processes.spark_env())
    state = processes.wait_master_alive(f"http://{LOOPBACK}:{webui}", proc, START_TIMEOUT)
    return {"url": f"spark://{LOOPBACK}:{port}", "webui": f"http://{LOOPBACK}:{webui}", "state": state,
            "proc": proc}


@pytest.fixture(scope="module")
def livy(processes, master):
    cfg = processes.cfg
    port = free_port()
    conf = processes.tmp / "livy-conf"
    conf.mkdir()
    jobs = processes.tmp / "livy-jobs"   # the one local dir batches may run files from
    jobs.mkdir()
    lines = {
        "livy.server.host": LOOPBACK,
        "livy.server.port": port,
        "livy.spark.master": master["url"],
        "livy.spark.deploy-mode": "client",
        # Counts spark-submit children alive (batches included), not sessions.
        "livy.server.session.max-creation": MAX_CREATION,
        # Livy 0.7's parser misses "Using Scala version 2.12.18, OpenJDK ..." from
        # spark-submit --version and would fall back to 2.11: say it.
        "livy.spark.scala-version": cfg.get("LIVY_SCALA_BINARY") or "2.12",
        "livy.rsc.jars": cfg["LIVY_RSC_JARS"],
        # Batch "file" URIs under file:// must lie in a listed dir (else 400).
        "livy.file.local-dir-whitelist": f"{jobs.resolve()}/",
        # A batch's log is the last N lines of spark-submit's output (default 200).
        "livy.cache-log.size": 2000,
    }
    (conf / "livy.conf").write_text("".join(f"{k} = {v}\n" for k, v in lines.items()))
    # RSC settings: a session's driver and the server talk over loopback.
    (conf / "livy-client.conf").write_text(
        f"livy.rsc.launcher.address = {LOOPBACK}\n"
        f"livy.rsc.rpc.server.address = {LOOPBACK}\n"
    )
    template = Path(cfg.get("LIVY_CONF_TEMPLATE_DIR", ""))
    if (template / "log4j.properties").is_file():
        (conf / "log4j.properties").write_text((template / "log4j.properties").read_text())
    logs = processes.tmp / "livy-logs"
    logs.mkdir()

    env = processes.spark_env()
    env.update(
        LIVY_HOME=cfg["LIVY_HOME"],       # Livy reads $LIVY_HOME (and needs it set)
        LIVY_CONF_DIR=str(conf),          # livy.conf / livy-client.conf come from here
        LIVY_LOG_DIR=str(logs),           # the request log; default $LIVY_HOME/logs
    )
    classpath = ":".join([f"{cfg['LIVY_SERVER_JARS_DIR']}/*", str(conf), env["SPARK_CONF_DIR"]])
    proc = processes.start("livy-server", ["java", "-Xmx512m", "-cp", classpath,
                                         "org.apache.livy.server.LivyServer"], env)
    url = f"http://{LOOPBACK}:{port}"
    processes.wait_livy_answers(url, proc, START_TIMEOUT)
    return {"url": url, "proc": proc, "conf": conf, "jobs": jobs}


@pytest.fixture(scope="module")
def worker(processes, master):
    port, webui = free_port(), free_port()
    work = processes.tmp / "worker-work"
    work.mkdir()
    spark_class = Path(processes.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    proc = processes.start("spark-worker", [
        spark_class, "org.apache.spark.deploy.worker.Worker",
        "--cores", 1, "--memory", "1g", "--host", LOOPBACK, "--port", port, "--webui-port", webui,
        "--work-dir", work, master["url"],
    ], processes.spark_env())
    processes.wait_worker_registered(master["webui"], proc, START_TIMEOUT)
    return proc


# ------------------------------------------------------------------- helpers --

def batch_conf(rt: Processes) -> dict:
    """The Spark conf a batch needs here: the driver (spark-submit's client mode,
    a child of Livy) on loopback, the venv's python for driver and executors,
    and an executor that fits the 1-core, 1 GB worker."""
    python = rt.cfg["SPARK_PYTHON"]
    return {
        "spark.driver.host": LOOPBACK,
        "spark.driver.bindAddress": LOOPBACK,
        "spark.pyspark.python": python,
        "spark.pyspark.driver.python": python,
        "spark.executor.memory": "512m",
        "spark.cores.max": "1",
        "spark.ui.enabled": "false",
    }


def count_retry(rt):
    rt.timings["too_many_retries"] = rt.timings.get("too_many_retries", 0) + 1


def master_app(master, name, where):
    """The app called `name` in the master's `where` list (activeapps, completedapps)."""
    state = requests.get(f"{master['webui']}/json/", timeout=10).json()
    return next((a for a in state.get(where, []) if a.get("name") == name), None)


# --------------------------------------------------------------------- tests --

def test_master_web_ui_says_alive(processes, master):
    state = master["state"]
    if state.get("url") != master["url"]:
        processes.fail(f"master reports url {state.get('url')!r}, expected {master['url']!r}: {state}")
    if state.get("status") != "ALIVE":
        processes.fail(f"master is not ALIVE: {state}")


def test_livy_answers_empty_session_list(processes, livy):
    r = requests.get(f"{livy['url']}/sessions", timeout=10)
    if r.status_code != 200:
        processes.fail(f"GET /sessions answered {r.status_code}: {r.text}")
    if r.json() != {"from": 0, "total": 0, "sessions": []}:
        processes.fail(f"GET /sessions answered {r.text}")
    # Livy checked `spark-submit --version` of our SPARK_HOME at start-up.
    if not livy["proc"].alive():
        processes.fail("the Livy server exited after answering")


def test_everything_listens_on_loopback_only(processes, master, worker, livy):
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, timeout=10).stdout
    ours = {}
    for p in processes.procs:
        for line in p.group_members():
            ours[line.split()[0]] = p.name
    bad, seen = [], []
    for line in out.splitlines():
        fields = line.split()
        local = fields[3] if len(fields) > 3 else ""
        for pid, name in ours.items():
            if f"pid={pid}," in line:
                seen.append(f"{name} {local}")
                if not local.startswith(("127.", "[::ffff:127.", "[::1]:")):
                    bad.append(f"{name}: {line.strip()}")
    if bad or not seen:
        processes.fail(f"listeners not on loopback: {bad}; ours: {seen}")


def test_worker_registers_and_runs_a_job(processes, master, worker):
    state = requests.get(f"{master['webui']}/json/", timeout=10).json()
    workers = [w for w in state.get("workers", []) if w.get("state") == "ALIVE"]
    if len(workers) != 1 or workers[0].get("cores") != 1 or workers[0].get("memory") != 1024:
        processes.fail(f"expected one ALIVE worker with 1 core and 1024 MB: {state.get('workers')}")
    if not workers[0].get("host", "").startswith("127."):
        processes.fail(f"worker is not on loopback: {workers[0]}")

    python = processes.cfg["SPARK_PYTHON"]
    job = processes.tmp / "sum_job.py"
    job.write_text(sum_job("SUM"))
    env = processes.spark_env()
    env.update(PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python)
    spark_submit = Path(processes.cfg["SPARK_HOME"]) / "bin" / "spark-submit"
    t0 = time.monotonic()
    proc = processes.start("spark-submit-job", [
        spark_submit, "--master", master["url"], "--deploy-mode", "client", "--name", "spyt-operator-smoke",
        "--executor-memory", "512m", "--total-executor-cores", 1, job,
    ], env)
    try:
        proc.popen.wait(timeout=JOB_TIMEOUT)
    except subprocess.TimeoutExpired:
        processes.fail(f"spark-submit did not finish in {JOB_TIMEOUT}s")
    processes.timings["python_job"] = time.monotonic() - t0
    if proc.popen.returncode != 0 or "SUM=500500" not in proc.log_path.read_text(errors="replace"):
        processes.fail(f"spark-submit exited {proc.popen.returncode} without printing SUM=500500")


def test_livy_batch_runs_a_spark_job_on_the_cluster(processes, master, worker, livy):
    job = livy["jobs"] / "sum_batch.py"
    job.write_text(sum_job("LIVY_BATCH_SUM"))

    # A local file outside livy.file.local-dir-whitelist is refused up front.
    outside = processes.tmp / "not_whitelisted.py"
    outside.write_text(sum_job("NOPE"))
    r = post_batch(livy['url'], {"file": outside.as_uri(), "conf": batch_conf(processes)})
    if r.status_code != 400 or "cannot be added to user sessions" not in r.text:
        processes.fail(f"POST /batches with a file outside the whitelist answered {r.status_code}: {r.text}")

    name = f"livy-batch-sum-{uuid.uuid4().hex[:8]}"
    t0 = time.monotonic()
    r = post_batch_when_free(livy['url'], {"file": job.as_uri(), "name": name, "conf": batch_conf(processes)}, SETTLE_TIMEOUT, on_retry=lambda: count_retry(processes))
    if r.status_code != 201:
        processes.fail(f"POST /batches answered {r.status_code}: {r.text}")
    bid = r.json()["id"]
    processes.wait_for(f"batch {bid} to succeed", lambda: batch_state(livy['url'], bid, processes.fail) == "success",
                     BATCH_TIMEOUT, interval=1, proc=livy["proc"])
    processes.timings["livy_batch"] = time.monotonic() - t0
    log = batch_log(livy['url'], bid)
    if "LIVY_BATCH_SUM=500500" not in log:
        processes.fail(f"batch {bid} succeeded without printing LIVY_BATCH_SUM=500500; its log:\n{log}")

    # It ran as an application of the standalone master, not in local mode.
    app = processes.wait_for(f"the master to list {name} as completed",
                           lambda: master_app(master, name, "completedapps"), SETTLE_TIMEOUT)
    if app.get("state") != "FINISHED":
        processes.fail(f"the master's completed app {name} is not FINISHED: {app}\nbatch log:\n{log}")


def test_livy_rejects_batches_beyond_max_creation(processes, master, worker, livy):
    assert MAX_CREATION == 1, "this test fills Livy with exactly one batch"
    sleeper = livy["jobs"] / "sleeper_batch.py"
    sleeper.write_text(SLEEPER_JOB)
    run = uuid.uuid4().hex[:8]

    def body(n):
        return {"file": sleeper.as_uri(), "name": f"livy-sleeper-{run}-{n}", "conf": batch_conf(processes)}

    r = post_batch_when_free(livy['url'], body(1), SETTLE_TIMEOUT, on_retry=lambda: count_retry(processes))
    if r.status_code != 201:
        processes.fail(f"POST /batches answered {r.status_code}: {r.text}")
    first = r.json()["id"]

    def driver_up():
        return batch_state(livy['url'], first, processes.fail) == "running" and "LIVY_SLEEPER_UP" in batch_log(livy['url'], first)

    t0 = time.monotonic()
    processes.wait_for(f"the driver of batch {first} to start", driver_up, BATCH_TIMEOUT, interval=1,
                     proc=livy["proc"])
    processes.timings["sleeper_up"] = time.monotonic() - t0
    app_name = body(1)["name"]
    app_id = processes.wait_for(f"the master to list {app_name} as active",
                              lambda: (master_app(master, app_name, "activeapps") or {}).get("id"),
                              SETTLE_TIMEOUT)

    def task_sleeping():
        """The app's executor (its JVM's args hold the app id) has started
        pyspark.daemon, whose fork runs the sleeping task."""
        executors = {r.pid for r in processes.marked_rows(app_id)}
        return [r for r in processes.marked_rows("pyspark.daemon") if r.ppid in executors]

    processes.wait_for(f"the task of {app_id} to run on its executor", task_sleeping, BATCH_TIMEOUT, interval=1)

    # Its spark-submit is Livy's one child process: a second batch is refused.
    expect_too_many(processes, livy['url'], body(2), sleeper, SETTLE_TIMEOUT)

    # DELETE kills spark-submit, so the Python driver, so the app and its executor.
    processes.timings["sleeper_delete"] = delete_batch(processes, livy['url'], first, sleeper, SETTLE_TIMEOUT)
    processes.wait_for(f"the master to list {app_name} as completed",
                     lambda: master_app(master, app_name, "completedapps"), SETTLE_TIMEOUT)
    processes.wait_for(f"the executor of {app_id} and its Python workers to exit",
                     lambda: not processes.marked(app_id) and not processes.marked("pyspark.daemon"),
                     SETTLE_TIMEOUT)

    # The slot is free again: a new batch is accepted (and deleted at once).
    r = post_batch_when_free(livy['url'], body(3), SETTLE_TIMEOUT, on_retry=lambda: count_retry(processes))
    if r.status_code != 201:
        processes.fail(f"POST /batches after the DELETE answered {r.status_code}: {r.text}")
    delete_batch(processes, livy['url'], r.json()["id"], sleeper, SETTLE_TIMEOUT)
