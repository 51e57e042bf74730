"""Starting and stopping Spark for a driver host: the spec, the effective conf,
and pyspark's gateway launched with that conf in a private properties file.

Spark 3.5's spark-submit reads either --properties-file or
$SPARK_CONF_DIR/spark-defaults.conf, so the defaults file (when there is one)
is the base under the spec's conf. spark-submit's launcher takes
spark.driver.memory and spark.driver.extraClassPath from that file for the JVM
it starts (and adds the --add-opens options Java 17 needs).
"""

import json
import logging
import os
import re
import shlex
import stat
import sys
import tempfile
import threading

LOG = logging.getLogger("spyt-driver")
KINDS = ("spark", "pyspark", "sql")
SECRET_KEY = re.compile(r"token|password|secret", re.IGNORECASE)
REQUIRED = {"session_id": int, "kind": str, "master": str, "app_name": str, "bind_host": str,
            "endpoint_file": str, "class_dir": str, "repl_jar": str}
STOP_TIMEOUT_S = 30
# HotSpot's C2 compiles a method after 5000 calls, so a start (Spark's and the Scala compiler's code,
# hot for seconds) spends about half the driver's CPU in C2, much of it recompiling. Ten times those
# thresholds keep start-up on C1 code (a kind spark session idle 1.5 s sooner on 2 cores, measured),
# while a statement's hot code still reaches C2 within its first second or so (CPU-bound driver
# statements measured unchanged). Options of the conf come after these, so they override them.
DRIVER_JIT_OPTIONS = ("-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 "
                      "-XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=400000")


class SparkStartError(Exception):
    pass


def load_spec(path):
    """The spec as a dict, paths made absolute; raises ValueError naming what is wrong."""
    with open(path) as f:
        spec = json.load(f)
    if not isinstance(spec, dict):
        raise ValueError("the spec must be a JSON object")
    for key, kind in REQUIRED.items():
        if not isinstance(spec.get(key), kind) or isinstance(spec.get(key), bool):
            raise ValueError(f"{key} must be a {kind.__name__}")
    if spec["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    conf = spec.setdefault("conf", {})
    if not isinstance(conf, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in conf.items()):
        raise ValueError("conf must be an object of strings")
    if not isinstance(spec.setdefault("orphan_timeout_s", 0), (int, float)):
        raise ValueError("orphan_timeout_s must be a number")
    for key in ("endpoint_file", "class_dir", "repl_jar"):
        spec[key] = os.path.abspath(spec[key])
    return spec


def redacted(conf):
    return {k: ("*********(redacted)" if SECRET_KEY.search(k) else v) for k, v in sorted(conf.items())}


def read_properties(path):
    """key -> value of a Java properties file such as spark-defaults.conf, in the
    forms Spark's own files use (`key value`, `key=value`, `key: value`; no
    escapes, no continuation lines)."""
    props = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#!":
                continue
            match = re.match(r"([^=:\s]+)\s*[=:]?\s*(.*)$", line)
            if match:
                props[match.group(1)] = match.group(2)
    return props


def _escape(text, key=False):
    out = []
    for i, ch in enumerate(text):
        if ch in "\\#!=:" or (ch == " " and (key or i == 0)):
            out.append("\\" + ch)
        elif ch in "\n\r\t\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}[ch])
        else:
            out.append(ch)
    return "".join(out)


def properties_text(conf):
    """conf as a properties file Spark reads back exactly (it reads them as UTF-8)."""
    return "".join(f"{_escape(k, key=True)}={_escape(v)}\n" for k, v in sorted(conf.items()))


def effective_conf(spec, defaults):
    """The conf spark-submit gets: defaults, then the spec's conf, then what the
    driver host itself needs (master, name, driver host, REPL class dir and jar,
    JIT thresholds before the conf's own JVM options)."""
    conf = {"spark.ui.showConsoleProgress": "false"}  # a progress bar in the session log is noise
    conf.update(defaults)
    conf.update(spec["conf"])
    extra_cp = conf.get("spark.driver.extraClassPath")
    java_options = conf.get("spark.driver.extraJavaOptions")
    conf.update({
        "spark.master": spec["master"],
        "spark.app.name": spec["app_name"],
        "spark.submit.deployMode": "client",
        "spark.driver.host": spec["bind_host"],
        "spark.repl.class.outputDir": spec["class_dir"],
        "spark.driver.extraClassPath": f"{extra_cp}{os.pathsep}{spec['repl_jar']}" if extra_cp else spec["repl_jar"],
        "spark.driver.extraJavaOptions": f"{DRIVER_JIT_OPTIONS} {java_options}" if java_options else DRIVER_JIT_OPTIONS,
    })
    return conf


def _defaults():
    conf_dir = os.environ.get("SPARK_CONF_DIR") or os.path.join(os.environ.get("SPARK_HOME", ""), "conf")
    path = os.path.join(conf_dir, "spark-defaults.conf")
    return read_properties(path) if os.path.isfile(path) else {}


def _launch_gateway(conf):
    """pyspark's gateway (spark-submit pyspark-shell) with `conf` in a 0600 file
    that is removed as soon as the JVM answers."""
    from pyspark.java_gateway import launch_gateway
    private = tempfile.mkdtemp(prefix="spyt-driver-")
    path = os.path.join(private, "spark.properties")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(properties_text(conf))
        os.environ["PYSPARK_SUBMIT_ARGS"] = f"--properties-file {shlex.quote(path)} pyspark-shell"
        return launch_gateway()
    finally:
        os.environ.pop("PYSPARK_SUBMIT_ARGS", None)
        try:
            os.remove(path)
        finally:
            os.rmdir(private)


def launch_driver_jvm(spec):
    """pyspark's gateway to a new driver JVM that has the spec's conf (its
    SparkContext is not created yet); raises SparkStartError."""
    os.makedirs(spec["class_dir"], exist_ok=True)
    conf = effective_conf(spec, _defaults())
    # Python workers on the executors run the interpreter the driver names.
    python = conf.get("spark.pyspark.python") or os.environ.get("PYSPARK_PYTHON") or sys.executable
    os.environ["PYSPARK_PYTHON"] = python
    os.environ.setdefault("SPARK_LOCAL_IP", spec["bind_host"])
    try:
        return _launch_gateway(conf)
    except Exception as e:  # noqa: BLE001 - pyspark raises many kinds; the reason goes to the log
        raise SparkStartError(f"{type(e).__name__}: {e}") from e


def start_spark(gateway):
    """The SparkSession of the driver JVM behind `gateway`; raises SparkStartError."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
        sc = SparkContext(gateway=gateway)
        spark = SparkSession(sc)
    except Exception as e:  # noqa: BLE001 - pyspark raises many kinds; the reason goes to the log
        raise SparkStartError(f"{type(e).__name__}: {e}") from e
    if sc._jsc.sc().isStopped():
        raise SparkStartError("the SparkContext stopped during start-up (see the log above)")
    LOG.info("Spark %s started: application %s, master %s", sc.version, sc.applicationId, sc.master)
    return spark


def stop_spark(spark):
    """Stops the SparkContext (at most STOP_TIMEOUT_S) and then the JVM."""
    sc = spark.sparkContext
    proc = getattr(sc._gateway, "proc", None)
    stopper = threading.Thread(target=_stop_quietly, args=(sc,), daemon=True)
    stopper.start()
    stopper.join(STOP_TIMEOUT_S)
    if proc is not None:
        try:
            proc.stdin.close()  # the gateway JVM exits on EOF
            proc.wait(15)
        except Exception:  # noqa: BLE001 - fall back to killing it
            proc.kill()
            proc.wait(5)


def _stop_quietly(sc):
    try:
        sc.stop()
    except Exception:  # noqa: BLE001 - stopping a broken context
        LOG.exception("stopping the SparkContext")
