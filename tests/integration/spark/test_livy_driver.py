"""The driver host of a Livy session (controller/livy_server/driver) runs Scala,
Python and SQL statements on a real Spark standalone cluster, as Livy's REPL
would, and is controlled through its HTTP API.

A master and one worker (1 core, 1 GB) run on 127.0.0.1; one driver host of
kind spark serves most tests (in file order: the first Scala statement must be
res0). Executors run in the worker's JVMs, so REPL classes travel from the
driver's class server, and Python UDFs run in Python workers. Teardown checks
that nothing the tests started is left.

Prerequisite: `bash hack/spark-livy.sh` (writes $SPYT_CACHE/spark-livy.env).
"""

import time
from pathlib import Path

import pytest

from livy_driver_client import Driver, build_driver
from spark_procs import LOOPBACK, Processes, free_port, load_spark_livy_env, processes_for_module

START_TIMEOUT = 90       # a JVM daemon on a busy 2-core machine
DRIVER_TIMEOUT = 180     # spark-submit, SparkContext, executor, Scala compiler
SECRET = "do-not-print-me-4711"


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    with processes_for_module(tmp_path_factory, "livy-driver") as rt:
        yield rt


@pytest.fixture(scope="module")
def cluster(processes):
    spark_class = Path(processes.cfg["SPARK_HOME"]) / "bin" / "spark-class"
    port, webui = free_port(), free_port()
    master = processes.start("spark-master", [spark_class, "org.apache.spark.deploy.master.Master",
                                            "--host", LOOPBACK, "--port", port, "--webui-port", webui],
                           processes.spark_env())
    webui_url = f"http://{LOOPBACK}:{webui}"
    processes.wait_master_alive(webui_url, master, START_TIMEOUT)
    work = processes.tmp / "worker-work"
    work.mkdir()
    worker = processes.start("spark-worker", [
        spark_class, "org.apache.spark.deploy.worker.Worker", "--cores", 1, "--memory", "1g", "--host", LOOPBACK,
        "--port", free_port(), "--webui-port", free_port(), "--work-dir", work, f"spark://{LOOPBACK}:{port}",
    ], processes.spark_env())
    processes.wait_worker_registered(webui_url, worker, START_TIMEOUT)
    return {"url": f"spark://{LOOPBACK}:{port}", "webui": webui_url}


def session_conf(rt):
    return {"spark.driver.memory": "600m", "spark.executor.memory": "512m", "spark.cores.max": "1",
            "spark.hadoop.yt.token": SECRET, "spark.pyspark.python": rt.cfg["SPARK_PYTHON"]}


@pytest.fixture(scope="module")
def driver_dir(processes):
    return build_driver(processes)


@pytest.fixture(scope="module")
def drivers(processes, cluster, driver_dir):
    """The session of kind spark most tests use, ready; and one of kind pyspark,
    started once the first holds the worker's one core (so it never gets an
    executor), left to start in the background while the other tests run."""
    main = Driver(processes, driver_dir, "driver-spark", "spark", cluster["url"], session_conf(processes))
    main.wait_ready(DRIVER_TIMEOUT)
    lazy = Driver(processes, driver_dir, "driver-pyspark", "pyspark", cluster["url"], session_conf(processes))
    return {"spark": main, "pyspark": lazy}


@pytest.fixture(scope="module")
def driver(drivers):
    return drivers["spark"]


def expect(rt, what, actual, expected):
    if actual != expected:
        rt.fail(f"{what}: expected {expected!r}, got {actual!r}")


def expect_error(rt, output, ename=None):
    if output.get("status") != "error" or (ename and output.get("ename") != ename):
        rt.fail(f"expected an error output ({ename}), got {output}")


# ------------------------------------------------------------------ Scala --

def test_endpoint_file_names_the_control_port_and_application(processes, driver):
    ep = driver.endpoint
    if not ep["app_id"].startswith("app-") or ep["pid"] != driver.proc.popen.pid:
        processes.fail(f"endpoint file: {ep}")
    status = driver.get("/status").json()
    expect(processes, "GET /status", (status["state"], status["app_id"]), ("idle", ep["app_id"]))


def test_scala_sum_prints_like_the_repl(processes, driver):
    expect(processes, "sum", driver.text("sc.parallelize(1 to 1000).sum()"), "res0: Double = 500500.0\n")


def test_function_and_case_class_work_in_executor_closures(processes, driver):
    driver.text("def twice(x: Int) = x * 2\ncase class P(s: String, n: Int)")
    text = driver.text("sc.parallelize(1 to 3).map(twice).map(i => P(i.toString, i)).collect()")
    if "Array(P(2,2), P(4,4), P(6,6))" not in text:
        processes.fail(f"closure result: {text!r}")


def test_dataset_of_a_case_class(processes, driver):
    text = driver.text('Seq(P("a", 1), P("b", 0)).toDS().filter(_.n > 0).count()')
    if not text.endswith("Long = 1\n"):
        processes.fail(f"Dataset count: {text!r}")


def test_spark_and_sc_are_the_sessions_with_spark_shells_imports(processes, driver):
    text = driver.text('println(Seq(sc.applicationId, spark.sparkContext eq sc, sql("select 41 + 1").as[Int].head(),\n'
                       '  Seq(1).toDF("x").select($"x" + lit(1)).as[Int].head()).mkString(" "))')
    expect(processes, "spark, sc, sql, $ and lit", text, f"{driver.endpoint['app_id']} true 42 2\n")


def test_spark_session_is_ready_only_once_its_interpreter_is(processes, driver):
    log = driver.proc.log_path.read_text(errors="replace")
    interpreter, ready = log.find("spyt-repl: compiler ready"), log.find("ready: control API")
    if not 0 <= interpreter < ready:
        processes.fail(f"the endpoint was written before the Scala interpreter started ({interpreter}, {ready})")


def test_closure_next_to_sc_is_serializable(processes, driver):
    text = driver.text("val k = 3; val rdd = sc.parallelize(1 to 4)\nrdd.map(_ * k).collect()")
    if "Array(3, 6, 9, 12)" not in text:
        processes.fail(f"closure over a val defined next to sc: {text!r}")


def test_println_is_captured(processes, driver):
    expect(processes, "println", driver.text('println("hello")\nprintln(1)'), "hello\n1\n")


def test_compile_error_is_an_error_and_the_next_statement_works(processes, driver):
    output = driver.run('val x: Int = "s"')
    expect_error(processes, output, "Error")
    if "type mismatch" not in output["evalue"]:
        processes.fail(f"compile error: {output}")
    if not driver.text("1 + 1").endswith("Int = 2\n"):
        processes.fail("the statement after a compile error failed")


def test_scala_exception_is_an_error(processes, driver):
    output = driver.run("1 / 0")
    expect_error(processes, output, "Error")
    expect(processes, "evalue", output["evalue"], "java.lang.ArithmeticException: / by zero")


# ----------------------------------------------------------------- Python --

def test_python_prints_then_shows_the_trailing_expression(processes, driver):
    expect(processes, "python text", driver.text("x = [1, 2]\nprint('hi')\nx", "pyspark"), "hi\n[1, 2]")
    expect(processes, "None shows nothing", driver.text("None", "pyspark"), "")


def test_python_json_and_table_magics(processes, driver):
    output = driver.run("d = {'a': 1, 'b': [1, 2]}\n%json d", "pyspark")
    expect(processes, "%json", output["data"], {"application/json": {"a": 1, "b": [1, 2]}})
    output = driver.run("rows = [{'a': 1, 'b': 'x'}, {'a': 2, 'b': None}]\n%table rows", "pyspark")
    expect(processes, "%table", output["data"], {"application/vnd.livy.table.v1+json": {
        "headers": [{"name": "a", "type": "INT_TYPE"}, {"name": "b", "type": "STRING_TYPE"}],
        "data": [[1, "x"], [2, None]]}})


def test_python_exception_has_a_traceback(processes, driver):
    output = driver.run("def g(x):\n    return 1 / x\ng(0)", "pyspark")
    expect_error(processes, output, "ZeroDivisionError")
    expect(processes, "traceback", output["traceback"], [
        "Traceback (most recent call last):\n", '  File "<stdin>", line 2, in g\n',
        "ZeroDivisionError: division by zero\n"])


def test_python_udf_runs_on_the_cluster(processes, driver):
    text = driver.text("from pyspark.sql.functions import udf\n"
                       "plus = udf(lambda v: v + 100, 'int')\n"
                       "spark.range(3).select(plus('id').alias('v')).collect()", "pyspark")
    expect(processes, "udf", text, "[Row(v=100), Row(v=101), Row(v=102)]")


def test_driver_memory_sets_the_jvm_heap(processes, driver):
    heap = int(driver.text("sc._jvm.java.lang.Runtime.getRuntime().maxMemory()", "pyspark"))
    if not 500 << 20 <= heap <= 600 << 20:
        processes.fail(f"driver heap is {heap} bytes for spark.driver.memory=600m")


# -------------------------------------------------------------------- SQL --

def test_sql_answers_schema_and_rows(processes, driver):
    output = driver.run("select id, cast(id * 1.5 as double) as x from range(3)", "sql")
    data = output["data"]["application/json"]
    expect(processes, "sql rows", data["data"], [[0, 0.0], [1, 1.5], [2, 3.0]])
    expect(processes, "sql columns", [(f["name"], f["type"]) for f in data["schema"]["fields"]],
           [("id", "long"), ("x", "double")])


def test_one_session_shares_spark_between_kinds(processes, driver):
    driver.text('spark.range(5).createOrReplaceTempView("shared")')
    output = driver.run("select count(*) as n from shared", "sql")
    expect(processes, "sql over a Scala view", output["data"]["application/json"]["data"], [[5]])
    expect(processes, "python over it", driver.text("spark.table('shared').count()", "pyspark"), "5")


# ------------------------------------------------------- control and cancel --

def test_statement_ids_are_idempotent_and_increasing(processes, driver):
    sid = driver.submit("7", "pyspark")
    again = driver.post("/statements", {"id": sid, "code": "other", "kind": "pyspark"})
    expect(processes, "repost", (again.status_code, again.json()["code"]), (200, "7"))
    expect(processes, "skipped ids", driver.post("/statements", {"id": sid + 10, "code": "1"}).status_code, 201)
    expect(processes, "id below the last", driver.post("/statements", {"id": sid + 5, "code": "1"}).status_code, 409)
    driver.next_id = sid + 11
    driver.wait_statement(sid + 10)
    expect(processes, "unknown", driver.get("/statements/99999").status_code, 404)
    driver.wait_statement(sid)
    version = driver.get("/status").json()["version"]
    started = time.monotonic()
    answer = driver.get("/statements", after=version, wait_ms=1000).json()
    if answer["statements"] or time.monotonic() - started < 0.9:
        processes.fail(f"long poll with nothing new: {answer} after {time.monotonic() - started:.1f}s")


def test_cancel_ends_a_long_statement_and_the_next_runs(processes, driver):
    long_code = "sc.parallelize(1 to 4, 4).map { x => Thread.sleep(if (x == 4) 120000 else 1000); x }.count()"
    sid = driver.submit(long_code)
    waiting = driver.submit("2 + 2")
    seen = driver.wait_statement(sid, 90, states=("running",))
    while not 0 < seen["progress"] < 1:
        time.sleep(0.3)
        seen = driver.get(f"/statements/{sid}").json()
        if seen["state"] != "running":
            processes.fail(f"the long statement ended before showing progress: {seen}")
    expect(processes, "cancel of a waiting statement", driver.post(f"/statements/{waiting}/cancel").json()["state"],
           "cancelled")
    started = time.monotonic()
    driver.post(f"/statements/{sid}/cancel")
    st = driver.wait_statement(sid, 60)
    processes.timings["cancel"] = time.monotonic() - started
    expect(processes, "cancelled", st["state"], "cancelled")
    expect(processes, "cancelled waiting statement output", driver.get(f"/statements/{waiting}").json()["output"],
           None)
    # the executor's one core must be free again: the job was really cancelled
    if not driver.text("sc.parallelize(1 to 2).count()", timeout=60).endswith("Long = 2\n"):
        processes.fail("the statement after a cancel failed")


def test_secrets_are_neither_logged_nor_on_command_lines(processes, driver):
    if SECRET in driver.proc.log_path.read_text(errors="replace"):
        processes.fail("the driver's log holds a secret conf value")
    leaked = [r for r in processes.marked_rows() if SECRET in r.args]
    if leaked:
        processes.fail(f"a process shows a secret on its command line: {leaked}")


def test_shutdown_leaves_no_process(processes, driver):
    app_id = driver.endpoint["app_id"]
    expect(processes, "POST /shutdown", driver.post("/shutdown").status_code, 200)
    try:
        code = driver.proc.popen.wait(60)
    except Exception:  # noqa: BLE001 - reported below with the logs
        processes.fail("the driver did not exit within 60s of POST /shutdown")
    expect(processes, "exit code", code, 0)
    processes.wait_for("the driver's JVM and executors to exit",
                     lambda: not driver.proc.group_members() and not processes.marked(app_id), 30)


# --------------------------------------------------------- other sessions --

def test_pyspark_session_starts_scala_in_the_background(processes, drivers):
    d = drivers["pyspark"]
    d.wait_ready(DRIVER_TIMEOUT)
    expect(processes, "python", d.text("1 + 1"), "2")
    expect(processes, "scala after the lazy start", d.text("1 + 1", "spark", timeout=180), "res0: Int = 2\n")
    d.post("/shutdown")
    expect(processes, "exit code", d.proc.popen.wait(60), 0)


@pytest.mark.parametrize("kind", ["pyspark", "spark"])
def test_bad_master_fails_the_start(processes, driver_dir, kind):
    # kind spark: the Scala compiler, started beside Spark, must not keep the driver alive
    d = Driver(processes, driver_dir, f"driver-bad-master-{kind}", kind, "nonsense://x", {})
    try:
        code = d.proc.popen.wait(120)
    except Exception:  # noqa: BLE001 - reported below with the logs
        processes.fail("a driver with a bad master did not exit")
    if code == 0 or d.endpoint_file.exists():
        processes.fail(f"a driver with a bad master exited {code}, endpoint file: {d.endpoint_file.exists()}")
    if "Spark failed to start" not in d.proc.log_path.read_text(errors="replace"):
        processes.fail("the log of a failed start does not say why")
