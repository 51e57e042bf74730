"""The API server answering 503 and then 429 for a while (fault_proxy.py, between the
operator and the real API server): the operator backs off instead of looping, and once
the faults stop, everything that changed meanwhile converges. And the API server
restarted, with etcd compacted, in the middle of a load of changes: the operator
recovers by itself (same process) and the world converges.

The bound on requests comes from the operator's own pacing: informers re-list and
re-watch with a backoff from 0.5 s doubling to 30 s, reconciles retry with a per-key
backoff from 5 ms doubling, and 429s are retried after Retry-After (1 s here) at most
3 times. Over a FAULT_SECONDS window that is 20 requests (503) to about 65 (429: each
of the 5 informers' watch openings is tried 4 times a round, rounds 0.5, 1, 2 s apart)
for 8 clusters; a client that ignored them would send its whole --kube-api-qps (20/s),
200 per window."""

import random
import time

from chaos_world import Workload, chaos_seed, listable_kinds, wait_converged
from fault_proxy import THROTTLED, UNAVAILABLE, FaultProxy
from operator_proc import OperatorProcess, control_plane_cmd

CLUSTERS = 8
FAULT_SECONDS = 10
MAX_REQUESTS_PER_SECOND = 8  # 40% of --kube-api-qps, which a retry loop would reach


def say(capsys, text):
    with capsys.disabled():
        print(f"[faults] {text}", flush=True)


def test_503_and_429_windows_are_ridden_out_with_backoff_and_then_converge(crd, namespace, tmp_path, capsys):
    seed = chaos_seed()
    rng = random.Random(seed)
    kinds = listable_kinds(crd)
    proxy = FaultProxy(crd.kubeconfig, tmp_path / "proxy")
    op = OperatorProcess(proxy.kubeconfig(tmp_path / "proxy.kubeconfig"), tmp_path / "operator.log",
                         ["--watch-namespaces", namespace]).start()
    try:
        workload = Workload(crd, namespace, rng, CLUSTERS)
        while workload.pending:
            workload.step(0)
        took, clusters, _ = wait_converged(crd, namespace, kinds, tmp_path, 120)
        say(capsys, f"seed {seed}: {clusters} clusters Ready through the proxy in {took:.1f}s")
        calm_started = time.monotonic()
        time.sleep(3)
        calm = proxy.count(calm_started) / 3

        for fault in (UNAVAILABLE, THROTTLED):
            proxy.set_fault(fault)
            started = time.monotonic()
            for i in range(2 * CLUSTERS):  # users keep changing specs meanwhile (straight to the API server)
                workload.step(i)
                time.sleep(FAULT_SECONDS / (2 * CLUSTERS))
            ended = time.monotonic()
            proxy.set_fault(None)
            seen = proxy.count(started, ended)
            rate = seen / (ended - started)
            took, clusters, _ = wait_converged(crd, namespace, kinds, tmp_path, 120)
            say(capsys, f"{fault.code} for {ended - started:.1f}s: the operator sent {seen} requests "
                        f"({rate:.1f}/s; {calm:.1f}/s when calm); converged {took:.1f}s after the "
                        f"faults stopped ({clusters} clusters, {workload.total()} changes so far)")
            assert rate <= MAX_REQUESTS_PER_SECOND, f"{seen} requests in {ended - started:.1f}s of {fault.code}s"
            assert seen > 0, "the operator sent nothing during the fault: the proxy is not in its path"
        assert op.proc.poll() is None, "the operator exited during the faults"
    finally:
        op.stop()
        proxy.stop()


def test_an_apiserver_restart_and_compaction_mid_load_are_recovered_without_a_restart(crd, namespace, tmp_path,
                                                                                      capsys):
    seed = chaos_seed()
    rng = random.Random(seed)
    kinds = listable_kinds(crd)
    op = OperatorProcess(crd.kubeconfig, tmp_path / "operator.log", ["--watch-namespaces", namespace]).start()
    try:
        pid = op.proc.pid
        workload = Workload(crd, namespace, rng, 2 * CLUSTERS)
        for i in range(3 * CLUSTERS):  # creations and the first changes, not yet all applied
            workload.step(i)
        control_plane_cmd("compact")
        restarted = time.monotonic()
        control_plane_cmd("restart-apiserver")
        back = time.monotonic()
        for i in range(CLUSTERS):  # and more changes right after
            workload.step(i)
        took, clusters, children = wait_converged(crd, namespace, kinds, tmp_path, 180)
        say(capsys, f"seed {seed}: the API server was down {back - restarted:.1f}s (etcd compacted before); "
                    f"{clusters} clusters and {children} children converged {time.monotonic() - back:.1f}s "
                    f"after it was back ({workload.total()} changes)")
        assert op.proc.poll() is None and op.proc.pid == pid, "the operator had to be restarted"
    finally:
        op.stop()
