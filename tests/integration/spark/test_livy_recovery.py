"""Sessions survive a restart of the Livy server: `kill -9` of the
`spyt-launcher livy` process of a `spyt-operator local` cluster, the local
supervisor restarts it, and the new server serves every session and batch as
they were (ids, states, owners, conf), re-attached to the drivers, which
outlived it. A torn state file is reported in the server's log and skipped."""

import os
import time

import requests

from livy_batches import HEADERS, sum_job
from livy_recovery import kill_and_wait_back, livy_log, livy_state_dir, tear_state_file
from local_proc import local, sessions_cluster  # noqa: F401 (fixture)
from waiting import wait_for

START = 180  # a session's driver from POST to idle on a loaded 2-core machine
RUN = 120


def cluster_spec():
    return sessions_cluster(4, executor_cores=3)  # 3 sessions and a batch; the sessions compute


class Client:
    def __init__(self, url):
        self.url = url

    def get(self, path):
        r = requests.get(self.url + path, timeout=30)
        r.raise_for_status()
        return r.json()

    def post(self, path, body):
        r = requests.post(self.url + path, json=body, headers=HEADERS, timeout=60)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def state(self, path):
        return self.get(path)["state"]

    def wait_state(self, path, states, timeout):
        wait_for(lambda: self.state(path) in states, timeout, f"{path} to be one of {states}")
        return self.state(path)

    def statement(self, sid, stid, timeout=RUN):
        path = f"/sessions/{sid}/statements/{stid}"
        wait_for(lambda: self.state(path) in ("available", "cancelled"), timeout, path)
        return self.get(path)


def driver_pids(local):
    return set(local.pids_running(b"spyt_driver.py"))


def as_listed(session):
    return {k: session[k] for k in ("id", "state", "owner", "proxyUser", "kind", "conf", "appId")}


def test_kill_9_of_the_server_keeps_sessions_a_running_statement_and_a_batch(local, tmp_path):
    local.write(cluster_spec())
    local.start()
    wait_for(lambda: local.condition("Ready") == "True", 180, "the cluster to be Ready")
    livy = Client(f"http://{local.discovery()['livy']}")

    job = tmp_path / "sum.py"
    job.write_text(sum_job("RECOVERY"))
    batch = livy.post("/batches", {"file": str(job), "proxyUser": "dave"})
    assert livy.wait_state(f"/batches/{batch}", ("success", "dead"), START) == "success"

    conf = {"spark.hadoop.yt.user": "{user}", "spark.hadoop.yt.token": "token-of-{user}"}
    sessions = {}
    for user, kind in (("alice", "pyspark"), ("bob", "sql"), ("carol", "pyspark")):
        body = {"kind": kind, "proxyUser": user,
                "conf": {k: v.format(user=user) for k, v in conf.items()}}
        sessions[user] = livy.post("/sessions", body)
    for sid in sessions.values():
        assert livy.wait_state(f"/sessions/{sid}", ("idle", "error", "dead"), START) == "idle"
    alice, bob, carol = sessions["alice"], sessions["bob"], sessions["carol"]
    done = livy.statement(alice, livy.post(f"/sessions/{alice}/statements", {"code": "20 + 22"}))
    assert done["output"]["data"]["text/plain"] == "42"
    sleeper = livy.post(f"/sessions/{carol}/statements",
                        {"code": "import time\ntime.sleep(20)\n'slept'"})
    livy.wait_state(f"/sessions/{carol}/statements/{sleeper}", ("running",), RUN)

    before = {s["id"]: as_listed(s) for s in livy.get("/sessions")["sessions"]}
    batch_before = livy.get(f"/batches/{batch}")
    assert before[carol]["state"] == "busy"
    drivers = driver_pids(local)
    assert len(drivers) == 3, drivers

    seconds, listed = kill_and_wait_back(local, livy.url, list(sessions.values()))
    print(f"\nLivy server back {seconds:.1f}s after kill -9 with 3 sessions")
    assert drivers <= driver_pids(local), "the drivers outlive the server"
    after = {s["id"]: as_listed(s) for s in listed}
    # The busy session may have finished its statement while the server was away.
    if after[carol]["state"] == "idle":
        before[carol]["state"] = "idle"
    assert after == before
    assert livy.get(f"/batches/{batch}")["state"] == batch_before["state"] == "success"
    assert livy.get(f"/batches/{batch}")["owner"] == "dave"

    # A finished statement's result is there at once; the running one finishes.
    assert livy.get(f"/sessions/{alice}/statements/0")["output"]["data"]["text/plain"] == "42"
    slept = livy.statement(carol, sleeper)
    assert slept["state"] == "available" and slept["output"]["data"]["text/plain"] == "'slept'", slept
    assert livy.wait_state(f"/sessions/{carol}", ("idle",), 30) == "idle"
    # The sessions run the next statement.
    nxt = livy.statement(alice, livy.post(f"/sessions/{alice}/statements", {"code": "2 * 21"}))
    assert nxt["id"] == 1 and nxt["output"]["data"]["text/plain"] == "42", nxt
    sql = livy.statement(bob, livy.post(f"/sessions/{bob}/statements", {"code": "SELECT 7 AS n"}))
    assert sql["output"]["data"]["application/json"]["data"] == [[7]], sql
    log = "\n".join(livy.get(f"/sessions/{alice}/log?from=0&size=10000")["log"])
    assert "re-attached" in log

    # A torn record is reported (the file named) and skipped; the rest is served.
    torn = livy_state_dir(local) / "sessions" / "99.json"
    tear_state_file(torn)
    _, listed = kill_and_wait_back(local, livy.url, list(sessions.values()))
    assert 99 not in {s["id"] for s in listed}
    assert {s["id"] for s in listed} == set(sessions.values())
    # A kill can land between a statement's end and the write of the session's state; the
    # restarted server then reads "busy" back until it has asked the driver, so wait for idle.
    for sid in sessions.values():
        assert livy.wait_state(f"/sessions/{sid}", ("idle",), 30) == "idle"
    wait_for(lambda: "skipping an unreadable state file" in livy_log(local), 10, "the report")
    report = next(l for l in livy_log(local).splitlines() if "skipping an unreadable state file" in l)
    assert str(torn) in report, report
    assert (torn.parent / "99.json.unreadable").exists()
    assert livy.statement(bob, livy.post(f"/sessions/{bob}/statements", {"code": "SELECT 8"}))[
        "output"]["status"] == "ok"
    # Ids are not reused: a new session's id is above the torn record's.
    assert livy.post("/sessions", {"kind": "sql"}) == 100
