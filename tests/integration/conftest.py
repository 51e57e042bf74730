"""Fixtures shared by the integration tests.

The tests run against the real control plane that ``hack/control-plane.sh up``
starts (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
with one fake node, all on 127.0.0.1). They never start or stop it themselves:
a missing or unreachable control plane is a failure, not a skip.
"""

import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTROL_PLANE_SH = REPO_ROOT / "hack" / "control-plane.sh"
CRD_FILE = REPO_ROOT / "crds" / "spyt.dev_spytclusters.yaml"


def _state_dir() -> Path:
    return Path(os.environ.get("SPYT_CONTROL_PLANE_DIR") or "/tmp/spyt-operator-control-plane")


def _cache_dir() -> Path:
    if os.environ.get("SPYT_CACHE"):
        return Path(os.environ["SPYT_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "spyt-operator"


class ControlPlane:
    """A handle on the running control plane, used through kubectl."""

    crd_file = CRD_FILE

    def __init__(self, state_dir: Path, kubectl_bin: Path):
        self.state_dir = state_dir
        self.kubeconfig = str(state_dir / "kubeconfig")
        self.kubectl_bin = str(kubectl_bin)
        # The one kwok node, Ready and untainted; pods get 127.x IPs.
        self.node_name = os.environ.get("SPYT_FAKE_NODE_NAME") or "spyt-fake-node"

    def kubectl(self, *args, check=True, input=None, kubeconfig=None, timeout=60):
        """Runs kubectl (as admin unless ``kubeconfig`` is given) and returns the
        CompletedProcess with text stdout/stderr. ``input`` may be a str, or a
        dict/list that is sent as JSON (e.g. for ``apply -f -``). With ``check``
        a non-zero exit fails the test, showing the command and its stderr."""
        if input is not None and not isinstance(input, (str, bytes)):
            input = json.dumps(input)
        cmd = [self.kubectl_bin, "--kubeconfig", kubeconfig or self.kubeconfig, *map(str, args)]
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            pytest.fail(
                f"kubectl failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}",
                pytrace=False,
            )
        return proc

    def kubectl_json(self, *args, **kwargs):
        """Runs ``kubectl ARGS -o json`` and returns the parsed output."""
        return json.loads(self.kubectl(*args, "-o", "json", **kwargs).stdout)

    def get(self, namespace, kind, name, check=False):
        """The object as a dict, or None when kubectl cannot get it (e.g. NotFound);
        with ``check`` that fails the test instead."""
        proc = self.kubectl("get", kind, name, "-n", namespace, "-o", "json", check=check)
        return json.loads(proc.stdout) if proc.returncode == 0 else None

    def exists(self, namespace, kind, name):
        return self.get(namespace, kind, name) is not None

    @staticmethod
    def condition(obj, type_, field=None):
        """The condition of ``type_`` in obj's status (obj may be None), or None; with
        ``field`` only that field of it (None when the condition is missing)."""
        found = next((c for c in (obj or {}).get("status", {}).get("conditions", []) if c["type"] == type_),
                     None)
        return found if field is None or found is None else found.get(field)

    def wait_ready(self, namespace, name, timeout=90):
        """kubectl wait for the SpytCluster's Ready condition."""
        self.kubectl("wait", "--for=condition=Ready", f"--timeout={timeout}s", f"spytcluster/{name}",
                     "-n", namespace, timeout=timeout + 10)

    def apply_crd(self, crd=None):
        """Server-side applies (as field manager spyt-tests) the SpytCluster CRD of
        crds/, or ``crd`` (a dict) instead."""
        self.kubectl("apply", "--server-side", "--field-manager=spyt-tests", "--force-conflicts",
                     "-f", CRD_FILE if crd is None else "-", input=crd)

    def user_kubeconfig(self, user, groups=()):
        """Mints a client-certificate user (CN=user, O=each group) with
        ``hack/control-plane.sh kubeconfig`` and returns its kubeconfig path."""
        proc = subprocess.run(
            [str(CONTROL_PLANE_SH), "kubeconfig", user, *groups],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "SPYT_CONTROL_PLANE_DIR": str(self.state_dir)},
        )
        if proc.returncode != 0:
            pytest.fail(f"control-plane.sh kubeconfig {user} failed:\n{proc.stderr}", pytrace=False)
        return proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def control_plane():
    state_dir = _state_dir()
    kubeconfig = state_dir / "kubeconfig"
    hint = "start it with `hack/control-plane.sh up` (and stop it with `hack/control-plane.sh down`)"
    if not kubeconfig.is_file():
        pytest.fail(f"no control plane: {kubeconfig} does not exist; {hint}", pytrace=False)
    kubectl_bin = _cache_dir() / "bin" / "current" / "kubectl"
    if not os.access(kubectl_bin, os.X_OK):
        pytest.fail(f"{kubectl_bin} is missing; run hack/tools.sh", pytrace=False)
    cp = ControlPlane(state_dir, kubectl_bin)
    proc = cp.kubectl("get", "--raw", "/readyz", check=False, timeout=20)
    if proc.returncode != 0 or proc.stdout.strip() != "ok":
        pytest.fail(
            f"the control plane of {kubeconfig} does not answer /readyz ({proc.stderr.strip()}); {hint}",
            pytrace=False,
        )
    return cp


@pytest.fixture
def namespace(control_plane, request):
    """A fresh namespace named after the test. Afterwards its deletion is only
    requested: the namespace controller removes the content within seconds, and
    waiting for that would add ~5 s to every test."""
    base = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower()).strip("-")[:40].rstrip("-")
    name = f"it-{base}-{uuid.uuid4().hex[:6]}"
    control_plane.kubectl("create", "namespace", name)
    yield name
    control_plane.kubectl("delete", "namespace", name, "--wait=false")


@pytest.fixture(scope="session")
def crd(control_plane):
    """The control plane with the SpytCluster CRD installed and Established."""
    control_plane.apply_crd()
    control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s",
                          "crd/spytclusters.spyt.dev")
    return control_plane
