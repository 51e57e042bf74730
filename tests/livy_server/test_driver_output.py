"""Unit tests of the Livy session driver host's pure parts (no Spark): output
shapes, Python statement execution, the statement store, the control API's
input checks and the Spark conf it hands to spark-submit."""

import datetime
import decimal
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

DRIVER_DIR = Path(__file__).resolve().parents[2] / "controller" / "livy_server" / "driver"
sys.path.insert(0, str(DRIVER_DIR))

import spyt_output as out  # noqa: E402
from spyt_control import ControlServer, HttpError, parse_new_statement  # noqa: E402
from spyt_engines import ScalaEngine, ScalaStartError  # noqa: E402
from spyt_pyexec import ThreadRouter, run_python  # noqa: E402
from spyt_spark import DRIVER_JIT_OPTIONS, effective_conf, properties_text, read_properties, redacted  # noqa: E402
from spyt_statements import IdConflict, StatementStore  # noqa: E402


@pytest.fixture
def routers():
    return ThreadRouter(sys.__stdout__), ThreadRouter(sys.__stderr__)


def run(code, routers, namespace=None):
    """run_python with `routers` as sys.stdout/sys.stderr, as the driver installs them
    (set here, in the test's call phase: pytest's capture resets them after fixtures)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = routers
    try:
        return run_python(code, namespace if namespace is not None else {"__name__": "__main__"}, routers)
    finally:
        sys.stdout, sys.stderr = saved


# ---------------------------------------------------------------- outputs --

def test_python_text_is_result_then_stdout_then_stderr_right_stripped():
    assert out.python_ok_data({}, "a\n", "b\n\n") == {"text/plain": "a\nb"}


def test_python_text_is_left_out_when_empty_beside_another_mime_type():
    assert out.python_ok_data({"application/json": 1}, "", "") == {"application/json": 1}


def test_python_text_is_kept_empty_when_it_is_the_only_output():
    assert out.python_ok_data(None, "", "") == {"text/plain": ""}


def test_error_output_has_livys_fields():
    assert out.error_output(3, "E", "v", ("t\n",)) == {
        "status": "error", "execution_count": 3, "ename": "E", "evalue": "v", "traceback": ["t\n"]}


# -------------------------------------------------------- Python statements --

def test_trailing_expression_is_shown_after_what_was_printed(routers):
    assert run("x = [1]\nprint('hi')\nx", routers) == ("ok", {"text/plain": "hi\n[1]"})


def test_trailing_none_shows_nothing(routers):
    assert run("None", routers) == ("ok", {"text/plain": ""})


def test_namespace_persists_between_statements(routers):
    ns = {"__name__": "__main__"}
    run("def f():\n    return 41", routers, ns)
    assert run("f() + 1", routers, ns) == ("ok", {"text/plain": "42"})


def test_stderr_of_the_statement_is_captured(routers):
    assert run("import sys\nprint('oops', file=sys.stderr)", routers) == ("ok", {"text/plain": "oops"})


def test_exception_traceback_starts_inside_user_functions(routers):
    status, (ename, evalue, tb) = run("def g(x):\n    return 1 / x\ng(0)", routers)
    assert (status, ename, evalue) == ("error", "ZeroDivisionError", "division by zero")
    assert tb == ["Traceback (most recent call last):\n", '  File "<stdin>", line 2, in g\n',
                  "ZeroDivisionError: division by zero\n"]


def test_syntax_error_is_an_error_output(routers):
    status, (ename, _, tb) = run("1 +", routers)
    assert (status, ename, tb[-1]) == ("error", "SyntaxError", "SyntaxError: invalid syntax\n")


def test_json_magic_answers_application_json(routers):
    assert run("d = {'a': [1, 2]}\n%json d", routers) == ("ok", {"application/json": {"a": [1, 2]}})


def test_json_magic_rejects_values_json_cannot_hold(routers):
    status, (ename, _, _) = run("%json object()", routers)
    assert (status, ename) == ("error", "ValueError")


def test_table_magic_answers_livys_table(routers):
    status, data = run("rows = [{'b': 'x', 'a': 1}, {'a': 2, 'b': None}]\n%table rows", routers)
    assert status == "ok"
    assert data == {"application/vnd.livy.table.v1+json": {
        "headers": [{"name": "a", "type": "INT_TYPE"}, {"name": "b", "type": "STRING_TYPE"}],
        "data": [[1, "x"], [2, None]]}}


def test_unknown_magic_is_an_error_named_like_livys(routers):
    status, (ename, evalue, tb) = run("%nope x", routers)
    assert (status, ename, evalue, tb) == ("error", "UnknownMagic", "unknown magic command 'nope'",
                                           ["UnknownMagic: unknown magic command 'nope'\n"])


def test_code_that_parses_is_not_split_at_percent_lines():
    assert len(out.split_statement("x = 10\ny = x %\\\n3")) == 1


def test_magic_lines_split_the_statement():
    parts = out.split_statement("a = 1\n%table a\nb = 2")
    assert [type(p).__name__ for p in parts] == ["Module", "Magic", "Module"]
    assert parts[1] == out.Magic("table", "a")


def test_trailing_expression_is_split_off_only_when_last():
    import ast
    assert out.split_trailing_expression(ast.parse("x = 1"))[1] is None
    assert out.split_trailing_expression(ast.parse("x = 1\nx"))[1] is not None


def test_keyboard_interrupt_from_a_cancel_is_an_error_output(routers):
    status, (ename, _, _) = run("raise KeyboardInterrupt", routers)
    assert (status, ename) == ("error", "KeyboardInterrupt")


def test_router_sends_other_threads_to_the_fallback():
    import io
    fallback, mine = io.StringIO(), io.StringIO()
    router = ThreadRouter(fallback)
    router.capture(mine)
    t = threading.Thread(target=lambda: router.write("other"))
    t.start()
    t.join()
    router.write("me")
    router.release()
    assert (mine.getvalue(), fallback.getvalue()) == ("me", "other")


# ------------------------------------------------------------- JSON values --

def test_json_value_converts_spark_values():
    utc = datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc)
    assert out.json_value(utc) == "2024-01-02T03:04:05.678Z"
    assert out.json_value(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert out.json_value(decimal.Decimal("1.50")) == 1.5
    assert out.json_value(decimal.Decimal("7")) == 7
    assert out.json_value(bytearray(b"\x01\x02")) == [1, 2]
    assert out.json_value(float("nan")) == "NaN"


def test_sql_data_holds_the_schema_and_rows_as_lists():
    schema = '{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}}]}'
    assert out.sql_data(schema, [(1,), (None,)]) == {
        "schema": {"type": "struct", "fields": [{"name": "a", "type": "long", "nullable": True, "metadata": {}}]},
        "data": [[1], [None]]}


def test_table_rejects_columns_of_different_types():
    with pytest.raises(out.TableError):
        out.table_data([[1], ["x"]])


def test_table_takes_a_null_column_type_from_a_later_row():
    assert out.table_data([[None], [1.5]])["headers"] == [{"name": "0", "type": "DOUBLE_TYPE"}]


# --------------------------------------------------------- statement store --

def test_statement_runs_waiting_running_available():
    store = StatementStore(clock_ms=lambda: 5)
    st, created = store.add(0, "1", "spark")
    assert created and (st["state"], st["started"], st["completed"], st["output"]) == ("waiting", 0, 0, None)
    assert store.start(0)
    store.finish(0, {"status": "ok"})
    assert store.get(0) | {} == {"id": 0, "code": "1", "kind": "spark", "state": "available",
                                 "output": {"status": "ok"}, "progress": 1.0, "started": 5, "completed": 5}


def test_adding_a_known_id_returns_it_unchanged():
    store = StatementStore()
    store.add(1, "a", "spark")
    assert store.add(1, "b", "sql") == (store.get(1), False)


def test_a_new_id_below_the_last_conflicts():
    store = StatementStore()
    store.add(5, "a", "spark")
    with pytest.raises(IdConflict):
        store.add(3, "b", "spark")


def test_cancel_of_a_waiting_statement_cancels_it_before_it_runs():
    store = StatementStore()
    store.add(0, "a", "spark")
    assert store.cancel(0)["state"] == "cancelled"
    assert not store.start(0)


def test_cancel_of_a_running_statement_ends_cancelled_when_the_run_ends():
    store = StatementStore()
    store.add(0, "a", "spark")
    store.start(0)
    assert store.cancel(0)["state"] == "cancelling"
    store.finish(0, {"status": "error"})
    assert (store.get(0)["state"], store.get(0)["progress"]) == ("cancelled", 1.0)


def test_changed_after_lists_only_newer_changes():
    store = StatementStore()
    store.add(0, "a", "spark")
    version = store.version
    store.add(1, "b", "spark")
    assert [s["id"] for s in store.changed_after(version)[1]] == [1]


def test_long_poll_answers_when_a_change_comes():
    store = StatementStore()
    threading.Timer(0.2, lambda: store.add(0, "a", "spark")).start()
    started = time.monotonic()
    version, changed = store.changed_after(0, wait_s=5)
    assert (version, len(changed)) == (1, 1) and time.monotonic() - started < 3


def test_long_poll_times_out_with_nothing():
    assert StatementStore().changed_after(0, wait_s=0.1) == (0, [])


def test_old_finished_statements_are_forgotten():
    store = StatementStore(retained=2)
    for i in range(3):
        store.add(i, "x", "sql")
        store.start(i)
        store.finish(i, {})
    store.add(3, "x", "sql")
    assert store.get(0) is None and store.get(1) is None and store.get(3) is not None


# -------------------------------------------------------------- control API --

def test_new_statement_kind_defaults_to_the_sessions_and_takes_aliases():
    assert parse_new_statement({"id": 1, "code": "x"}, "pyspark") == (1, "x", "pyspark")
    assert parse_new_statement({"id": 1, "code": "x", "kind": "scala"}, "sql") == (1, "x", "spark")


@pytest.mark.parametrize("body", [{"code": "x"}, {"id": -1, "code": "x"}, {"id": True, "code": "x"},
                                  {"id": 1}, {"id": 1, "code": "x", "kind": "sparkr"}, []])
def test_bad_new_statements_are_rejected(body):
    with pytest.raises(HttpError) as e:
        parse_new_statement(body, "spark")
    assert e.value.status == 400


# ---------------------------------------------------------------- Spark conf --

SPEC = {"master": "spark://m:7077", "app_name": "s1", "bind_host": "10.0.0.1", "class_dir": "/c",
        "repl_jar": "/r.jar", "conf": {"spark.driver.extraClassPath": "/u.jar", "spark.x": "spec"}}


def test_effective_conf_layers_defaults_spec_and_driver_needs():
    conf = effective_conf(SPEC, {"spark.x": "default", "spark.y": "default", "spark.master": "local"})
    assert conf["spark.x"] == "spec" and conf["spark.y"] == "default"
    assert (conf["spark.master"], conf["spark.driver.host"], conf["spark.repl.class.outputDir"]) == (
        "spark://m:7077", "10.0.0.1", "/c")
    assert conf["spark.driver.extraClassPath"] == "/u.jar:/r.jar"
    assert conf["spark.ui.showConsoleProgress"] == "false"


def test_driver_jit_options_come_before_the_confs_own():
    assert effective_conf(SPEC, {})["spark.driver.extraJavaOptions"] == DRIVER_JIT_OPTIONS
    own = "-Dx=1 -XX:Tier4InvocationThreshold=9"
    conf = effective_conf({**SPEC, "conf": {"spark.driver.extraJavaOptions": own}}, {})
    assert conf["spark.driver.extraJavaOptions"] == f"{DRIVER_JIT_OPTIONS} {own}"


def test_properties_round_trip_through_spark_defaults_syntax(tmp_path):
    path = tmp_path / "p.conf"
    path.write_text("# comment\nspark.a 1\nspark.b=2\nspark.c : x y\n")
    assert read_properties(path) == {"spark.a": "1", "spark.b": "2", "spark.c": "x y"}


def test_properties_text_escapes_what_java_would_misread():
    assert properties_text({"k": " a=b:c\\d\n"}) == "k=\\ a\\=b\\:c\\\\d\\n\n"


def test_secret_conf_values_are_redacted():
    assert redacted({"spark.hadoop.yt.token": "t", "spark.Password": "p", "spark.a": "v"}) == {
        "spark.Password": "*********(redacted)", "spark.a": "v", "spark.hadoop.yt.token": "*********(redacted)"}


# ------------------------------------------------------- Scala engine start --

class FakeInterpreter:
    """SpytScalaInterpreter as the engine sees it through py4j."""

    def __init__(self, start_error=None):
        self.start_error, self.session, self.closed = start_error, None, False

    def start(self):
        if self.start_error:
            raise RuntimeError(self.start_error)

    def bind(self, session):
        self.session = session

    def execute(self, code, job_group):
        return SimpleNamespace(status=lambda: "ok", text=lambda: f"{code} in {job_group} on {self.session}")

    def close(self):
        self.closed = True


def scala_engine(interp):
    jvm = SimpleNamespace(spyt=SimpleNamespace(livy=SimpleNamespace(SpytScalaInterpreter=lambda class_dir: interp)))
    return ScalaEngine(jvm, "/classes")


SPARK = SimpleNamespace(_jsparkSession="session")


def test_scala_statement_waits_until_the_interpreter_is_bound():
    engine = scala_engine(FakeInterpreter())
    engine.start()
    outputs = []
    runner = threading.Thread(target=lambda: outputs.append(engine.run(3, "1", "g")))
    runner.start()
    runner.join(0.3)
    assert runner.is_alive() and not outputs
    engine.bind(SPARK)
    runner.join(5)
    assert outputs == [{"status": "ok", "execution_count": 3, "data": {"text/plain": "1 in g on session"}}]


def test_failed_scala_start_fails_bind_and_every_statement():
    engine = scala_engine(FakeInterpreter(start_error="no compiler"))
    with pytest.raises(RuntimeError):
        engine.start()
    with pytest.raises(ScalaStartError, match="no compiler"):
        engine.bind(SPARK)
    output = engine.run(0, "1", "g")
    assert (output["ename"], output["evalue"]) == ("InterpreterError", "Fail to start interpreter")
    assert "no compiler" in output["traceback"][0]


def test_closing_an_unbound_scala_engine_leaves_its_interpreter_alone():
    interp = FakeInterpreter()
    engine = scala_engine(interp)
    engine.start()
    engine.close()
    assert not interp.closed
    engine.bind(SPARK)
    engine.close()
    assert interp.closed


def test_the_control_api_takes_bodies_up_to_the_limit_the_server_gave_it():
    import http.client
    import json

    class Session:
        default_kind = "pyspark"
        submitted = []

        def submit(self, sid, code, kind):
            self.submitted.append(code)
            return {"id": sid, "code": code, "state": "waiting"}, True

    session = Session()
    server = ControlServer("127.0.0.1", session, "app-1", lambda: None, max_body=300)
    thread = server.serve_in_background()
    try:
        def post(code):
            body = json.dumps({"id": len(session.submitted), "code": code, "kind": "pyspark"})
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("POST", "/statements", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            status, answer = r.status, json.loads(r.read())
            conn.close()
            return status, len(body), answer

        status, size, _ = post("x" * 250)
        assert status == 201 and size <= 300
        status, size, answer = post("\x01" * 60)  # 6 bytes each once escaped
        assert status == 413 and size > 300, (status, size)
        assert "more than the 300 taken" in answer["msg"]
        assert session.submitted == ["x" * 250]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
