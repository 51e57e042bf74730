"""sparkmagic as people use it: a notebook run headless by sparkmagic's PySpark
kernel (`jupyter nbconvert --execute`) against our Livy server on a cluster that
`spyt-operator local` starts. The kernel is installed into a Jupyter data dir of
the test's own and configured through SPARKMAGIC_CONF_DIR, so nothing outside
the test's tmp dir is read or written. Everything listens on 127.0.0.1."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import requests
import sparkmagic

from local_proc import CLUSTER, local  # noqa: F401 (fixture)
from waiting import wait_for

HEADERS = {"X-Requested-By": "spyt-operator-tests"}
READY = 180      # the cluster from start to Ready on a loaded 2-core machine
NOTEBOOK = 300   # nbconvert as a whole: one session start and three cells
# The kernel deletes its session in its shutdown handler; Jupyter kills a kernel
# that has not exited 5 s after the shutdown request, and our DELETE waits for
# the driver to exit (~2.5 s here, more on a loaded machine).
SHUTDOWN_WAIT = 30

CONFIGURE = {"executorMemory": "512m", "conf": {"spark.cores.max": "1"}}
CELLS = [
    "%%configure -f\n" + json.dumps(CONFIGURE),
    'total = spark.range(1000).selectExpr("sum(id)").collect()[0][0]\n'
    'c = spark.sparkContext.getConf()\n'
    'print("SUM=%d" % total)\n'
    'print("CONF=%s,%s" % (c.get("spark.executor.memory"), c.get("spark.cores.max")))',
    "%%sql\nSELECT 1 AS a, 'x' AS s",
]


def cluster_spec():
    c = copy.deepcopy(CLUSTER)
    c["spec"]["workers"] = {"replicas": 1, "cores": 2, "memory": "2G", "memoryOverhead": "0m"}
    c["spec"]["sparkConf"] = {"spark.ui.enabled": "false"}
    return c


def sparkmagic_config(livy_url):
    return {
        "kernel_python_credentials": {"username": "", "password": "", "url": livy_url, "auth": "None"},
        "custom_headers": HEADERS,
        "livy_session_startup_timeout_seconds": 240,
        "wait_for_idle_timeout_seconds": 15,
        "session_configs": {"driverMemory": "512m"},
        "heartbeat_refresh_seconds": 5,
        "heartbeat_retry_seconds": 1,
        "retry_policy": "configurable",
        "retry_seconds_to_sleep_list": [0.2, 0.5, 1],
        "configurable_retry_policy_max_retries": 5,
        "use_auto_viz": False,  # plain pandas output, no widget state to read
    }


def jupyter_env(tmp_path, livy_url):
    """sparkmagic's config and logs, the kernelspec and every Jupyter/IPython
    directory under tmp_path."""
    conf = tmp_path / "sparkmagic"
    conf.mkdir()
    (conf / "config.json").write_text(json.dumps(sparkmagic_config(livy_url), indent=1))
    prefix = tmp_path / "jupyter-prefix"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "IPYTHON", "SPARKMAGIC_"))}
    env.update(SPARKMAGIC_CONF_DIR=str(conf), JUPYTER_PATH=str(prefix / "share" / "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"), JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"), IPYTHONDIR=str(tmp_path / "ipython"),
               JUPYTER_PLATFORM_DIRS="1")
    kernel = Path(sparkmagic.__file__).parent / "kernels" / "pysparkkernel"
    subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "install", str(kernel), "--prefix", str(prefix)],
                   env=env, check=True, capture_output=True, timeout=60)
    return env


def write_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "pysparkkernel", "display_name": "PySpark", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nbformat.write(nb, path)


def texts(cell):
    """Everything a person would read under a cell: streams and text/plain or text/html data."""
    out = []
    for o in cell.outputs:
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type in ("display_data", "execute_result"):
            out += [o.data[m] for m in ("text/plain", "text/html") if m in o.data]
        elif o.output_type == "error":
            out.append(f"{o.ename}: {o.evalue}")
    return "\n".join(out)


def sessions(url):
    return requests.get(f"{url}/sessions", timeout=10).json()["sessions"]


@pytest.fixture
def livy(local):
    """Our Livy's URL on a Ready cluster; teardown deletes any session left."""
    local.write(cluster_spec())
    local.start()
    wait_for(lambda: local.condition("Ready") == "True", READY, "the cluster to be Ready")
    url = f"http://{local.discovery()['livy']}"
    yield url
    try:
        for s in sessions(url):
            requests.delete(f"{url}/sessions/{s['id']}", headers=HEADERS, timeout=30)
    except requests.RequestException:
        pass  # the server is gone: the local fixture checks nothing is left running


def test_a_notebook_configures_a_session_runs_pyspark_and_sql_and_leaves_no_session(livy, local, tmp_path):
    env = jupyter_env(tmp_path, livy)
    nb_in, nb_out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    write_notebook(nb_in)
    run = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                          f"--ExecutePreprocessor.timeout={NOTEBOOK}",
                          f"--KernelManager.shutdown_wait_time={SHUTDOWN_WAIT}", "--output", str(nb_out), str(nb_in)],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=NOTEBOOK + 60)
    logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in (tmp_path / "sparkmagic").glob("logs/*.log"))
    assert run.returncode == 0, f"nbconvert failed:\n{run.stderr[-3000:]}\nsparkmagic's log:\n{logs}"
    cells = nbformat.read(nb_out, as_version=4).cells
    seen = "\n".join(f"--- cell {i}:\n{texts(c)}" for i, c in enumerate(cells))

    assert "'executorMemory': '512m'" in texts(cells[0]), seen
    assert "SUM=499500" in texts(cells[1]), seen
    assert "CONF=512m,1" in texts(cells[1]), seen
    result = next((o for o in cells[2].outputs if o.output_type == "execute_result"), None)
    assert result is not None, seen
    header, row = [line.split() for line in result.data["text/plain"].splitlines()]
    assert (header, row) == (["a", "s"], ["0", "1", "x"]), seen

    # The kernel deletes its session at shutdown; the server stops its driver.
    assert sessions(livy) == [], "a session was left after the kernel shut down"
    wait_for(lambda: not local.pids_running(b"spyt_driver.py"), 60, "the session's driver to exit")
