"""Gang scheduling (Coscheduling + PodGroup) on the real cluster, with a multisched instance of
its own serving two profiles: gang-e2e-scheduler (Coscheduling at every point it implements, last)
and gang-e2e-plain (no gangs; the same queueSort, as one queue requires). The PodGroup CRD and its
RBAC are installed by the suite from manifests/crds, as an operator would.
multisched only: kube-scheduler has no Coscheduling plugin."""

import os
import time
import unittest

import harness
import local_cluster
from harness import QUIET, ClusterTestCase, pod, unique, wait_for

GANG = "gang-e2e-scheduler"
PLAIN = "gang-e2e-plain"
GROUP_LABEL = "scheduling.x-k8s.io/pod-group"
CONFIG = harness.CONFIG_HEADER + """\
profiles:
- schedulerName: gang-e2e-scheduler
  plugins:
    multiPoint:
      enabled:
      - name: Coscheduling
    queueSort:
      enabled:
      - name: Coscheduling
      disabled:
      - name: PrioritySort
  pluginConfig:
  - name: Coscheduling
    args:
      permitWaitingTimeSeconds: 10
      podGroupBackoffSeconds: 1
  - name: VolumeBinding
    args:
      bindTimeoutSeconds: 2
- schedulerName: gang-e2e-plain
  plugins:
    queueSort:
      enabled:
      - name: Coscheduling
      disabled:
      - name: PrioritySort
  pluginConfig:
  - name: Coscheduling
    args:
      permitWaitingTimeSeconds: 10
      podGroupBackoffSeconds: 1
"""


@unittest.skipIf(harness.is_upstream(), "kube-scheduler has no Coscheduling plugin")
class GangTest(ClusterTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = os.path.join(cls.env.work_dir, "gang-e2e.yaml")
        with open(cls.config, "w") as f:
            f.write(CONFIG.format(kubeconfig=cls.env.cluster.scheduler_kubeconfig))
        cls.log = os.path.join(cls.env.work_dir, "gang.log")
        cls.proc = local_cluster.start_process(
            [harness.scheduler_bin(), "--config", cls.config, "-v=2", "--secure-port=0"],
            cls.log)

    @classmethod
    def tearDownClass(cls):
        local_cluster.kill_process(cls.proc)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.cluster_objects = []

    def tearDown(self):
        super().tearDown()
        for path in reversed(self.cluster_objects):
            try:
                self.api.delete(path)
            except Exception:  # noqa: BLE001 - best effort
                pass
        self.assertIsNone(self.proc.poll(), "the gang scheduler exited; see " + self.log)

    # -- helpers ---------------------------------------------------------------------------

    def pod_group(self, name, min_member, timeout=None):
        spec = {"minMember": min_member}
        if timeout:
            spec["scheduleTimeoutSeconds"] = timeout
        self.api.post("/apis/scheduling.x-k8s.io/v1alpha1/namespaces/%s/podgroups" % self.ns,
                      {"apiVersion": "scheduling.x-k8s.io/v1alpha1", "kind": "PodGroup",
                       "metadata": {"name": name}, "spec": spec})

    def members(self, group, count, cpu, prefix=None):
        names = ["%s-%d" % (prefix or group, i) for i in range(count)]
        for n in names:
            self.create_pod(self.member(n, group, cpu))
        return names

    def member(self, name, group, cpu):
        return pod(name, scheduler=GANG, cpu=cpu, labels={GROUP_LABEL: group, "e2e": "gang"})

    def bound(self, names):
        nodes = {p["metadata"]["name"]: p["spec"].get("nodeName") for p in self.pods()}
        return {n for n in names if nodes.get(n)}

    def assert_none_bound(self, names, seconds=QUIET):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.assertEqual(self.bound(names), set(), "part of the gang was bound")
            time.sleep(0.2)

    def group_status(self, name):
        return self.api.get("/apis/scheduling.x-k8s.io/v1alpha1/namespaces/%s/podgroups/%s"
                            % (self.ns, name)).get("status", {})

    # v. -------------------------------------------------------------------------------------
    def test_v1_gang_waits_for_room_for_all_and_others_keep_flowing(self):
        nodes = [self.create_node(unique("v1"), cpu="2") for _ in range(3)]
        self.pod_group("train", 4)
        gang = self.members("train", 4, cpu="1500m")
        ev = self.wait_failed_scheduling(gang[0], r"3/4 members of group %s/train can be placed"
                                         % self.ns)
        self.assertEqual(harness.event_source(ev), GANG)
        self.assert_none_bound(gang)

        # Pods of the other profile flow while the gang waits.
        # (A roomy node the gang may not use: tainted, tolerated by the plain pods only.)
        taint = {"key": "e2e-plain", "value": "only", "effect": "NoSchedule"}
        roomy = self.create_node(unique("v1-roomy"), cpu="64", pods="200", taints=[taint])
        plain = ["plain-%d" % i for i in range(20)]
        t0 = time.monotonic()
        for n in plain:
            self.create_pod(pod(n, scheduler=PLAIN, cpu="100m",
                                node_selector={"kubernetes.io/hostname": roomy},
                                tolerations=[{"key": "e2e-plain", "operator": "Equal",
                                              "value": "only", "effect": "NoSchedule"}]))
        self.wait_all_bound(plain, timeout=15)
        print("e2e v1: 20 plain pods bound in %.1fs while the gang waited"
              % (time.monotonic() - t0))
        self.assertEqual(self.bound(gang), set())

        # A fourth node: the whole gang binds, on the small nodes.
        nodes.append(self.create_node(unique("v1"), cpu="2"))
        t0 = time.monotonic()
        placed = self.wait_all_bound(gang, timeout=20)
        print("e2e v1: gang of 4 bound %.1fs after the fourth node" % (time.monotonic() - t0))
        self.assertEqual(sorted(placed[n] for n in gang), sorted(nodes))
        wait_for(lambda: self.group_status("train").get("phase") == "Scheduled",
                 "PodGroup train to be Scheduled")

        # The members start (as a kubelet would report): the group is Running, then Failed
        # once a member fails.
        for n in gang:
            self.api.patch("/api/v1/namespaces/%s/pods/%s/status" % (self.ns, n),
                           {"status": {"phase": "Running"}})
        wait_for(lambda: self.group_status("train").get("phase") == "Running",
                 "PodGroup train to be Running", timeout=15)
        self.assertEqual(self.group_status("train").get("running"), 4)
        self.api.patch("/api/v1/namespaces/%s/pods/%s/status" % (self.ns, gang[0]),
                       {"status": {"phase": "Failed"}})
        wait_for(lambda: self.group_status("train").get("phase") == "Failed",
                 "PodGroup train to be Failed", timeout=15)
        self.assertEqual(self.group_status("train").get("failed"), 1)

    def test_v2_two_gangs_that_fit_only_one_at_a_time(self):
        for _ in range(2):
            self.create_node(unique("v2"), cpu="2")
        self.pod_group("a", 2)
        self.pod_group("b", 2)
        a = self.members("a", 2, cpu="1500m")
        b = self.members("b", 2, cpu="1500m")

        def one_complete():
            done_a, done_b = self.bound(a), self.bound(b)
            if len(done_a) == 2 or len(done_b) == 2:
                return (a, b) if len(done_a) == 2 else (b, a)
            return None
        first, second = wait_for(one_complete, "one gang to complete", timeout=20)
        # The other waits with nothing bound, and holds nothing: the first is whole.
        self.assert_none_bound(second)
        self.assertEqual(self.bound(first), set(first))

        # The first finishes: the second completes.
        for n in first:
            self.delete_pod(n)
        self.wait_all_bound(second, timeout=30)

    def test_v3_a_member_failing_prebind_binds_no_one(self):
        for _ in range(3):
            self.create_node(unique("v3"), cpu="2")
        # A claim whose volume binding never completes (no PV controller in the test cluster):
        # VolumeBinding's PreBind fails after bindTimeoutSeconds (2 s) for that member.
        sc, pv = unique("gang-wffc"), unique("gang-pv")
        self.api.post("/apis/storage.k8s.io/v1/storageclasses", {
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": sc},
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "WaitForFirstConsumer"})
        self.cluster_objects.append("/apis/storage.k8s.io/v1/storageclasses/" + sc)
        self.api.post("/api/v1/persistentvolumes", {
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "storageClassName": sc, "hostPath": {"path": "/tmp/" + pv}}})
        self.cluster_objects.append("/api/v1/persistentvolumes/" + pv)
        # Available, as the PV controller (not running here) would mark it.
        self.api.patch("/api/v1/persistentvolumes/%s/status" % pv,
                       {"status": {"phase": "Available"}})
        self.api.post("/api/v1/namespaces/%s/persistentvolumeclaims" % self.ns, {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "scratch"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": sc,
                     "resources": {"requests": {"storage": "1Gi"}}}})

        self.pod_group("vol", 3)
        ok = self.members("vol", 2, cpu="1")
        stuck = self.member("vol-claim", "vol", cpu="1")
        stuck["spec"]["volumes"] = [{"name": "d", "persistentVolumeClaim": {"claimName": "scratch"}}]
        self.create_pod(stuck)
        gang = ok + ["vol-claim"]
        # The members reached PreBind and were failed with the one whose volume did not bind.
        self.wait_failed_scheduling(ok[0], r"member %s/vol-claim failed" % self.ns, timeout=20)
        # Several rounds of the 2 s PreBind timeout: never a partial gang.
        self.assert_none_bound(gang, seconds=6)

        # Replace the member that cannot bind: the gang completes.
        self.delete_pod("vol-claim")
        self.create_pod(self.member("vol-2", "vol", cpu="1"))
        self.wait_all_bound(ok + ["vol-2"], timeout=30)


if __name__ == "__main__":
    unittest.main()
