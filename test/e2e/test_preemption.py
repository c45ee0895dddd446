"""Priority and preemption on the real cluster: a high-priority pod that fits nowhere evicts a
lower-priority pod (Preempted event on the victim), is nominated to the freed node and binds
there; a pod of equal priority preempts nothing. Passes on upstream kube-scheduler 1.20 too (its
older event wording is accepted)."""

import unittest

from harness import ClusterTestCase, pod, unique, wait_for


class PreemptionTest(ClusterTestCase):

    def setUp(self):
        super().setUp()
        self.classes = []

    def tearDown(self):
        super().tearDown()
        for c in self.classes:
            self.api.delete("/apis/scheduling.k8s.io/v1/priorityclasses/" + c)

    def priority_class(self, prefix, value):
        name = unique(prefix)
        self.api.post("/apis/scheduling.k8s.io/v1/priorityclasses",
                      {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                       "metadata": {"name": name}, "value": value})
        self.classes.append(name)
        return name

    def prio_pod(self, name, priority_class, scheduler=None):
        p = pod(name, scheduler=scheduler, cpu="800m")
        p["spec"]["priorityClassName"] = priority_class
        return p

    # m. -------------------------------------------------------------------------------------
    def test_m_preemption_of_a_lower_priority_pod(self):
        low = self.priority_class("low", 10)
        high = self.priority_class("high", 1000)
        node = self.create_node(unique("m"), cpu="1")
        self.create_pod(self.prio_pod("victim", low))
        self.assertEqual(self.wait_bound("victim"), node)
        victim_uid = self.get_pod("victim")["metadata"]["uid"]

        # Equal priority: no preemption, the newcomer waits.
        self.create_pod(self.prio_pod("peer", low, scheduler="my-scheduler"))
        self.wait_failed_scheduling("peer", r"^0/\d+ nodes are available:")
        self.assertTrue(self.api.exists("/api/v1/namespaces/%s/pods/victim" % self.ns))

        self.create_pod(self.prio_pod("preemptor", high))
        self.assertEqual(self.wait_bound("preemptor"), node)
        wait_for(lambda: not self.api.exists("/api/v1/namespaces/%s/pods/victim" % self.ns),
                 "victim deleted")
        ev = wait_for(lambda: self.events_for("victim", "Preempted"), "Preempted event")[0]
        self.assertRegex(ev["note"], r"^Preempted by .+ on node %s$" % node)
        if ev.get("related"):
            self.assertEqual(ev["related"]["name"], "preemptor")
        self.assertNotEqual(victim_uid, self.get_pod("preemptor")["metadata"]["uid"])
        # The peer still fits nowhere and was not scheduled in the victim's place.
        self.assert_stays_unbound("peer")
        self.assert_scheduler_alive()


if __name__ == "__main__":
    unittest.main()
