"""Query Tracker's flow, replayed as its SPYT engine runs it (query_tracker.py), against a
cluster started by `spyt-operator local` with its default SPYT release: SPYT's jars are
on the drivers' classpath, so the statement that imports GenericRowSerializer compiles
and prints YT's wire format; sessions are found again by user and reused; errors come
back in the shape Query Tracker parses; the session limit answers Livy's 400."""

import os
import stat
import threading

import pytest
import requests

from livy_recovery import livy_state_dir
from local_proc import local, sessions_cluster  # noqa: F401 (fixture)
from query_tracker import (HEADERS, LivyQueryError, QueryTracker, ROW_COUNT_LIMIT,
                           version_tuple)
from waiting import wait_for

START = 300  # the local controller installs the SPYT release (once per cache), then Spark starts
# Recognisable tokens: after the flow, none may be found anywhere but in the Livy
# server's private files (0600): its state records, which keep the conf as given for
# a restart, and each session driver's spec (sessions/<id>/spec.json).
TOKENS = {"alice": "qt-token-alice-5d41402abc4b", "bob": "qt-token-bob-7d793037a076"}


def private(cluster, path):
    """True for the Livy server's own files that may hold a session's conf."""
    records = livy_state_dir(cluster)
    return (path.startswith((str(records / "sessions"), str(records / "batches")))
            or (os.path.basename(path) == "spec.json" and "/livy/livy/sessions/" in path))


def leaks(cluster, root, token):
    """Files under the cluster's state directory and answers of its servers that hold
    `token`, but for the Livy server's private files, which must be 0600."""
    found = []
    for dirpath, _, files in os.walk(cluster.state):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as f:
                    if token.encode() not in f.read():
                        continue
            except OSError:
                continue
            if not private(cluster, path):
                found.append(path)
            elif stat.S_IMODE(os.stat(path).st_mode) != 0o600:
                found.append(f"{path} (mode {oct(stat.S_IMODE(os.stat(path).st_mode))})")
    if token in cluster.log.read_text(errors="replace"):
        found.append(str(cluster.log))
    answers = {"operator /metrics": cluster.metrics(),
               "Livy /metrics": requests.get(f"{root}/metrics", timeout=30).text,
               "Livy GET /sessions": requests.get(f"{root}/sessions", timeout=30).text}
    found += [what for what, text in answers.items() if token in text]
    return found


def wire_has(wire, *values):
    return all(v.encode() in wire for v in values)


@pytest.fixture
def cluster(local):  # noqa: F811
    local.write(sessions_cluster(2))
    local.start()
    wait_for(lambda: local.condition("Ready") == "True", START, "the cluster to be Ready")
    return local


def test_query_tracker_flow_with_session_reuse(cluster):
    discovery = cluster.discovery()
    assert set(discovery) >= {"livy", "version", "spark_address"}
    assert version_tuple(discovery["version"]) >= (1, 78, 0)  # no spark.yt.* client files sent
    root = f"http://{discovery['livy']}"

    alice = QueryTracker(discovery, "alice", token=TOKENS["alice"], reuse=True)
    first = alice.run("SELECT 1 AS a, 'xyzzy-first' AS s")
    assert not first.truncated and wire_has(first.wire, "xyzzy-first")
    assert not first.reused
    assert [c[0] + " " + c[1].split("/statements")[0] for c in alice.calls[:2]] == [
        "POST sessions/find-by-user", "POST sessions"]
    assert alice.calls[0][2] == 404 and alice.calls[1][2] == 201
    assert all(0.0 <= p <= 1.0 for p in first.progress) and first.progress
    assert alice.calls[-1][0] == "POST" and alice.calls[-1][1].endswith("/cancel")

    # More rows than rowCountLimit: T, and only the first rowCountLimit rows are sent.
    alice.calls.clear()
    many = alice.run("SELECT id, concat('row-', cast(id AS string), '-end') AS s FROM range(25)")
    assert many.truncated and many.reused and many.session_url == first.session_url
    assert alice.read_back_token == TOKENS["alice"]  # find-by-user gives the token back
    assert alice.calls[0][:2] == ("POST", "sessions/find-by-user") and alice.calls[0][2] == 200
    assert wire_has(many.wire, *[f"row-{i}-end" for i in range(ROW_COUNT_LIMIT)])
    assert not wire_has(many.wire, f"row-{ROW_COUNT_LIMIT}-end")

    # A compile error and a failing query: errors Query Tracker's parser reads.
    with pytest.raises(LivyQueryError) as compile_error:
        alice.run("SELECT 1", params={"spark.sql.shuffle.partitions": '1"); nonsense(('})
    assert compile_error.value.evalue and isinstance(compile_error.value.traceback, list)
    with pytest.raises(LivyQueryError) as failing:
        alice.run("SELECT * FROM no_such_table_anywhere")
    assert "no_such_table_anywhere" in failing.value.evalue
    assert isinstance(failing.value.traceback, list)

    # The session is still usable, and still the same one.
    after = alice.run("SELECT 'still-alive' AS s")
    assert after.session_url == first.session_url and wire_has(after.wire, "still-alive")
    state = requests.get(first.session_url, timeout=30).json()
    assert state["state"] == "idle" and state["proxyUser"] == "alice"

    # Two users at once get two sessions; bob does not reuse, so his session is deleted after.
    bob = QueryTracker(discovery, "bob", token=TOKENS["bob"], reuse=False)
    results = {}

    def run(name, client, sql):
        try:
            results[name] = client.run(sql)
        except Exception as e:  # noqa: BLE001 - reported below
            results[name] = e

    threads = [threading.Thread(target=run, args=("alice", alice, "SELECT 'from-alice' AS s")),
               threading.Thread(target=run, args=("bob", bob, "SELECT 'from-bob' AS s"))]
    for t in threads:
        t.start()
    # While both sessions live (the limit is 2), a third user is refused as Livy refuses.
    wait_for(lambda: len(requests.get(f"{root}/sessions", timeout=30).json()["sessions"]) == 2,
             START, "bob's session to be created")
    r = requests.post(f"{root}/sessions", json={"kind": "spark", "proxyUser": "carol"},
                      headers=HEADERS, timeout=30)
    assert r.status_code == 400, r.text
    assert r.json() == {"msg": "Rejected, too many sessions are being created!"}
    for t in threads:
        t.join(timeout=START + 120)
    assert not isinstance(results["alice"], Exception), results["alice"]
    assert not isinstance(results["bob"], Exception), results["bob"]
    assert wire_has(results["alice"].wire, "from-alice") and wire_has(results["bob"].wire, "from-bob")
    assert results["bob"].session_url != first.session_url
    assert bob.calls[-1][0] == "DELETE"

    # Without reuse the session is gone and its slot free: carol gets one now.
    wait_for(lambda: requests.get(results["bob"].session_url, timeout=30).status_code == 404, 120,
             "bob's session to be deleted")
    r = requests.post(f"{root}/sessions", json={"kind": "spark", "proxyUser": "carol"},
                      headers=HEADERS, timeout=30)
    assert r.status_code == 201, r.text
    requests.delete(root + r.headers["Location"], headers=HEADERS, timeout=30)

    # No token anywhere but the server's state records, which are private to it.
    for user, token in TOKENS.items():
        assert leaks(cluster, root, token) == [], f"{user}'s token leaked"
    assert stat.S_IMODE(os.stat(livy_state_dir(cluster)).st_mode) == 0o700
