"""Polling with a deadline, shared by every integration test (importable because
pytest puts this directory, the one of conftest.py, on sys.path)."""

import time


def wait_for(predicate, timeout, what, interval=0.2):
    """Polls predicate() until it returns a truthy value and returns it; fails with
    the last value seen after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
