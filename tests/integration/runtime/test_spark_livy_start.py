"""The Spark and Livy that hack/spark-livy.sh installs really start and answer.

Everything runs on 127.0.0.1 with ports picked free at run time: a Spark
standalone master (its web UI's /json/ says ALIVE), a Livy server started the
way a launcher must start it (java -cp <livy jars>:<conf dirs>
org.apache.livy.server.LivyServer, with a generated livy.conf) that answers
GET /sessions, and, when the Livy release has Scala 2.12 REPL jars, a real
session on a one-worker cluster that runs a statement.

Each process gets its own process group; teardown ends the whole group and
checks with ps that nothing of it is left. Logs go under pytest's tmp dir and
are shown in the failure message of any check that fails.

Prerequisite: `bash hack/spark-livy.sh` (writes $SPYT_CACHE/spark-livy.env).
"""

import json
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 90        # a JVM daemon on a busy 2-core machine
SESSION_TIMEOUT = 240     # spark-submit + driver + executor on the worker
STATEMENT_TIMEOUT = 180
STOP_TIMEOUT = 20


def _cache_dir() -> Path:
    if os.environ.get("SPYT_CACHE"):
        return Path(os.environ["SPYT_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "spyt-operator"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def tail(path: Path, lines=60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as e:
        return f"<cannot read: {e}>"


class Proc:
    """A daemon started in a new session (so its own process group), with its
    stdout and stderr in one log file."""

    def __init__(self, name, cmd, env, log_path: Path, cwd=None):
        self.name, self.cmd, self.log_path = name, [str(c) for c in cmd], log_path
        self.started = time.monotonic()
        with open(log_path, "wb") as log:
            log.write(("$ " + shlex.join(self.cmd) + "\n").encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.pgid = self.popen.pid  # start_new_session: pid == pgid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def group_members(self):
        """Live (non-zombie) processes of this process group, as ps lines."""
        out = subprocess.run(["ps", "-eo", "pid=,pgid=,stat=,args="], capture_output=True,
                             text=True, timeout=10).stdout
        members = []
        for line in out.splitlines():
            fields = line.split(None, 3)
            if len(fields) >= 3 and fields[1] == str(self.pgid) and not fields[2].startswith("Z"):
                members.append(line.strip())
        return members

    def stop(self):
        """SIGTERM to the whole group, SIGKILL what is left after STOP_TIMEOUT;
        returns the group's members still alive after that (should be none)."""
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.pgid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self.popen.poll() is not None and not self.group_members():
                    break
                time.sleep(0.2)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        return self.group_members()


class Runtime:
    """The processes a test module started; every check goes through fail() so
    that a failure message carries the tails of all their logs."""

    def __init__(self, tmp: Path, env_file: dict):
        self.tmp = tmp
        self.cfg = env_file
        self.procs = []
        self.timings = {}

    def start(self, name, cmd, env) -> Proc:
        p = Proc(name, cmd, env, self.tmp / f"{name}.log", cwd=self.tmp)
        self.procs.append(p)
        return p

    def logs(self) -> str:
        return "".join(f"\n----- {p.name} ({p.log_path}) -----\n{tail(p.log_path)}\n" for p in self.procs)

    def fail(self, msg):
        pytest.fail(f"{msg}\n{self.logs()}", pytrace=False)

    def wait_for(self, what, probe, timeout, interval=0.5, proc=None):
        """Polls probe() until it returns something truthy and returns that.
        Fails at the timeout, or at once if `proc` has exited."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = probe()
            except (requests.RequestException, ValueError) as e:
                last = f"{type(e).__name__}: {e}"
            else:
                if last:
                    return last
            if proc is not None and not proc.alive():
                self.fail(f"{proc.name} exited with {proc.popen.returncode} while waiting for {what}; "
                          f"last seen: {last!r}")
            time.sleep(interval)
        self.fail(f"timed out after {timeout}s waiting for {what}; last seen: {last!r}")

    def stop_all(self):
        leftovers = {}
        for p in reversed(self.procs):
            left = p.stop()
            if left:
                leftovers[p.name] = left
        # Belt and braces: nothing that mentions this test's directory (the
        # conf dirs, work dirs and logs are all under it) may still run.
        out = subprocess.run(["ps", "-eo", "pid=,stat=,args="], capture_output=True, text=True,
                             timeout=10).stdout
        stray = [l.strip() for l in out.splitlines()
                 if str(self.tmp) in l and l.split(None, 2)[1:2] and not l.split(None, 2)[1].startswith("Z")]
        return leftovers, stray


# ------------------------------------------------------------------ fixtures --

@pytest.fixture(scope="module")
def spark_livy_env():
    path = _cache_dir() / "spark-livy.env"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `bash hack/spark-livy.sh` first", pytrace=False)
    cfg = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            cfg[k] = v
    for key in ("SPARK_HOME", "LIVY_HOME", "LIVY_SERVER_JARS_DIR", "LIVY_RSC_JARS"):
        if not cfg.get(key):
            pytest.fail(f"{path} has no {key}: rerun `bash hack/spark-livy.sh`", pytrace=False)
    spark_class = Path(cfg["SPARK_HOME"]) / "bin" / "spark-class"
    if not os.access(spark_class, os.X_OK):
        pytest.fail(f"{spark_class} is not executable: rerun `bash hack/spark-livy.sh`", pytrace=False)
    if not list(Path(cfg["LIVY_SERVER_JARS_DIR"]).glob("livy-server-*.jar")):
        pytest.fail(f"no livy-server jar in {cfg['LIVY_SERVER_JARS_DIR']}: rerun `bash hack/spark-livy.sh`",
                    pytrace=False)
    return cfg


@pytest.fixture(scope="module")
def runtime(spark_livy_env, tmp_path_factory):
    rt = Runtime(tmp_path_factory.mktemp("spark-livy"), spark_livy_env)
    yield rt
    leftovers, stray = rt.stop_all()
    if rt.timings:
        print("\ntimings (s): " + ", ".join(f"{k}={v:.1f}" for k, v in rt.timings.items()))
    assert not leftovers and not stray, f"processes left after teardown: {leftovers} {stray}"


def spark_env(rt: Runtime) -> dict:
    """Environment of every Spark/Livy process: loopback only, its own empty
    SPARK_CONF_DIR but for spark-defaults.conf."""
    conf = rt.tmp / "spark-conf"
    if not conf.exists():
        conf.mkdir()
        (conf / "spark-defaults.conf").write_text(
            f"spark.driver.host {LOOPBACK}\n"
            f"spark.driver.bindAddress {LOOPBACK}\n"
            "spark.ui.enabled false\n"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_", "LIVY_"))}
    env.update(
        SPARK_HOME=rt.cfg["SPARK_HOME"],
        SPARK_CONF_DIR=str(conf),
        SPARK_LOCAL_IP=LOOPBACK,
        SPARK_LOCAL_HOSTNAME=LOOPBACK,
        SPARK_DAEMON_MEMORY="512m",
    )
    return env


@pytest.fixture(scope="module")
def master(runtime):
    port, webui = free_port(), free_port()
    spark_class = Path(runtime.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    proc = runtime.start("spark-master", [
        spark_class, "org.apache.spark.deploy.master.Master",
        "--host", LOOPBACK, "--port", port, "--webui-port", webui,
    ], spark_env(runtime))

    def alive():
        r = requests.get(f"http://{LOOPBACK}:{webui}/json/", timeout=5)
        return r.json() if r.status_code == 200 and r.json().get("status") == "ALIVE" else None

    state = runtime.wait_for("the master's web UI to say ALIVE", alive, START_TIMEOUT, proc=proc)
    runtime.timings["master_answers"] = time.monotonic() - proc.started
    return {"url": f"spark://{LOOPBACK}:{port}", "webui": f"http://{LOOPBACK}:{webui}", "state": state,
            "proc": proc}


@pytest.fixture(scope="module")
def livy(runtime, master):
    cfg = runtime.cfg
    port = free_port()
    conf = runtime.tmp / "livy-conf"
    conf.mkdir()
    lines = {
        "livy.server.host": LOOPBACK,
        "livy.server.port": port,
        "livy.spark.master": master["url"],
        "livy.spark.deploy-mode": "client",
        "livy.server.session.max-creation": 2,
        # Livy 0.7's parser misses "Using Scala version 2.12.18, OpenJDK ..." from
        # spark-submit --version and would fall back to 2.11: say it.
        "livy.spark.scala-version": cfg.get("LIVY_SCALA_BINARY") or "2.12",
        "livy.rsc.jars": cfg["LIVY_RSC_JARS"],
    }
    if cfg.get("LIVY_REPL_JARS"):
        lines["livy.repl.jars"] = cfg["LIVY_REPL_JARS"]
    (conf / "livy.conf").write_text("".join(f"{k} = {v}\n" for k, v in lines.items()))
    # RSC settings: the session's driver and the server talk over loopback.
    (conf / "livy-client.conf").write_text(
        f"livy.rsc.launcher.address = {LOOPBACK}\n"
        f"livy.rsc.rpc.server.address = {LOOPBACK}\n"
    )
    template = Path(cfg.get("LIVY_CONF_TEMPLATE_DIR", ""))
    if (template / "log4j.properties").is_file():
        (conf / "log4j.properties").write_text((template / "log4j.properties").read_text())
    logs = runtime.tmp / "livy-logs"
    logs.mkdir()

    env = spark_env(runtime)
    env.update(
        LIVY_HOME=cfg["LIVY_HOME"],       # Livy reads $LIVY_HOME (and needs it set)
        LIVY_CONF_DIR=str(conf),          # livy.conf / livy-client.conf come from here
        LIVY_LOG_DIR=str(logs),           # the request log; default $LIVY_HOME/logs
    )
    classpath = ":".join([f"{cfg['LIVY_SERVER_JARS_DIR']}/*", str(conf), env["SPARK_CONF_DIR"]])
    proc = runtime.start("livy-server", ["java", "-Xmx512m", "-cp", classpath,
                                         "org.apache.livy.server.LivyServer"], env)
    url = f"http://{LOOPBACK}:{port}"

    def answers():
        r = requests.get(f"{url}/sessions", timeout=5)
        return r if r.status_code == 200 else None

    runtime.wait_for("Livy to answer GET /sessions", answers, START_TIMEOUT, proc=proc)
    runtime.timings["livy_answers"] = time.monotonic() - proc.started
    return {"url": url, "proc": proc, "conf": conf}


@pytest.fixture(scope="module")
def worker(runtime, master):
    port, webui = free_port(), free_port()
    work = runtime.tmp / "worker-work"
    work.mkdir()
    spark_class = Path(runtime.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    proc = runtime.start("spark-worker", [
        spark_class, "org.apache.spark.deploy.worker.Worker",
        "--cores", 1, "--memory", "1g", "--host", LOOPBACK, "--port", port, "--webui-port", webui,
        "--work-dir", work, master["url"],
    ], spark_env(runtime))

    def registered():
        state = requests.get(f"{master['webui']}/json/", timeout=5).json()
        return state if state.get("aliveworkers") == 1 else None

    runtime.wait_for("the worker to register with the master", registered, START_TIMEOUT, proc=proc)
    runtime.timings["worker_registered"] = time.monotonic() - proc.started
    return proc


# --------------------------------------------------------------------- tests --

def test_master_web_ui_says_alive(runtime, master):
    state = master["state"]
    if state.get("url") != master["url"]:
        runtime.fail(f"master reports url {state.get('url')!r}, expected {master['url']!r}: {state}")
    if state.get("status") != "ALIVE":
        runtime.fail(f"master is not ALIVE: {state}")


def test_livy_answers_empty_session_list(runtime, livy):
    r = requests.get(f"{livy['url']}/sessions", timeout=10)
    if r.status_code != 200:
        runtime.fail(f"GET /sessions answered {r.status_code}: {r.text}")
    if r.json() != {"from": 0, "total": 0, "sessions": []}:
        runtime.fail(f"GET /sessions answered {r.text}")
    # Livy checked `spark-submit --version` of our SPARK_HOME at start-up.
    if not livy["proc"].alive():
        runtime.fail("the Livy server exited after answering")


def test_everything_listens_on_loopback_only(runtime, master, worker, livy):
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, timeout=10).stdout
    ours = {}
    for p in runtime.procs:
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
        runtime.fail(f"listeners not on loopback: {bad}; ours: {seen}")


JOB = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("spyt-operator-smoke").getOrCreate()
print("SUM=%d" % spark.sparkContext.parallelize(range(1, 1001), 2).sum())
spark.stop()
"""


def test_worker_registers_and_runs_a_job(runtime, master, worker):
    state = requests.get(f"{master['webui']}/json/", timeout=10).json()
    workers = [w for w in state.get("workers", []) if w.get("state") == "ALIVE"]
    if len(workers) != 1 or workers[0].get("cores") != 1 or workers[0].get("memory") != 1024:
        runtime.fail(f"expected one ALIVE worker with 1 core and 1024 MB: {state.get('workers')}")
    if not workers[0].get("host", "").startswith("127."):
        runtime.fail(f"worker is not on loopback: {workers[0]}")

    python = runtime.cfg.get("SPARK_PYTHON")
    if not python or not os.access(python, os.X_OK):
        runtime.fail(f"SPARK_PYTHON={python!r} from spark-livy.env is not executable; rerun hack/spark-livy.sh")
    job = runtime.tmp / "sum_job.py"
    job.write_text(JOB)
    env = spark_env(runtime)
    env.update(PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python)
    spark_submit = Path(runtime.cfg["SPARK_HOME"]) / "bin" / "spark-submit"
    t0 = time.monotonic()
    proc = runtime.start("spark-submit-job", [
        spark_submit, "--master", master["url"], "--deploy-mode", "client",
        "--executor-memory", "512m", "--total-executor-cores", 1, job,
    ], env)
    try:
        proc.popen.wait(timeout=STATEMENT_TIMEOUT)
    except subprocess.TimeoutExpired:
        runtime.fail(f"spark-submit did not finish in {STATEMENT_TIMEOUT}s")
    runtime.timings["python_job"] = time.monotonic() - t0
    if proc.popen.returncode != 0 or "SUM=500500" not in proc.log_path.read_text(errors="replace"):
        runtime.fail(f"spark-submit exited {proc.popen.returncode} without printing SUM=500500")


@pytest.fixture(scope="module")
def repl_jars(spark_livy_env):
    """Skips (before any worker starts) when the Livy release has no Scala 2.12 REPL."""
    if not spark_livy_env.get("LIVY_REPL_JARS"):
        pytest.skip(f"Livy {spark_livy_env.get('LIVY_VERSION')} has no livy-repl_2.12 jars on the registry "
                    "(LIVY_REPL_JARS is empty in spark-livy.env), so no session can start an interpreter")
    return spark_livy_env["LIVY_REPL_JARS"]


def test_livy_session_runs_a_statement(repl_jars, runtime, master, worker, livy):
    url = livy["url"]
    headers = {"Content-Type": "application/json", "X-Requested-By": "spyt-operator-tests"}
    t0 = time.monotonic()
    r = requests.post(f"{url}/sessions", headers=headers, data=json.dumps({"kind": "spark"}), timeout=30)
    if r.status_code != 201:
        runtime.fail(f"POST /sessions answered {r.status_code}: {r.text}")
    sid = r.json()["id"]

    def session_log():
        try:
            return "\n".join(requests.get(f"{url}/sessions/{sid}/log?from=0&size=200", timeout=10)
                             .json().get("log", []))
        except (requests.RequestException, ValueError) as e:
            return f"<no session log: {e}>"

    def idle():
        state = requests.get(f"{url}/sessions/{sid}/state", timeout=10).json().get("state")
        if state in ("error", "dead", "killed", "success", "shutting_down"):
            runtime.fail(f"session {sid} went {state}; its log:\n{session_log()}")
        return state == "idle"

    runtime.wait_for(f"session {sid} to become idle", idle, SESSION_TIMEOUT, interval=1, proc=livy["proc"])
    runtime.timings["session_idle"] = time.monotonic() - t0

    t1 = time.monotonic()
    r = requests.post(f"{url}/sessions/{sid}/statements", headers=headers,
                      data=json.dumps({"code": "sc.parallelize(1 to 1000).sum()"}), timeout=30)
    if r.status_code != 201:
        runtime.fail(f"POST /sessions/{sid}/statements answered {r.status_code}: {r.text}")
    stid = r.json()["id"]

    def available():
        st = requests.get(f"{url}/sessions/{sid}/statements/{stid}", timeout=10).json()
        if st.get("state") in ("cancelled", "cancelling", "error"):
            runtime.fail(f"statement {stid} went {st.get('state')}: {st}")
        return st if st.get("state") == "available" else None

    st = runtime.wait_for(f"statement {stid} to be available", available, STATEMENT_TIMEOUT, interval=1,
                          proc=livy["proc"])
    runtime.timings["first_statement"] = time.monotonic() - t1
    output = st.get("output") or {}
    text = json.dumps(output)
    if output.get("status") != "ok" or "500500" not in text:
        runtime.fail(f"statement output is not ok/500500: {st}\nsession log:\n{session_log()}")

    r = requests.delete(f"{url}/sessions/{sid}", headers=headers, timeout=30)
    if r.status_code != 200:
        runtime.fail(f"DELETE /sessions/{sid} answered {r.status_code}: {r.text}")
