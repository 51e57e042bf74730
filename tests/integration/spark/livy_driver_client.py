"""Starting the Livy session driver host (controller/livy_server/driver) and
talking to its control API, for test_livy_driver.py."""

import json
import os
import subprocess
import time
from pathlib import Path

import requests

from spark_procs import LOOPBACK, Processes, cache_dir

REPO_ROOT = Path(__file__).resolve().parents[3]
BUILD_TIMEOUT = 300
FINAL = ("available", "cancelled")


def build_driver(rt: Processes) -> Path:
    """The built driver dir: $SPYT_DRIVER_DIR when set (the CMake build's), else
    hack/build-driver.sh into the cache (skips the compile when nothing changed)."""
    if os.environ.get("SPYT_DRIVER_DIR"):
        return Path(os.environ["SPYT_DRIVER_DIR"])
    out = cache_dir() / "livy-driver"
    proc = subprocess.run(["bash", str(REPO_ROOT / "hack" / "build-driver.sh"), rt.cfg["SPARK_HOME"], str(out)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if proc.returncode != 0:
        rt.fail(f"hack/build-driver.sh failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return out


class Driver:
    """One driver host process and its control API."""

    def __init__(self, rt: Processes, driver_dir: Path, name, kind, master, conf, session_id=1, orphan_timeout_s=0):
        self.rt, self.name = rt, name
        work = rt.tmp / name
        work.mkdir()
        self.endpoint_file = work / "endpoint.json"
        spec = {"session_id": session_id, "kind": kind, "master": master, "app_name": name,
                "bind_host": LOOPBACK, "endpoint_file": str(self.endpoint_file), "class_dir": str(work / "classes"),
                "repl_jar": str(driver_dir / "spyt-repl.jar"), "conf": conf, "orphan_timeout_s": orphan_timeout_s}
        spec_file = work / "spec.json"
        spec_file.write_text(json.dumps(spec))
        spec_file.chmod(0o600)
        env = rt.spark_env()
        env["SPARK_PYTHON"] = rt.cfg["SPARK_PYTHON"]
        self.proc = rt.start(name, [rt.cfg["SPARK_PYTHON"], driver_dir / "spyt_driver.py", "--spec", spec_file], env)
        self.endpoint = None
        self.url = None
        self.next_id = 0

    def wait_ready(self, timeout):
        def ready():
            return json.loads(self.endpoint_file.read_text()) if self.endpoint_file.exists() else None

        self.endpoint = self.rt.wait_for(f"{self.name} to write its endpoint file", ready, timeout, proc=self.proc)
        self.rt.timings[f"{self.name}_ready"] = time.monotonic() - self.proc.started
        self.url = f"http://{LOOPBACK}:{self.endpoint['port']}"
        return self.endpoint

    def get(self, path, **params):
        return requests.get(f"{self.url}{path}", params=params, timeout=60)

    def post(self, path, body=None):
        return requests.post(f"{self.url}{path}", json=body if body is not None else {}, timeout=60)

    def submit(self, code, kind=None):
        sid = self.next_id
        self.next_id += 1
        body = {"id": sid, "code": code}
        if kind:
            body["kind"] = kind
        r = self.post("/statements", body)
        if r.status_code != 201:
            self.rt.fail(f"POST /statements {body} answered {r.status_code}: {r.text}")
        return sid

    def wait_statement(self, sid, timeout=120, states=FINAL):
        def done():
            st = self.get(f"/statements/{sid}").json()
            return st if st["state"] in states else None

        return self.rt.wait_for(f"statement {sid} of {self.name} to reach {states}", done, timeout, interval=0.2,
                                proc=self.proc)

    def run(self, code, kind=None, timeout=120):
        """The output of a statement run to its end (fails unless it is available)."""
        st = self.wait_statement(self.submit(code, kind), timeout)
        if st["state"] != "available":
            self.rt.fail(f"statement {st} did not end available")
        return st["output"]

    def text(self, code, kind=None, timeout=120):
        """The text/plain of a statement that must succeed."""
        output = self.run(code, kind, timeout)
        if output.get("status") != "ok" or "text/plain" not in output.get("data", {}):
            self.rt.fail(f"{code!r} ({kind}) gave {output}")
        return output["data"]["text/plain"]
