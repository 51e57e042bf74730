"""Process handling for the Spark and Livy tests: daemons started in their
own process groups, logs kept for failure messages, and a teardown that checks
with ps that nothing the tests started (nor anything those processes started)
is left running.

Every process gets SPYT_TEST_RUN=<random id> in its environment; Spark and Livy
pass their environment on to what they start (spark-submit, the Python driver,
executors, pyspark daemons), so /proc/<pid>/environ finds all descendants, even
those that left the process group (pyspark's daemon calls setpgid).
"""

import collections
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

LOOPBACK = "127.0.0.1"
STOP_TIMEOUT = 20         # SIGTERM to SIGKILL, per process group
ORPHAN_GRACE = 15         # for descendants outside the groups to notice their parent died


def cache_dir() -> Path:
    if os.environ.get("SPYT_CACHE"):
        return Path(os.environ["SPYT_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "spyt-operator"


def load_spark_livy_env() -> dict:
    """spark-livy.env as a dict; fails (not skips) when hack/spark-livy.sh has not run."""
    path = cache_dir() / "spark-livy.env"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `bash hack/spark-livy.sh` first", pytrace=False)
    cfg = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            cfg[k] = v
    for key in ("SPARK_HOME", "SPARK_PYTHON", "LIVY_HOME", "LIVY_SERVER_JARS_DIR", "LIVY_RSC_JARS"):
        if not cfg.get(key):
            pytest.fail(f"{path} has no {key}: rerun `bash hack/spark-livy.sh`", pytrace=False)
    for exe in (Path(cfg["SPARK_HOME"]) / "bin" / "spark-class", Path(cfg["SPARK_PYTHON"])):
        if not os.access(exe, os.X_OK):
            pytest.fail(f"{exe} is not executable: rerun `bash hack/spark-livy.sh`", pytrace=False)
    if not list(Path(cfg["LIVY_SERVER_JARS_DIR"]).glob("livy-server-*.jar")):
        pytest.fail(f"no livy-server jar in {cfg['LIVY_SERVER_JARS_DIR']}: rerun `bash hack/spark-livy.sh`",
                    pytrace=False)
    return cfg


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def tail(path: Path, lines=60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as e:
        return f"<cannot read: {e}>"


PsRow = collections.namedtuple("PsRow", "pid ppid pgid stat args")


def ps() -> list:
    """Every process as a PsRow. -ww: without it ps cuts args at the width of
    whatever terminal it finds (80 columns under pytest)."""
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,pgid=,stat=,args="], capture_output=True,
                         text=True, timeout=10).stdout
    rows = []
    for line in out.splitlines():
        f = line.split(None, 4)
        if len(f) >= 4:
            rows.append(PsRow(int(f[0]), int(f[1]), int(f[2]), f[3], f[4] if len(f) > 4 else ""))
    return rows


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
        return [f"{r.pid} {r.stat} {r.args}" for r in ps() if r.pgid == self.pgid and not r.stat.startswith("Z")]

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


class Processes:
    """The processes a test module started; every check goes through fail() so
    that a failure message carries the tails of all their logs."""

    def __init__(self, tmp: Path, env_file: dict):
        self.tmp = tmp
        self.cfg = env_file
        self.run_id = uuid.uuid4().hex
        self.procs = []
        self.timings = {}

    def start(self, name, cmd, env) -> Proc:
        p = Proc(name, cmd, env, self.tmp / f"{name}.log", cwd=self.tmp)
        self.procs.append(p)
        return p

    def spark_env(self) -> dict:
        """Environment of every Spark/Livy process: loopback only, its own
        SPARK_CONF_DIR holding just spark-defaults.conf, and the run marker."""
        conf = self.tmp / "spark-conf"
        if not conf.exists():
            conf.mkdir()
            (conf / "spark-defaults.conf").write_text(
                f"spark.driver.host {LOOPBACK}\n"
                f"spark.driver.bindAddress {LOOPBACK}\n"
                "spark.ui.enabled false\n"
            )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_", "LIVY_"))}
        env.update(
            SPARK_HOME=self.cfg["SPARK_HOME"],
            SPARK_CONF_DIR=str(conf),
            SPARK_LOCAL_IP=LOOPBACK,
            SPARK_LOCAL_HOSTNAME=LOOPBACK,
            SPARK_DAEMON_MEMORY="512m",
            SPYT_TEST_RUN=self.run_id,
        )
        return env

    def marked_rows(self, containing=None):
        """Live processes (PsRow) carrying this run's marker, optionally only
        those whose args contain `containing`."""
        needle = f"SPYT_TEST_RUN={self.run_id}".encode()
        found = []
        for r in ps():
            if r.stat.startswith("Z") or (containing and containing not in r.args):
                continue
            try:
                environ = Path(f"/proc/{r.pid}/environ").read_bytes()
            except OSError:
                continue  # gone meanwhile
            if needle in environ.split(b"\0"):
                found.append(r)
        return found

    def marked(self, containing=None):
        """marked_rows() as "pid stat args" lines."""
        return [f"{r.pid} {r.stat} {r.args}" for r in self.marked_rows(containing)]

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

    # Start-up waits shared by the Spark tests; each records in `timings` the
    # seconds from the start of `proc` to the answer.

    def wait_master_alive(self, webui_url, proc, timeout) -> dict:
        """Waits for the master's web UI /json/ to say ALIVE and returns that state."""
        def alive():
            r = requests.get(f"{webui_url}/json/", timeout=5)
            return r.json() if r.status_code == 200 and r.json().get("status") == "ALIVE" else None

        state = self.wait_for("the master's web UI to say ALIVE", alive, timeout, proc=proc)
        self.timings["master_answers"] = time.monotonic() - proc.started
        return state

    def wait_worker_registered(self, webui_url, proc, timeout) -> dict:
        """Waits for the master at `webui_url` to count one alive worker (`proc`)."""
        def registered():
            state = requests.get(f"{webui_url}/json/", timeout=5).json()
            return state if state.get("aliveworkers") == 1 else None

        state = self.wait_for("the worker to register with the master", registered, timeout, proc=proc)
        self.timings["worker_registered"] = time.monotonic() - proc.started
        return state

    def wait_livy_answers(self, livy_url, proc, timeout):
        """Waits for Livy (`proc`) to answer GET /sessions with 200."""
        def answers():
            r = requests.get(f"{livy_url}/sessions", timeout=5)
            return r if r.status_code == 200 else None

        self.wait_for("Livy to answer GET /sessions", answers, timeout, proc=proc)
        self.timings["livy_answers"] = time.monotonic() - proc.started

    def stop_all(self):
        """Stops every group (last started first), then gives descendants that
        left their group ORPHAN_GRACE seconds to exit and SIGKILLs the rest.
        Returns {what: [ps lines]} of everything that had to be killed or
        survived; empty when teardown was clean."""
        leftovers = {}
        for p in reversed(self.procs):
            left = p.stop()
            if left:
                leftovers[p.name] = left
        deadline = time.monotonic() + ORPHAN_GRACE
        while self.marked() and time.monotonic() < deadline:
            time.sleep(0.5)
        orphans = self.marked()
        if orphans:
            leftovers["descendants outside the process groups"] = orphans
            for line in orphans:
                try:
                    os.kill(int(line.split()[0]), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        # Belt and braces: nothing that mentions this test's directory (the
        # conf dirs, work dirs, jobs and logs are all under it) may still run.
        stray = [f"{r.pid} {r.stat} {r.args}" for r in ps()
                 if str(self.tmp) in r.args and not r.stat.startswith("Z") and r.pid != os.getpid()]
        if stray:
            leftovers["mentioning the test dir"] = stray
        return leftovers


@contextlib.contextmanager
def processes_for_module(tmp_path_factory, name: str):
    """A module's Processes in a fresh tmp dir `name`, for a module-scoped fixture:
    after the module, stops them all, prints the start-up timings and fails if any
    process outlived its stop."""
    rt = Processes(tmp_path_factory.mktemp(name), load_spark_livy_env())
    yield rt
    leftovers = rt.stop_all()
    if rt.timings:
        print("\ntimings (s): " + ", ".join(f"{k}={v:.1f}" for k, v in rt.timings.items()))
    assert not leftovers, f"processes left after teardown (killed now): {leftovers}\n{rt.logs()}"
