"""The Helm chart (charts/spyt-operator) and the install manifests on the real control plane.

Rendering: `helm lint --strict`, the values schema, and server-side dry runs of the output
(cluster-wide, per-namespace, with the monitoring objects). Lifecycle: `helm install` into
spyt-system (restricted Pod Security; kwok plays the pods), then the real operator binary,
run locally with the chart's ServiceAccount token and the chart's flags, reconciles
examples/livy.yaml to Ready, which proves the RBAC is sufficient; `kubectl auth can-i`
shows what it is denied; `helm upgrade` to per-namespace Roles (and the operator still
works); `helm uninstall` leaves the CRD. The image files in docker/ are checked against
the binary and the chart."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

import dockerfiles

from helm_release import (CHART, KUBE_VERSION, LEASE, RELEASE, SYSTEM_NS, code_permissions, find, helm,
                          permission_set, release, render, render_text, system_namespace)  # noqa: F401 (fixtures)
from operator_proc import BINARY, REPO, OperatorProcess, wait_for

INSTALL = REPO / "manifests" / "install.yaml"
LIVY = REPO / "examples" / "livy.yaml"
OPERATOR_DOCKERFILE = REPO / "docker" / "operator.Dockerfile"
SPYT_DOCKERFILE = REPO / "docker" / "spyt.Dockerfile"


def dry_run(cp, docs):
    """Server-side dry run of objects: admission, schema and RBAC validation, nothing stored."""
    return cp.kubectl("apply", "--server-side", "--dry-run=server", "--field-manager=helm-test",
                      "--force-conflicts", "-f", "-", input={"apiVersion": "v1", "kind": "List", "items": docs})


def rule_set(role):
    out = set()
    for rule in role["rules"]:
        for g in rule["apiGroups"]:
            for r in rule["resources"]:
                for v in rule["verbs"]:
                    for name in rule.get("resourceNames", [""]):
                        out.add((g, r, v, name))
    return out


def can_i(cp, kubeconfig, *args):
    proc = cp.kubectl("auth", "can-i", *args, kubeconfig=kubeconfig, check=False)
    assert proc.stdout.strip() in ("yes", "no"), proc.stderr
    return proc.stdout.strip() == "yes"


def sa_kubeconfig(cp, path):
    """A kubeconfig with the chart ServiceAccount's token and the control plane's server/CA."""
    token = cp.kubectl("create", "token", RELEASE, "-n", SYSTEM_NS, "--duration=1h").stdout.strip()
    admin = yaml.safe_load(Path(cp.kubeconfig).read_text())
    cluster = admin["clusters"][0]["cluster"]
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "test", "cluster": cluster}],
        "users": [{"name": RELEASE, "user": {"token": token}}],
        "contexts": [{"name": "sa", "context": {"cluster": "test", "user": RELEASE}}],
        "current-context": "sa",
    }))
    return str(path)


def chart_operator_args(cp):
    """The installed Deployment's flags, made runnable here: probes and metrics on loopback
    port 0 and the log format OperatorProcess reads are its own; $(POD_NAMESPACE) is what
    the kubelet would substitute."""
    deploy = cp.kubectl_json("get", "deployment", RELEASE, "-n", SYSTEM_NS)
    args = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
    local_only = ("--metrics-bind-address=", "--health-probe-bind-address=", "--log-format=")
    return [a.replace("$(POD_NAMESPACE)", SYSTEM_NS) for a in args if not a.startswith(local_only)]


def start_operator(kubeconfig, log_path, args):
    return OperatorProcess(kubeconfig, log_path, args, metrics=True).start()


def stop_operator(op):
    code = op.stop()
    print(f"---- operator log (exit {code})\n{op.log()[-6000:]}")


def forbidden_lines(op, *needles):
    """Log lines reporting 403s about any of `needles` (other tests' namespaces may be
    terminating, where every write is a 403 that says nothing about this chart)."""
    return [line for line in op.log().splitlines()
            if re.search(r"forbidden|\b403\b", line, re.I) and any(n in line for n in needles)]


# ------------------------------------------------------------------ rendering


def test_lint_is_strictly_clean_with_defaults_and_every_option(control_plane):
    for extra in [[], ["--set", "watchNamespaces={a,b}", "--set", "prometheusRule.enabled=true",
                       "--set", "dashboard.enabled=true", "--set", "metrics.serviceMonitor.enabled=true",
                       "--set", "leaderElection.enabled=false", "--set", "replicas=1"]]:
        out = helm(control_plane, "lint", "--strict", CHART, "--kube-version", KUBE_VERSION, *extra).stdout
        assert "0 chart(s) failed" in out, out
        assert "[WARNING]" not in out and "[ERROR]" not in out, out


@pytest.mark.parametrize("values, message", [
    (["--set", "replica=3"], "additional properties 'replica' not allowed"),
    (["--set", "logLevel=verbose"], "logLevel"),
    (["--set", "leaderElection.leaseDuration=15"], "leaseDuration"),
    (["--set", "metrics.port=0"], "port"),
    (["--set", "watchNamespaces={Bad_Name}"], "watchNamespaces"),
    (["--set", "prometheusRule.disabledAlerts={NoSuchAlert}"], "disabledAlerts"),
    (["--set", "leaderElection.enabled=false"], "replicas > 1 needs leaderElection.enabled"),
], ids=["unknown key", "log level", "duration without unit", "port 0", "namespace name", "alert name",
        "two leaders"])
def test_values_that_would_break_the_operator_are_rejected(control_plane, values, message):
    proc = render_text(control_plane, *values, check=False)
    assert proc.returncode != 0, f"{values} rendered:\n{proc.stdout[:500]}"
    assert message in proc.stderr, proc.stderr


def test_default_render_and_install_manifests_pass_a_server_side_dry_run(control_plane, system_namespace):
    docs = render(control_plane, "--include-crds")
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == sorted(["CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRole",
                            "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
                            "Deployment", "PodDisruptionBudget"])
    dry_run(control_plane, docs)
    install = [d for d in yaml.safe_load_all(INSTALL.read_text()) if d]
    assert install[0]["kind"] == "Namespace" and install[1:] == docs, "run `make manifests`"
    dry_run(control_plane, install)
    # The kustomize base is install.yaml as it is (kustomize only reorders by kind).
    kustomized = control_plane.kubectl("kustomize", REPO / "manifests").stdout
    canonical = lambda ds: sorted(json.dumps(d, sort_keys=True) for d in ds if d)
    assert canonical(yaml.safe_load_all(kustomized)) == canonical(install)


def test_watch_namespaces_render_grants_roles_there_and_nothing_cluster_wide(control_plane, system_namespace,
                                                                              namespace):
    other = f"{namespace}-b"
    control_plane.kubectl("create", "namespace", other)
    try:
        docs = render(control_plane, "--set", f"watchNamespaces={{{namespace},{other}}}")
        dry_run(control_plane, docs)
    finally:
        control_plane.kubectl("delete", "namespace", other, "--wait=false")
    bindings = find(docs, "ClusterRoleBinding")
    assert bindings == [], "watching namespaces must not bind the operator cluster-wide"
    assert {r["metadata"]["name"] for r in find(docs, "ClusterRole")} == {f"{RELEASE}-edit", f"{RELEASE}-view"}
    for ns in (namespace, other):
        [role] = find(docs, "Role", RELEASE, ns)
        assert rule_set(role) == permission_set(code_permissions(), "watched-namespaces")
        [binding] = find(docs, "RoleBinding", RELEASE, ns)
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": RELEASE, "namespace": SYSTEM_NS}]
    args = find(docs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert f"--watch-namespaces={namespace},{other}" in args


def test_rbac_grants_exactly_the_calls_the_operator_makes(control_plane):
    docs = render(control_plane)
    [role] = find(docs, "ClusterRole", RELEASE)
    needed = code_permissions()
    assert rule_set(role) == permission_set(needed, "watched-namespaces")
    [lease_role] = find(docs, "Role", f"{RELEASE}-leader-election", SYSTEM_NS)
    assert rule_set(lease_role) == permission_set(needed, "leader-election-namespace")
    no_election = render(control_plane, "--set", "leaderElection.enabled=false", "--set", "replicas=1")
    assert find(no_election, "Role") == []
    for role in find(docs, "ClusterRole") + find(docs, "Role"):
        for g, r, v, *_ in rule_set(role):
            assert "*" not in (g, r, v) and r not in ("secrets", "pods"), (role["metadata"]["name"], g, r, v)


@pytest.fixture
def monitoring_crds(control_plane):
    """Stand-ins for prometheus-operator's CRDs (group, kinds and scope only; any spec), so
    that the API server can take a dry run of the chart's monitoring objects."""
    names = []
    for kind, plural in [("ServiceMonitor", "servicemonitors"), ("PodMonitor", "podmonitors"),
                         ("PrometheusRule", "prometheusrules")]:
        name = f"{plural}.monitoring.coreos.com"
        if control_plane.kubectl("get", "crd", name, check=False).returncode == 0:
            continue  # a real one is installed: use it, and leave it alone
        control_plane.kubectl("apply", "-f", "-", input={
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": name},
            "spec": {"group": "monitoring.coreos.com", "scope": "Namespaced",
                     "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                               "listKind": kind + "List"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                         "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
        names.append(name)
    for name in names:
        control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s", f"crd/{name}")
    yield
    for name in names:
        control_plane.kubectl("delete", "crd", name, "--wait=false")


def test_monitoring_objects_are_accepted_and_select_the_operator(control_plane, system_namespace,
                                                                 monitoring_crds, tmp_path):
    docs = render(control_plane, "--set", "prometheusRule.enabled=true", "--set", "dashboard.enabled=true",
                  "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.podMonitor.enabled=true",
                  "--set", "prometheusRule.additionalAlertLabels.team=data")
    dry_run(control_plane, docs)
    [service] = find(docs, "Service")
    [deploy] = find(docs, "Deployment")
    pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"] for p in deploy["spec"]["template"]["spec"]["containers"][0]["ports"]}
    [sm] = find(docs, "ServiceMonitor")
    assert sm["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert sm["spec"]["endpoints"][0]["port"] in {p["name"] for p in service["spec"]["ports"]}
    [pm] = find(docs, "PodMonitor")
    assert pm["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pm["spec"]["podMetricsEndpoints"][0]["port"] in ports
    # Both set job="spyt-operator", which the alerts' job matcher expects.
    assert service["metadata"]["labels"][sm["spec"]["jobLabel"]] == "spyt-operator"
    assert pod_labels[pm["spec"]["jobLabel"]] == "spyt-operator"
    [rule] = find(docs, "PrometheusRule")
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump(rule["spec"]))
    subprocess.run(["promtool", "check", "rules", rules_file], check=True, capture_output=True)
    alerts = [r for g in rule["spec"]["groups"] for r in g["rules"]]
    assert all(r["labels"]["team"] == "data" for r in alerts)
    assert "SpytOperatorNoLeader" in {r["alert"] for r in alerts}
    [dashboard] = find(docs, "ConfigMap")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(dashboard["data"]["spyt-operator.json"])["uid"] == "spyt-operator"


def test_prometheus_rule_follows_leader_election_and_disabled_alerts(control_plane):
    docs = render(control_plane, "--set", "prometheusRule.enabled=true", "--set", "leaderElection.enabled=false",
                  "--set", "replicas=1",
                  "--set", "prometheusRule.disabledAlerts={SpytOperatorFrequentRelists}",
                  "--set", "prometheusRule.jobRegex=spyt-operator-metrics")
    [rule] = find(docs, "PrometheusRule")
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}
    assert "SpytOperatorNoLeader" not in alerts and "SpytOperatorFrequentRelists" not in alerts
    assert all('job=~"spyt-operator-metrics"' in r["expr"] and ".*spyt-operator.*" not in r["expr"]
               for r in alerts.values())


# ------------------------------------------------------------------ the operator image


def test_operator_image_entrypoint_is_what_the_chart_and_tests_run(control_plane):
    build, runtime = dockerfiles.stages(OPERATOR_DOCKERFILE)
    entry = [line for line in runtime["lines"] if line.startswith("ENTRYPOINT")]
    assert json.loads(entry[0].split(None, 1)[1]) == ["spyt-operator", "run"]
    assert "USER 65532:65532" in runtime["lines"]
    [deploy] = find(render(control_plane), "Deployment")
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert "command" not in container and all(a.startswith("--") for a in container["args"])
    # Every flag the chart passes is one `spyt-operator run` knows (--help parses them first).
    args = [a.replace("$(POD_NAMESPACE)", SYSTEM_NS) for a in container["args"]]
    proc = subprocess.run([BINARY, "run", *args, "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


def build_packages():
    """The build packages of hack/install-deps.sh: its -dev libraries and the toolchain."""
    script = (REPO / "hack" / "install-deps.sh").read_text()
    host = set(re.search(r"packages=\((.*?)\)", script, re.S).group(1).split())
    return {p for p in host if p.endswith("-dev")} | {"build-essential", "cmake", "ninja-build", "pkg-config"}


def library_packages(binary):
    """Debian packages owning the shared libraries `binary` loads, less those of every base image."""
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    owners = set()
    for lib in re.findall(r"=> (/\S+)", ldd):
        out = subprocess.run(["dpkg", "-S", os.path.realpath(lib)], capture_output=True, text=True)
        if out.returncode != 0:
            out = subprocess.run(["dpkg", "-S", lib], capture_output=True, text=True)
        assert out.returncode == 0, f"no Debian package owns {lib}"
        owners.add(out.stdout.split(":")[0])
    return owners - {"libc6", "libgcc-s1"}


def test_operator_image_installs_the_build_deps_and_the_binarys_shared_libraries():
    build, runtime = dockerfiles.stages(OPERATOR_DOCKERFILE)
    assert dockerfiles.apt_packages(build) == build_packages()
    assert build["from"].startswith("debian:bookworm") and runtime["from"].startswith("debian:bookworm")
    missing = library_packages(BINARY) - dockerfiles.apt_packages(runtime)
    assert missing == set(), "add these runtime packages to docker/operator.Dockerfile"
    unused = dockerfiles.apt_packages(runtime) - library_packages(BINARY) - {"ca-certificates"}
    assert unused == set(), "the binary links nothing from these: drop them from docker/operator.Dockerfile"


def test_spyt_image_has_what_the_operators_pods_run():
    stages = dockerfiles.stages(SPYT_DOCKERFILE)
    launcher, runtime = stages[0], stages[-1]
    builders = (REPO / "controller" / "cluster" / "builders.h").read_text()
    conf_dir = re.search(r'kConfDir = "([^"]+)"', builders).group(1)
    command = re.search(r'kLauncher = "([^"]+)"', builders).group(1)
    assert dockerfiles.apt_packages(launcher) == build_packages()
    text = "\n".join(runtime["lines"])
    assert f"/usr/local/bin/{command}" in text, "the pods' command must be on PATH"
    assert f"mkdir -p {conf_dir}" in text, "the ConfigMap's mount point"
    for variable in ["JAVA_HOME=", "SPARK_HOME=", "SPYT_DRIVER_HOME=", "SPYT_HOME=", "PYSPARK_PYTHON="]:
        assert variable in text, f"spyt-launcher reads {variable[:-1]}"
    default = re.search(r'kDefaultSpytVersion = "([^"]+)"',
                        (REPO / "controller" / "api" / "defaults.h").read_text()).group(1)
    assert f"ARG SPYT_VERSION={default}" in SPYT_DOCKERFILE.read_text(), \
        "the image's SPYT release defaults to the clusters' default spytVersion"
    assert '"ytsaurus-spyt==${SPYT_VERSION}"' in text
    assert any("hack/build-driver.sh" in line for st in stages for line in st["lines"]), \
        "the image builds the Livy session driver (controller/livy_server/driver)"
    assert "USER 1000:1000" in runtime["lines"], "pods set runAsNonRoot without a user: it must be numeric"
    assert "openjdk-17-jre-headless" in dockerfiles.apt_packages(runtime)
    launcher_bin = Path(BINARY).with_name(command)
    if launcher_bin.exists():  # built alongside the operator once the launcher target exists
        missing = library_packages(str(launcher_bin)) - dockerfiles.apt_packages(runtime)
        assert missing == set(), "add these runtime packages to docker/spyt.Dockerfile"


# ------------------------------------------------------------------ install, run, upgrade, uninstall


def test_install_runs_the_replicas_under_restricted_pod_security(release):
    deploy = release.kubectl_json("get", "deployment", RELEASE, "-n", SYSTEM_NS)
    assert deploy["status"].get("availableReplicas") == 2
    pods = release.kubectl_json("get", "pods", "-n", SYSTEM_NS, "-l", f"app.kubernetes.io/instance={RELEASE}")
    assert len(pods["items"]) == 2
    assert pods["items"][0]["spec"]["serviceAccountName"] == RELEASE
    assert release.kubectl_json("get", "crd", "spytclusters.spyt.dev")["spec"]["group"] == "spyt.dev"


def test_operator_with_the_chart_service_account_reconciles_a_cluster_to_ready(release, namespace, tmp_path):
    kubeconfig = sa_kubeconfig(release, tmp_path / "sa.kubeconfig")
    args = chart_operator_args(release)
    assert "--leader-elect" in args and f"--leader-election-namespace={SYSTEM_NS}" in args
    op = start_operator(kubeconfig, tmp_path / "operator.log", args)
    try:
        release.kubectl("apply", "-n", namespace, "-f", LIVY)
        release.wait_ready(namespace, "livy", timeout=120)
        lease = release.kubectl_json("get", "lease", LEASE, "-n", SYSTEM_NS)
        assert lease["spec"]["holderIdentity"] in op.log()
        wait_for(lambda: op.metric("leader_election_master_status") == 1, 10, "leader_election_master_status 1")
        wait_for(lambda: release.kubectl_json("get", "events", "-n", namespace,
                                              "--field-selector", "reason=ClusterReady")["items"],
                 20, "the ClusterReady Event")
        # Disabling Livy deletes its Deployment and Service: the delete verb works too.
        release.kubectl("patch", "spytcluster", "livy", "-n", namespace, "--type=merge",
                        "-p", json.dumps({"spec": {"livy": {"enabled": False}}}))
        wait_for(lambda: not release.exists(namespace, "deployment", "livy-livy"), 30, "the Livy Deployment to go")
        wait_for(lambda: release.condition(release.get(namespace, "spytcluster", "livy", check=True),
                                           "LivyReady")["reason"] == "Disabled", 30, "LivyReady=Disabled")
        assert forbidden_lines(op, namespace, SYSTEM_NS, "lease") == []
    finally:
        stop_operator(op)


def test_service_account_is_denied_what_the_operator_does_not_use(release, namespace, tmp_path):
    kc = sa_kubeconfig(release, tmp_path / "sa.kubeconfig")
    allowed = [
        ("patch", "spytclusters", "--subresource=status", "-n", namespace),
        ("list", "spytclusters", "--all-namespaces"),
        ("watch", "statefulsets.apps", "--all-namespaces"),
        ("create", "deployments.apps", "-n", namespace),
        ("delete", "services", "-n", namespace),
        ("create", "events", "-n", namespace),
        ("update", f"leases/{LEASE}", "-n", SYSTEM_NS),
        ("create", "leases", "-n", SYSTEM_NS),
    ]
    denied = [
        ("get", "secrets", "-n", namespace),
        ("list", "secrets", "--all-namespaces"),
        ("get", "secrets", "-n", SYSTEM_NS),
        ("create", "pods", "-n", namespace),
        ("delete", "namespaces"),
        ("create", "spytclusters", "-n", namespace),
        ("delete", "spytclusters", "-n", namespace),
        ("update", "leases/someone-elses-lease", "-n", SYSTEM_NS),
        ("create", "leases", "-n", namespace),
        ("get", "nodes"),
        ("create", "clusterrolebindings"),
        ("create", "serviceaccounts", "--subresource=token", "-n", SYSTEM_NS),
    ]
    assert [a for a in allowed if not can_i(release, kc, *a)] == []
    assert [d for d in denied if can_i(release, kc, *d)] == []


def test_upgrade_changes_flags_and_moves_to_namespaced_roles_that_suffice(release, namespace, tmp_path):
    # The CRD step of the upgrade path in charts/spyt-operator/README.md, as written there.
    release.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=spyt-operator-crds",
                    "-f", CHART / "crds")
    release.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/spytclusters.spyt.dev")
    helm(release, "upgrade", RELEASE, CHART, "-n", SYSTEM_NS, "--wait", "--timeout", "180s",
         "--set", "logLevel=debug", "--set", f"watchNamespaces={{{namespace}}}")
    history = json.loads(helm(release, "history", RELEASE, "-n", SYSTEM_NS, "-o", "json").stdout)
    assert history[-1]["status"] == "deployed" and history[-1]["revision"] >= 2
    args = chart_operator_args(release)
    assert "--log-level=debug" in args and f"--watch-namespaces={namespace}" in args
    assert release.kubectl("get", "clusterrolebinding", RELEASE, check=False).returncode != 0
    kc = sa_kubeconfig(release, tmp_path / "sa.kubeconfig")
    assert not can_i(release, kc, "list", "spytclusters", "--all-namespaces")
    assert can_i(release, kc, "list", "spytclusters", "-n", namespace)
    op = start_operator(kc, tmp_path / "operator.log", args)
    try:
        release.kubectl("apply", "-n", namespace, "-f", LIVY)
        release.wait_ready(namespace, "livy", timeout=120)
        assert forbidden_lines(op, namespace, SYSTEM_NS, "lease") == []
    finally:
        stop_operator(op)


def test_uninstall_removes_the_release_and_keeps_the_crd(release, namespace):
    helm(release, "uninstall", RELEASE, "-n", SYSTEM_NS, "--wait", "--timeout", "120s")
    selector = f"app.kubernetes.io/instance={RELEASE}"
    assert release.kubectl_json("get", "deployments,serviceaccounts,roles,rolebindings,services", "-n", SYSTEM_NS,
                                "-l", selector)["items"] == []
    assert release.kubectl_json("get", "clusterroles,clusterrolebindings", "-l", selector)["items"] == []
    # Helm never deletes what crds/ installed: SpytClusters survive an uninstall.
    assert release.kubectl("get", "crd", "spytclusters.spyt.dev", check=False).returncode == 0
    release.kubectl("apply", "-n", namespace, "-f", LIVY)
    assert release.kubectl_json("get", "spytcluster", "livy", "-n", namespace)["metadata"]["name"] == "livy"
