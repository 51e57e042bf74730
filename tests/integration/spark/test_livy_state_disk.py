"""Our Livy server (`spyt-launcher livy`) on a state directory whose disk fills up: a
tmpfs of 256 KiB mounted for the test (so the file store meets a real ENOSPC) and
unmounted at the end. While the disk is full, POST /sessions and POST /batches answer
503 naming the state directory and the system's reason, and start nothing; once there
is space again, sessions are created as before. (That running sessions go on taking
statements meanwhile is covered by the unit test of the server with a failing store.)"""

import os
import subprocess

import pytest
import requests

from livy_oracle import launcher_path, our_livy_command
from spark_procs import LOOPBACK, Processes, free_port, load_spark_livy_env

HEADERS = {"Content-Type": "application/json"}


@pytest.fixture
def tmpfs(tmp_path):
    mount = tmp_path / "state"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the state directory (the test runs as root): {r.stderr}",
                    pytrace=False)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path):
    """Writes `path` until the file system has no space left."""
    chunk = b"\0" * 4096
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as e:
            assert e.errno == 28, e  # ENOSPC


def test_a_full_state_disk_refuses_creations_with_503_and_recovers(tmp_path, tmpfs):
    rt = Processes(tmp_path, load_spark_livy_env())
    try:
        port = free_port()
        cmd = our_livy_command(launcher_path(), port, "spark://127.0.0.1:1", tmp_path / "livy", csrf=False)
        livy = rt.start("livy", cmd + ["--state-dir", str(tmpfs)], rt.spark_env())
        url = f"http://{LOOPBACK}:{port}"
        rt.wait_livy_answers(url, livy, 60)

        fill(tmpfs / "filler")
        r = requests.post(f"{url}/sessions", json={"kind": "spark"}, headers=HEADERS, timeout=30)
        assert r.status_code == 503, r.text
        msg = r.json()["msg"]
        assert msg.startswith("Rejected: the session cannot be stored in the state directory (")
        assert str(tmpfs) in msg and "No space left on device" in msg
        r = requests.post(f"{url}/batches", json={"file": "/opt/app.jar"}, headers=HEADERS, timeout=30)
        assert r.status_code == 503, r.text
        assert requests.get(f"{url}/sessions", timeout=30).json()["total"] == 0
        metrics = requests.get(f"{url}/metrics", timeout=30).text
        assert 'spyt_livy_server_rejected_total{reason="state_unwritable"} 2' in metrics
        assert "spyt_livy_server_state_write_failures_total 0" not in metrics
        assert "No space left on device" in livy.log_path.read_text(errors="replace")

        os.remove(tmpfs / "filler")
        r = requests.post(f"{url}/sessions", json={"kind": "spark"}, headers=HEADERS, timeout=30)
        assert r.status_code == 201, r.text
        assert (tmpfs / "sessions" / f"{r.json()['id']}.json").exists()
        requests.delete(url + r.headers["Location"], headers=HEADERS, timeout=60)
    finally:
        leftovers = rt.stop_all()
    assert not leftovers, leftovers
