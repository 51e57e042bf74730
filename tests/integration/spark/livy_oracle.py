"""Apache Livy 0.7.1 as a test oracle for our Livy-compatible server, for
test_livy_conformance.py: starting both (Apache Livy directly, not through
spyt-launcher, since `spyt-launcher livy` serves our own implementation), a
deliberately wrong fake (to prove the comparison can fail), one HTTP call that
records what a client can see, and the pure comparison of two such answers.

Livy 0.7.1's observed behaviour is written down in the test's docstring and the
comments here; Livy's own paging rules are modelled by livy_log_page and
livy_list_page, which both servers must follow."""

import json
import os
import threading
import time
from collections import namedtuple
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

import pytest
import requests

from spark_procs import LOOPBACK, Proc, Processes, free_port, load_spark_livy_env

REPO = Path(__file__).resolve().parents[3]
MAX_SESSIONS = 2          # livy.server.session.max-creation / --livy-max-sessions
CALL_TIMEOUT = 30         # no Livy call here should take more than a few seconds
TOO_MANY = "Rejected, too many sessions are being created!"
CSRF_TEXT = "Missing Required Header for CSRF protection"
# Keys whose value may be a string on one server and null on the other: Livy
# 0.7.1 in standalone client mode never knows the app id nor any URL.
NULLABLE_STRINGS = {"appId", "driverLogUrl", "sparkUiUrl"}


def our_livy_command(launcher, port, master_url, work_dir, csrf) -> list:
    """How our server is started. The only place that knows its flags."""
    cmd = [launcher, "livy", "--host", LOOPBACK, "--port", port, "--master", master_url, "--enable-livy",
           "--livy-max-sessions", MAX_SESSIONS, "--livy-driver-cores", 1, "--livy-driver-memory", "512m",
           "--livy-session-timeout", "10m", "--work-dir", work_dir, "--wait-for-master", "0"]
    if os.environ.get("SPYT_DRIVER_DIR"):      # the CMake build's session driver, when it says where
        cmd += ["--driver-home", os.environ["SPYT_DRIVER_DIR"]]
    cmd += ["--python", load_spark_livy_env()["SPARK_PYTHON"]]   # the session drivers import pyspark
    if csrf:
        cmd.append("--csrf-protection")
    return [str(c) for c in cmd]


def launcher_path() -> str:
    return os.environ.get("SPYT_LAUNCHER_BIN") or str(REPO / "build" / "controller" / "spyt-launcher")


@dataclass
class Endpoint:
    """One server under test: its base URL and, unless it is the in-process fake, its process."""
    name: str
    url: str
    proc: Optional[Proc] = None
    fake: Optional[ThreadingHTTPServer] = None

    def stop_fake(self):
        if self.fake:
            self.fake.shutdown()
            self.fake.server_close()


def start_apache_livy(rt: Processes, name, master_url, jobs_dir: Path, csrf) -> Endpoint:
    """Apache Livy 0.7.1 as the project's launcher used to start it, with its own
    livy.conf. Returns at once; wait_answering() waits for it."""
    cfg = rt.cfg
    port = free_port()
    conf = rt.tmp / f"{name}-conf"
    conf.mkdir()
    settings = {
        "livy.server.host": LOOPBACK,
        "livy.server.port": port,
        "livy.spark.master": master_url,
        "livy.spark.deploy-mode": "client",
        "livy.server.session.max-creation": MAX_SESSIONS,
        "livy.server.csrf-protection.enabled": "true" if csrf else "false",
        # Livy 0.7 misreads Spark 3.5's version banner and would assume Scala 2.11.
        "livy.spark.scala-version": cfg.get("LIVY_SCALA_BINARY") or "2.12",
        "livy.rsc.jars": cfg["LIVY_RSC_JARS"],
        # Maven Central has no REPL jars; without any, POST /sessions answers 400
        # "Cannot find Livy REPL jars." and creates nothing. Any existing jar
        # passes that check: the session is then created (201, `starting`) and
        # goes `dead` when its driver finds no REPL class, which is all the
        # session checks here need.
        "livy.repl.jars": cfg["LIVY_RSC_JARS"].split(",")[0],
        # A batch's local file must lie under a listed dir (else 400).
        "livy.file.local-dir-whitelist": f"{jobs_dir.resolve()}/",
    }
    (conf / "livy.conf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    (conf / "livy-client.conf").write_text(f"livy.rsc.launcher.address = {LOOPBACK}\n"
                                           f"livy.rsc.rpc.server.address = {LOOPBACK}\n")
    template = Path(cfg.get("LIVY_CONF_TEMPLATE_DIR", "")) / "log4j.properties"
    if template.is_file():
        (conf / "log4j.properties").write_text(template.read_text())
    logs = rt.tmp / f"{name}-logs"
    logs.mkdir()
    env = server_env(rt)
    env.update(LIVY_HOME=cfg["LIVY_HOME"], LIVY_CONF_DIR=str(conf), LIVY_LOG_DIR=str(logs))
    classpath = ":".join([f"{cfg['LIVY_SERVER_JARS_DIR']}/*", str(conf), env["SPARK_CONF_DIR"]])
    proc = rt.start(name, ["java", "-Xmx384m", "-cp", classpath, "org.apache.livy.server.LivyServer"], env)
    return Endpoint(name, f"http://{LOOPBACK}:{port}", proc)


def start_our_livy(rt: Processes, name, master_url, csrf) -> Endpoint:
    launcher = launcher_path()
    if not os.access(launcher, os.X_OK):
        pytest.fail(f"{launcher} is not an executable: build it, or set SPYT_LAUNCHER_BIN "
                    f"(or SPYT_LIVY_CANDIDATE=livy to check the test itself)", pytrace=False)
    port = free_port()
    work = rt.tmp / f"{name}-work"
    work.mkdir()
    proc = rt.start(name, our_livy_command(launcher, port, master_url, work, csrf), server_env(rt))
    return Endpoint(name, f"http://{LOOPBACK}:{port}", proc)


def server_env(rt: Processes) -> dict:
    env = rt.spark_env()
    env.update(PYSPARK_PYTHON=rt.cfg["SPARK_PYTHON"], PYSPARK_DRIVER_PYTHON=rt.cfg["SPARK_PYTHON"])
    return env


def wait_answering(rt: Processes, ep: Endpoint, timeout):
    if ep.proc is not None:
        rt.wait_livy_answers(ep.url, ep.proc, timeout)


def batch_conf(rt: Processes) -> dict:
    """What a batch needs here: its driver on loopback, the venv's python, and
    an executor small enough to share the test's worker."""
    python = rt.cfg["SPARK_PYTHON"]
    return {"spark.driver.host": LOOPBACK, "spark.driver.bindAddress": LOOPBACK,
            "spark.pyspark.python": python, "spark.pyspark.driver.python": python,
            "spark.executor.memory": "512m", "spark.cores.max": "1", "spark.ui.enabled": "false"}


# ------------------------------------------------------------------- calls --

@dataclass
class Answer:
    status: int
    media_type: str       # Content-Type without parameters, lower case ("" when absent)
    location: Optional[str]
    text: str
    body: object          # parsed JSON; NOT_JSON when the body is not JSON

    def __repr__(self):
        return f"{self.status} {self.media_type or '-'} location={self.location} {self.text[:300]!r}"


NOT_JSON = object()


def call(url, method, path, json_body=None, raw=None, headers=None) -> Answer:
    """One request as a client sees it. `raw` (str or bytes) is sent as is;
    `json_body` as JSON. No X-Requested-By unless `headers` has it."""
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    data = raw if raw is not None else (json.dumps(json_body) if json_body is not None else None)
    r = requests.request(method, url + path, data=data, headers=h, timeout=CALL_TIMEOUT)
    try:
        body = r.json()
    except ValueError:
        body = NOT_JSON
    media = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return Answer(r.status_code, media, r.headers.get("Location"), r.text, body)


# ---------------------------------------------------------- Livy's paging --

def livy_log_page(total, from_=None, size=None):
    """(from, line count) Livy 0.7.1 answers for GET .../log?from=&size= on a
    log of `total` lines: size defaults to 100 and a negative size means all;
    an absent or negative from means the last `size` lines."""
    size = 100 if size is None else size
    if size < 0:
        size = total
    start = max(0, total - size) if from_ is None or from_ < 0 else from_
    return start, max(0, min(size, total - start))


def livy_list_page(n, from_=None, size=None):
    """(echoed from, [indexes]) of GET /sessions or /batches?from=&size= over n
    items in id order: Scala's slice(from, from + size), size 100 by default,
    from echoed as given."""
    start = 0 if from_ is None else from_
    size = 100 if size is None else size
    lo, hi = max(start, 0), min(start + size, n)
    return start, list(range(lo, hi)) if hi > lo else []


def query(from_=None, size=None) -> str:
    q = "&".join(f"{k}={v}" for k, v in (("from", from_), ("size", size)) if v is not None)
    return "?" + q if q else ""


# -------------------------------------------------------------- comparison --

def type_name(v) -> str:
    if v is None:
        return "null"
    if v is NOT_JSON:
        return "not JSON"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "object"}.get(type(v), "?")


# Fields Livy 0.8 added to the session object (the request as the session runs
# it; Query Tracker reads `conf` back). Our server implements 0.8's API, so a
# candidate object may carry them where 0.7.1's does not.
LIVY_08_SESSION_FIELDS = {"ttl", "driverMemory", "driverCores", "executorMemory", "executorCores",
                          "numExecutors", "queue", "jars", "pyFiles", "files", "archives",
                          "heartbeatTimeoutInSecond", "conf"}


def shape_diffs(a, b, path="$") -> list:
    """Where JSON values `a` and `b` differ in shape: key sets of objects (b may
    add Livy 0.8's session fields), value types (null and string agree for
    NULLABLE_STRINGS), recursively; lists are compared item by item over their
    common length (their lengths are a matter for each check)."""
    if isinstance(a, dict) and isinstance(b, dict):
        diffs = []
        if not set(a) <= set(b) or not set(b) - set(a) <= LIVY_08_SESSION_FIELDS:
            diffs.append(f"{path}: keys {sorted(a)} vs {sorted(b)}")
        for k in sorted(set(a) & set(b)):
            diffs += shape_diffs(a[k], b[k], f"{path}.{k}")
        return diffs
    if isinstance(a, list) and isinstance(b, list):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in shape_diffs(x, y, f"{path}[{i}]")]
    ta, tb = type_name(a), type_name(b)
    key = path.rsplit(".", 1)[-1]
    if ta != tb and not (key in NULLABLE_STRINGS and {ta, tb} <= {"null", "str"}):
        return [f"{path}: {ta} vs {tb}"]
    return []


# How two answers to the same request must agree:
EXACT = "exact"     # status, media type and the whole JSON body
MSG = "msg"         # status, media type, and both bodies {"msg": <the same text>}
SHAPE = "shape"     # status, media type and the body's shape
STATUS = "status"   # the status only (the body is Livy's internals or Jetty's)
REFUSED = "refused"  # both 4xx/5xx (Livy answers 500 where an exception escapes)
CLIENT_ERROR = "client error"  # both 4xx


def answer_diffs(mode, ref: Answer, cand: Answer) -> list:
    """What differs between the reference's answer and the candidate's, under `mode`."""
    if mode == REFUSED:
        return [] if ref.status >= 400 and cand.status >= 400 else [f"status {ref.status} vs {cand.status}"]
    if mode == CLIENT_ERROR:
        ok = 400 <= ref.status < 500 and 400 <= cand.status < 500
        return [] if ok else [f"status {ref.status} vs {cand.status} (both must be 4xx)"]
    if ref.status != cand.status:
        return [f"status {ref.status} vs {cand.status}"]
    if mode == STATUS:
        return []
    diffs = [] if ref.media_type == cand.media_type else [f"content type {ref.media_type} vs {cand.media_type}"]
    if mode == EXACT and ref.body != cand.body:
        diffs.append(f"body {ref.text[:300]!r} vs {cand.text[:300]!r}")
    elif mode == MSG:
        if not (is_msg(ref.body) and is_msg(cand.body)):
            diffs.append(f"not both {{\"msg\": ...}}: {ref.text[:300]!r} vs {cand.text[:300]!r}")
        elif ref.body["msg"] != cand.body["msg"]:
            diffs.append(f"msg {ref.body['msg']!r} vs {cand.body['msg']!r}")
    elif mode == SHAPE:
        diffs += shape_diffs(ref.body, cand.body)
    return diffs


def is_msg(body) -> bool:
    return isinstance(body, dict) and set(body) == {"msg"} and isinstance(body["msg"], str)


# ------------------------------------------------------------------- pairs --

Pair = namedtuple("Pair", "ref cand")  # Endpoints: the reference (Apache Livy) and the candidate


class Checks:
    """Sends requests to both servers of a pair and collects every disagreement;
    done() fails the test with all of them and the servers' logs."""

    def __init__(self, rt: Processes, pair: Pair, candidate: str):
        self.rt, self.pair, self.candidate, self.problems = rt, pair, candidate, []

    def same(self, case, mode, method, path, ids=None, **kw):
        """Both answers to one request, compared under `mode`. With `ids`
        ({"ref": id, "cand": id}) `{id}` in the path is each server's own id."""
        answers = {side: call(ep.url, method, path.format(id=(ids or {}).get(side)), **kw)
                   for side, ep in zip(("ref", "cand"), self.pair)}
        return self.compare(case, mode, answers)

    def compare(self, case, mode, answers):
        for d in answer_diffs(mode, answers["ref"], answers["cand"]):
            self.problems.append(f"{case}: {d}\n    reference: {answers['ref']!r}\n    candidate: {answers['cand']!r}")
        return answers

    def each(self, case, answers, check):
        """check(side, answer) -> list of problems, for what each server must do on its own."""
        for side in ("ref", "cand"):
            try:
                found = check(side, answers[side])
            except (AttributeError, KeyError, TypeError, IndexError) as e:  # an answer of another shape
                found = [f"{type(e).__name__}: {e}"]
            for p in found:
                self.problems.append(f"{case} [{'reference' if side == 'ref' else 'candidate'}]: {p}: "
                                     f"{answers[side]!r}")

    def done(self):
        if self.problems:
            self.rt.fail(f"{len(self.problems)} disagreement(s) with Apache Livy 0.7.1 "
                         f"(candidate: {self.candidate}):\n" + "\n".join(self.problems))


def post_when_free(pair: Pair, path, body, settle_timeout) -> dict:
    """POST to each server, retried while it answers the limit's 400 (a
    finished child's slot frees just after it exits)."""
    out = {}
    for side, ep in zip(("ref", "cand"), pair):
        deadline = time.monotonic() + settle_timeout
        while True:
            a = call(ep.url, "POST", path, json_body=body)
            if not (a.status == 400 and is_msg(a.body) and a.body["msg"] == TOO_MANY) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        out[side] = a
    return out


def created(kind, name=None, states=("starting",)):
    """A per-server check of a 201 creation answer: Location /<kind>/<id> and the state."""
    def check(_, a: Answer):
        if a.status != 201 or not isinstance(a.body, dict):
            return ["not created"]
        p = [] if a.location == f"/{kind}/{a.body.get('id')}" else [f"Location {a.location!r}"]
        p += [] if a.body.get("state") in states else [f"state {a.body.get('state')!r}, expected one of {states}"]
        p += [] if name is None or a.body.get("name") == name else [f"name {a.body.get('name')!r}"]
        return p
    return check


def not_found(ids):
    """A per-server check: Livy's 404 for the server's own id (batches say "Session" too)."""
    return lambda side, a: [] if a.body == {"msg": f"Session '{ids[side]}' not found."} else ["not Livy's 404"]


def ids_of(answers) -> dict:
    return {side: a.body["id"] for side, a in answers.items()}


# ---------------------------------------------------------------- the fake --

class _WrongLivy(BaseHTTPRequestHandler):
    """Plausible but wrong: a listing without `from`, a different 404 text, no
    Location, batch objects missing keys, no session limit, no CSRF check, and
    bad input answered 200. Batches succeed at once so that no wait times out:
    the tests must fail on their comparisons."""

    batches = {}
    lock = threading.Lock()

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 1 and parts[0] in ("sessions", "batches"):
            items = list(self.batches.values()) if parts[0] == "batches" else []
            return self._send(200, {"total": len(items), "sessions": items})
        if len(parts) >= 2 and parts[0] == "batches" and parts[1] in self.batches:
            b = self.batches[parts[1]]
            if len(parts) == 3 and parts[2] == "log":
                return self._send(200, {"id": b["id"], "log": ["SUM=500500"] * 30})
            return self._send(200, b)
        self._send(404, {"msg": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with self.lock:
            bid = len(self.batches)
            self.batches[str(bid)] = {"id": bid, "state": "success", "log": ["SUM=500500"]}
        self._send(201, self.batches[str(bid)])

    def do_DELETE(self):
        self.batches.pop(self.path.strip("/").split("/")[-1], None)
        self._send(200, {"msg": "ok"})


def start_fake(name) -> Endpoint:
    handler = type("WrongLivy", (_WrongLivy,), {"batches": {}})
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Endpoint(name, f"http://{LOOPBACK}:{server.server_address[1]}", fake=server)
