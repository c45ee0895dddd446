"""The secure port (multisched only here: the 1.20 kube-scheduler the suite can build serves its
health and metrics over plain HTTP). A second multisched instance is started for these tests with
a profile no pod uses, so it never competes with the suite's scheduler, and with
--authentication-kubeconfig / --authorization-kubeconfig pointing at the scheduler's kubeconfig,
as kubeadm does. Bearer tokens come from the test apiserver's --token-auth-file."""

import http.client
import json
import os
import ssl
import subprocess
import time
import unittest

import harness
import local_cluster
from harness import ClusterTestCase, wait_for

CONFIG = harness.CONFIG_HEADER + """\
profiles:
- schedulerName: serving-probe-scheduler
"""

READER_ROLE = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
    "metadata": {"name": "e2e-metrics-reader"},
    "rules": [{"nonResourceURLs": ["/metrics", "/configz", "/debug/explain"], "verbs": ["get"]},
              {"nonResourceURLs": ["/debug/flags/v"], "verbs": ["put"]}]}
READER_BINDING = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
    "metadata": {"name": "e2e-metrics-reader"},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                "name": "e2e-metrics-reader"},
    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                  "name": "e2e-metrics-reader"}]}


@unittest.skipIf(harness.is_upstream(), "kube-scheduler 1.20 serves health and metrics over HTTP")
class ServingTest(ClusterTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        for obj, path in ((READER_ROLE, "/apis/rbac.authorization.k8s.io/v1/clusterroles"),
                          (READER_BINDING,
                           "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")):
            if not cls.api.exists(path + "/" + obj["metadata"]["name"]):
                cls.api.post(path, obj)
        cls.config = os.path.join(env.work_dir, "serving-probe.yaml")
        with open(cls.config, "w") as f:
            f.write(CONFIG.format(kubeconfig=env.cluster.scheduler_kubeconfig))
        cls.port = local_cluster.free_port()
        cls.log = os.path.join(env.work_dir, "serving-probe.log")
        kubeconfig = env.cluster.scheduler_kubeconfig
        cls.proc = local_cluster.start_process(
            [harness.scheduler_bin(), "--config", cls.config, "-v=3",
             "--bind-address=127.0.0.1", "--secure-port=%d" % cls.port,
             "--authentication-kubeconfig=" + kubeconfig,
             "--authorization-kubeconfig=" + kubeconfig], cls.log)
        cls.tokens = env.cluster.tokens

    @classmethod
    def tearDownClass(cls):
        local_cluster.kill_process(cls.proc)
        super().tearDownClass()

    def get(self, path, token=None, method="GET", body=None):
        """One HTTPS request; the self-signed serving certificate is not verified (as probes)."""
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + harness.WAIT_TIMEOUT
        while True:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=10)
            try:
                headers = {"Authorization": "Bearer " + token} if token else {}
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.read().decode("utf-8", "replace")
            except ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)  # still starting
            finally:
                conn.close()

    # q. -------------------------------------------------------------------------------------
    def test_q_health_metrics_configz_behind_delegated_auth(self):
        self.assertEqual(self.get("/healthz"), (200, "ok"))
        self.assertEqual(self.get("/livez"), (200, "ok"))
        wait_for(lambda: self.get("/readyz")[0] == 200, "/readyz to pass once informers synced")
        status, body = self.get("/readyz?verbose")
        self.assertIn("[+]sched-handler-sync ok", body)

        # Anonymous: forbidden with upstream's Status body.
        status, body = self.get("/metrics")
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body)["message"],
                         'forbidden: User "system:anonymous" cannot get path "/metrics"')
        # A token the apiserver does not know: 401.
        self.assertEqual(self.get("/metrics", token="not-a-token")[0], 401)
        # A known user without RBAC for the path: 403 naming the user (SubjectAccessReview).
        status, body = self.get("/metrics", token=self.tokens["e2e-nobody"])
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body)["message"],
                         'forbidden: User "e2e-nobody" cannot get path "/metrics"')
        # The authorized reader: metrics in Prometheus text format.
        status, body = self.get("/metrics", token=self.tokens["e2e-metrics-reader"])
        self.assertEqual(status, 200, body)
        self.assertIn('# TYPE scheduler_pending_pods gauge', body)
        self.assertIn('scheduler_pending_pods{queue="active"} 0', body)
        self.assertIn("process_resident_memory_bytes", body)
        # A pod of the probe's profile: its attempt is counted.
        node = self.create_node(harness.unique("q"))
        self.create_pod(harness.pod("probe", scheduler="serving-probe-scheduler"))
        self.assertEqual(self.wait_bound("probe"), node)
        wait_for(lambda: 'scheduler_schedule_attempts_total{profile="serving-probe-scheduler",'
                 'result="scheduled"} 1' in self.get("/metrics", token=self.tokens[
                     "e2e-metrics-reader"])[1], "the scheduled attempt in /metrics")
        # The framework, queue and SLI metrics of that one pod, with upstream's labels.
        body = self.get("/metrics", token=self.tokens["e2e-metrics-reader"])[1]
        profile = 'profile="serving-probe-scheduler"'
        for sample in (
                'scheduler_framework_extension_point_duration_seconds_count{extension_point="Bind",'
                + profile + ',status="Success"} 1',
                'scheduler_framework_extension_point_duration_seconds_count{'
                'extension_point="PreFilter",' + profile + ',status="Success"} 1',
                'scheduler_queue_incoming_pods_total{event="PodAdd",queue="active"} 1',
                'scheduler_pod_scheduling_sli_duration_seconds_count{attempts="1"} 1',
                'scheduler_goroutines{operation="binding"} 0',
                'scheduler_event_handling_duration_seconds_count{event="UnscheduledPodAdd"}',
                'scheduler_plugin_evaluation_total{extension_point="PreFilter",'
                'plugin="NodeResourcesFit",' + profile + '} 1'):
            self.assertIn(sample, body)
        # client-go's request metrics: the Binding POST (201) and the LISTs (200) to this
        # apiserver, by code, method and host.
        for pattern in (r'rest_client_requests_total\{code="201",host="127\.0\.0\.1:\d+",'
                        r'method="POST"\} [1-9]',
                        r'rest_client_requests_total\{code="200",host="127\.0\.0\.1:\d+",'
                        r'method="GET"\} [1-9]',
                        r'rest_client_request_duration_seconds_count\{host="127\.0\.0\.1:\d+",'
                        r'verb="GET"\} [1-9]'):
            self.assertRegex(body, pattern)
        # A pod that fits nowhere waits, counted under the plugin that rejected it.
        self.create_pod(harness.pod("probe-huge", scheduler="serving-probe-scheduler", cpu="500"))
        wait_for(lambda: 'scheduler_unschedulable_pods{plugin="NodeResourcesFit",' + profile +
                 '} 1' in self.get("/metrics", token=self.tokens["e2e-metrics-reader"])[1],
                 "the unschedulable pod in scheduler_unschedulable_pods")
        # /configz: the configuration in force.
        status, body = self.get("/configz", token=self.tokens["e2e-metrics-reader"])
        self.assertEqual(status, 200, body)
        cfg = json.loads(body)["componentconfig"]
        self.assertEqual([p["schedulerName"] for p in cfg["profiles"]],
                         ["serving-probe-scheduler"])
        self.assertEqual(cfg["parallelism"], 16)
        # PUT /debug/flags/v (enableProfiling): the verbosity changes; SubjectAccessReview verb
        # "put"; anonymous is refused.
        self.assertEqual(self.get("/debug/flags/v", method="PUT", body="4")[0], 403)
        self.assertEqual(
            self.get("/debug/flags/v", token=self.tokens["e2e-metrics-reader"], method="PUT",
                     body="4"), (200, "successfully set klog.logging.verbosity to 4"))
        self.assertIsNone(self.proc.poll(), "serving probe scheduler exited")

    def test_r_reload_is_counted_and_shown(self):
        reader = self.tokens["e2e-metrics-reader"]
        wait_for(lambda: self.get("/readyz")[0] == 200, "/readyz")
        with open(self.config) as f:
            good = f.read()
        try:
            with open(self.config, "w") as f:
                f.write(good + "  pluginConfg: []\n")

            def failed():
                body = self.get("/configz", token=reader)[1]
                return json.loads(body)["multisched"] if '"failure":1' in body else None
            state = wait_for(failed, "/configz to show the failed reload")
            self.assertIn("pluginConfg", state["lastReloadError"])
            self.assertFalse(state["lastReloadSucceeded"])
            body = self.get("/metrics", token=reader)[1]
            self.assertIn('multisched_config_reloads_total{result="failure"} 1', body)
            self.assertIn("multisched_config_last_reload_successful 0", body)
        finally:
            tmp = self.config + ".tmp"
            with open(tmp, "w") as f:
                f.write(good.replace("serving-probe-scheduler", "serving-probe-scheduler-2"))
            os.rename(tmp, self.config)
        wait_for(lambda: '"success":1' in self.get("/configz", token=reader)[1],
                 "/configz to show the successful reload")
        body = self.get("/configz", token=reader)[1]
        self.assertEqual(json.loads(body)["componentconfig"]["profiles"][0]["schedulerName"],
                         "serving-probe-scheduler-2")
        body = self.get("/metrics", token=reader)[1]
        self.assertIn('multisched_config_reloads_total{result="success"} 1', body)
        self.assertIn("multisched_config_last_reload_successful 1", body)

    # s. -------------------------------------------------------------------------------------
    def test_s_debug_explain_and_the_explain_command(self):
        """/debug/explain serves the last attempt of a pending pod behind the same authn/authz
        as /metrics and forgets it once the pod is gone; `multisched explain` reads the cluster
        and gives the same per-node verdicts."""
        reader = self.tokens["e2e-metrics-reader"]
        wait_for(lambda: self.get("/readyz")[0] == 200, "/readyz")
        cfg = json.loads(self.get("/configz", token=reader)[1])["componentconfig"]
        profile = cfg["profiles"][0]["schedulerName"]  # test_r may have renamed it
        label = harness.unique("explain")
        small = self.create_node(harness.unique("s"), cpu="1", labels={"e2e-explain": label})
        unlabelled = self.create_node(harness.unique("s"))
        self.create_pod(harness.pod("stuck", scheduler=profile, cpu="2",
                                    node_selector={"e2e-explain": label}))
        path = "/debug/explain?pod=%s/stuck" % self.ns

        def explained():
            status, body = self.get(path, token=reader)
            return json.loads(body) if status == 200 else None
        live = wait_for(explained, "the pending pod's explanation at /debug/explain")
        self.assertEqual(live["profile"], profile)
        self.assertIn("nodes are available", live["message"])
        self.assertTrue(live["everyNode"])
        self.assertEqual(live["feasibleCount"], 0)
        verdicts = {r["node"]: (r["plugin"], r["reasons"]) for r in live["rejected"]}
        self.assertEqual(verdicts[small], ("NodeResourcesFit", ["Insufficient cpu"]))
        self.assertEqual(verdicts[unlabelled],
                         ("NodeAffinity", ["node(s) didn't match Pod's node affinity/selector"]))
        for node, (plugin, _) in verdicts.items():  # the others lack the label
            if node != small:
                self.assertIn(plugin, ("NodeAffinity", "TaintToleration", "NodeUnschedulable"))
        self.assertEqual(len(verdicts), live["nodes"])
        # Same authn/authz as /metrics.
        self.assertEqual(self.get(path)[0], 403)
        self.assertEqual(self.get(path, token=self.tokens["e2e-nobody"])[0], 403)
        self.assertEqual(self.get("/debug/explain?pod=nonsense", token=reader)[0], 400)

        # The same question asked of the cluster from outside.
        r = subprocess.run([harness.scheduler_bin(), "explain", "%s/stuck" % self.ns,
                            "--kubeconfig", self.env.cluster.admin_kubeconfig,
                            "--config", self.config, "--output", "json"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        offline = json.loads(r.stdout)["explanation"]
        offline_verdicts = {x["node"]: (x["plugin"], x["reasons"]) for x in offline["rejected"]}
        common = set(verdicts) & set(offline_verdicts)
        self.assertTrue({small, unlabelled} <= common, common)
        self.assertEqual({n: verdicts[n] for n in common},
                         {n: offline_verdicts[n] for n in common})
        self.assertEqual(offline["feasible"], [])
        # A pod that does not exist: exit 1 and one line saying so.
        r = subprocess.run([harness.scheduler_bin(), "explain", "%s/absent" % self.ns,
                            "--kubeconfig", self.env.cluster.admin_kubeconfig],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such pod", r.stderr.decode())

        # Deleted: forgotten.
        self.delete_pod("stuck")
        wait_for(lambda: self.get(path, token=reader)[0] == 404,
                 "the explanation to be forgotten with the pod")
        print("e2e s: /debug/explain and `multisched explain` agree on %d nodes" % len(common))
