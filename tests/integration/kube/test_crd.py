"""The SpytCluster CRD against a real kube-apiserver, and agreement between the
API server and the operator's own validator and defaulting on the whole corpus
(examples/, tests/data/valid/, tests/data/invalid/)."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(os.environ.get("SPYT_SOURCE_DIR") or Path(__file__).resolve().parents[3])
CRD = REPO / "crds" / "spyt.dev_spytclusters.yaml"
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
VALID = sorted((REPO / "tests" / "data" / "valid").glob("*.yaml"))
INVALID = sorted((REPO / "tests" / "data" / "invalid").glob("*.yaml"))


def operator(*args):
    binary = os.environ.get("SPYT_OPERATOR_BIN") or str(REPO / "build" / "controller" / "spyt-operator")
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, timeout=30)


def expected_field(path):
    m = re.search(r"^# expect: (\S+)$", path.read_text(), re.M)
    assert m, f"{path.name} has no '# expect: FIELD' line"
    return m.group(1)


def operator_errors(path):
    proc = operator("validate", "-o", "json", path)
    report = json.loads(proc.stdout)
    return proc.returncode, [e["field"] for r in report for e in r.get("errors", [])]


def test_crd_is_established_with_served_names(crd):
    got = crd.kubectl_json("get", "crd", "spytclusters.spyt.dev")
    names = got["status"]["acceptedNames"]
    assert names["kind"] == "SpytCluster"
    assert "spyt" in names["shortNames"]
    conditions = {c["type"]: c["status"] for c in got["status"]["conditions"]}
    assert conditions.get("NamesAccepted") == "True"
    assert conditions.get("Established") == "True"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_accepted_and_defaulted_like_the_operator(crd, namespace, path):
    crd.kubectl("apply", "-n", namespace, "-f", path)
    name = yaml.safe_load(path.read_text())["metadata"]["name"]
    stored = crd.kubectl_json("get", "spytcluster", name, "-n", namespace)
    proc = operator("default", "-o", "json", path)
    assert proc.returncode == 0, proc.stderr
    ours = json.loads(proc.stdout)
    assert stored["spec"] == ours["spec"]
    assert stored["spec"]["livy"]["maxSessions"] >= 1
    assert stored["spec"]["master"]["ports"] == {"rpc": 7077, "webUI": 8080, "rest": 6066}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_corpus_is_accepted_by_both(crd, namespace, path):
    proc = crd.kubectl("create", "--dry-run=server", "-n", namespace, "-f", path, check=False)
    assert proc.returncode == 0, proc.stderr
    code, fields = operator_errors(path)
    assert code == 0 and fields == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_corpus_is_rejected_by_both_at_the_same_field(crd, namespace, path):
    field = expected_field(path)
    proc = crd.kubectl("create", "--dry-run=server", "-n", namespace, "-f", path, check=False)
    assert proc.returncode != 0, f"the API server accepted {path.name}"
    assert field in proc.stderr, f"the API server's message does not name {field}:\n{proc.stderr}"
    code, fields = operator_errors(path)
    assert code == 1
    assert field in fields, f"the operator reported {fields}, not {field}"


def test_explain_describes_the_livy_fields(crd):
    out = crd.kubectl("explain", "spytcluster.spec.livy").stdout
    for field in ["maxSessions", "driverCores", "driverMemory", "sessionTimeout", "enabled"]:
        assert field in out
    assert "--livy-max-sessions" in out
    assert "HTTP 400" in out


def test_scale_subresource_changes_worker_replicas(crd, namespace):
    crd.kubectl("apply", "-n", namespace, "-f", REPO / "examples" / "minimal.yaml")
    crd.kubectl("scale", "spytcluster/minimal", "--replicas=4", "-n", namespace)
    got = crd.kubectl_json("get", "spytcluster", "minimal", "-n", namespace)
    assert got["spec"]["workers"]["replicas"] == 4
    scale = json.loads(crd.kubectl(
        "get", "--raw",
        f"/apis/spyt.dev/v1alpha1/namespaces/{namespace}/spytclusters/minimal/scale").stdout)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 4


def test_status_is_a_subresource(crd, namespace):
    crd.kubectl("apply", "-n", namespace, "-f", REPO / "examples" / "minimal.yaml")
    # Status sent with the main resource is dropped ...
    crd.kubectl("patch", "spytcluster", "minimal", "-n", namespace, "--type=merge",
                "-p", json.dumps({"status": {"observedGeneration": 7}}))
    got = crd.kubectl_json("get", "spytcluster", "minimal", "-n", namespace)
    assert "status" not in got or got["status"].get("observedGeneration") != 7
    # ... and accepted through /status, with conditions validated.
    crd.kubectl("patch", "spytcluster", "minimal", "-n", namespace, "--subresource=status",
                "--type=merge", "-p", json.dumps({"status": {
                    "observedGeneration": 1,
                    "workers": {"desired": 2, "ready": 1, "summary": "1/2"},
                    "conditions": [{"type": "Ready", "status": "False", "reason": "WorkersNotReady",
                                    "message": "1/2 workers ready",
                                    "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}))
    table = crd.kubectl("get", "spyt", "minimal", "-n", namespace).stdout
    header, row = table.splitlines()[:2]
    assert header.split()[:4] == ["NAME", "READY", "WORKERS", "LIVY"]
    assert row.split()[:3] == ["minimal", "False", "1/2"]
    bad = crd.kubectl("patch", "spytcluster", "minimal", "-n", namespace, "--subresource=status",
                      "--type=merge", "-p", json.dumps({"status": {"conditions": [
                          {"type": "Ready", "status": "Maybe", "reason": "x", "message": "",
                           "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}), check=False)
    assert bad.returncode != 0 and "status.conditions[0].status" in bad.stderr


def test_cel_rules_run_on_update_too(crd, namespace):
    crd.kubectl("apply", "-n", namespace, "-f", REPO / "examples" / "livy.yaml")
    proc = crd.kubectl("patch", "spytcluster", "livy", "-n", namespace, "--type=merge", "-p",
                       json.dumps({"spec": {"livy": {"resources": {"limits": {"cpu": "2"}}}}}),
                       check=False)
    assert proc.returncode != 0
    assert "spec.livy.resources.limits[cpu]" in proc.stderr
    got = crd.kubectl_json("get", "spytcluster", "livy", "-n", namespace)
    assert "resources" not in got["spec"]["livy"], "a rejected update must leave the object as it was"
