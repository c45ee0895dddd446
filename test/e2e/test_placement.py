"""Placement rules of the default plugin set on the real cluster: node selectors and node affinity
(required and preferred), host-port conflicts, and the two sample profiles' scoring strategies. Each test runs through both profiles where
the rule is profile-independent. Passes on upstream kube-scheduler 1.20 too (its older reason
wording is accepted)."""

import unittest

from harness import ClusterTestCase, pod, unique

AFFINITY_REASON = r"node\(s\) didn't match (Pod's node affinity(/selector)?|node selector)"
PORTS_REASON = r"node\(s\) didn't have free ports for the requested pod ports"


def required_zone(zone):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "zone", "operator": "In", "values": [zone]}]}]}}}


def preferred_zone(zone, weight=100):
    return {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": weight, "preference": {"matchExpressions": [
            {"key": "zone", "operator": "In", "values": [zone]}]}}]}}


class PlacementTest(ClusterTestCase):

    # h. -------------------------------------------------------------------------------------
    def test_h_node_selector_and_node_affinity(self):
        a = self.create_node(unique("h-a"), labels={"zone": "a"})
        b = self.create_node(unique("h-b"), labels={"zone": "b", "disktype": "ssd"})
        for scheduler in (None, "my-scheduler"):
            suffix = "-my" if scheduler else ""
            self.create_pod(pod("selector" + suffix, scheduler=scheduler,
                                node_selector={"disktype": "ssd"}))
            self.create_pod(pod("required" + suffix, scheduler=scheduler,
                                affinity=required_zone("a")))
            self.create_pod(pod("preferred" + suffix, scheduler=scheduler,
                                affinity=preferred_zone("b")))
            self.create_pod(pod("nowhere" + suffix, scheduler=scheduler,
                                node_selector={"disktype": "nvme"}))
            self.assertEqual(self.wait_bound("selector" + suffix), b)
            self.assertEqual(self.wait_bound("required" + suffix), a)
            self.assertEqual(self.wait_bound("preferred" + suffix), b)
            ev = self.wait_failed_scheduling("nowhere" + suffix, r"^0/\d+ nodes are available:")
            self.assertRegex(ev["note"], "2 " + AFFINITY_REASON)
            self.assertFalse(self.get_pod("nowhere" + suffix)["spec"].get("nodeName"))
        self.assert_scheduler_alive()

    # i. -------------------------------------------------------------------------------------
    def test_i_host_port_conflicts(self):
        nodes = {self.create_node(unique("i-1")), self.create_node(unique("i-2"))}
        self.create_pod(pod("web-0", host_ports=[8080]))
        first = self.wait_bound("web-0")
        self.create_pod(pod("web-1", scheduler="my-scheduler", host_ports=[8080]))
        second = self.wait_bound("web-1")
        self.assertEqual({first, second}, nodes)
        self.create_pod(pod("web-2", host_ports=[8080]))
        ev = self.wait_failed_scheduling("web-2", r"^0/\d+ nodes are available:")
        self.assertRegex(ev["note"], "2 " + PORTS_REASON)
        # Another port still fits.
        self.create_pod(pod("other-port", host_ports=[9090]))
        self.assertIn(self.wait_bound("other-port"), nodes)
        self.assert_scheduler_alive()

    # n. -------------------------------------------------------------------------------------
    def test_n_profiles_score_differently(self):
        """The same pod through each profile: default-scheduler spreads (LeastAllocated),
        my-scheduler bin-packs (MostAllocated, manifests/samples/two-profiles.yaml)."""
        busy = self.create_node(unique("n-busy"))
        idle = self.create_node(unique("n-idle"))
        # Half of busy's cpu and memory, placed by someone else (balanced, so only the
        # NodeResourcesFit strategy tells the two nodes apart).
        self.create_pod(pod("load", cpu="2", memory="4Gi", node_name=busy))
        self.assertEqual(self.wait_bound("load"), busy)
        self.create_pod(pod("spread"))
        self.create_pod(pod("packed", scheduler="my-scheduler"))
        self.assertEqual(self.wait_bound("spread"), idle)
        self.assertEqual(self.wait_bound("packed"), busy)
        self.assert_scheduler_alive()


if __name__ == "__main__":
    unittest.main()
