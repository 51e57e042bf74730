"""Interactive Livy sessions end to end, through `spyt-operator local`: the
project's own Livy server (spyt-launcher livy) on a real Spark standalone
cluster, driven by plain HTTP as the SPYT docs show and by the `livy` client
package. Each session's driver runs in client mode against the master;
executors run in the worker's JVMs. Everything listens on 127.0.0.1."""

import json
import os
import signal
import time

import pytest
import requests
from livy import LivySession, SessionKind

from livy_batches import TOO_MANY
from local_proc import Local, marked_pids, sessions_cluster, stop_and_check
from waiting import wait_for

HEADERS = {"Content-Type": "application/json", "X-Requested-By": "spyt-operator-tests"}
START = 180   # a session's driver from POST to idle on a loaded 2-core machine
RUN = 120     # one statement

# The seed's direct-connect request, verbatim.
SEED_SESSION = {"kind": "spark", "conf": {
    "spark.yt.version": "1.75.4",
    "spark.yt.jars": "yt:///home/spark/spyt/releases/1.75.4/spark-yt-data-source.jar",
    "spark.yt.pyFiles": "yt:///home/spark/spyt/releases/1.75.4/spyt.zip"}}


def cluster_spec(timeout="10m"):
    c = sessions_cluster(2)
    c["spec"]["livy"]["sessionTimeout"] = timeout
    return c


class Livy:
    def __init__(self, url):
        self.url = url

    def post(self, path, body, **kw):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return requests.post(self.url + path, data=data, headers=HEADERS, timeout=60, **kw)

    def get(self, path):
        r = requests.get(self.url + path, timeout=30)
        r.raise_for_status()
        return r.json()

    def create(self, body):
        r = self.post("/sessions", body)
        assert r.status_code == 201, (r.text, self.census())
        assert r.headers["Location"] == f"/sessions/{r.json()['id']}"
        return r.json()["id"]

    def census(self):
        """(id, state) of every session and batch, for a failure's message."""
        return ([(s["id"], s["state"]) for s in self.get("/sessions")["sessions"]],
                [(b["id"], b["state"]) for b in self.get("/batches")["sessions"]])

    def wait_idle(self, sid):
        def idle():
            state = self.get(f"/sessions/{sid}/state")["state"]
            if state in ("error", "dead", "killed"):
                pytest.fail(f"session {sid} is {state}:\n" + "\n".join(self.get(f"/sessions/{sid}/log?size=200")["log"]))
            return state == "idle"
        wait_for(idle, START, f"session {sid} to be idle")

    def submit(self, sid, code, kind=None):
        body = {"code": code} if kind is None else {"code": code, "kind": kind}
        r = self.post(f"/sessions/{sid}/statements", body)
        assert r.status_code == 201, r.text
        assert r.headers["Location"] == f"/sessions/{sid}/statements/{r.json()['id']}"
        return r.json()["id"]

    def result(self, sid, stid, timeout=RUN):
        path = f"/sessions/{sid}/statements/{stid}"
        wait_for(lambda: self.get(path)["state"] in ("available", "cancelled"), timeout, f"statement {path}")
        return self.get(path)

    def run(self, sid, code, kind=None):
        st = self.result(sid, self.submit(sid, code, kind))
        assert st["state"] == "available", st
        return st["output"]

    def text(self, sid, code, kind=None):
        out = self.run(sid, code, kind)
        assert out["status"] == "ok", out
        return out["data"]["text/plain"]


@pytest.fixture(scope="module")
def livy(tmp_path_factory):
    local = Local(tmp_path_factory.mktemp("sessions"))
    local.write(cluster_spec())
    local.start()
    try:
        wait_for(lambda: local.condition("Ready") == "True", 180, "the cluster to be Ready")
        client = Livy(f"http://{local.discovery()['livy']}")
        client.local = local
        yield client
    finally:
        stop_and_check(local)


def drivers(local):
    return local.pids_running(b"spyt_driver.py")


def test_the_seed_request_gives_a_session_that_sums_on_the_cluster(livy):
    t0 = time.monotonic()
    sid = livy.create(SEED_SESSION)
    livy.wait_idle(sid)
    print(f"\nspark session idle {time.monotonic() - t0:.1f}s after POST")
    assert livy.text(sid, "sc.parallelize(1 to 1000).sum()").strip() == "res0: Double = 500500.0"
    # Spark shell's traps, on executors of the standalone worker.
    livy.text(sid, "case class P(name: String, n: Int)\ndef twice(x: Int) = x * 2")
    assert "= 4" in livy.text(sid, "sc.parallelize(Seq(P(\"a\", 1), P(\"b\", 1))).map(p => twice(p.n)).sum().toInt")
    assert "= 2" in livy.text(sid, "Seq(P(\"a\", 1), P(\"b\", 2)).toDS().filter(_.n > 0).count()")
    info = livy.get(f"/sessions/{sid}")
    assert info["appId"].startswith("app-")
    assert info["conf"]["spark.yt.version"] == "1.75.4"
    livy.sid_spark = sid


def test_the_livy_client_runs_pyspark_sql_and_scala_in_one_session(livy):
    with LivySession.create(livy.url, kind=SessionKind.PYSPARK, requests_session=session_with_headers(),
                            spark_conf={"spark.executor.memory": "512m"}) as s:
        s.wait()
        assert s.run("spark.range(10).count()").text.strip() == "10"
        assert s.run("print('hello')\n1 + 1").text.strip() == "hello\n2"
        # A Python UDF runs in a Python worker next to the executor.
        udf = ("from pyspark.sql.functions import udf\n"
               "plus = udf(lambda x: x + 1, 'long')\n"
               "spark.range(3).select(plus('id').alias('p')).agg({'p': 'sum'}).collect()[0][0]")
        assert s.run(udf).text.strip() == "6"
        sql = livy.run(s.session_id, "SELECT 1 AS a, 'x' AS s", kind="sql")
        assert sql["status"] == "ok"
        table = sql["data"]["application/json"]
        assert table["data"] == [[1, "x"]]
        assert [f["name"] for f in table["schema"]["fields"]] == ["a", "s"]
        assert livy.text(s.session_id, "spark.range(5).count()", kind="spark").strip() == "res0: Long = 5"
        err = livy.run(s.session_id, "1 / 0")
        assert err["status"] == "error" and err["ename"] == "ZeroDivisionError", err
        assert s.run("40 + 2").text.strip() == "42"  # still usable
        livy.sid_pyspark = s.session_id


def session_with_headers():
    s = requests.Session()
    s.headers.update({"X-Requested-By": "spyt-operator-tests"})
    return s


def test_one_session_more_than_the_limit_is_refused_while_the_others_work(livy):
    a = livy.sid_spark
    sql = LivySession.create(livy.url, kind=SessionKind.SQL, requests_session=session_with_headers())
    sql.wait()
    out = sql.run("SELECT 2 AS two, 'y' AS s")
    assert out.json["data"] == [[2, "y"]], out
    refused = livy.post("/sessions", {"kind": "spark"})
    assert refused.status_code == 400
    assert refused.json() == {"msg": TOO_MANY}
    assert livy.text(a, "1 + 1").strip().endswith("= 2")
    assert sql.run("SELECT 3 AS three").json["data"] == [[3]]
    assert livy.post("/batches", {"file": "/nonexistent.py"}).status_code == 400
    d = requests.delete(f"{livy.url}/sessions/{sql.session_id}", headers=HEADERS, timeout=60)
    assert d.status_code == 200 and d.json() == {"msg": "deleted"}
    free = LivySession.create(livy.url, kind=SessionKind.SPARK, requests_session=session_with_headers())
    free.wait()
    assert free.run("40 + 2").text.strip() == "res0: Int = 42"
    livy.sid_free = free.session_id


def test_a_cancelled_statement_ends_cancelled_and_the_session_runs_the_next(livy):
    sid = livy.sid_free
    livy.wait_idle(sid)
    long = livy.submit(sid, "sc.parallelize(1 to 2, 2).map { x => Thread.sleep(600000); x }.count()")
    wait_for(lambda: livy.get(f"/sessions/{sid}/statements/{long}")["state"] == "running", RUN, "it to run")
    assert livy.get(f"/sessions/{sid}")["state"] == "busy"
    r = livy.post(f"/sessions/{sid}/statements/{long}/cancel", {})
    assert r.status_code == 200 and r.json() == {"msg": "canceled"}
    assert livy.result(sid, long, 60)["state"] == "cancelled"
    assert livy.text(sid, "21 * 2").strip().endswith("= 42")


def test_a_killed_driver_leaves_its_session_dead_with_its_log_and_the_others_run(livy):
    victim, other = livy.sid_free, livy.sid_spark
    pid = next(p for p in drivers(livy.local)
               if f"sessions/{victim}/spec.json".encode() in open(f"/proc/{p}/cmdline", "rb").read())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: livy.get(f"/sessions/{victim}/state")["state"] == "dead", 30, "the session to be dead")
    log = livy.get(f"/sessions/{victim}/log?from=0&size=1000")["log"]
    assert any("starting session" in line for line in log), log[:20]
    assert livy.text(other, "3 * 3").strip().endswith("= 9")


def test_bad_requests_get_livy_shaped_4xx_and_sessions_keep_running(livy):
    sid = livy.sid_spark
    for path, body, status in [
        ("/sessions", "{not json", 400),
        ("/sessions", {"kind": 5}, 400),
        ("/sessions", {"kind": "sparkr"}, 400),
        ("/sessions", {"kind": "spark", "driverMemory": "64g"}, 400),
        ("/sessions", {"kind": "spark", "jars": "not-a-list"}, 400),
        (f"/sessions/{sid}/statements", {"code": 1}, 400),
        ("/sessions/99999/statements", {"code": "1"}, 404),
        ("/sessions", "x" * (5 << 20), 413),
    ]:
        r = livy.post(path, body)
        assert r.status_code == status, (path, body if len(str(body)) < 100 else "<big>", r.text)
        assert isinstance(r.json()["msg"], str)
    assert requests.get(f"{livy.url}/sessions/abc", timeout=10).status_code == 404
    assert livy.text(sid, "7 - 1").strip().endswith("= 6")


def test_an_idle_session_times_out_a_busy_one_does_not(livy):
    livy.local.write(cluster_spec(timeout="20s"))  # restarts Livy: every session ends
    wait_for(lambda: not drivers(livy.local), 60, "the old drivers to end with the old server")
    wait_for(lambda: livy.local.condition("LivyReady") == "True" and get_ok(livy.url), 120, "Livy back")
    idle = livy.create({"kind": "pyspark"})
    busy = livy.create({"kind": "pyspark"})
    livy.wait_idle(idle)
    livy.wait_idle(busy)
    livy.submit(busy, "import time\ntime.sleep(600)")
    wait_for(lambda: livy.get(f"/sessions/{idle}/state")["state"] == "killed", 90, "the idle session to time out")
    assert livy.get(f"/sessions/{busy}/state")["state"] == "busy"
    metrics = requests.get(f"{livy.url}/metrics", timeout=10).text
    assert 'spyt_livy_server_sessions{kind="pyspark",state="killed"} 1' in metrics
    # The file removed: Livy and every driver go.
    (livy.local.manifests / "cluster.yaml").unlink()
    wait_for(lambda: marked_pids(livy.local.marker) == [livy.local.proc.pid], 90,
             "Livy, its drivers and every other process of the cluster to stop")


def get_ok(url):
    try:
        return requests.get(f"{url}/sessions", timeout=5).status_code == 200
    except requests.RequestException:
        return False
