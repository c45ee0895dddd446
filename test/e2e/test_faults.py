"""Faults on the way to the apiserver (multisched only): every schedulable pod is bound exactly
once, no node is overcommitted, and the scheduler survives without a restart.

Each test runs its own multisched instance (profile faults-e2e-scheduler, no leader election)
whose kubeconfig points at a FaultProxy (fault_proxy.py) in front of the suite's apiserver. The
proxy connects upstream from 127.0.0.2, so the apiserver's audit log (local_cluster.AUDIT_POLICY)
tells this instance's Bindings, LISTs and WATCHes from everyone else's. "Exactly once" is read
there: one Binding answered 201 per bound pod, none for the others (but see assert_exactly_once:
the apiserver answers 409 to a Binding it applied when the client left mid-request), and checked
against the apiserver's apiserver_request_total.

z1  the proxy resets, delays, truncates and stalls connections (seeded) and cuts them all every
    2 s, while pods are created; capacity for 80% of them.
z2  kube-apiserver is SIGKILLed and restarted, then etcd, while pods are created; the time from
    each restart to the next Binding is reported.
z3  churn: while pods are created, nodes are added, cordoned, tainted and deleted and pods
    deleted (seeded); then room is added and every remaining pod must bind.
z5  watch history compacted away: the apiserver serves pods and nodes from etcd (no watch
    cache) and compacts every 2 s, and the proxy cuts every connection every 3 s, so re-watches
    start from revisions that are gone and end with 410 Expired; each costs one relist at the
    last resourceVersion and nothing is lost.

Sizes (environment, defaults fit CI): FAULTS_SEED (7), FAULTS_NODES (20), FAULTS_PODS (200),
FAULTS_CHAOS_SECONDS (30) for z1; FAULTS_RESTART_NODES (30), FAULTS_RESTART_PODS (600),
FAULTS_APISERVER_RESTARTS (3) for z2; FAULTS_CHURN_PODS (400) for z3; FAULTS_EXPIRY_PODS (300)
for z5.
"""

import os
import random
import re
import threading
import time
import unittest

import harness
import local_cluster
from fault_proxy import FaultProxy
from harness import ApiError, ClusterTestCase, pod, wait_for

PROFILE = "faults-e2e-scheduler"
CONFIG = harness.CONFIG_HEADER + "profiles:\n- schedulerName: %s\n" % PROFILE
SOURCE_IP = "127.0.0.2"


def env_int(name, default):
    return int(os.environ.get(name, default))


@unittest.skipIf(harness.is_upstream(), "multisched's own instance behind a proxy")
class FaultTest(ClusterTestCase):

    def setUp(self):
        super().setUp()
        self.instance = None
        self.proxy = FaultProxy(self.env.cluster.port, seed=env_int("FAULTS_SEED", 7)).start()
        self.label = {"faults-e2e": self.ns}
        work = self.env.work_dir
        with open(self.env.cluster.scheduler_kubeconfig) as f:
            kubeconfig, n = re.subn(r"(?m)^(\s*server:).*$",
                                    r"\1 https://127.0.0.1:%d" % self.proxy.port, f.read())
        self.assertEqual(n, 1)
        self.kubeconfig = os.path.join(work, "faults-%s.kubeconfig" % self.ns)
        with open(self.kubeconfig, "w") as f:
            f.write(kubeconfig)
        self.config = os.path.join(work, "faults-%s.yaml" % self.ns)
        with open(self.config, "w") as f:
            f.write(CONFIG.format(kubeconfig=self.kubeconfig))
        self.log = os.path.join(work, "faults-%s.log" % self.ns)

    def tearDown(self):
        if self.instance is not None:
            local_cluster.kill_process(self.instance)
        self.proxy.stop()
        super().tearDown()

    # -- helpers -----------------------------------------------------------------------------

    def start_instance(self):
        self.instance = local_cluster.start_process(
            [harness.scheduler_bin(), "--config", self.config, "-v=2", "--secure-port=0"],
            self.log)

    def assert_instance_alive(self):
        self.assertIsNone(self.instance.poll(), "the instance exited with %s; log tail:\n%s"
                          % (self.instance.returncode, local_cluster.tail(self.log)))

    def create_nodes(self, count, cpu):
        return [self.create_node("%s-n%02d" % (self.ns, i), cpu=cpu, memory="64Gi",
                                 labels=self.label) for i in range(count)]

    def create_pods_in_background(self, names, pause=0.0):
        """Creates the pods one by one in a thread, retrying through apiserver restarts; returns
        (thread, created list, errors list)."""
        created, errors = [], []

        def create(name):
            deadline = time.monotonic() + 90
            while True:
                try:
                    self.create_pod(pod(name, scheduler=PROFILE, cpu="250m",
                                        node_selector=self.label))
                    return
                except ApiError as e:
                    if e.status == 409:     # an earlier attempt landed
                        return
                    if e.status < 500 and e.status != 429:
                        raise
                except OSError:
                    pass                    # the apiserver is down
                if time.monotonic() > deadline:
                    raise AssertionError("could not create pod %s" % name)
                time.sleep(0.2)

        def run():
            try:
                for name in names:
                    create(name)
                    created.append(name)
                    if pause:
                        time.sleep(pause)
            except BaseException as e:  # noqa: BLE001 - reported by the test's thread
                errors.append(e)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t, created, errors

    def bound(self):
        return {p["metadata"]["name"]: p["spec"].get("nodeName") for p in self.pods()
                if p["spec"].get("nodeName")}

    def our_audit(self, since=0):
        """The audit events of this instance (through the proxy) in this namespace or about
        nodes, from index `since` of the log on."""
        return [e for e in self.env.cluster.audit_events()[since:]
                if SOURCE_IP in (e.get("sourceIPs") or [])]

    def bindings_counted_by_apiserver(self):
        """Successful Bindings (HTTP 201) the apiserver counted since it started, cluster-wide
        (apiserver_request_total): a second witness besides the audit log."""
        total = 0
        for line in str(self.api.get("/metrics")).splitlines():
            if (line.startswith("apiserver_request_total{") and 'resource="pods"' in line
                    and 'subresource="binding"' in line and 'code="201"' in line):
                total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def requests_by_verb(self, since):
        out = {}
        for e in self.our_audit(since):
            key = "%s %s" % (e.get("verb"), (e.get("objectRef") or {}).get("resource"))
            if (e.get("objectRef") or {}).get("subresource"):
                key += "/" + e["objectRef"]["subresource"]
            code = (e.get("responseStatus") or {}).get("code")
            key += " %s" % code
            out[key] = out.get(key, 0) + 1
        return out

    def assert_exactly_once(self, pods, bound, killed_apiservers=0):
        """Bound pods: one Binding answered 201 each, none for the others. Two exceptions, both
        the apiserver's: a Binding applied although answered 409, because its client went away
        while etcd committed it (assignPod in pkg/registry/core/pod/storage turns any error that
        is not an API status, here the cancelled context, into a Conflict), so a bound pod whose
        every Binding got 409 counts as bound once; and a SIGKILLed apiserver may die between
        applying a Binding and auditing it (up to 5 such pods per kill). Returns the number of
        bound pods without a 201."""
        requests = self.binding_requests()
        counts = {n: sum(1 for code, _ in reqs if code == 201) for n, reqs in requests.items()}
        twice = {n: c for n, c in counts.items() if c > 1}
        self.assertEqual(twice, {}, "pods with more than one successful Binding")
        unrecorded = sorted(n for n in pods if n in bound and counts.get(n, 0) == 0)
        unexplained = [n for n in unrecorded
                       if not requests.get(n) or any(code != 409 for code, _ in requests[n])]
        self.assertLessEqual(len(unexplained), 5 * killed_apiservers,
                             "bound pods without a successful Binding, not all of whose Bindings "
                             "were answered 409: %s" % {n: requests.get(n) for n in unexplained[:10]})
        for name in pods:
            if name not in bound:
                self.assertEqual(counts.get(name, 0), 0, "pod %s: a successful Binding but "
                                 "not bound" % name)
        return len(unrecorded)

    # z1. ------------------------------------------------------------------------------------
    def test_z1_proxy_drops_delays_truncates_and_stalls(self):
        nodes = self.create_nodes(env_int("FAULTS_NODES", 20), cpu="2")   # 8 pods of 250m each
        capacity = 8 * len(nodes)
        names = ["p%04d" % i for i in range(env_int("FAULTS_PODS", capacity * 5 // 4))]
        audit_start = len(self.env.cluster.audit_events())
        counted_start = self.bindings_counted_by_apiserver()
        self.proxy.faults = True
        self.start_instance()
        chaos_seconds = env_int("FAULTS_CHAOS_SECONDS", 30)
        # Pods keep coming for most of the chaos, so that Bindings meet the faults too.
        creator, created, errors = self.create_pods_in_background(
            names, pause=0.7 * chaos_seconds / len(names))
        chaos_end = time.monotonic() + chaos_seconds
        cuts = 0
        while time.monotonic() < chaos_end:
            time.sleep(2)
            self.proxy.cut_all()
            cuts += 1
            self.assert_instance_alive()
        self.proxy.faults = False
        self.proxy.cut_all()    # no stalled connection outlives the chaos
        calm = time.monotonic()
        creator.join(60)
        self.assertFalse(errors, errors)
        self.assertEqual(len(created), len(names))
        want = min(capacity, len(names))
        bound = wait_for(lambda: (lambda b: b if len(b) >= want else None)(self.bound()),
                         "%d pods bound" % want, timeout=120)
        settle = time.monotonic() - calm
        time.sleep(2)   # anything bound late (twice) would show now
        bound = self.bound()
        self.assertEqual(len(bound), want, "bound %d pods, room for %d" % (len(bound), want))
        self.assert_no_overcommit(nodes)
        applied_409 = self.assert_exactly_once(names, bound)
        # The apiserver's own count agrees: one 201 per bound pod but those answered 409.
        counted = self.bindings_counted_by_apiserver() - counted_start
        self.assertEqual(counted, len(bound) - applied_409,
                         "successful Bindings counted by the apiserver")
        self.assert_instance_alive()
        requests = self.requests_by_verb(audit_start)
        lost = sum(v for k, v in requests.items() if k.startswith("create pods/binding")
                   and not k.endswith(" 201"))
        print("\n    z1: %d pods, %d bound (room for %d), %d connections %s, %d cuts; all bound "
              "%.1fs after the faults stopped; Bindings not answered 201: %d, of which applied "
              "(answered 409 to a vanished client, read back): %d; requests: %s"
              % (len(names), len(bound), capacity, sum(self.proxy.stats.values()),
                 self.proxy.stats, cuts, settle, lost, applied_409, requests),
              end=" ", flush=True)

    # z2. ------------------------------------------------------------------------------------
    def test_z2_apiserver_and_etcd_killed_and_restarted(self):
        nodes = self.create_nodes(env_int("FAULTS_RESTART_NODES", 30), cpu="64")
        names = ["p%04d" % i for i in range(env_int("FAULTS_RESTART_PODS", 600))]
        restarts = env_int("FAULTS_APISERVER_RESTARTS", 3)
        audit_start = len(self.env.cluster.audit_events())
        self.start_instance()
        creator, created, errors = self.create_pods_in_background(names, pause=0.01)
        recoveries = []

        def binding_count():
            return sum(self.successful_bindings().values())

        for i in range(restarts + 1):
            # Restarts spread over the creation of the pods: wait for the scheduler to be busy
            # with the next share of them, then pull the rug.
            share = (i + 1) * len(names) // (restarts + 2)
            wait_for(lambda: len(created) >= share or not creator.is_alive(),
                     "pods being created", timeout=600)
            t0 = time.monotonic()
            what = "etcd" if i == restarts else "kube-apiserver"
            if what == "etcd":
                self.env.cluster.restart_etcd()
                self.env.cluster.wait_ready()
            else:
                self.env.cluster.restart_apiserver(graceful=False)
            ready = time.monotonic()
            before = binding_count()
            # Recovered: a Binding after the restart (pods are still being created or pending).
            wait_for(lambda: binding_count() > before or len(self.bound()) == len(names),
                     "a Binding after the %s restart" % what, timeout=60)
            recoveries.append((what, ready - t0, time.monotonic() - ready))
            self.assert_instance_alive()
        creator.join(120)
        self.assertFalse(errors, errors)
        self.assertEqual(len(created), len(names))
        bound = self.wait_all_bound(names, timeout=120)
        self.assert_no_overcommit(nodes)
        unrecorded = self.assert_exactly_once(names, bound, killed_apiservers=restarts)
        self.assert_instance_alive()
        requests = self.requests_by_verb(audit_start)
        print("\n    z2: %d pods on %d nodes; %s; bound pods without a 201 in the audit log: "
              "%d; requests: %s"
              % (len(names), len(nodes),
                 "; ".join("%s restart %.1fs, next Binding %.1fs later" % r for r in recoveries),
                 unrecorded, requests), end=" ", flush=True)


    # z3. ------------------------------------------------------------------------------------
    def test_z3_churn_of_nodes_and_pods_while_scheduling(self):
        nodes = self.create_nodes(20, cpu="4")          # 16 pods of 250m each
        names = ["p%04d" % i for i in range(env_int("FAULTS_CHURN_PODS", 400))]
        rng = random.Random(env_int("FAULTS_SEED", 7))
        self.start_instance()
        creator, created, errors = self.create_pods_in_background(names, pause=0.03)
        changed = {}        # node -> (monotonic-free wall time, what) of its first change
        deleted_pods = set()
        actions = {"add": 0, "cordon": 0, "taint": 0, "delete node": 0, "delete pod": 0}
        live = list(nodes)
        added = 0
        while creator.is_alive():
            time.sleep(0.3)
            what = rng.choice(["add", "cordon", "taint", "delete node", "delete pod",
                               "delete pod"])
            if what == "add":
                name = "%s-a%02d" % (self.ns, added)
                added += 1
                live.append(self.create_node(name, cpu="4", memory="64Gi", labels=self.label))
            elif what == "delete pod":
                if not created:
                    continue
                victim = rng.choice(created)
                self.delete_pod(victim)
                deleted_pods.add(victim)
            else:
                untouched = [n for n in live if n not in changed]
                if not untouched:
                    continue
                node = rng.choice(untouched)
                changed[node] = (time.time(), what)
                if what == "cordon":
                    self.api.patch("/api/v1/nodes/" + node, {"spec": {"unschedulable": True}})
                elif what == "taint":
                    self.api.patch("/api/v1/nodes/" + node, {"spec": {"taints": [
                        {"key": "churn", "value": "x", "effect": "NoSchedule"}]}})
                else:
                    self.api.delete("/api/v1/nodes/" + node)
                    live.remove(node)
                    self.nodes.remove(node)
            actions[what] += 1
            self.assert_instance_alive()
        self.assertFalse(errors, errors)
        # Room for everyone left: every remaining pod must bind now, the ones that had found
        # no room too (node events must requeue them).
        wait_for(lambda: len(created) == len(names), "every pod created")
        time.sleep(2)
        bound_now = self.bound()
        waiting = len([n for n in names if n not in deleted_pods and n not in bound_now])
        # Big nodes with room for every pod (256 of 250m each), at least four.
        for i in range(max(4, -(-len(names) // 256))):
            self.create_node("%s-big%d" % (self.ns, i), cpu="64", memory="256Gi", pods="256",
                             labels=self.label)
        remaining = [n for n in names if n not in deleted_pods]
        bound = self.wait_all_bound(remaining, timeout=90)
        self.assert_no_overcommit(self.nodes)   # every node still there, changed or not
        self.assert_exactly_once(remaining, bound)
        # No Binding to a node received more than 2 s after the node was cordoned, tainted or
        # deleted (the informer's delay; upstream has the same window).
        requests = self.binding_requests()
        late = {}
        for name in remaining:
            node = bound[name]
            if node in changed:
                when, what = changed[node]
                ok = [t for code, t in requests.get(name, []) if code in (201, 409)]
                if ok and ok[0] > when + 2.0:
                    late[name] = (node, what, round(ok[0] - when, 2))
        self.assertEqual(late, {}, "pods bound to a node well after it was changed")
        self.assert_instance_alive()
        print("\n    z3: %d pods (%d deleted), %d nodes at first; churn: %s; %d pods waiting for "
              "room; all %d remaining bound once each after room was added"
              % (len(names), len(deleted_pods), 20, actions, waiting, len(remaining)),
              end=" ", flush=True)

    # z5. ------------------------------------------------------------------------------------
    def test_z5_watches_expire_after_etcd_compaction(self):
        # kube-apiserver 1.20 sizes its watch cache by itself (75 s of events at least; a size
        # in --watch-cache-sizes is dropped with a warning, 0 disables the cache), so the way to
        # make watches outlive their history is to serve them from etcd and compact often.
        cluster = self.env.cluster
        saved_args = list(cluster.extra_apiserver_args)

        def restore():
            cluster.extra_apiserver_args = saved_args
            cluster.restart_apiserver()
        self.addCleanup(restore)    # runs after tearDown
        cluster.extra_apiserver_args = saved_args + ["--watch-cache-sizes=pods#0,nodes#0",
                                                     "--etcd-compaction-interval=2s"]
        cluster.restart_apiserver()

        nodes = self.create_nodes(10, cpu="64")
        names = ["p%04d" % i for i in range(env_int("FAULTS_EXPIRY_PODS", 300))]
        audit_start = len(cluster.audit_events())
        self.start_instance()
        creator, created, errors = self.create_pods_in_background(names, pause=0.05)
        cuts = 0

        def cut_for(seconds):
            nonlocal cuts
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                time.sleep(3)
                self.proxy.cut_all()
                cuts += 1
                self.assert_instance_alive()
        while creator.is_alive():
            cut_for(3)
        self.assertFalse(errors, errors)
        self.wait_all_bound(names, timeout=90)
        cut_for(12)     # quiet watches: both resources' revisions are compacted away now
        # New pods after the quiet spell still find their way (their watch relisted).
        late = ["late%02d" % i for i in range(10)]
        for name in late:
            self.create_pod(pod(name, scheduler=PROFILE, cpu="250m", node_selector=self.label))
        bound = self.wait_all_bound(names + late, timeout=60)
        self.assert_no_overcommit(nodes)
        self.assert_exactly_once(names + late, bound)
        self.assert_instance_alive()

        with open(self.log, errors="replace") as f:
            log = f.read()
        figures = {}
        for resource in ("pods", "nodes"):
            path = "/api/v1/" + resource
            expired = log.count("watch %s ended with an error event: 410" % path)
            failed_lists = log.count("list %s failed" % path)
            lists = [e for e in self.our_audit(audit_start)
                     if e.get("verb") == "list"
                     and (e.get("objectRef") or {}).get("resource") == resource
                     and (e.get("responseStatus") or {}).get("code") == 200]
            # The scenario happened: watches of both resources outlived their history.
            self.assertGreater(expired, 0, "no %s watch ended with 410; log tail:\n%s"
                               % (resource, local_cluster.tail(self.log)))
            # Every relist followed a 410 (or retried a LIST the proxy cut), none came from a
            # broken connection alone, which a re-watch from the last resourceVersion covers.
            self.assertLessEqual(len(lists), 1 + expired + failed_lists,
                                 "%s: %d LISTs for %d expired watches and %d failed LISTs"
                                 % (resource, len(lists), expired, failed_lists))
            # Relists ask for the last resourceVersion seen (client-go's "at least as fresh"),
            # not a consistent read: the first LIST asks for 0, each later one for a revision.
            rvs = [re.search(r"[?&]resourceVersion=([^&]*)", e.get("requestURI", ""))
                   for e in lists]
            rvs = [m.group(1) if m else "" for m in rvs]
            self.assertEqual(rvs[0], "0", lists[0].get("requestURI"))
            self.assertNotIn("", rvs[1:], [e.get("requestURI") for e in lists])
            watches = sum(1 for e in self.our_audit(audit_start) if e.get("verb") == "watch"
                          and (e.get("objectRef") or {}).get("resource") == resource)
            figures[resource] = "%d watches, %d ended 410, %d LISTs" % (
                watches, expired, len(lists))
        print("\n    z5: %d pods on %d nodes, %d cuts, all bound once; %s"
              % (len(names) + len(late), len(nodes), cuts,
                 "; ".join("%s: %s" % kv for kv in figures.items())), end=" ", flush=True)


if __name__ == "__main__":
    unittest.main()
