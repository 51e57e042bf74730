"""A small client for Livy's /batches API, shared by the Spark tests.

Functions take the Livy base URL ("http://127.0.0.1:PORT"). `fail` is the test's
failure callback, so a batch that dies fails the test with its log attached; `rt`
is the test's spark_procs.Processes (its fail, wait_for and marked processes)."""

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


def _retry_while_too_many(attempt, too_many, settle_timeout, on_retry=None):
    """Calls attempt() until too_many(result) is false or settle_timeout seconds have
    passed, and returns the last result. Livy answers TOO_MANY until its
    child-process count drops, in a thread of its own, just after the previous
    spark-submit has exited."""
    deadline = time.monotonic() + settle_timeout
    while True:
        result = attempt()
        if not too_many(result) or time.monotonic() > deadline:
            return result
        if on_retry:
            on_retry()
        time.sleep(0.5)


def post_batch_when_free(url, body, settle_timeout, on_retry=None) -> requests.Response:
    """POST /batches, retried (up to settle_timeout seconds) only while Livy answers
    TOO_MANY (see _retry_while_too_many); on_retry() is called before each retry."""
    return _retry_while_too_many(lambda: post_batch(url, body),
                                 lambda r: r.status_code == 400 and r.json().get("msg") == TOO_MANY,
                                 settle_timeout, on_retry)


DELETE_TIMEOUT = 90       # DELETE /batches/{id} waits for spark-submit to exit


def delete_batch(rt, url, bid, script, settle_timeout, delete_timeout=DELETE_TIMEOUT) -> float:
    """DELETE /batches/{id}; then the batch must be gone and no process of `rt` (a
    spark_procs.Processes) may still run the script (spark-submit, its launcher, the
    Python driver). Returns the seconds that took."""
    t0 = time.monotonic()
    r = requests.delete(f"{url}/batches/{bid}", headers=HEADERS, timeout=delete_timeout)
    if r.status_code != 200:
        rt.fail(f"DELETE /batches/{bid} answered {r.status_code}: {r.text}")
    rt.wait_for(f"batch {bid} to be gone", lambda: requests.get(
        f"{url}/batches/{bid}", timeout=10).status_code == 404, settle_timeout)
    rt.wait_for(f"the processes of batch {bid} to exit", lambda: not rt.marked(str(script)),
                settle_timeout, interval=0.5)
    return time.monotonic() - t0


def expect_too_many(rt, url, body, script, settle_timeout):
    """POSTs a batch that Livy must refuse with 400 {"msg": TOO_MANY}; otherwise fails
    the test through rt.fail, after deleting the batch (running `script`) if Livy
    took it."""
    r = post_batch(url, body)
    try:
        answer = r.json()
    except ValueError:
        answer = r.text
    if r.status_code != 400 or answer != {"msg": TOO_MANY}:
        if r.status_code == 201:
            delete_batch(rt, url, r.json()["id"], script, settle_timeout)
        rt.fail(f"a second POST /batches answered {r.status_code} {r.text}, "
                f"expected 400 {{\"msg\": \"{TOO_MANY}\"}}")


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
    answers TOO_MANY (see _retry_while_too_many); any other HTTPError is raised."""
    from livy import LivyBatch

    def attempt():
        try:
            return LivyBatch.create(url, file, requests_session=livy_session(), **kwargs)
        except requests.HTTPError as e:
            return e

    def too_many(result):
        return (isinstance(result, requests.HTTPError) and result.response.status_code == 400
                and TOO_MANY in result.response.text)

    result = _retry_while_too_many(attempt, too_many, settle_timeout)
    if isinstance(result, requests.HTTPError):
        raise result
    return result
