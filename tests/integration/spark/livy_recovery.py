"""Helpers for the Livy server's restart tests and benchmark: the `spyt-launcher
livy` process of a `spyt-operator local` cluster, killed with SIGKILL and waited
for until the local supervisor's restart serves every session again."""

import os
import signal
import time
from pathlib import Path

import requests

from waiting import wait_for


def livy_launcher_pids(local):
    """The `spyt-launcher livy` processes the test started (not the drivers)."""
    return local.pids_running(b"spyt-launcher\x00livy\x00")


def livy_state_dir(local, cluster="e2e"):
    """The server's state directory: --state-dir's default, <work dir>/state."""
    return local.state / "clusters" / cluster / "livy" / "state"


def livy_log(local, cluster="e2e"):
    path = local.state / "logs" / f"{cluster}_livy.log"
    return path.read_text(errors="replace") if path.exists() else ""


def sessions_listed(url):
    try:
        r = requests.get(f"{url}/sessions", timeout=2)
        return r.json()["sessions"] if r.status_code == 200 else None
    except (requests.RequestException, ValueError, KeyError):
        return None


def kill_and_wait_back(local, url, expect_ids, timeout=120):
    """SIGKILLs the one Livy launcher, waits for another one to answer GET /sessions
    listing every id in `expect_ids`; returns (seconds from the kill, listing)."""
    old = livy_launcher_pids(local)
    assert len(old) == 1, old
    t0 = time.monotonic()
    os.kill(old[0], signal.SIGKILL)
    wait_for(lambda: old[0] not in livy_launcher_pids(local), 30, "the killed launcher to be gone")

    def back():
        now = livy_launcher_pids(local)
        if not now or old[0] in now:
            return None
        listed = sessions_listed(url)
        if listed is None or not set(expect_ids) <= {s["id"] for s in listed}:
            return None
        return listed

    listed = wait_for(back, timeout, "a restarted Livy server listing every session", interval=0.05)
    return time.monotonic() - t0, listed


def tear_state_file(path: Path):
    """Writes a session record cut in the middle, as a crash of a careless writer would."""
    path.write_text('{"id": 99, "owner": "mallory", "state": "id')
