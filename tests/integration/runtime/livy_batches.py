"""A small client for Livy's /batches API, shared by the runtime tests.

Functions take the Livy base URL ("http://127.0.0.1:PORT"). `fail` is the test's
failure callback, so a batch that dies fails the test with its log attached."""

import json
import time

import requests

TOO_MANY = "Rejected, too many sessions are being created!"
# A PySpark batch that sums 1..1000 on the cluster and prints "<tag>=500500".
_SUM_JOB = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
print("{tag}=%d" % spark.sparkContext.parallelize(range(1, 1001), 2).sum(), flush=True)
spark.stop()
"""

# A driver blocked in a Spark job whose one task sleeps far longer than any wait
# in the tests: only a DELETE that kills spark-submit (and so the driver) ends it.
SLEEPER_JOB = """
import time
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
print("LIVY_SLEEPER_UP", flush=True)
spark.sparkContext.parallelize([0], 1).foreach(lambda _: time.sleep(600))
print("LIVY_SLEEPER_DONE", flush=True)
"""


def sum_job(tag):
    return _SUM_JOB.format(tag=tag)


HEADERS = {"Content-Type": "application/json", "X-Requested-By": "spyt-operator-tests"}


def post_batch(url, body) -> requests.Response:
    return requests.post(f"{url}/batches", headers=HEADERS, data=json.dumps(body), timeout=30)


def post_batch_when_free(url, body, settle_timeout, on_retry=None) -> requests.Response:
    """POST /batches, retried (up to settle_timeout seconds) only while Livy answers
    TOO_MANY: its child-process count drops in a thread of its own, just after the
    previous spark-submit has exited."""
    deadline = time.monotonic() + settle_timeout
    while True:
        r = post_batch(url, body)
        if r.status_code != 400 or r.json().get("msg") != TOO_MANY or time.monotonic() > deadline:
            return r
        if on_retry:
            on_retry()
        time.sleep(0.5)


def batch_log(url, bid) -> str:
    try:
        r = requests.get(f"{url}/batches/{bid}/log?from=0&size=100000", timeout=10)
        return "\n".join(r.json().get("log", [])) if r.status_code == 200 else f"<{r.status_code}: {r.text}>"
    except (requests.RequestException, ValueError) as e:
        return f"<no batch log: {e}>"


def batch_state(url, bid, fail) -> str:
    """The batch's state; fails with its log if it ended badly."""
    state = requests.get(f"{url}/batches/{bid}", timeout=10).json().get("state")
    if state in ("dead", "error", "killed"):
        fail(f"batch {bid} went {state}; its log:\n{batch_log(url, bid)}")
    return state


def livy_session():
    """A requests.Session for the `livy` client, carrying the CSRF header Livy asks for
    when livy.server.csrf-protection.enabled is on."""
    s = requests.Session()
    s.headers["X-Requested-By"] = HEADERS["X-Requested-By"]
    return s


def create_batch_when_free(url, file, settle_timeout, **kwargs):
    """livy.LivyBatch.create, retried (up to settle_timeout seconds) only while Livy
    answers TOO_MANY (see post_batch_when_free)."""
    from livy import LivyBatch

    deadline = time.monotonic() + settle_timeout
    while True:
        try:
            return LivyBatch.create(url, file, requests_session=livy_session(), **kwargs)
        except requests.HTTPError as e:
            if e.response.status_code != 400 or TOO_MANY not in e.response.text or time.monotonic() > deadline:
                raise
        time.sleep(0.5)
