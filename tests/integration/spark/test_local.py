"""`spyt-operator local` end to end: SpytCluster files in a directory become real
Spark and Livy processes (through spyt-launcher), converge when the files change,
restart when killed, publish status and discovery records, and leave nothing
behind. Everything listens on 127.0.0.1."""

import copy
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from livy import LivyBatch
from prometheus_proc import Prometheus

from livy_batches import (SLEEPER_JOB, TOO_MANY, batch_log, batch_state, create_batch_when_free, livy_session,
                          post_batch_when_free, sum_job)
from local_proc import CLUSTER, LAUNCHER, OPERATOR, REPO, Local, local, marked_pids  # noqa: F401 (fixture)
from waiting import wait_for




def alert_expr(name):
    alerts = yaml.safe_load((REPO / "charts" / "spyt-operator" / "files" / "alerts.yaml").read_text())
    return next(r["expr"] for g in alerts["groups"] for r in g["rules"] if r.get("alert") == name)


def test_a_livy_cluster_runs_converges_and_leaves_nothing_behind(local, tmp_path):
    cluster = copy.deepcopy(CLUSTER)  # edited below; CLUSTER stays as the next test expects it
    local.write(cluster)
    local.start()
    wait_for(lambda: local.condition("Ready") == "True", 180, "the cluster to be Ready")
    entries = local.discovery()
    assert entries["spark_address"].startswith("127.0.0.1:")
    assert entries["livy"].startswith("127.0.0.1:")
    livy = f"http://{entries['livy']}"
    health = wait_for(lambda: local.port_of("health probes"), 10, "the health port")
    assert requests.get(f"http://127.0.0.1:{health}/readyz", timeout=5).text == "ok"
    metrics = requests.get(f"http://127.0.0.1:{local.port_of('metrics')}/metrics", timeout=5).text
    assert 'spyt_cluster_condition{name="e2e",namespace="local",type="Ready"} 1' in metrics
    assert requests.get(f"{livy}/sessions", timeout=10).json()["total"] == 0
    # spec.livy.maxSessions is the server's limit
    assert "spyt_livy_server_slots_max 2" in requests.get(f"{livy}/metrics", timeout=10).text
    out = subprocess.run([OPERATOR, "discovery", "e2e", "--local", str(local.state)], capture_output=True,
                         text=True, timeout=30)
    assert f"Livy Server: {livy}/" in out.stdout.splitlines()

    # A Livy batch runs through the cluster's worker (files Livy may read: its work dir).
    files = local.state / "clusters" / "e2e" / "livy" / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "sum.py").write_text(sum_job("LOCAL_E2E_SUM"))
    r = post_batch_when_free(livy, {"file": (files / "sum.py").as_uri(), "conf": {"spark.executor.memory": "512m"}},
                             30)
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    fail = pytest.fail
    wait_for(lambda: batch_state(livy, bid, fail) == "success", 180, "the batch to succeed")
    assert "LOCAL_E2E_SUM=500500" in batch_log(livy, bid)

    # The operator polls Livy: the finished batch shows in the metrics and the condition.
    series = 'name="e2e",namespace="local"'
    wait_for(lambda: f'spyt_livy_sessions{{kind="batch",{series},state="success"}} 1' in local.metrics(), 30,
             "the finished batch in the Livy metrics")
    assert f"spyt_livy_up{{{series}}} 1" in local.metrics()
    assert f"spyt_livy_sessions_in_use{{{series}}} 0" in local.metrics()
    assert local.condition("LivyResponding", "reason") == "SessionsAvailable"

    # Up to the limit (maxSessions 2) through the `livy` client; one more is refused with
    # Livy's message while the two keep running; ending one lets a new one in.
    (files / "sleep.py").write_text(SLEEPER_JOB)
    sleep_file = (files / "sleep.py").as_uri()
    conf = {"spark.executor.memory": "512m"}
    sleepers = [create_batch_when_free(livy, sleep_file, 30, spark_conf=conf) for _ in range(2)]
    try:
        wait_for(lambda: local.condition("LivyResponding", "reason") == "SessionLimitReached", 30,
                 "LivyResponding to say the limit is reached")
        assert local.condition("LivyResponding", "message").startswith("2/2 sessions in use")
        wait_for(lambda: f"spyt_livy_sessions_in_use{{{series}}} 2" in local.metrics(), 10, "2 in use in metrics")
        assert f"spyt_cluster_livy_max_sessions{{{series}}} 2" in local.metrics()
        # A real Prometheus scraping the local controller: the near-limit alert's own expression holds.
        with Prometheus(tmp_path, "spyt-operator-local", [f"127.0.0.1:{local.port_of('metrics')}"]) as prom:
            wait_for(lambda: prom.query(alert_expr("SpytLivySessionsNearLimit")) == [2.0], 60,
                     "the SpytLivySessionsNearLimit expression to hold on scraped data")
            assert prom.query(f'sum(spyt_livy_sessions{{{series},kind="batch",state=~"starting|running"}})') == [2.0]
            assert prom.query(alert_expr("SpytLivyNotAnswering")) == []
        with pytest.raises(requests.HTTPError) as refused:
            LivyBatch.create(livy, sleep_file, requests_session=livy_session(), spark_conf=conf)
        assert refused.value.response.status_code == 400
        assert refused.value.response.json()["msg"] == TOO_MANY
        wait_for(lambda: "LIVY_SLEEPER_UP" in "".join(sleepers[0].log()), 120, "the first sleeper's driver to run")
        assert sleepers[0].state.value == "running"
        assert sleepers[1].state.value in ("starting", "running")  # its driver waits for a core
        sleepers[0].kill()
        replacement = create_batch_when_free(livy, sleep_file, 60, spark_conf=conf)
        sleepers.append(replacement)
        assert replacement.state.value in ("starting", "running")
        assert sleepers[1].state.value in ("starting", "running")
    finally:
        for b in sleepers:
            try:
                b.kill()
            except requests.RequestException:
                pass
    wait_for(lambda: local.condition("LivyResponding", "message").startswith("0/2 sessions in use"), 60,
             "the sessions to be released")

    # A Livy that stops answering (its server frozen: the port still accepts connections, so
    # it stays Ready) is a False condition and spyt_livy_up 0, and the local controller keeps going.
    livy_jvms = local.pids_running(b"spyt-launcher\x00livy")
    assert len(livy_jvms) == 1, livy_jvms
    os.kill(livy_jvms[0], signal.SIGSTOP)
    try:
        wait_for(lambda: local.condition("LivyResponding", "reason") == "NotAnswering", 30,
                 "LivyResponding to say Livy does not answer")
        assert f"spyt_livy_up{{{series}}} 0" in local.metrics()
        assert f"spyt_livy_sessions_in_use{{{series}}}" not in local.metrics()
        assert local.condition("LivyReady") == "True" and local.proc.poll() is None
    finally:
        os.kill(livy_jvms[0], signal.SIGCONT)
    wait_for(lambda: local.condition("LivyResponding") == "True", 30, "Livy to answer again")

    # Three workers: edit the file.
    cluster["spec"]["workers"]["replicas"] = 3
    local.write(cluster)
    wait_for(lambda: local.alive_workers() == 3, 180, "3 workers registered at the master")

    # A killed worker is restarted and registers again.
    worker_launchers = local.pids_running(b"spyt-launcher\x00worker")
    assert worker_launchers
    os.killpg(worker_launchers[0], signal.SIGKILL)
    wait_for(lambda: "restarting after backoff" in local.log.read_text(), 30, "the local controller to notice the crash")
    wait_for(lambda: local.condition("WorkersReady") == "True" and local.alive_workers() >= 3, 120,
             "the worker to be back")

    # Livy disabled: its process and discovery entry go away.
    cluster["spec"]["livy"]["enabled"] = False
    local.write(cluster)
    wait_for(lambda: "livy" not in local.discovery(), 60, "the Livy discovery entry to go")
    wait_for(lambda: "spyt_livy_up{" not in local.metrics(), 30, "the Livy series to go")
    assert local.condition("LivyResponding") is None
    wait_for(lambda: not local.pids_running(b"spyt-launcher\x00livy"), 60, "the Livy launcher to exit")

    # The file removed: every process of the cluster stops, the local controller stays up.
    (local.manifests / "cluster.yaml").unlink()
    wait_for(lambda: marked_pids(local.marker) == [local.proc.pid], 90, "every cluster process to exit")
    assert local.proc.poll() is None
    assert local.stop() == 0


def test_an_invalid_file_is_reported_and_starts_nothing(local):
    bad = copy.deepcopy(CLUSTER)
    bad["spec"]["livy"]["maxSessions"] = 0
    local.write(bad)
    local.start()
    wait_for(lambda: "invalid manifest" in local.log.read_text(), 30, "the local controller to report the file")
    assert "spec.livy.maxSessions" in local.log.read_text()
    assert marked_pids(local.marker) == [local.proc.pid]
    assert local.stop() == 0
