"""Leader election between two multisched instances (multisched only: the suite's kube-scheduler
1.20 is exercised elsewhere). Both serve a profile of their own, with short durations, on the
Lease `default/kube-scheduler` (the system:kube-scheduler role grants leases of that name only;
kube-scheduler's own lease lives in kube-system), so they never touch the suite's pods."""

import os
import re
import signal
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
        log = os.path.join(self.env.work_dir, "leader-%s.log" % name)
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
