"""What the chaos tests share: a seeded workload of SpytClusters (create, scale,
edit, delete, re-create) and the check that the namespace holds exactly what the
surviving specs ask for.

The expected children come from the operator's own builders (`spyt-operator
render`, the objects the reconciler applies, with their desired-hash annotation),
so the check follows the code instead of a list of kinds and names kept here.
"""

import json
import os
import random
import subprocess
import time

import yaml

from operator_proc import BINARY, wait_for

MANAGED = "app.kubernetes.io/managed-by=spyt-operator"
HASH = "spyt.dev/desired-hash"


def chaos_seed():
    """SPYT_CHAOS_SEED, or a fresh random seed; the test prints it so a run can be replayed."""
    text = os.environ.get("SPYT_CHAOS_SEED")
    return int(text) if text else random.SystemRandom().randrange(2**32)


def cluster_manifest(name, rng):
    return {
        "apiVersion": "spyt.dev/v1alpha1",
        "kind": "SpytCluster",
        "metadata": {"name": name},
        "spec": {
            "workers": {"replicas": rng.randint(1, 3), "cores": 1, "memory": "1G"},
            "historyServer": {"enabled": rng.random() < 0.5},
            "livy": {"enabled": rng.random() < 0.5},
        },
    }


# Edits a user makes: each a merge patch of the spec, chosen by the seeded RNG.
EDITS = [
    lambda rng, i: {"workers": {"memory": rng.choice(["1G", "1536m", "2G"])}},
    lambda rng, i: {"workers": {"cores": rng.randint(1, 2)}},
    lambda rng, i: {"sparkConf": {"spark.chaos.edit": str(i)}},
    lambda rng, i: {"livy": {"enabled": rng.random() < 0.5}},
    lambda rng, i: {"historyServer": {"enabled": rng.random() < 0.5}},
]


class Workload:
    """Clusters named c00..cNN in one namespace, changed at random by the seeded RNG."""

    def __init__(self, cp, namespace, rng, clusters):
        self.cp, self.ns, self.rng = cp, namespace, rng
        self.pending = [f"c{i:02d}" for i in range(clusters)]  # not created yet
        self.alive, self.deleted = [], []
        self.keep = clusters // 3  # deletes stop there
        self.counts = {"create": 0, "scale": 0, "edit": 0, "delete": 0, "recreate": 0}

    def _kubectl(self, *args, **kwargs):
        return self.cp.kubectl(*args, "-n", self.ns, **kwargs)

    def create(self, names, op="create"):
        self._kubectl("apply", "-f", "-", input={
            "apiVersion": "v1", "kind": "List", "items": [cluster_manifest(n, self.rng) for n in names]})
        self.alive += names
        self.counts[op] += len(names)

    def step(self, i):
        """One change: create the next few clusters while some are still to come,
        otherwise scale, edit, delete, or re-create a deleted name."""
        if self.pending and (not self.alive or self.rng.random() < 0.35):
            batch, self.pending = self.pending[:5], self.pending[5:]
            return self.create(batch)
        roll = self.rng.random()
        if roll < 0.08 and len(self.alive) > self.keep:
            name = self.rng.choice(self.alive)
            self._kubectl("delete", "spytcluster", name, "--wait=false")
            self.alive.remove(name)
            self.deleted.append(name)
            self.counts["delete"] += 1
        elif roll < 0.12 and self.deleted:
            name = self.deleted.pop(self.rng.randrange(len(self.deleted)))
            # The old cluster may still be terminating; then the re-create waits for the next try.
            if self.cp.get(self.ns, "spytcluster", name) is None:
                self.create([name], op="recreate")
            else:
                self.deleted.append(name)
        elif roll < 0.45:
            name = self.rng.choice(self.alive)
            self._kubectl("scale", f"spytcluster/{name}", f"--replicas={self.rng.randint(1, 4)}")
            self.counts["scale"] += 1
        else:
            name = self.rng.choice(self.alive)
            patch = self.rng.choice(EDITS)(self.rng, i)
            self._kubectl("patch", "spytcluster", name, "--type=merge", "-p", json.dumps({"spec": patch}))
            self.counts["edit"] += 1

    def total(self):
        return sum(self.counts.values())


def render(clusters, work_dir):
    """{(kind, name): the object the operator applies} for the live clusters."""
    if not clusters:
        return {}
    path = work_dir / "clusters.yaml"
    path.write_text(yaml.safe_dump_all(
        [{"apiVersion": c["apiVersion"], "kind": c["kind"], "metadata": c["metadata"], "spec": c["spec"]}
         for c in clusters]))
    out = subprocess.run([BINARY, "render", "-o", "json", str(path)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, f"spyt-operator render failed: {out.stderr}"
    return {(o["kind"], o["metadata"]["name"]): o for o in json.loads(out.stdout)["items"]}


def listable_kinds(cp):
    """Every namespaced kind the API server lists: an orphan of any kind is seen."""
    out = cp.kubectl("api-resources", "--verbs=list", "--namespaced", "-o", "name").stdout.split()
    return [k for k in out if not k.startswith("events")]


def operator_children(cp, namespace, kinds):
    """The objects labelled as the operator's that it applied (desired-hash annotation)
    or that a SpytCluster owns, and nothing else owns: pods, ReplicaSets, revisions and
    Endpoints carry the labels too but belong to Kubernetes' own controllers."""
    items = cp.kubectl_json("get", ",".join(kinds), "-n", namespace, "-l", MANAGED, timeout=120)["items"]
    children = []
    for o in items:
        owners = [r["kind"] for r in o["metadata"].get("ownerReferences", [])]
        applied = HASH in (o["metadata"].get("annotations") or {})
        if (applied or "SpytCluster" in owners) and set(owners) <= {"SpytCluster"}:
            children.append(o)
    return children


def cluster_problems(c):
    """Why a cluster's status is not converged on its current spec, or []."""
    name, st = c["metadata"]["name"], c.get("status", {})
    problems = []
    if st.get("observedGeneration") != c["metadata"]["generation"]:
        problems.append(f"{name}: observedGeneration {st.get('observedGeneration')} != "
                        f"generation {c['metadata']['generation']}")
    ready = next((x for x in st.get("conditions", []) if x["type"] == "Ready"), {})
    if ready.get("status") != "True":
        problems.append(f"{name}: Ready={ready.get('status')} ({ready.get('reason')})")
    replicas = c["spec"]["workers"]["replicas"]
    workers = st.get("workers", {})
    if (workers.get("desired"), workers.get("ready")) != (replicas, replicas):
        problems.append(f"{name}: workers {workers} for {replicas} replicas")
    return problems


def world_problems(cp, namespace, kinds, work_dir):
    """Everything that differs from what the surviving specs ask for: missing, orphaned
    or stale children, foreign owner references, unconverged statuses. [] when none."""
    clusters = cp.kubectl_json("get", "spytclusters", "-n", namespace)["items"]
    problems = [p for c in clusters for p in cluster_problems(c)]
    expected = render(clusters, work_dir)
    live = {}
    for o in operator_children(cp, namespace, kinds):
        key = (o["kind"], o["metadata"]["name"])
        live[key] = o
    for key in sorted(expected.keys() - live.keys()):
        problems.append(f"missing {key[0]} {key[1]}")
    for key in sorted(live.keys() - expected.keys()):
        problems.append(f"orphan {key[0]} {key[1]} (owners {live[key]['metadata'].get('ownerReferences')})")
    for key in sorted(expected.keys() & live.keys()):
        want, have = expected[key]["metadata"], live[key]["metadata"]
        if have.get("ownerReferences") != want["ownerReferences"]:
            problems.append(f"{key[0]} {key[1]}: owners {have.get('ownerReferences')}, "
                            f"want {want['ownerReferences']}")
        want_hash = want.get("annotations", {}).get(HASH)
        if want_hash and have.get("annotations", {}).get(HASH) != want_hash:
            problems.append(f"{key[0]} {key[1]}: stale (desired hash {have.get('annotations', {}).get(HASH)}, "
                            f"the spec gives {want_hash})")
    return problems, len(clusters), len(expected)


def wait_converged(cp, namespace, kinds, work_dir, timeout):
    """Seconds until world_problems is empty, with the counts checked; fails listing
    what still differs after `timeout`."""
    started, last = time.monotonic(), []

    def converged():
        problems, clusters, children = world_problems(cp, namespace, kinds, work_dir)
        last[:] = problems
        return not problems and (clusters, children)

    try:
        clusters, children = wait_for(converged, timeout, "convergence", interval=1)
    except AssertionError:
        raise AssertionError(f"not converged after {timeout}s; {len(last)} problems:\n" +
                             "\n".join(last[:40])) from None
    return time.monotonic() - started, clusters, children
