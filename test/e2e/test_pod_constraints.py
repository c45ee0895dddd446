"""Placement relative to other pods on the real cluster: required pod anti-affinity on the
hostname, required pod affinity on the zone, and topology spread over zones. Each rule is
exercised through both profiles. Passes on upstream kube-scheduler 1.20 too (its older reason
wording is accepted)."""

import collections
import unittest

from harness import ClusterTestCase, pod, unique, wait_for

ZONE = "topology.kubernetes.io/zone"
HOSTNAME = "kubernetes.io/hostname"
ANTI_AFFINITY_REASON = r"node\(s\) didn't match pod (affinity/)?anti-affinity( rules)?"
SPREAD_REASON = r"node\(s\) didn't match pod topology spread constraints"


def term(labels, topology_key):
    return {"labelSelector": {"matchLabels": labels}, "topologyKey": topology_key}


class PodConstraintsTest(ClusterTestCase):

    # j. -------------------------------------------------------------------------------------
    def test_j_pod_anti_affinity_on_hostname(self):
        nodes = {self.create_node(unique("j-1")), self.create_node(unique("j-2"))}
        for scheduler in (None, "my-scheduler"):
            app = "web-my" if scheduler else "web"
            anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                term({"app": app}, HOSTNAME)]}}
            names = ["%s-%d" % (app, i) for i in range(3)]
            for n in names:
                self.create_pod(pod(n, scheduler=scheduler, labels={"app": app}, affinity=anti))
            # Two fit, one per node; the third is refused by anti-affinity on every node.
            bound = self.wait_bound_count(names, 2)
            self.assertEqual(set(bound.values()), nodes)
            left = [n for n in names if n not in bound]
            ev = self.wait_failed_scheduling(left[0], r"^0/\d+ nodes are available:")
            self.assertRegex(ev["note"], "2 " + ANTI_AFFINITY_REASON)
            self.assert_stays_unbound(left[0])
        self.assert_scheduler_alive()

    # k. -------------------------------------------------------------------------------------
    def test_k_pod_affinity_on_zone(self):
        zone_a = self.create_node(unique("k-a"), labels={ZONE: "a"})
        zone_b = {self.create_node(unique("k-b1"), labels={ZONE: "b"}),
                  self.create_node(unique("k-b2"), labels={ZONE: "b"})}
        self.create_pod(pod("db", labels={"app": "db"}, node_selector={ZONE: "b"}))
        self.assertIn(self.wait_bound("db"), zone_b)
        affinity = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            term({"app": "db"}, ZONE)]}}
        names = []
        for i, scheduler in enumerate((None, "my-scheduler") * 2):
            names.append("web-%d" % i)
            self.create_pod(pod(names[-1], scheduler=scheduler, labels={"app": "web"},
                                affinity=affinity))
        for n in names:
            self.assertIn(self.wait_bound(n), zone_b)
        # No "db" pod in zone a: a pod that wants one there cannot run.
        self.create_pod(pod("lonely", labels={"app": "web"}, node_selector={ZONE: "a"},
                            affinity=affinity))
        self.wait_failed_scheduling("lonely", r"^0/\d+ nodes are available:")
        self.assertFalse(self.get_pod("lonely")["spec"].get("nodeName"))
        self.assertNotIn(zone_a, {self.get_pod(n)["spec"]["nodeName"] for n in names})
        self.assert_scheduler_alive()

    # l. -------------------------------------------------------------------------------------
    def test_l_topology_spread_over_zones(self):
        zone_of = {self.create_node(unique("l-a"), labels={ZONE: "a"}): "a",
                   self.create_node(unique("l-b1"), labels={ZONE: "b"}): "b",
                   self.create_node(unique("l-b2"), labels={ZONE: "b"}): "b"}
        spread = [{"maxSkew": 1, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule",
                   "labelSelector": {"matchLabels": {"app": "spread"}}}]
        per_zone = collections.Counter()
        for i, scheduler in enumerate((None, "my-scheduler") * 3):
            name = "spread-%d" % i
            p = pod(name, scheduler=scheduler, labels={"app": "spread"})
            p["spec"]["topologySpreadConstraints"] = spread
            self.create_pod(p)
            per_zone[zone_of[self.wait_bound(name)]] += 1
            self.assertLessEqual(abs(per_zone["a"] - per_zone["b"]), 1, dict(per_zone))
        self.assertEqual(per_zone, {"a": 3, "b": 3})
        # Zone b cordoned: one more pod fits in zone a (skew 4-3), the next would make it 2.
        for node, zone in zone_of.items():
            if zone == "b":
                self.api.patch("/api/v1/nodes/" + node, {"spec": {"unschedulable": True}})
        for name, want_bound in (("skew-1", True), ("skew-2", False)):
            p = pod(name, labels={"app": "spread"})
            p["spec"]["topologySpreadConstraints"] = spread
            self.create_pod(p)
            if want_bound:
                self.assertEqual(zone_of[self.wait_bound(name)], "a")
        ev = self.wait_failed_scheduling("skew-2", r"^0/\d+ nodes are available:")
        self.assertRegex(ev["note"], "1 " + SPREAD_REASON)
        self.assert_scheduler_alive()

    # -- helpers -----------------------------------------------------------------------------

    def wait_bound_count(self, names, count):
        """Waits until `count` of `names` are bound; returns {name: node} of the bound ones."""
        def check():
            bound = {}
            for n in names:
                node = self.get_pod(n)["spec"].get("nodeName")
                if node:
                    bound[n] = node
            return bound if len(bound) >= count else None
        return wait_for(check, "%d of %s bound" % (count, names))


if __name__ == "__main__":
    unittest.main()
