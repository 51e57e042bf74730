"""Chaos on the real control plane (issue 14): the operator is killed with SIGKILL at
random moments while SpytClusters are created, scaled, edited and deleted; at the end
the namespace must hold exactly what the surviving specs ask for.

The seed (printed; SPYT_CHAOS_SEED replays it) fixes every choice of changes and kill
spacing; the interleaving with the operator's work still varies from run to run."""

import datetime
import json
import random
import statistics
import threading
import time

from chaos_world import Workload, chaos_seed, listable_kinds, wait_converged, world_problems
from operator_proc import OperatorProcess, identity_of, lease_holder, wait_for

KILLS = 50
CLUSTERS = 30
LEADER_KILLS = 10
LEASE_SECONDS = 4
LEASE = ["--leader-elect", f"--leader-election-lease-duration={LEASE_SECONDS}s",
         "--leader-election-renew-deadline=3s", "--leader-election-retry-period=1s"]


def say(capsys, text):
    """Printed even though pytest captures output: the figures belong in the test log."""
    with capsys.disabled():
        print(f"[chaos] {text}", flush=True)


class Replica:
    """One operator slot, started again after every kill; each process logs to its own file."""

    def __init__(self, kubeconfig, log_dir, name, args):
        self.kubeconfig, self.log_dir, self.name, self.args = kubeconfig, log_dir, name, args
        self.op, self.starts = None, 0

    def start(self):
        self.starts += 1
        self.op = OperatorProcess(self.kubeconfig, self.log_dir / f"{self.name}-{self.starts}.log",
                                  self.args).start()
        return self.op

    def kill9(self):
        self.op.kill9()
        self.op.stop()  # closes its log file

    def stop(self):
        if self.op is not None:
            self.op.stop()
            return self.op.log()[-3000:]
        return ""


def test_kill9_at_random_moments_while_30_clusters_change(crd, namespace, tmp_path, capsys):
    seed = chaos_seed()
    say(capsys, f"seed {seed} (SPYT_CHAOS_SEED={seed} replays its choices)")
    rng = random.Random(seed)
    kill_rng = random.Random(rng.random())
    kinds = listable_kinds(crd)
    workload = Workload(crd, namespace, rng, CLUSTERS)
    replica = Replica(crd.kubeconfig, tmp_path, "op", ["--watch-namespaces", namespace])
    kills, done = [], threading.Event()

    def killer():
        while not (done.is_set() and len(kills) >= KILLS):
            time.sleep(kill_rng.uniform(0.2, 1.2))
            replica.kill9()
            kills.append(time.monotonic())
            replica.start()

    started = time.monotonic()
    replica.start()
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        step = 0
        while workload.pending or len(kills) < KILLS:
            workload.step(step)
            step += 1
            time.sleep(rng.uniform(0, 0.2))
        done.set()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the kill loop did not stop"
        say(capsys, f"{len(kills)} kills in {kills[-1] - started:.0f}s while {workload.total()} changes "
                    f"were made {workload.counts}; {len(workload.alive)} clusters survive")
        took, clusters, children = wait_converged(crd, namespace, kinds, tmp_path, 180)
        say(capsys, f"converged {took:.1f}s after the last restart: {clusters} clusters, {children} "
                    f"children exactly as rendered, every observedGeneration current; "
                    f"whole test {time.monotonic() - started:.0f}s")
        assert len(kills) >= KILLS
        assert clusters == len(workload.alive) and children > clusters

        # The check sees what it is there to see: a missing child and an orphan.
        replica.stop()
        victim = crd.kubectl_json("get", "services", "-n", namespace, "-l",
                                  "app.kubernetes.io/managed-by=spyt-operator")["items"][0]["metadata"]["name"]
        crd.kubectl("delete", "service", victim, "-n", namespace)
        crd.kubectl("create", "configmap", "stray", "-n", namespace)
        crd.kubectl("label", "configmap", "stray", "-n", namespace, "app.kubernetes.io/managed-by=spyt-operator")
        crd.kubectl("annotate", "configmap", "stray", "-n", namespace, "spyt.dev/desired-hash=left-behind")
        problems, _, _ = world_problems(crd, namespace, kinds, tmp_path)
        assert f"missing Service {victim}" in problems and any(p.startswith("orphan ConfigMap stray")
                                                               for p in problems), problems
    finally:
        done.set()
        thread.join(timeout=60)
        tail = replica.stop()
        print(f"---- last operator log\n{tail}")


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def lease_spec(cp, namespace):
    return cp.kubectl_json("get", "lease", "spyt-operator-leader", "-n", namespace)["spec"]


def audited_writes(cp, users):
    """(time the API server received it, user, what, succeeded) of each write by `users`."""
    log = cp.state_dir / "logs" / "audit.log"
    assert log.exists(), f"{log} is missing: restart the control plane (hack/control-plane.sh down; up)"
    writes = []
    for line in log.read_text().splitlines():
        event = json.loads(line)
        user, ref = event["user"]["username"], event.get("objectRef", {})
        if user in users:
            ok = 200 <= event.get("responseStatus", {}).get("code", 0) < 300
            writes.append((parse_time(event["requestReceivedTimestamp"]), user,
                           f"{event['verb']} {ref.get('resource')}/{ref.get('name')}", ok))
    return sorted(writes)


def writes_by_non_leaders(writes):
    """The writes made while another user held the Lease. Leadership is read from the
    same log: whoever last wrote the Lease successfully holds it (a candidate writes it
    only to acquire an expired or released Lease, the holder only to renew it)."""
    holder, stray = None, []
    for t, user, what, ok in writes:
        if what.endswith(" leases/spyt-operator-leader"):
            holder = user if ok else holder
        elif user != holder:
            stray.append((t, user, what, f"lease held by {holder}"))
    return stray


def test_two_replicas_never_write_at_once_while_the_leader_is_killed(crd, namespace, tmp_path, capsys):
    seed = chaos_seed()
    say(capsys, f"seed {seed} (SPYT_CHAOS_SEED={seed} replays its choices)")
    rng = random.Random(seed)
    kill_rng = random.Random(rng.random())  # the changes run on their own thread with rng
    kinds = listable_kinds(crd)
    args = ["--watch-namespaces", namespace, *LEASE, f"--leader-election-namespace={namespace}"]
    users = {slot: f"chaos-{slot}-{namespace[-6:]}" for slot in "ab"}
    # Each replica is its own user, so the audit log tells their writes apart.
    replicas = {slot: Replica(crd.user_kubeconfig(user, ["system:masters", "spyt:audited"]), tmp_path, slot, args)
                for slot, user in users.items()}
    slot_of = {}  # leader-election identity -> slot

    def start(slot):
        slot_of[identity_of(replicas[slot].start())] = slot

    workload = Workload(crd, namespace, rng, 10)
    changes_done, errors = threading.Event(), []

    def change_forever():
        step = 0
        try:
            while not changes_done.is_set():
                workload.step(step)
                step += 1
                time.sleep(rng.uniform(0.1, 0.5))
        except BaseException as e:  # pytest.fail inside kubectl raises outside Exception
            errors.append(e)

    changer = threading.Thread(target=change_forever, daemon=True)
    failovers, lost_leases = [], 0
    try:
        for slot in users:
            start(slot)
        changer.start()
        while len(failovers) < LEADER_KILLS:
            for slot, replica in replicas.items():
                if not replica.op.alive():  # it lost the lease (renewal too slow) and exited
                    lost_leases += 1
                    start(slot)
            # A leader this test knows (one may also lose the lease on its own under load).
            old = wait_for(lambda: (h := lease_holder(crd, namespace)) in slot_of and h, 30, "a leader")
            time.sleep(kill_rng.uniform(1, 3))  # the leader works for a while
            if lease_holder(crd, namespace) != old:
                continue  # it lost the lease by itself: the next round kills the new one
            slot = slot_of[old]
            killed_at = time.time()
            replicas[slot].kill9()
            start(slot)
            new = wait_for(lambda: (h := lease_holder(crd, namespace)) not in (None, "", old) and h,
                           30, "a new leader")
            failovers.append(parse_time(lease_spec(crd, namespace)["acquireTime"]) - killed_at)
            say(capsys, f"kill {len(failovers)}: {slot} led; {slot_of.get(new)} took over after "
                        f"{failovers[-1]:.2f}s")
        changes_done.set()
        changer.join(timeout=60)
        assert not errors, errors
        took, clusters, children = wait_converged(crd, namespace, kinds, tmp_path, 120)
        writes = audited_writes(crd, set(users.values()))
        work = [w for w in writes if "leases/" not in w[2]]
        say(capsys, f"failover after kill -9 of the leader: median {statistics.median(failovers):.2f}s, "
                    f"max {max(failovers):.2f}s (lease {LEASE_SECONDS}s) over {len(failovers)} kills, "
                    f"{lost_leases} leases lost to slow renewals; "
                    f"{len(work)} audited writes ({sum(1 for w in work if w[1] == users['a'])} by a); "
                    f"converged {took:.1f}s after the last failover ({clusters} clusters, "
                    f"{children} children); {workload.counts}")
        assert {w[1] for w in work} == set(users.values()), "both replicas led and wrote"
        stray = writes_by_non_leaders(writes)
        assert not stray, f"{len(stray)} writes while another replica held the lease: {stray[:20]}"
        assert max(failovers) <= LEASE_SECONDS + 5, failovers
    finally:
        changes_done.set()
        if changer.is_alive():
            changer.join(timeout=60)
        for slot, replica in replicas.items():
            print(f"---- last log of {slot}\n{replica.stop()}")
