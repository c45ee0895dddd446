"""Leader election between two multisched instances (multisched only: the suite's kube-scheduler
1.20 is exercised elsewhere). Both serve a profile of their own, with short durations, on the
Lease `default/kube-scheduler` (the system:kube-scheduler role grants leases of that name only;
kube-scheduler's own lease lives in kube-system), so they never touch the suite's pods."""

import os
import re
import signal
import threading
import time
import unittest

import harness
import local_cluster
from harness import ClusterTestCase, pod, unique, wait_for

LEASE = "kube-scheduler"
CONFIG = """\
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: {kubeconfig}
leaderElection:
  leaderElect: false   # the flags turn it on: they override the file, as upstream
profiles:
- schedulerName: leader-e2e-scheduler
"""
LEASE_SECONDS = 4


@unittest.skipIf(harness.is_upstream(), "multisched's own instances")
class LeaderElectionTest(ClusterTestCase):

    def start_instance(self, name):
        log = os.path.join(self.env.work_dir, "leader-%s-%s.log" % (self.ns, name))
        proc = local_cluster.start_process(
            [harness.scheduler_bin(), "--config", self.config, "-v=2", "--secure-port=0",
             "--leader-elect=true", "--leader-elect-resource-name=" + LEASE,
             "--leader-elect-resource-namespace=default",
             "--leader-elect-lease-duration=%ds" % LEASE_SECONDS,
             "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=1s"], log)
        self.instances.append(proc)
        return proc, log

    def setUp(self):
        super().setUp()
        self.instances = []
        self.config = os.path.join(self.env.work_dir, "leader-e2e.yaml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(kubeconfig=self.env.cluster.scheduler_kubeconfig))

    def tearDown(self):
        for p in self.instances:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)   # a stopped process cannot handle SIGTERM
            local_cluster.kill_process(p)
        try:
            self.api.delete("/apis/coordination.k8s.io/v1/namespaces/default/leases/" + LEASE)
        except Exception:  # noqa: BLE001 - best effort
            pass
        super().tearDown()

    def lease(self):
        return self.api.get("/apis/coordination.k8s.io/v1/namespaces/default/leases/" + LEASE)

    @staticmethod
    def read(log):
        with open(log, errors="replace") as f:
            return f.read()

    def bound_in(self, log):
        return set(re.findall(r"bound pod [^/ ]+/(\S+) to node", self.read(log)))

    def wait_reported(self, names, log):
        """A pod's nodeName is visible before its binder has read the 201: its "bound pod" log
        line and its Scheduled event follow a moment later. Waits for both for every one of
        `names` (the exact checks come after)."""
        def reported():
            scheduled = {(e.get("regarding") or {}).get("name") for e in self.events()
                         if e.get("reason") == "Scheduled"}
            return set(names) <= self.bound_in(log) and set(names) <= scheduled
        wait_for(reported, "the Bindings of %d pods logged and their Scheduled events written"
                 % len(names))

    # u. -------------------------------------------------------------------------------------
    def wait_leader_event(self, identity):
        """client-go's LeaseLock event: core/v1, reason LeaderElection, about the Lease, from
        the first profile's scheduler name."""
        def found():
            events = self.api.get("/api/v1/namespaces/default/events")["items"]
            return [e for e in events if e.get("reason") == "LeaderElection"
                    and e["involvedObject"].get("kind") == "Lease"
                    and e["involvedObject"].get("name") == LEASE
                    and e.get("message") == identity + " became leader"
                    and e.get("source", {}).get("component") == "leader-e2e-scheduler"
                    and e.get("type") == "Normal"]
        wait_for(found, "the LeaderElection event of " + identity)

    def test_u_one_leader_binds_and_a_standby_takes_over(self):
        node = self.create_node(unique("u"))
        a, log_a = self.start_instance("a")
        wait_for(lambda: "successfully acquired lease" in self.read(log_a), "a to lead")
        b, log_b = self.start_instance("b")
        wait_for(lambda: "attempting to acquire leader lease" in self.read(log_b), "b to wait")
        holder = self.lease()["spec"]["holderIdentity"]
        self.assertRegex(holder, r"^.+_[0-9a-f-]{36}$")
        self.wait_leader_event(holder)

        first = ["first-%d" % i for i in range(10)]
        for name in first:
            self.create_pod(pod(name, scheduler="leader-e2e-scheduler"))
        self.wait_all_bound(first)
        self.wait_reported(first, log_a)    # before a is killed: its event writes are async
        self.assertEqual(self.bound_in(log_a), set(first))
        self.assertEqual(self.bound_in(log_b), set(), "the standby must not schedule")

        # The leader dies without releasing: the standby takes over once the lease expires.
        killed = time.monotonic()
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        wait_for(lambda: "successfully acquired lease" in self.read(log_b), "b to take over",
                 timeout=LEASE_SECONDS + 15)
        takeover = time.monotonic() - killed
        self.assertLess(takeover, LEASE_SECONDS + 5, "took %.1fs to take over" % takeover)
        self.assertNotEqual(self.lease()["spec"]["holderIdentity"], holder)
        self.wait_leader_event(self.lease()["spec"]["holderIdentity"])
        second = ["second-%d" % i for i in range(5)]
        for name in second:
            self.create_pod(pod(name, scheduler="leader-e2e-scheduler"))
        self.wait_all_bound(second)
        self.wait_reported(second, log_b)
        self.assertEqual(self.bound_in(log_b), set(second))
        # Every pod bound exactly once, to the only node.
        for name in first + second:
            self.assertEqual(self.get_pod(name)["spec"]["nodeName"], node)
            self.assertEqual(len(self.events_for(name, "Scheduled")), 1, name)

        # SIGTERM: the leader releases the lease on its way out, and exits 0.
        b.send_signal(signal.SIGTERM)
        self.assertEqual(b.wait(20), 0)
        spec = self.lease()["spec"]
        self.assertFalse(spec.get("holderIdentity"), spec)
        self.assertEqual(spec.get("leaseDurationSeconds"), 1)
        print("e2e u: standby took over %.1fs after the leader was killed (lease %ds)"
              % (takeover, LEASE_SECONDS), flush=True)

    # u2. ------------------------------------------------------------------------------------
    def test_u2_failover_under_load_and_a_paused_leader(self):
        """Pods keep arriving while the leader is SIGKILLed (the standby takes over), then the
        new leader is SIGSTOPped past its renew deadline and the lease (a third instance takes
        over) and resumed: it must write nothing more and exit 1, and every pod is bound exactly
        once (the apiserver's audit log) with no overcommit."""
        nodes = [self.create_node(unique("u2-%d" % i), cpu="8") for i in range(4)]
        names = ["p%03d" % i for i in range(200)]   # 100m each: 20 cpu of the 32
        a, log_a = self.start_instance("a")
        wait_for(lambda: "successfully acquired lease" in self.read(log_a), "a to lead")
        b, log_b = self.start_instance("b")
        wait_for(lambda: "attempting to acquire leader lease" in self.read(log_b), "b to wait")

        created, errors = [], []

        def creator():
            try:
                for name in names:
                    self.create_pod(pod(name, scheduler="leader-e2e-scheduler", cpu="100m"))
                    created.append(name)
                    time.sleep(0.1)
            except BaseException as e:  # noqa: BLE001 - reported by the test's thread
                errors.append(e)

        t = threading.Thread(target=creator, daemon=True)
        t.start()
        wait_for(lambda: len(self.bound_in(log_a)) >= 10, "a to bind 10 pods")

        # 1. The leader dies mid-run; b takes over once the lease expires.
        killed_wall = time.time()
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        wait_for(lambda: "successfully acquired lease" in self.read(log_b), "b to take over",
                 timeout=LEASE_SECONDS + 15)
        c, log_c = self.start_instance("c")
        wait_for(lambda: "attempting to acquire leader lease" in self.read(log_c), "c to wait")
        wait_for(lambda: len(self.bound_in(log_b)) >= 10, "b to bind 10 pods")

        # 2. b freezes with pods still coming; c takes over when the lease expires.
        stopped_wall = time.time()
        b.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        wait_for(lambda: "successfully acquired lease" in self.read(log_c), "c to take over",
                 timeout=LEASE_SECONDS + 15)
        wait_for(lambda: len(self.bound_in(log_c)) >= 5, "c to bind 5 pods")
        paused = time.monotonic() - stopped
        resumed_at = os.path.getsize(log_b)
        resumed_wall = time.time()
        b.send_signal(signal.SIGCONT)
        # b's renewal fails (c holds the lease): it exits 1, as kube-scheduler does.
        self.assertEqual(b.wait(20), 1)
        with open(log_b, errors="replace") as f:
            f.seek(resumed_at)
            after = f.read()
        refused = len(re.findall(r"not sent: this instance does not hold the leader lease", after))

        t.join(60)
        self.assertFalse(errors, errors)
        self.wait_all_bound(names, timeout=60)
        requests = self.binding_requests()
        counts = {n: sum(1 for code, _ in reqs if code == 201) for n, reqs in requests.items()}
        self.assertEqual({n: counts.get(n, 0) for n in names if counts.get(n, 0) != 1}, {},
                         "pods without exactly one successful Binding")
        # b may log bindings it sent before it froze and whose answers it read on resuming; the
        # apiserver must have received every one of them before b resumed.
        late = {}
        for name in re.findall(r"bound pod [^/ ]+/(\S+) to node", after):
            received = [t for code, t in requests.get(name, []) if code == 201]
            if not received or received[0] >= resumed_wall:
                late[name] = received
        self.assertEqual(late, {}, "Bindings b sent after it resumed without the lease")
        finished = len(re.findall(r"bound pod ", after))
        self.assert_no_overcommit(nodes)
        # Who bound what, from the logs. A pod's "bound pod" line follows its 201 by a moment, so
        # c (alive) logs its last ones after wait_all_bound; a (killed) and b (frozen, then
        # exited) may never log the answers to Bindings they had in flight at that moment. Every
        # pod no log names must therefore have had its one 201 right then.
        def unattributed():
            by = {"a": self.bound_in(log_a), "b": self.bound_in(log_b), "c": self.bound_in(log_c)}
            out = {}
            for name in set(names) - (by["a"] | by["b"] | by["c"]):
                received = [t for code, t in requests.get(name, []) if code == 201]
                if not any(w - 5 < received[0] < w + 0.5 for w in (killed_wall, stopped_wall)):
                    out[name] = received
            return by, out
        deadline = time.monotonic() + 10
        by, unexplained = unattributed()
        while unexplained and time.monotonic() < deadline:   # c's last lines, a moment late
            time.sleep(0.2)
            by, unexplained = unattributed()
        self.assertEqual(unexplained, {}, "pods bound (201 at these times) by no instance's log")
        in_flight = len(set(names) - (by["a"] | by["b"] | by["c"]))
        self.assertLessEqual(by["a"] | by["b"] | by["c"], set(names))
        self.assertFalse(by["a"] & by["b"] or by["a"] & by["c"] or by["b"] & by["c"],
                         "a pod bound by two instances")
        print("\n    u2: %d pods bound once each: %d by a, %d by b, %d by c; b paused %.1fs; "
              "on resuming it read %d answers to Bindings sent before it froze, the fence refused "
              "%d writes, then it exited 1; %d Bindings in flight when a was killed or b froze"
              % (len(names), len(by["a"]), len(by["b"]), len(by["c"]), paused, finished, refused,
                 in_flight),
              end=" ", flush=True)
