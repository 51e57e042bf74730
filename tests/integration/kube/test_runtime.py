"""The operator's runtime against the real control plane: leader election between
two processes, graceful shutdown, health probes, and watches that survive an API
server restart and an etcd compaction (410 -> relist)."""

import signal
import time
import urllib.request

import pytest

from operator_proc import REPO, OperatorProcess, control_plane_cmd, identity_of, lease_holder, wait_for

LEASE = ["--leader-elect", "--leader-election-lease-duration=8s",
         "--leader-election-renew-deadline=6s", "--leader-election-retry-period=1s"]


@pytest.fixture
def operators(crd, tmp_path):
    started = []

    def start(namespace, *extra, name=None):
        name = name or f"op{len(started)}"
        args = ["--watch-namespaces", namespace, *extra]
        op = OperatorProcess(crd.kubeconfig, tmp_path / f"{name}.log", args).start()
        started.append(op)
        return op

    yield start
    for op in started:
        op.stop()
    for op in started:
        print(f"---- {op.log_path.name}\n{op.log()[-4000:]}")


def apply_minimal(cp, namespace):
    cp.kubectl("apply", "-n", namespace, "-f", REPO / "examples" / "minimal.yaml")


def test_health_and_readiness_probes_answer(operators, namespace):
    op = operators(namespace)
    port = op.health_port()
    for path in ["/healthz", "/readyz"]:
        body = wait_for(lambda: _get(f"http://127.0.0.1:{port}{path}"), 30, path)
        assert body == "ok"


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode() if r.status == 200 else None
    except OSError:
        return None


def test_sigterm_shuts_down_cleanly(operators, namespace):
    op = operators(namespace)
    op.health_port()
    assert op.stop() == 0
    assert "spyt-operator stopped" in op.log()


def test_exactly_one_of_two_reconciles_and_the_other_takes_over_after_kill9(crd, operators, namespace):
    a = operators(namespace, *LEASE, f"--leader-election-namespace={namespace}", name="a")
    b = operators(namespace, *LEASE, f"--leader-election-namespace={namespace}", name="b")
    ids = {identity_of(a): a, identity_of(b): b}
    holder = wait_for(lambda: lease_holder(crd, namespace), 30, "a lease holder")
    leader, follower = ids[holder], [op for i, op in ids.items() if i != holder][0]
    apply_minimal(crd, namespace)
    wait_for(lambda: crd.exists(namespace, "statefulset", "minimal-master"), 30, "the master StatefulSet")
    assert "starting controller" in leader.log()
    assert "created child" in leader.log()
    assert "starting controller" not in follower.log()
    assert "created child" not in follower.log()

    killed_at = time.monotonic()
    leader.kill9()
    new_holder = wait_for(lambda: (h := lease_holder(crd, namespace)) not in (None, "", holder) and h,
                          30, "a new lease holder")
    took = time.monotonic() - killed_at
    assert ids[new_holder] is follower
    assert took <= 8 + 2, f"takeover took {took:.1f}s, more than the lease duration"
    # The new leader reconciles: a child deleted by hand comes back.
    crd.kubectl("delete", "service", "minimal-master", "-n", namespace)
    wait_for(lambda: crd.exists(namespace, "service", "minimal-master"), 30, "the Service to be recreated")
    assert "starting controller" in follower.log()


def test_graceful_stop_releases_the_lease(crd, operators, namespace):
    a = operators(namespace, *LEASE, f"--leader-election-namespace={namespace}", name="a")
    holder_a = identity_of(a)
    wait_for(lambda: lease_holder(crd, namespace) == holder_a, 30, "a to lead")
    b = operators(namespace, *LEASE, f"--leader-election-namespace={namespace}", name="b")
    holder_b = identity_of(b)
    assert a.stop() == 0
    assert lease_holder(crd, namespace) in ("", holder_b)
    started = time.monotonic()
    wait_for(lambda: lease_holder(crd, namespace) == holder_b, 8, "b to take the released lease")
    assert time.monotonic() - started < 8


def test_watches_resume_after_an_apiserver_restart(crd, operators, namespace):
    op = operators(namespace)
    apply_minimal(crd, namespace)
    wait_for(lambda: crd.exists(namespace, "service", "minimal-master"), 30, "the master Service")
    control_plane_cmd("restart-apiserver")
    crd.kubectl("delete", "service", "minimal-master", "-n", namespace)
    wait_for(lambda: crd.exists(namespace, "service", "minimal-master"), 60,
             "the Service to be recreated after the restart")
    assert op.alive()


def test_a_compacted_resource_version_leads_to_a_relist(crd, operators, namespace):
    op = operators(namespace)
    apply_minimal(crd, namespace)
    wait_for(lambda: crd.exists(namespace, "service", "minimal-master"), 30, "the master Service")
    op.signal(signal.SIGSTOP)
    try:
        crd.kubectl("delete", "service", "minimal-master", "-n", namespace)
        # Enough writes that the restarted API server's watch cache starts past the
        # operator's last resource version, then compact etcd behind it.
        for i in range(5):
            crd.kubectl("create", "configmap", f"filler-{i}", "-n", namespace)
        control_plane_cmd("compact")
        control_plane_cmd("restart-apiserver")
    finally:
        op.signal(signal.SIGCONT)
    wait_for(lambda: "relisting" in op.log(), 60, "the operator to relist")
    wait_for(lambda: crd.exists(namespace, "service", "minimal-master"), 60,
             "the Service deleted while the operator was stopped to be recreated")
