"""Process helpers shared by the benches."""

import os
import signal
import subprocess


def stop_group(proc, sig=signal.SIGTERM, timeout=30):
    """Sends `sig` to the process group `proc` leads (started with start_new_session=True),
    waits up to `timeout` seconds, then kills the group."""
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
