"""The statements of one session: their records, a version counter bumped on
every change, and the long poll on it. No Spark here; thread-safe.

States and transitions (Livy's):
  waiting -> running -> available
  waiting -> cancelled                       (cancel before it ran; it never runs)
  running -> cancelling -> cancelled         (the run ended after a cancel)
`started`/`completed` are epoch millis, 0 until they happen (as Livy); progress
becomes 1.0 when the statement ends, cancelled ones included.
"""

import threading
import time
from collections import OrderedDict

WAITING, RUNNING, AVAILABLE, CANCELLING, CANCELLED = "waiting", "running", "available", "cancelling", "cancelled"
FINAL_STATES = (AVAILABLE, CANCELLED)
MAX_WAIT_S = 30.0


class IdConflict(Exception):
    """A new statement id that is not above every id seen so far."""


def now_ms():
    return int(time.time() * 1000)


class Statement:
    __slots__ = ("id", "code", "kind", "state", "output", "progress", "started", "completed", "version")

    def __init__(self, id_, code, kind):
        self.id, self.code, self.kind = id_, code, kind
        self.state, self.output, self.progress = WAITING, None, 0.0
        self.started = self.completed = 0
        self.version = 0

    def to_json(self):
        return {"id": self.id, "code": self.code, "kind": self.kind, "state": self.state, "output": self.output,
                "progress": self.progress, "started": self.started, "completed": self.completed}


class StatementStore:
    """Statement records by id; keeps the last `retained` statements (Livy keeps 100)."""

    def __init__(self, retained=100, clock_ms=now_ms):
        self._cond = threading.Condition()
        self._statements = OrderedDict()
        self._version = 0
        self._last_id = -1
        self._retained = retained
        self._clock_ms = clock_ms

    # -- reads --

    @property
    def version(self):
        with self._cond:
            return self._version

    def get(self, id_):
        with self._cond:
            st = self._statements.get(id_)
            return st.to_json() if st else None

    def busy(self):
        with self._cond:
            return any(st.state not in FINAL_STATES for st in self._statements.values())

    def state_of(self, id_):
        with self._cond:
            st = self._statements.get(id_)
            return st.state if st else None

    def running_ids(self):
        with self._cond:
            return [st.id for st in self._statements.values() if st.state in (RUNNING, CANCELLING)]

    def changed_after(self, version, wait_s=0.0):
        """(current version, statements changed after `version`); waits up to
        `wait_s` (capped at 30 s) for a change when there is none yet."""
        deadline = time.monotonic() + max(0.0, min(wait_s, MAX_WAIT_S))
        with self._cond:
            while self._version <= version:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            changed = [st.to_json() for st in self._statements.values() if st.version > version]
            return self._version, changed

    # -- writes --

    def add(self, id_, code, kind):
        """(statement JSON, True) for a new statement; (its JSON, False) when `id_`
        exists. Raises IdConflict for an unknown id not above the last one."""
        with self._cond:
            if id_ in self._statements:
                return self._statements[id_].to_json(), False
            if id_ <= self._last_id:
                raise IdConflict(f"statement id {id_} is not above the last one ({self._last_id})")
            st = Statement(id_, code, kind)
            self._statements[id_] = st
            self._last_id = id_
            self._bump(st)
            self._forget_old()
            return st.to_json(), True

    def start(self, id_):
        """waiting -> running; False when the statement is no longer waiting (cancelled)."""
        with self._cond:
            st = self._statements.get(id_)
            if st is None or st.state != WAITING:
                return False
            st.state, st.started = RUNNING, self._clock_ms()
            self._bump(st)
            return True

    def finish(self, id_, output):
        """The run of a running (or cancelling) statement ended with `output`."""
        with self._cond:
            st = self._statements.get(id_)
            if st is None or st.state not in (RUNNING, CANCELLING):
                return
            st.state = AVAILABLE if st.state == RUNNING else CANCELLED
            st.output, st.progress, st.completed = output, 1.0, self._clock_ms()
            self._bump(st)

    def cancel(self, id_):
        """Livy's cancel: a waiting statement is cancelled at once, a running one
        becomes cancelling; returns the statement's JSON (None when unknown)."""
        with self._cond:
            st = self._statements.get(id_)
            if st is None:
                return None
            if st.state == WAITING:
                st.state, st.progress, st.completed = CANCELLED, 1.0, self._clock_ms()
                self._bump(st)
            elif st.state == RUNNING:
                st.state = CANCELLING
                self._bump(st)
            return st.to_json()

    def set_progress(self, id_, progress):
        with self._cond:
            st = self._statements.get(id_)
            if st is not None and st.state in (RUNNING, CANCELLING) and progress != st.progress:
                st.progress = progress
                self._bump(st)

    def _bump(self, st):
        self._version += 1
        st.version = self._version
        self._cond.notify_all()

    def _forget_old(self):
        while len(self._statements) > self._retained:
            oldest = next(iter(self._statements.values()))
            if oldest.state not in FINAL_STATES:
                break
            del self._statements[oldest.id]
