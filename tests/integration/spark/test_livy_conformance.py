"""Our Livy server answers like Apache Livy 0.7.1, the REST API it replaces.

Both run side by side on 127.0.0.1 against one real Spark standalone master and
worker: Apache Livy 0.7.1 (started directly, java ... LivyServer, with a
livy.conf written here) is the reference, our server (`spyt-launcher livy`,
livy_oracle.our_livy_command) the candidate, each once with CSRF protection off
and once with it on, each allowing 2 concurrent child processes. Every request
goes to both; status codes, the content type, Location and the body's shape
(keys and value types) must agree, and the whole body or message text where
Livy's text means something to clients (404s, the limit, "deleted"). Paging of
listings and logs must follow Livy's rules (livy_oracle.livy_*_page) on both.
Where Livy's answer is an accident of its implementation (jackson's parser
messages as a bare JSON string, 500 for an uncaught exception, Jetty's HTML
pages) only the status or its class is compared; each case says why.

What Livy 0.7.1 does that the checks avoid or allow for:
- A POST /batches that parses but fails validation still registers a batch,
  `starting` forever ("phantom"), and every parsed POST takes an id: ids are
  never compared across servers, and bad requests come last.
- GET /sessions/{id}/statements on a `starting` session never answers.
- Without REPL jars no session starts; the oracle gets a stand-in jar so that
  POST /sessions creates a session (which then goes `dead`): only the creation
  answer and what follows at once are compared.

SPYT_LIVY_CANDIDATE selects the candidate: `ours` (default; $SPYT_LAUNCHER_BIN,
else build/controller/spyt-launcher), `livy` (a second Apache Livy: proves the
checks pass on Livy itself) or `fake` (a wrong in-process server: every test
but the first must fail).
Prerequisite: `bash hack/spark-livy.sh` (writes $SPYT_CACHE/spark-livy.env).
"""

import os
from pathlib import Path

import pytest

from livy_batches import batch_state, sum_job
from livy_oracle import (CLIENT_ERROR, CSRF_TEXT, EXACT, MSG, REFUSED, SHAPE, STATUS, Answer, Checks, Pair,
                         answer_diffs, batch_conf, call, created, ids_of, livy_list_page, livy_log_page, not_found,
                         post_when_free, query, shape_diffs, start_apache_livy, start_fake, start_our_livy,
                         wait_answering)
from spark_procs import LOOPBACK, Processes, free_port, load_spark_livy_env, processes_for_module

CANDIDATE = os.environ.get("SPYT_LIVY_CANDIDATE", "ours")
START_TIMEOUT = 120       # Livy's JVM and its spark-submit --version on a busy 2-core machine
BATCH_TIMEOUT = 180       # a PySpark batch: spark-submit, driver, executor
SETTLE_TIMEOUT = 30       # a child process's exit freeing its slot
CSRF = {"X-Requested-By": "conformance"}
UNKNOWN = 424242          # an id neither server has

SLEEPER = 'import time\nprint("CONFORMANCE_SLEEPER_UP", flush=True)\ntime.sleep(600)\n'


# ------------------------------------------------------------------ fixtures --

@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    with processes_for_module(tmp_path_factory, "livy-conformance") as rt:
        yield rt


@pytest.fixture(scope="module")
def master(processes):
    port, webui = free_port(), free_port()
    spark_class = Path(processes.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    proc = processes.start("spark-master", [spark_class, "org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
                                          "--port", port, "--webui-port", webui], processes.spark_env())
    processes.wait_master_alive(f"http://{LOOPBACK}:{webui}", proc, START_TIMEOUT)
    return {"url": f"spark://{LOOPBACK}:{port}", "webui": f"http://{LOOPBACK}:{webui}"}


@pytest.fixture(scope="module")
def worker(processes, master):
    """Two cores and 1 GB: the two servers' batches (1 core, 512 MB each) run at once."""
    work = processes.tmp / "worker-work"
    work.mkdir()
    spark_class = Path(processes.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    proc = processes.start("spark-worker", [
        spark_class, "org.apache.spark.deploy.worker.Worker", "--cores", 2, "--memory", "1g", "--host", LOOPBACK,
        "--port", free_port(), "--webui-port", free_port(), "--work-dir", work, master["url"]], processes.spark_env())
    processes.wait_worker_registered(master["webui"], proc, START_TIMEOUT)


@pytest.fixture(scope="module")
def jobs(processes):
    d = processes.tmp / "jobs"
    d.mkdir()
    (d / "sum.py").write_text(sum_job("CONFORMANCE_SUM"))
    (d / "sleeper.py").write_text(SLEEPER)
    return d


@pytest.fixture(scope="module")
def servers(processes, master, jobs):
    """{"plain": Pair, "csrf": Pair}: all four started at once, then waited for."""
    def candidate(name, csrf):
        if CANDIDATE == "livy":
            return start_apache_livy(processes, name, master["url"], jobs, csrf)
        if CANDIDATE == "fake":
            return start_fake(name)
        return start_our_livy(processes, name, master["url"], csrf)

    cands = [candidate("candidate-plain", False), candidate("candidate-csrf", True)]  # first: may fail at once
    pairs = {"plain": Pair(start_apache_livy(processes, "livy-plain", master["url"], jobs, False), cands[0]),
             "csrf": Pair(start_apache_livy(processes, "livy-csrf", master["url"], jobs, True), cands[1])}
    for pair in pairs.values():
        for ep in pair:
            wait_answering(processes, ep, START_TIMEOUT)
    yield pairs
    for pair in pairs.values():
        for ep in pair:
            ep.stop_fake()


@pytest.fixture(scope="module")
def finished_batch(processes, servers, worker, jobs):
    """The sum job posted to both plain servers and finished there: (creation answers, ids)."""
    pair = servers["plain"]
    body = {"file": (jobs / "sum.py").as_uri(), "name": "conformance-sum", "conf": batch_conf(processes)}
    answers = post_when_free(pair, "/batches", body, SETTLE_TIMEOUT)
    for side, a in answers.items():
        if a.status != 201:
            processes.fail(f"POST /batches (sum job) to the {side} server answered {a!r}")
    ids = ids_of(answers)
    for side, ep in zip(("ref", "cand"), pair):
        processes.wait_for(f"batch {ids[side]} on {ep.name} to succeed",
                         lambda: batch_state(ep.url, ids[side], processes.fail) == "success", BATCH_TIMEOUT, interval=1)
    return answers, ids


@pytest.fixture(scope="module")
def three_batches(processes, servers, finished_batch, jobs):
    """The finished sum batch and two sleepers (the limit's two child processes) on each plain server."""
    pair = servers["plain"]
    sleepers = []
    for n in (1, 2):
        body = {"file": (jobs / "sleeper.py").as_uri(), "name": f"sleeper-{n}"}
        answers = post_when_free(pair, "/batches", body, SETTLE_TIMEOUT)
        for side, a in answers.items():
            if a.status != 201:
                processes.fail(f"POST /batches (sleeper {n}) to the {side} server answered {a!r}")
        sleepers.append(ids_of(answers))
    return {"sum": finished_batch[1], "sleepers": sleepers}


# --------------------------------------------------------------------- tests --

def test_the_comparison_catches_what_it_must():
    """The checks themselves, without servers: a different shape, text or status is caught."""
    listing = Answer(200, "application/json", None, "", {"from": 0, "total": 0, "sessions": []})
    assert answer_diffs(EXACT, listing, listing) == []
    assert answer_diffs(EXACT, listing, Answer(200, "application/json", None, "", {"total": 0, "sessions": []}))
    assert answer_diffs(MSG, Answer(404, "application/json", None, "", {"msg": "Session '1' not found."}),
                        Answer(404, "application/json", None, "", {"msg": "not found"}))
    batch = {"id": 1, "name": None, "appId": None, "state": "running", "log": ["a"]}
    assert shape_diffs(batch, dict(batch, appId="app-1", log=[])) == []
    assert shape_diffs(batch, dict(batch, id="1"))
    assert shape_diffs(batch, {k: v for k, v in batch.items() if k != "name"})
    assert answer_diffs(STATUS, listing, Answer(201, "application/json", None, "", {}))
    assert answer_diffs(REFUSED, Answer(500, "", None, "", None), Answer(201, "", None, "", None))
    # The paging model against what Livy 0.7.1 answered on a 24-line log.
    assert [livy_log_page(24, f, s) for f, s in [(None, None), (0, 2), (None, 5), (-1, 1), (None, -1), (None, 0),
                                                 (100, None), (-100, 5)]] == \
        [(0, 24), (0, 2), (19, 5), (23, 1), (0, 24), (24, 0), (100, 0), (19, 5)]
    assert [livy_list_page(7, f, s)[1] for f, s in [(1, 2), (-2, None), (-3, 2), (None, -1), (100, None)]] == \
        [[1, 2], list(range(7)), [], [], []]


def test_empty_listings_agree(processes, servers):
    c = Checks(processes, servers["plain"], CANDIDATE)
    for path in ("/sessions", "/sessions?from=1&size=2", "/sessions/", "/batches", "/batches?from=5&size=0",
                 "/batches/"):
        c.same(f"GET {path}", EXACT, "GET", path)
    # "For input string: ..." is Java's NumberFormatException text: the shape only.
    c.same("GET /batches?from=abc", SHAPE, "GET", "/batches?from=abc")
    c.done()


def test_unknown_ids_paths_and_methods_agree(processes, servers):
    c = Checks(processes, servers["plain"], CANDIDATE)
    for kind in ("sessions", "batches"):
        for path in (f"/{kind}/{UNKNOWN}", f"/{kind}/{UNKNOWN}/state", f"/{kind}/{UNKNOWN}/log", f"/{kind}/abc",
                     f"/{kind}/-1"):
            c.same(f"GET {path}", EXACT, "GET", path)
        c.same(f"DELETE /{kind}/{UNKNOWN}", EXACT, "DELETE", f"/{kind}/{UNKNOWN}")
        # Livy answers 405 with an empty body; Jetty's 404 for an unknown path is empty text/html.
        for method in ("PUT", "DELETE"):
            c.same(f"{method} /{kind}", STATUS, method, f"/{kind}")
    c.same("GET statements of an unknown session", EXACT, "GET", f"/sessions/{UNKNOWN}/statements")
    c.same("POST a statement to an unknown session", EXACT, "POST", f"/sessions/{UNKNOWN}/statements",
           json_body={"code": "1"})
    c.same("GET /foo", STATUS, "GET", "/foo")
    c.done()


def test_batch_creation_answers_agree(processes, finished_batch):
    answers, _ = finished_batch
    c = Checks(processes, None, CANDIDATE)
    c.compare("POST /batches", SHAPE, answers)
    # Livy reports `starting` or `running` in its 201, whichever its thread reached.
    c.each("POST /batches", answers, created("batches", "conformance-sum", ("starting", "running")))
    c.done()


def test_a_finished_batch_reads_alike(processes, servers, finished_batch):
    _, ids = finished_batch
    c = Checks(processes, servers["plain"], CANDIDATE)
    a = c.same("GET /batches/{id}", SHAPE, "GET", "/batches/{id}", ids)
    c.each("GET /batches/{id}", a, lambda s, x: [] if x.body.get("state") == "success" else ["not success"])
    a = c.same("GET /batches/{id}/state", SHAPE, "GET", "/batches/{id}/state", ids)
    c.each("GET /batches/{id}/state", a, lambda s, x: [] if x.body == {"id": ids[s], "state": "success"} else ["body"])
    wait_logs_settled(processes, servers["plain"], ids)
    full = c.same("GET the whole log", SHAPE, "GET", "/batches/{id}/log?from=0&size=100000", ids)
    c.each("the whole log", full, lambda s, x: [] if "CONFORMANCE_SUM=500500" in x.body.get("log", []) and
           x.body.get("total") == len(x.body["log"]) > 10 else ["no CONFORMANCE_SUM=500500 line, or total wrong"])
    for f, s in [(None, None), (0, 2), (None, 5), (2, 3), (None, 0), (100000, None), (-1, None), (-1, 1),
                 (-100, 5), (None, -1)]:
        path = "/batches/{id}/log" + query(f, s)
        a = c.same(f"GET {path}", SHAPE, "GET", path, ids)
        c.each(f"GET {path}", a, log_page_check(full, f, s))
    c.same("GET log?from=abc", SHAPE, "GET", "/batches/{id}/log?from=abc", ids)
    c.done()


def wait_logs_settled(rt, pair: Pair, ids):
    """Livy reads spark-submit's output in threads of its own: lines may still
    arrive just after the batch reads `success`. Waits for two equal reads."""
    for side, ep in zip(("ref", "cand"), pair):
        path = f"/batches/{ids[side]}/log?from=0&size=100000"
        last = [None]

        def settled():
            text, last[0] = last[0], call(ep.url, "GET", path).text
            return text == last[0]

        rt.wait_for(f"the log of batch {ids[side]} on {ep.name} to stop growing", settled, SETTLE_TIMEOUT, interval=1)


def log_page_check(full, from_, size):
    def check(side, a):
        lines = full[side].body.get("log", [])
        start, count = livy_log_page(len(lines), from_, size)
        want = {"id": full[side].body.get("id"), "from": start, "total": len(lines), "log": lines[start:start + count]}
        return [] if a.body == want else [f"expected from={start} and {count} of {len(lines)} lines"]
    return check


def test_a_listing_of_three_batches_pages_alike(processes, servers, three_batches):
    c = Checks(processes, servers["plain"], CANDIDATE)
    # Negative values are Livy's accidents (Scala's slice) but clients may send them.
    for f, s in [(None, None), (1, 2), (0, 1), (2, None), (None, 0), (5, None), (-1, None), (None, -1)]:
        path = "/batches" + query(f, s)
        a = c.same(f"GET {path}", SHAPE, "GET", path)
        c.each(f"GET {path}", a, list_page_check(servers["plain"], f, s))
    c.done()


def list_page_check(pair: Pair, from_, size):
    """Against each server's own full listing: total, the echoed from, and which items, in id order."""
    def check(side, a):
        ep = pair.ref if side == "ref" else pair.cand
        ids = [b["id"] for b in call(ep.url, "GET", "/batches?size=1000").body["sessions"]]
        start, idx = livy_list_page(len(ids), from_, size)
        got = [b.get("id") for b in a.body.get("sessions", [])] if isinstance(a.body, dict) else None
        if ids != sorted(ids) or len(ids) != 3:
            return [f"the full listing is not 3 batches in id order: {ids}"]
        ok = a.body.get("total") == 3 and a.body.get("from") == start and got == [ids[i] for i in idx]
        return [] if ok else [f"expected from={start}, total=3, ids {[ids[i] for i in idx]}"]
    return check


def test_a_batch_beyond_the_limit_is_refused_alike(processes, servers, three_batches, jobs):
    c = Checks(processes, servers["plain"], CANDIDATE)
    c.same("POST /batches beyond the limit", EXACT, "POST", "/batches",
           json_body={"file": (jobs / "sleeper.py").as_uri(), "name": "sleeper-refused"})
    c.same("POST /sessions beyond the limit", EXACT, "POST", "/sessions", json_body={"kind": "spark"})
    c.done()


def test_delete_answers_alike_and_frees_a_slot(processes, servers, three_batches, jobs):
    pair, first = servers["plain"], three_batches["sleepers"][0]
    c = Checks(processes, pair, CANDIDATE)
    c.same("DELETE a running batch", EXACT, "DELETE", "/batches/{id}", first)
    a = c.same("GET a deleted batch", SHAPE, "GET", "/batches/{id}", first)
    c.each("GET a deleted batch", a, not_found(first))
    a = c.same("DELETE a deleted batch", SHAPE, "DELETE", "/batches/{id}", first)
    c.each("DELETE a deleted batch", a, not_found(first))
    # The deleted batch's spark-submit is gone: its slot takes a new batch.
    again = post_when_free(pair, "/batches", {"file": (jobs / "sleeper.py").as_uri(), "name": "sleeper-3"},
                           SETTLE_TIMEOUT)
    c.compare("POST /batches after a DELETE", SHAPE, again)
    c.each("POST /batches after a DELETE", again, created("batches", "sleeper-3", ("starting", "running")))
    left = [three_batches["sum"], three_batches["sleepers"][1]] + ([ids_of(again)] if again["ref"].status == 201
                                                                   and again["cand"].status == 201 else [])
    for ids in left:
        c.same("DELETE a batch", EXACT, "DELETE", "/batches/{id}", ids)
    c.same("GET /batches once all are deleted", EXACT, "GET", "/batches")
    c.done()


@pytest.mark.parametrize("kind", ["spark", "pyspark"])
def test_an_interactive_session_is_created_alike(processes, servers, kind):
    """Livy's session dies for want of a REPL, ours starts: only the creation
    answer and what follows at once can agree."""
    pair = servers["plain"]
    c = Checks(processes, pair, CANDIDATE)
    a = post_when_free(pair, "/sessions", {"kind": kind, "name": f"conformance-{kind}"}, SETTLE_TIMEOUT)
    c.compare("POST /sessions", SHAPE, a)
    c.each("POST /sessions", a, created("sessions", f"conformance-{kind}"))
    c.each("POST /sessions", a, lambda s, x: [] if x.body.get("kind") == kind else ["kind not echoed"])
    if a["ref"].status != 201 or a["cand"].status != 201:
        c.done()  # fails: created() has reported it
    ids = ids_of(a)
    # Not compared: a statement posted to a starting session. Livy 0.7.1 answers
    # 500 (an uncaught IllegalStateException); ours queues it and runs it once the
    # session is idle (test_livy_sessions covers that).
    c.same("GET /sessions/{id}", SHAPE, "GET", "/sessions/{id}", ids)
    c.same("GET /sessions/{id}/state", SHAPE, "GET", "/sessions/{id}/state", ids)
    a = c.same("GET /sessions", SHAPE, "GET", "/sessions")
    c.each("GET /sessions", a, lambda s, x: [] if x.body.get("total") == 1 else ["total is not 1"])
    c.same("DELETE /sessions/{id}", EXACT, "DELETE", "/sessions/{id}", ids)
    a = c.same("GET a deleted session", SHAPE, "GET", "/sessions/{id}", ids)
    c.each("GET a deleted session", a, not_found(ids))
    c.done()


# Bad bodies. Livy answers jackson's parser errors as a bare JSON string whose
# text names Livy's Java classes: there only the status is compared. Where an
# exception escapes, Livy answers 500: refusing is what matters. Its own checks
# answer {"msg": ...} with texts clients may show: compared whole.
BAD_BATCHES = [
    ("malformed JSON", STATUS, "{bad json"),
    ("an empty body", STATUS, ""),
    ("a JSON array", STATUS, "[]"),
    ("a JSON string", STATUS, '"x"'),
    ("JSON null", REFUSED, "null"),
    ("no file", MSG, "{}"),
    ("a relative file", MSG, '{"file": "relative.py"}'),
    # Not compared: a local file outside livy.file.local-dir-whitelist. Ours has no
    # whitelist: a session or batch runs arbitrary code in the Livy container anyway,
    # so a path check would only look like a boundary (README, security notes).
    ("file: 1", STATUS, '{"file": 1}'),
    ('args: "x"', STATUS, '{"file": "/x.py", "args": "x"}'),
    ('numExecutors: "a"', REFUSED, '{"file": "/x.py", "numExecutors": "a"}'),
    ("conf: [1]", STATUS, '{"file": "/x.py", "conf": [1]}'),
    ("an unknown field", STATUS, '{"file": "/x.py", "bogus": 1}'),
    # Livy has no size limit (it answers for the content: here the file);
    # ours may refuse the size first. Either way a client error.
    ("a 6 MB body", CLIENT_ERROR, '{"file": "/x.py", "args": [' + ",".join(['"' + "x" * 998 + '"'] * 6000) + "]}"),
]
BAD_SESSIONS = [
    ("malformed JSON", STATUS, "{bad json"),
    ("a JSON array", STATUS, "[]"),
    ("JSON null", REFUSED, "null"),
    ("an unknown kind", STATUS, '{"kind": "foo"}'),
    ("an unknown field", STATUS, '{"kind": "spark", "bogus": 1}'),
    ("conf: [1]", STATUS, '{"kind": "spark", "conf": [1]}'),
    ('numExecutors: "a"', REFUSED, '{"kind": "spark", "numExecutors": "a"}'),
]


def test_bad_requests_are_refused_alike(processes, servers):
    """Last of the plain pair's tests: Livy keeps a phantom `starting` batch for each
    parsed but invalid POST /batches. Sent without X-Requested-By: CSRF is off."""
    c = Checks(processes, servers["plain"], CANDIDATE)
    for what, mode, raw in BAD_BATCHES:
        c.same(f"POST /batches with {what}", mode, "POST", "/batches", raw=raw)
    for what, mode, raw in BAD_SESSIONS:
        c.same(f"POST /sessions with {what}", mode, "POST", "/sessions", raw=raw)
    for what, path in (("a non-number", "/batches?from=x"), ("an empty value", "/batches?size=")):
        c.same(f"GET a listing with {what}", SHAPE, "GET", path)  # Java's NumberFormatException text
    c.done()


def test_csrf_protection_agrees(processes, servers):
    """Livy's refusal is Jetty's HTML error page: the status and its reason."""
    c = Checks(processes, servers["csrf"], CANDIDATE)
    says_csrf = lambda s, a: [] if CSRF_TEXT in a.text else [f"no {CSRF_TEXT!r}"]  # noqa: E731
    for method, path, body in (("POST", "/batches", {"file": "relative.py"}), ("POST", "/sessions", {"kind": "spark"}),
                               ("DELETE", f"/batches/{UNKNOWN}", None), ("DELETE", f"/sessions/{UNKNOWN}", None),
                               ("POST", f"/sessions/{UNKNOWN}/statements", {"code": "1"})):
        a = c.same(f"{method} {path} without X-Requested-By", STATUS, method, path, json_body=body)
        c.each(f"{method} {path} without X-Requested-By", a, says_csrf)
    for path in ("/sessions", "/batches", f"/batches/{UNKNOWN}"):
        c.same(f"GET {path} without X-Requested-By", EXACT, "GET", path)
    c.same("POST /batches with X-Requested-By", MSG, "POST", "/batches", json_body={"file": "relative.py"},
           headers=CSRF)
    c.same("POST /batches with an empty X-Requested-By", MSG, "POST", "/batches", json_body={"file": "relative.py"},
           headers={"X-Requested-By": ""})
    c.same("DELETE with X-Requested-By", EXACT, "DELETE", f"/batches/{UNKNOWN}", headers=CSRF)
    c.done()
