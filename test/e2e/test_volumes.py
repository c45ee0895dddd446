"""Volumes on the real cluster: a pod whose PersistentVolumeClaim is bound to a local
PersistentVolume lands on the one node the volume can be reached from; a claim bound to a volume
no node can reach leaves its pod unschedulable with upstream's reason. No PV controller runs in
the test cluster, so the claims are created already bound (volumeName + bind-completed), as the
controller would leave them. Passes on upstream kube-scheduler 1.20 too."""

import unittest

from harness import ClusterTestCase, pod, unique

HOSTNAME = "kubernetes.io/hostname"
AFFINITY_CONFLICT = r"node\(s\) had volume node affinity conflict"


class VolumesTest(ClusterTestCase):

    def setUp(self):
        super().setUp()
        self.pvs = []

    def tearDown(self):
        super().tearDown()
        for pv in self.pvs:
            self.api.delete("/api/v1/persistentvolumes/" + pv)

    def bound_claim(self, claim, host):
        """A local PV reachable from node `host` only, and the claim `claim` bound to it."""
        pv = unique("pv")
        self.api.post("/api/v1/persistentvolumes", {
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "storageClassName": "", "local": {"path": "/mnt/disks/" + pv},
                     "claimRef": {"namespace": self.ns, "name": claim},
                     "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                         {"key": HOSTNAME, "operator": "In", "values": [host]}]}]}}}})
        self.pvs.append(pv)
        self.api.post("/api/v1/namespaces/%s/persistentvolumeclaims" % self.ns, {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim,
                         "annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                     "volumeName": pv, "resources": {"requests": {"storage": "1Gi"}}}})
        self.api.patch("/api/v1/namespaces/%s/persistentvolumeclaims/%s/status" % (self.ns, claim),
                       {"status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                                   "capacity": {"storage": "1Gi"}}})

    def pod_with_claim(self, name, claim, scheduler=None):
        p = pod(name, scheduler=scheduler)
        p["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
        return p

    # o. -------------------------------------------------------------------------------------
    def test_o_claim_bound_to_a_local_volume(self):
        nodes = [self.create_node(unique("o-%d" % i)) for i in range(3)]
        self.bound_claim("data", nodes[1])
        self.bound_claim("data-my", nodes[2])
        self.bound_claim("data-nowhere", "no-such-node")
        self.create_pod(self.pod_with_claim("db", "data"))
        self.create_pod(self.pod_with_claim("db-my", "data-my", scheduler="my-scheduler"))
        self.create_pod(self.pod_with_claim("stuck", "data-nowhere"))
        self.assertEqual(self.wait_bound("db"), nodes[1])
        self.assertEqual(self.wait_bound("db-my"), nodes[2])
        ev = self.wait_failed_scheduling("stuck", r"^0/\d+ nodes are available:")
        self.assertRegex(ev["note"], "3 " + AFFINITY_CONFLICT)
        self.assert_stays_unbound("stuck")
        self.assert_scheduler_alive()


if __name__ == "__main__":
    unittest.main()
