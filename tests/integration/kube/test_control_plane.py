"""The control plane of hack/control-plane.sh really works: the API server, the
controller-manager (Deployments, garbage collection), the scheduler, kwok's fake
node, and client-certificate users under RBAC."""

import re
import uuid
from pathlib import Path

from waiting import wait_for

REPO_ROOT = Path(__file__).resolve().parents[3]

def test_apiserver_readyz(control_plane):
    proc = control_plane.kubectl("get", "--raw", "/readyz?verbose")
    assert proc.stdout.rstrip().endswith("readyz check passed"), proc.stdout
    assert "[+]etcd ok" in proc.stdout


def test_server_version_is_the_pinned_one(control_plane):
    pinned = re.search(r"^KUBE_VERSION=(\S+)", (REPO_ROOT / "hack/versions.env").read_text(), re.M).group(1)
    version = control_plane.kubectl_json("version")
    assert version["serverVersion"]["gitVersion"] == pinned
    assert version["clientVersion"]["gitVersion"] == pinned


def test_fake_node_is_ready_untainted_and_on_loopback(control_plane):
    node = control_plane.kubectl_json("get", "node", control_plane.node_name)
    assert control_plane.condition(node, "Ready", "status") == "True"
    assert node["metadata"]["annotations"].get("kwok.x-k8s.io/node") == "fake"
    # Pods of the operator schedule there without tolerations.
    assert not node["spec"].get("taints"), node["spec"].get("taints")
    addresses = [a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP"]
    assert addresses and all(a.startswith("127.") for a in addresses), addresses


def test_deployment_pod_runs_on_the_fake_node(control_plane, namespace):
    labels = {"app": "pause"}
    control_plane.kubectl("apply", "-n", namespace, "-f", "-", input={
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "pause"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                # The image is never pulled: kwok only plays the kubelet.
                "spec": {"containers": [{"name": "pause", "image": "registry.invalid/pause:1"}]},
            },
        },
    })

    def ready_pod():
        pods = control_plane.kubectl_json("get", "pods", "-n", namespace, "-l", "app=pause")["items"]
        ready = [p for p in pods
                 if p["status"].get("phase") == "Running" and control_plane.condition(p, "Ready", "status") == "True"]
        return ready[0] if ready else None

    pod = wait_for(ready_pod, 60, "the Deployment's pod to be Running and Ready", interval=0.5)
    assert pod["spec"]["nodeName"] == control_plane.node_name
    assert pod["status"]["podIP"].startswith("127."), pod["status"]["podIP"]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"

    def one_ready_replica():
        deploy = control_plane.kubectl_json("get", "deployment", "pause", "-n", namespace)
        return deploy["status"].get("readyReplicas") == 1

    wait_for(one_ready_replica, 60, "the Deployment to report 1 ready replica", interval=0.5)


def test_deleting_an_owner_garbage_collects_what_it_owns(control_plane, namespace):
    owner = control_plane.kubectl_json("create", "configmap", "owner", "-n", namespace)
    control_plane.kubectl("create", "-n", namespace, "-f", "-", input={
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "owned",
            "ownerReferences": [{
                "apiVersion": "v1", "kind": "ConfigMap",
                "name": "owner", "uid": owner["metadata"]["uid"],
            }],
        },
        "data": {"k": "v"},
    })
    control_plane.kubectl("delete", "configmap", "owner", "-n", namespace, "--wait=true")

    def owned_gone():
        proc = control_plane.kubectl("get", "configmap", "owned", "-n", namespace, check=False)
        if proc.returncode == 0:
            return False
        assert "NotFound" in proc.stderr, proc.stderr
        return True

    wait_for(owned_gone, 60, "the garbage collector to delete the owned ConfigMap", interval=0.5)


def test_non_admin_certificate_user_is_subject_to_rbac(control_plane, namespace):
    user = f"spyt-tester-{uuid.uuid4().hex[:6]}"
    group = "spyt-testers"
    kubeconfig = control_plane.user_kubeconfig(user, [group])

    # The certificate's CN and O are the user and its groups.
    review = control_plane.kubectl_json("auth", "whoami", kubeconfig=kubeconfig)
    assert review["status"]["userInfo"]["username"] == user
    assert group in review["status"]["userInfo"]["groups"]

    proc = control_plane.kubectl("get", "secrets", "-n", namespace, kubeconfig=kubeconfig, check=False)
    assert proc.returncode != 0
    assert "Forbidden" in proc.stderr and f'User "{user}"' in proc.stderr, proc.stderr

    # RBAC, not a broken certificate, was what refused it: a grant to the group lets it in.
    control_plane.kubectl("create", "role", "secret-reader", "-n", namespace, "--verb=list", "--resource=secrets")
    control_plane.kubectl("create", "rolebinding", "secret-reader", "-n", namespace,
                          "--role=secret-reader", f"--group={group}")
    wait_for(lambda: control_plane.kubectl("get", "secrets", "-n", namespace, kubeconfig=kubeconfig,
                                           check=False).returncode == 0,
             20, "the group's grant to take effect", interval=0.5)
    # Still nothing outside that namespace.
    proc = control_plane.kubectl("get", "secrets", "-n", "default", kubeconfig=kubeconfig, check=False)
    assert proc.returncode != 0 and "Forbidden" in proc.stderr, proc.stderr
