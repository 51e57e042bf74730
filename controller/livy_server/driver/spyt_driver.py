"""The driver host of one Livy session, started by `spyt-launcher livy`:

    $SPARK_PYTHON spyt_driver.py --spec SPEC.json

It starts Spark in client mode with pyspark (whose spark-submit JVM exits when
this process does: it reads our pipe until EOF), runs the session's statements
(spark = Scala, pyspark, sql) and serves the control API of spyt_control.py on
bind_host. When Spark (and for kind spark the Scala REPL, whose compiler is
built while Spark starts) is ready it writes endpoint_file atomically:
{"port", "pid", "app_id", "spark_ui"}. For the other kinds the Scala REPL
starts in the background once Spark runs; a Scala statement waits for it.

SPEC.json: {"session_id", "kind", "master", "app_name", "bind_host",
"endpoint_file", "class_dir", "repl_jar", "conf": {spark conf}, "orphan_timeout_s"}.

The Spark conf goes to spark-submit in a private properties file (deleted once
the JVM has started) rather than on its command line, so secrets in it never
show in the process list; conf keys containing token, password or secret are
never logged. stdout/stderr are the session log. Exit codes: 0 after a
requested shutdown (POST /shutdown, SIGTERM, orphaned), 1 when Spark fails to
start or stops on its own, 2 for a bad spec.
"""

import argparse
import logging
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from spyt_spark import (SparkStartError, launch_driver_jvm, load_spec, redacted, start_spark,  # noqa: E402
                        stop_spark)

LOG = logging.getLogger("spyt-driver")
WATCH_INTERVAL_S = 2.0


class DriverHost:
    def __init__(self, spec):
        self.spec = spec
        self.spark = None
        self.session = None
        self.server = None
        self.scala = None
        self._done = threading.Event()
        self._exit_code = 0

    def request_shutdown(self, reason, exit_code=0):
        if not self._done.is_set():
            LOG.info("shutting down: %s", reason)
            self._exit_code = exit_code
            self._done.set()

    def start(self):
        from spyt_control import DEFAULT_MAX_BODY, ControlServer
        from spyt_engines import PythonEngine, ScalaEngine, SqlEngine
        from spyt_pyexec import install_routers
        from spyt_session import Session

        spec = self.spec
        began = time.monotonic()
        gateway = launch_driver_jvm(spec)
        LOG.info("driver JVM up in %.1fs", time.monotonic() - began)
        self.scala = ScalaEngine(gateway.jvm, spec["class_dir"])
        if spec["kind"] == "spark":
            # The compiler needs no SparkContext: building it overlaps Spark's start.
            threading.Thread(target=self._start_scala, name="scala-start", daemon=True).start()
        self.spark = start_spark(gateway)
        if spec["kind"] == "spark":
            self.scala.bind(self.spark)
        else:  # a Scala statement waits for it; the session's own kind does not
            threading.Thread(target=self._start_scala_quietly, name="scala-start", daemon=True).start()
        sc = self.spark.sparkContext
        routers = install_routers()
        engines = {"spark": self.scala, "pyspark": PythonEngine(sc, self._namespace(), routers),
                   "sql": SqlEngine(self.spark)}
        self.session = Session(sc, engines, spec["kind"])
        self.session.start()
        self.server = ControlServer(spec["bind_host"], self.session, sc.applicationId,
                                    lambda: self.request_shutdown("POST /shutdown"),
                                    int(spec.get("max_request_bytes") or DEFAULT_MAX_BODY))
        self.server.serve_in_background()
        self._write_endpoint(sc)

    def _start_scala(self):
        started = time.monotonic()
        try:
            self.scala.start()
            LOG.info("Scala interpreter built in %.1fs, beside Spark's start", time.monotonic() - started)
        except Exception:  # noqa: BLE001 - bind() raises it again on the start-up thread
            pass

    def _start_scala_quietly(self):
        started = time.monotonic()
        try:
            self.scala.start()
            self.scala.bind(self.spark)
            LOG.info("Scala interpreter ready in %.1fs (in the background)", time.monotonic() - started)
        except Exception:  # noqa: BLE001 - every Scala statement reports it
            if not self._done.is_set():  # else the JVM went away under it
                LOG.exception("the Scala interpreter failed to start")

    def _namespace(self):
        import builtins
        import warnings

        from pyspark.sql import SQLContext
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sql_context = SQLContext(self.spark.sparkContext, self.spark)
        return {"__name__": "__main__", "__builtins__": builtins, "spark": self.spark,
                "sc": self.spark.sparkContext, "sqlContext": sql_context}

    def _write_endpoint(self, sc):
        import json
        path = self.spec["endpoint_file"]
        # The host the control API is bound to: the server dials it (127.0.0.1 only when
        # that is the bind host; in a pod it is the pod's IP).
        endpoint = {"host": self.spec["bind_host"], "port": self.server.port, "pid": os.getpid(),
                    "app_id": sc.applicationId, "spark_ui": sc.uiWebUrl}
        tmp = f"{path}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(endpoint, f)
        os.replace(tmp, path)
        LOG.info("session %s ready: control API on %s:%d, application %s", self.spec["session_id"],
                 self.spec["bind_host"], self.server.port, sc.applicationId)

    def watch(self):
        """Blocks until a shutdown is requested, checking meanwhile that Spark lives
        and, with orphan_timeout_s, that the server still talks to us."""
        orphan_s = float(self.spec.get("orphan_timeout_s") or 0)
        jsc = self.spark.sparkContext._jsc.sc()
        while not self._done.wait(WATCH_INTERVAL_S):
            try:
                if jsc.isStopped():
                    self.request_shutdown("the SparkContext stopped (see the log above)", 1)
            except Exception as e:  # noqa: BLE001 - the JVM is gone
                self.request_shutdown(f"the Spark driver JVM does not answer: {e}", 1)
            idle = time.monotonic() - self.server.last_request
            if orphan_s > 0 and idle > orphan_s:
                self.request_shutdown(f"no control request for {idle:.0f}s (orphan_timeout_s={orphan_s:g})")
        return self._exit_code

    def stop(self):
        if self.session:
            self.session.stop()
        if self.server:
            self.server.shutdown()
        if self.scala:
            try:
                self.scala.close()
            except Exception:  # noqa: BLE001 - the JVM may be gone already
                pass
        if self.spark:
            stop_spark(self.spark)


def _configure_logging():
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)


def main(argv=None):
    parser = argparse.ArgumentParser(description="driver host of one Livy session")
    parser.add_argument("--spec", required=True, help="the session's spec (JSON)")
    args = parser.parse_args(argv)
    _configure_logging()
    try:
        spec = load_spec(args.spec)
    except (OSError, ValueError) as e:
        print(f"spyt-driver: bad spec {args.spec}: {e}", file=sys.stderr, flush=True)
        return 2
    LOG.info("starting session %s (kind %s) on %s, conf: %s", spec["session_id"], spec["kind"], spec["master"],
             redacted(spec["conf"]))
    host = DriverHost(spec)
    signal.signal(signal.SIGTERM, lambda *_: host.request_shutdown("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: host.request_shutdown("SIGINT"))
    started = time.monotonic()
    try:
        host.start()
        signal.signal(signal.SIGINT, lambda *_: host.request_shutdown("SIGINT"))  # pyspark installed its own
        LOG.info("started in %.1fs", time.monotonic() - started)
        code = host.watch()
    except SparkStartError as e:
        print(f"spyt-driver: Spark failed to start: {e}", file=sys.stderr, flush=True)
        code = 1
    except Exception as e:  # noqa: BLE001 - any start-up failure ends the session with its reason
        LOG.exception("start-up failed")
        print(f"spyt-driver: start-up failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        code = 1
    host.stop()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # worker threads may still be inside user code


if __name__ == "__main__":
    main()
