"""The SpytCluster reconciler end to end on the real control plane: kube-apiserver,
kube-controller-manager (garbage collection, StatefulSet/Deployment -> Pods),
kube-scheduler and kwok (fake nodes make pods Ready)."""

import json
import subprocess
import time

import pytest
import yaml

from operator_proc import BINARY, REPO, OperatorProcess, wait_for
from prometheus_proc import Prometheus

LIVY = REPO / "examples" / "livy.yaml"
DOMAIN = "cluster.local"


@pytest.fixture
def operator(crd, namespace, tmp_path):
    op = OperatorProcess(crd.kubeconfig, tmp_path / "operator.log",
                         ["--watch-namespaces", namespace], metrics=True).start()
    yield op
    code = op.stop()
    print(f"---- operator log (exit {code})\n{op.log()[-6000:]}")


def container(obj):
    return obj["spec"]["template"]["spec"]["containers"][0]


def test_livy_cluster_converges_to_ready_with_spyt_flags_and_sizing(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    livy = crd.get(namespace, "deployment", "livy-livy")
    c = container(livy)
    args = c["args"]
    for flag, value in [("--livy-max-sessions", "5"), ("--livy-driver-cores", "1"), ("--livy-driver-memory", "1024m")]:
        assert args[args.index(flag) + 1] == value
    assert "--enable-livy" in args
    assert args[args.index("--master") + 1] == f"spark://livy-master.{namespace}.svc.{DOMAIN}:7077"
    assert c["resources"]["limits"] == {"cpu": "6", "memory": "6Gi"}
    workers = crd.get(namespace, "statefulset", "livy-worker")
    assert workers["spec"]["replicas"] == 2
    # offer 1 core / 1G + default overheads 0 cores / 2G
    assert container(workers)["resources"]["limits"] == {"cpu": "1", "memory": "3Gi"}
    assert crd.get(namespace, "statefulset", "livy-master") is not None
    assert crd.get(namespace, "deployment", "livy-history-server") is None
    for obj in [livy, workers]:
        refs = obj["metadata"]["ownerReferences"]
        assert refs[0]["kind"] == "SpytCluster" and refs[0]["controller"] is True
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container(obj)["securityContext"]["allowPrivilegeEscalation"] is False
    cluster = crd.get(namespace, "spytcluster", "livy")
    st = cluster["status"]
    assert st["observedGeneration"] == cluster["metadata"]["generation"]
    assert st["workers"] == {"desired": 2, "ready": 2, "summary": "2/2"}
    assert st["endpoints"]["livy"] == f"http://livy-livy.{namespace}.svc.{DOMAIN}:8998"
    assert crd.condition(cluster, "LivyReady")["status"] == "True"
    assert crd.condition(cluster, "HistoryServerReady")["reason"] == "Disabled"
    pods = crd.kubectl_json("get", "pods", "-n", namespace, "-l", "app.kubernetes.io/instance=livy")
    assert len(pods["items"]) == 4  # master, 2 workers, livy


def test_discovery_records_and_command(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    cm = wait_for(lambda: (c := crd.get(namespace, "configmap", "livy-discovery")) and "livy" in c["data"] and c,
                  30, "the discovery ConfigMap with Livy")
    host = f"livy-master.{namespace}.svc.{DOMAIN}"
    assert cm["data"]["spark_address"] == f"{host}:7077"
    assert cm["data"]["livy"] == f"livy-livy.{namespace}.svc.{DOMAIN}:8998"
    assert cm["data"]["version"] == "2.9.3"
    out = subprocess.run([BINARY, "discovery", "livy", "-n", namespace, "--kubeconfig", crd.kubeconfig],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"Master: {host}:7077",
        f"Master Web UI: http://{host}:8080/",
        f"Master REST API Endpoint: {host}:6066",
        "Operation: None",
        "Spark History Server: None",
        f"Livy Server: http://livy-livy.{namespace}.svc.{DOMAIN}:8998/",
        "SPYT Cluster version: 2.9.3",
    ]


def test_scale_subresource_scales_workers(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    crd.kubectl("scale", "spytcluster/livy", "--replicas=4", "-n", namespace)
    wait_for(lambda: (crd.get(namespace, "statefulset", "livy-worker") or {}).get("spec", {}).get("replicas") == 4,
             30, "the worker StatefulSet to have 4 replicas")
    wait_for(lambda: crd.get(namespace, "spytcluster", "livy")["status"]["workers"]["summary"] == "4/4",
             60, "4/4 workers in status")
    crd.wait_ready(namespace, "livy")


def test_disabling_livy_removes_its_objects(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    crd.kubectl("patch", "spytcluster", "livy", "-n", namespace, "--type=merge",
                "-p", json.dumps({"spec": {"livy": {"enabled": False}}}))
    wait_for(lambda: crd.get(namespace, "deployment", "livy-livy") is None, 30, "the Livy Deployment to go")
    wait_for(lambda: crd.get(namespace, "service", "livy-livy") is None, 30, "the Livy Service to go")
    wait_for(lambda: "livy" not in crd.get(namespace, "configmap", "livy-discovery")["data"], 30,
             "the Livy discovery entry to go")
    cluster = crd.get(namespace, "spytcluster", "livy")
    assert crd.condition(cluster, "LivyReady")["reason"] == "Disabled"
    crd.wait_ready(namespace, "livy")


def test_children_changed_or_deleted_by_hand_are_put_back(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    uid = crd.get(namespace, "service", "livy-master")["metadata"]["uid"]
    crd.kubectl("delete", "service", "livy-master", "-n", namespace)
    wait_for(lambda: (s := crd.get(namespace, "service", "livy-master")) and s["metadata"]["uid"] != uid,
             30, "the master Service to be recreated")
    crd.kubectl("patch", "deployment", "livy-livy", "-n", namespace, "--type=json", "-p",
                json.dumps([{"op": "replace", "path": "/spec/template/spec/containers/0/args/7", "value": "99"}]))
    wait_for(lambda: container(crd.get(namespace, "deployment", "livy-livy"))["args"][7] != "99", 30,
             "the edited Livy args to be restored")


def test_deleting_the_cluster_garbage_collects_children(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    assert wait_for(lambda: operator.metric("spyt_cluster_workers_desired", namespace=namespace, name="livy"),
                    30, "the cluster's metric series") == 2
    crd.kubectl("delete", "spytcluster", "livy", "-n", namespace)
    for kind in ["statefulset", "deployment", "service", "configmap"]:
        wait_for(lambda: not crd.kubectl_json("get", kind, "-n", namespace, "-l",
                                              "app.kubernetes.io/instance=livy")["items"],
                 60, f"{kind}s of the cluster to be garbage-collected")
    wait_for(lambda: operator.metric("spyt_cluster_workers_desired", namespace=namespace, name="livy") == 0,
             30, "the deleted cluster's metric series to disappear")


def settled(counter, quiet=2.0):
    """True when counter() does not move for `quiet` seconds."""
    first = counter()
    time.sleep(quiet)
    return counter() == first


def test_a_no_op_resync_makes_zero_writes(crd, namespace, operator):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    writes = lambda: sum(operator.metric("rest_client_requests_total", method=m)
                         for m in ["POST", "PUT", "PATCH", "DELETE"])
    reconciles = lambda: operator.metric("controller_runtime_reconcile_total", controller="spytcluster")
    wait_for(lambda: settled(writes), 30, "the operator's writes to settle")
    before_writes, before_reconciles = writes(), reconciles()
    assert before_writes > 0, "the metric must count the writes that built the cluster"
    for i in range(5):  # each annotation change triggers a reconcile of an unchanged spec
        crd.kubectl("annotate", "spytcluster", "livy", "-n", namespace, f"test/poke=n{i}", "--overwrite")
    wait_for(lambda: reconciles() >= before_reconciles + 5, 30, "5 more reconciles")
    time.sleep(1)
    assert writes() == before_writes, "an unchanged cluster must cost zero writes"


def test_invalid_spec_marks_degraded_and_leaves_running_components(crd, namespace, operator, tmp_path):
    """A CRD from an older release (Helm does not upgrade CRDs) may lack a rule the
    operator knows: the operator still refuses the spec, says why, and touches nothing."""
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    before = crd.get(namespace, "deployment", "livy-livy")
    old = yaml.safe_load(crd.crd_file.read_text())
    livy_schema = old["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["livy"]
    livy_schema.pop("x-kubernetes-validations")
    crd.apply_crd(old)
    try:
        crd.kubectl("patch", "spytcluster", "livy", "-n", namespace, "--type=merge", "-p",
                    json.dumps({"spec": {"livy": {"resources": {"limits": {"memory": "2Gi"}}}}}))
        degraded = wait_for(lambda: (c := crd.condition(crd.get(namespace, "spytcluster", "livy"), "Degraded"))
                            and c["status"] == "True" and c, 30, "Degraded=True")
        assert degraded["reason"] == "InvalidSpec"
        stalled = crd.condition(crd.get(namespace, "spytcluster", "livy"), "Stalled")
        assert stalled["status"] == "True" and stalled["reason"] == "InvalidSpec"  # kstatus: Failed
        assert "spec.livy.resources.limits[memory]" in degraded["message"]
        events = crd.kubectl_json("get", "events", "-n", namespace,
                                  "--field-selector", "involvedObject.name=livy,reason=InvalidSpec")
        assert events["items"] and events["items"][0]["type"] == "Warning"
        after = crd.get(namespace, "deployment", "livy-livy")
        assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    finally:
        crd.apply_crd()


def test_metrics_exposition_passes_promtool(crd, namespace, operator):
    import urllib.request
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    with urllib.request.urlopen(f"http://127.0.0.1:{operator.metrics_port()}/metrics", timeout=5) as r:
        text = r.read().decode()
    for name in ["controller_runtime_reconcile_total", "workqueue_depth", "rest_client_requests_total",
                 "spyt_operator_child_applies_total", "spyt_operator_build_info"]:
        assert name in text
    check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True,
                           timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    assert operator.metric("spyt_operator_child_applies_total", kind="Deployment") >= 1


def test_a_real_prometheus_scrapes_the_operator(crd, namespace, operator, tmp_path):
    crd.kubectl("apply", "-n", namespace, "-f", LIVY)
    crd.wait_ready(namespace, "livy")
    with Prometheus(tmp_path, "spyt-operator", [f"127.0.0.1:{operator.metrics_port()}"]) as prom:
        selector = f'namespace="{namespace}",name="livy"'
        assert wait_for(lambda: prom.query(f"spyt_cluster_workers_ready{{{selector}}}") == [2.0], 60,
                        "Prometheus to scrape 2 ready workers")
        assert prom.query(f'spyt_cluster_condition{{{selector},type="Ready"}}') == [1.0]
        assert prom.query(f"spyt_cluster_livy_max_sessions{{{selector}}}") == [5.0]
        assert prom.query('up{job="spyt-operator"}') == [1.0]
        assert prom.query('sum(controller_runtime_reconcile_total{controller="spytcluster"}) > 0')


def test_the_yt_token_appears_nowhere_the_operator_writes(crd, namespace, operator):
    """The token lives in a Secret; workloads name it (secretKeyRef). Nothing the operator
    writes or says carries its value: no object of any kind in the namespace but the
    Secret itself, no event, no status, no log line, no metric."""
    import base64
    import secrets
    import urllib.request
    token = "yt-token-scan-" + secrets.token_hex(12)
    forms = [token, base64.b64encode(token.encode()).decode()]  # as Secret data stores it too
    crd.kubectl("create", "secret", "generic", "yt-token", "-n", namespace, f"--from-literal=token={token}")
    cluster = yaml.safe_load(LIVY.read_text())
    cluster["spec"]["yt"] = {"proxy": "yt.example.com", "user": "robot-spark",
                             "tokenSecretRef": {"name": "yt-token", "key": "token"}}
    crd.kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(cluster))
    crd.wait_ready(namespace, "livy")
    # A change, so that events, status updates and re-applies happen too.
    crd.kubectl("patch", "spytcluster", "livy", "-n", namespace, "--type=merge",
                "-p", '{"spec":{"workers":{"replicas":3}}}')
    wait_for(lambda: (crd.get(namespace, "spytcluster", "livy") or {}).get("status", {})
             .get("workers", {}).get("ready") == 3, 90, "3 ready workers")
    # The token reaches the workloads by reference: the scan below is not vacuous.
    refs = 0
    for kind, name in [("statefulset", "livy-master"), ("statefulset", "livy-worker"), ("deployment", "livy-livy")]:
        env = container(crd.get(namespace, kind, name))["env"]
        yt = [e for e in env if e["name"] == "YT_TOKEN"]
        assert yt == [{"name": "YT_TOKEN", "valueFrom": {"secretKeyRef": {"name": "yt-token", "key": "token"}}}], (kind, yt)
        refs += 1
    assert refs == 3
    kinds = crd.kubectl("api-resources", "--namespaced", "--verbs=list", "-o", "name").stdout.split()
    scanned = []
    for kind in kinds:
        if kind == "secrets":
            continue
        text = crd.kubectl("get", kind, "-n", namespace, "-o", "json", check=False).stdout
        scanned.append(kind)
        for form in forms:
            assert form not in text, f"the token in {kind}"
    assert {"configmaps", "events", "spytclusters.spyt.dev", "statefulsets.apps",
            "deployments.apps", "pods"} <= set(scanned)
    with urllib.request.urlopen(f"http://127.0.0.1:{operator.metrics_port()}/metrics", timeout=5) as r:
        metrics = r.read().decode()
    log = operator.log()
    assert "livy" in log and "spyt_cluster_workers_ready" in metrics
    for form in forms:
        assert form not in metrics and form not in log
