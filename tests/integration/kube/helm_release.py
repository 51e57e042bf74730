"""The chart (charts/spyt-operator) as the Helm tests use it: rendering, the pinned helm, and
the release `spyt-operator` in spyt-system (fixtures `system_namespace` and `release`, which a
test module imports to use), plus the permissions the operator's code says it needs.

Every test module that installs the release shares its name and namespace, so ctest runs them
one at a time (RESOURCE_LOCK in tests/integration/CMakeLists.txt)."""

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from operator_proc import BINARY, REPO

CHART = REPO / "charts" / "spyt-operator"
RELEASE = "spyt-operator"  # the chart's full name is then "spyt-operator" too
SYSTEM_NS = "spyt-system"
LEASE = "spyt-operator-leader"


def _versions():
    env = (REPO / "hack" / "versions.env").read_text()
    return dict(re.findall(r"^([A-Z_]+)=(\S+)", env, re.M))


KUBE_VERSION = _versions()["KUBE_VERSION"]


def helm_bin(control_plane):
    return str(Path(control_plane.kubectl_bin).parent / "helm")


def helm(cp, *args, check=True, timeout=240):
    cmd = [helm_bin(cp), "--kubeconfig", cp.kubeconfig, *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        pytest.fail(f"helm failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}",
                    pytrace=False)
    return proc


def render_text(cp, *args, check=True):
    return helm(cp, "template", RELEASE, CHART, "--namespace", SYSTEM_NS, "--kube-version", KUBE_VERSION,
                *args, check=check)


def render(cp, *args):
    return [d for d in yaml.safe_load_all(render_text(cp, *args).stdout) if d]


def find(docs, kind, name=None, namespace=None):
    return [d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"])
            and namespace in (None, d["metadata"].get("namespace"))]


def code_permissions(lease=LEASE):
    """`spyt-operator permissions`: the entries (apiGroup, resource, verbs, resourceNames, scope)
    the operator's code says `run` needs."""
    proc = subprocess.run([BINARY, "permissions", f"--leader-election-id={lease}"], capture_output=True,
                          text=True, timeout=30, check=True)
    return json.loads(proc.stdout)


def permission_set(entries, scope):
    """The (apiGroup, resource, verb, resourceName or "") of the entries of `scope`."""
    return {(e["apiGroup"], e["resource"], verb, name)
            for e in entries if e["scope"] == scope
            for verb in e["verbs"] for name in e.get("resourceNames", [""])}


@pytest.fixture(scope="module")
def system_namespace(control_plane):
    """spyt-system, enforcing the restricted Pod Security Standard as the plain manifest's does."""
    existing = control_plane.kubectl("get", "namespace", SYSTEM_NS, "-o", "json", check=False)
    if existing.returncode == 0 and json.loads(existing.stdout)["status"]["phase"] == "Terminating":
        # Left by an earlier run, whose teardown does not wait for the deletion.
        control_plane.kubectl("wait", "--for=delete", "--timeout=120s", f"namespace/{SYSTEM_NS}", timeout=130)
        existing = None
    if existing is None or existing.returncode != 0:
        control_plane.kubectl("create", "namespace", SYSTEM_NS)
    control_plane.kubectl("label", "namespace", SYSTEM_NS, "--overwrite",
                          "pod-security.kubernetes.io/enforce=restricted")
    yield SYSTEM_NS
    helm(control_plane, "uninstall", RELEASE, "-n", SYSTEM_NS, "--wait", check=False)
    control_plane.kubectl("delete", "namespace", SYSTEM_NS, "--wait=false", check=False)


@pytest.fixture(scope="module")
def release(control_plane, system_namespace):
    helm(control_plane, "upgrade", "--install", RELEASE, CHART, "-n", SYSTEM_NS, "--wait", "--timeout", "180s")
    control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/spytclusters.spyt.dev")
    return control_plane
