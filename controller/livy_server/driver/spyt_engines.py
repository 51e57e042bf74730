"""The three statement kinds of a session, each an engine with
run(statement_id, code, job_group) -> Livy output and interrupt().

run() is called on the session's one worker thread; interrupt() from the
monitor thread when a cancel did not end the statement through its job group.
"""

import ctypes
import os
import sys
import threading

import spyt_output as out
from spyt_pyexec import run_python

PY4J_DIR = None  # set lazily: frames under it mean "inside a call to the JVM"


def _java_error(e):
    """(evalue, traceback) of a Java exception seen through pyspark or py4j."""
    message = getattr(e, "desc", None)
    trace = getattr(e, "stackTrace", None)
    java = getattr(e, "java_exception", None)
    if message is None and java is not None:
        message = str(java.getMessage())
        trace = "\n".join(str(f) for f in java.getStackTrace())
    if message is None:
        return str(e), []
    lines = [line.strip() for line in str(trace or "").split("\n")]
    return message, [line[3:] if line.startswith("at ") else line for line in lines if line.startswith("at ")]


class PythonEngine:
    def __init__(self, sc, namespace, routers):
        self._sc, self._namespace, self._routers = sc, namespace, routers
        self._lock = threading.Lock()
        self._thread = None

    def run(self, statement_id, code, job_group):
        self._sc.setJobGroup(job_group, f"Livy statement {statement_id}", True)
        with self._lock:
            self._thread = threading.get_ident()
        try:
            status, payload = run_python(code, self._namespace, self._routers, _materialize)
        finally:
            with self._lock:
                self._thread = None
        if status == "ok":
            return out.ok_output(statement_id, payload)
        return out.error_output(statement_id, *payload)

    def interrupt(self):
        """Raises KeyboardInterrupt in the statement's thread, unless it waits in
        the JVM (py4j): that wait ends through the job group, and an exception
        thrown into py4j's protocol code would break the connection."""
        with self._lock:
            ident = self._thread
            if ident is None or _inside_py4j(sys._current_frames().get(ident)):
                return
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(KeyboardInterrupt))


def _inside_py4j(frame):
    global PY4J_DIR
    if PY4J_DIR is None:
        import py4j
        PY4J_DIR = os.path.dirname(py4j.__file__)
    while frame is not None:
        if frame.f_code.co_filename.startswith(PY4J_DIR):
            return True
        frame = frame.f_back
    return False


def _materialize(value):
    """A DataFrame given to %json or %table becomes its first rows."""
    from pyspark.sql import DataFrame
    return value.take(out.SQL_MAX_ROWS) if isinstance(value, DataFrame) else value


class SqlEngine:
    def __init__(self, spark):
        self._spark = spark

    def run(self, statement_id, code, job_group):
        self._spark.sparkContext.setJobGroup(job_group, f"Livy statement {statement_id}", True)
        try:
            df = self._spark.sql(code)
            data = out.sql_data(df.schema.json(), df.take(out.SQL_MAX_ROWS))
        except Exception as e:  # noqa: BLE001 - every failure of the query is the statement's error
            evalue, traceback = _java_error(e)
            return out.error_output(statement_id, "Error", evalue, traceback)
        return out.ok_output(statement_id, {out.APPLICATION_JSON: data})

    def interrupt(self):
        pass  # a query runs in the JVM: cancelling its job group is all there is


class ScalaStartError(Exception):
    pass


class ScalaEngine:
    """The Scala REPL of SpytScalaInterpreter.scala. start() builds its compiler
    and needs no SparkSession, so it may overlap Spark's start; bind() then hands
    it the session. Both may run on any thread; run() waits for bind()."""

    CLASS = "spyt.livy.SpytScalaInterpreter"

    def __init__(self, jvm, class_dir):
        self._jvm, self._class_dir = jvm, class_dir
        self._started = threading.Event()
        self._ready = threading.Event()
        self._built = None   # the interpreter once start() succeeded
        self._interp = None  # the same once bound: statements may run
        self._error = None

    def start(self):
        """Builds the compiler; raises its failure (which every Scala statement then reports)."""
        try:
            interp = self._jvm.spyt.livy.SpytScalaInterpreter(self._class_dir)
            interp.start()
            self._built = interp
        except Exception as e:  # noqa: BLE001 - reported to every Scala statement
            self._error = f"{type(e).__name__}: {e}"
            raise
        finally:
            self._started.set()

    def bind(self, spark):
        """Waits for start() and binds `spark` and `sc`; raises ScalaStartError."""
        self._started.wait()
        try:
            if self._built is None:
                raise ScalaStartError(self._error)
            try:
                self._built.bind(spark._jsparkSession)
            except Exception as e:  # noqa: BLE001 - reported to every Scala statement
                self._error = f"{type(e).__name__}: {e}"
                raise ScalaStartError(self._error) from e
            self._interp = self._built
        finally:
            self._ready.set()

    def start_failure(self):
        return self._error

    def run(self, statement_id, code, job_group):
        self._ready.wait()
        if self._interp is None:
            return out.error_output(statement_id, "InterpreterError", "Fail to start interpreter",
                                    [self._error or "unknown error"])
        result = self._interp.execute(code, job_group)
        if result.status() == "ok":
            return out.ok_output(statement_id, {out.TEXT_PLAIN: result.text()})
        return out.error_output(statement_id, result.ename(), result.evalue(), list(result.traceback()))

    def interrupt(self):
        if self._interp is not None:
            self._interp.interrupt()

    def close(self):
        """Closes a bound interpreter (one still starting dies with the JVM)."""
        if self._interp is not None:
            self._interp.close()
