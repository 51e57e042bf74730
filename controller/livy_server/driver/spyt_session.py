"""Runs a session's statements: one worker thread executes them in order, one
monitor thread samples the progress of the running one and carries out cancels.
Only these two threads (and start-up/shutdown) talk to the JVM; the control
server's threads only touch the StatementStore.

Every statement runs in job group "livy-statement-<id>" with interruptOnCancel
set, so that a cancel also interrupts the executors' task threads (Livy leaves
it off; a task stuck in a sleep or a blocking call would then hold its core).
Cancel: the statement's Spark job group is cancelled at once and again every
second while it still runs; after INTERRUPT_AFTER_S the engine's interrupt() is
tried too (Scala: Thread.interrupt of the REPL thread; Python: KeyboardInterrupt
when not inside a JVM call). The statement becomes `cancelled` only when its run
has really ended, so the next statement never overlaps it.
"""

import logging
import queue
import threading
import time

import spyt_output as out
from spyt_statements import CANCELLING, StatementStore

LOG = logging.getLogger("spyt-driver")
SAMPLE_INTERVAL_S = 0.5
CANCEL_RETRY_S = 1.0
INTERRUPT_AFTER_S = 2.0


def job_group(statement_id):
    return f"livy-statement-{statement_id}"


def group_progress(tracker, group):
    """Completed tasks / tasks of the group's jobs (pyspark StatusTracker); 0.0 while unknown."""
    total = done = 0
    for job_id in tracker.getJobIdsForGroup(group):
        job = tracker.getJobInfo(job_id)
        for stage_id in (job.stageIds if job else []):
            stage = tracker.getStageInfo(stage_id)
            if stage:
                total += stage.numTasks
                done += stage.numCompletedTasks
    return done / total if total else 0.0


class Session:
    def __init__(self, sc, engines, default_kind, store=None):
        self.store = store or StatementStore()
        self._sc = sc
        self._engines = engines
        self.default_kind = default_kind
        self._queue = queue.Queue()
        self._wake_monitor = threading.Event()
        self._stopping = threading.Event()
        self._cancels = {}  # statement id -> [monotonic time of cancel, last job group cancel]
        self._threads = [threading.Thread(target=self._work, name="statement-worker", daemon=True),
                         threading.Thread(target=self._monitor, name="statement-monitor", daemon=True)]

    def start(self):
        for t in self._threads:
            t.start()

    def stop(self):
        self._stopping.set()
        self._queue.put(None)
        self._wake_monitor.set()

    def submit(self, statement_id, code, kind):
        """(statement JSON, created); raises IdConflict (see StatementStore.add)."""
        statement, created = self.store.add(statement_id, code, kind)
        if created:
            self._queue.put(statement_id)
        return statement, created

    def cancel(self, statement_id):
        statement = self.store.cancel(statement_id)
        if statement is not None and statement["state"] == CANCELLING:
            self._wake_monitor.set()
        return statement

    # -- worker --

    def _work(self):
        while True:
            try:
                statement_id = self._queue.get()
                if statement_id is None:
                    return
                self._run(statement_id)
            except BaseException:  # noqa: B036 - a late interrupt must not end the worker
                LOG.exception("statement worker")

    def _run(self, statement_id):
        if not self.store.start(statement_id):
            return  # cancelled while waiting
        statement = self.store.get(statement_id)
        LOG.info("statement %d (%s) started", statement_id, statement["kind"])
        try:
            output = self._engines[statement["kind"]].run(statement_id, statement["code"], job_group(statement_id))
        except BaseException as e:  # noqa: B036 - py4j failures, interrupts
            LOG.exception("statement %d failed inside the driver", statement_id)
            output = out.error_output(statement_id, f"Internal Error: {type(e).__name__}", str(e), [])
        if self.store.state_of(statement_id) == CANCELLING:
            # An interrupted statement may leave jobs behind (e.g. one it started after the last cancel).
            self._sc.cancelJobGroup(job_group(statement_id))
        self.store.finish(statement_id, output)
        LOG.info("statement %d ended: %s", statement_id, output.get("status"))

    # -- monitor --

    def _monitor(self):
        tracker = self._sc.statusTracker()
        while not self._stopping.is_set():
            self._wake_monitor.wait(SAMPLE_INTERVAL_S)
            self._wake_monitor.clear()
            for statement_id in self.store.running_ids():
                try:
                    if self.store.state_of(statement_id) == CANCELLING:
                        self._push_cancel(statement_id)
                    self.store.set_progress(statement_id, group_progress(tracker, job_group(statement_id)))
                except Exception:  # noqa: BLE001 - keep sampling; the JVM may be going away
                    LOG.exception("monitor of statement %d", statement_id)
            for gone in set(self._cancels) - set(self.store.running_ids()):
                del self._cancels[gone]

    def _push_cancel(self, statement_id):
        now = time.monotonic()
        first, last = self._cancels.setdefault(statement_id, [now, None])
        if last is None or now - last >= CANCEL_RETRY_S:
            LOG.info("cancelling job group %s", job_group(statement_id))
            self._sc.cancelJobGroup(job_group(statement_id))
            self._cancels[statement_id][1] = now
            if now - first >= INTERRUPT_AFTER_S:
                kind = self.store.get(statement_id)["kind"]
                LOG.info("statement %d still runs: interrupting its %s code", statement_id, kind)
                self._engines[kind].interrupt()
