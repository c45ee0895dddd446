"""The profile-routing mutating admission webhook (multisched only), end to end: a multisched
instance of its own runs with --routing-config and serves POST /mutate-pods on its secure port
(--bind-address=127.0.0.1, a free --secure-port, a serving certificate for IP 127.0.0.1 from a CA
made here); the test apiserver calls it through a MutatingWebhookConfiguration (url + caBundle,
failurePolicy Ignore) for pods created in namespaces labelled routing-e2e=on.

Why not quite the shipped set-up (manifests/webhook):
  - The instance serves `routed-e2e` and `routed-e2e-spare`, not `default-scheduler`: the suite's
    own scheduler already serves default-scheduler, and two processes serving one profile would
    race for the same pods. Pods the webhook leaves alone go to the suite's scheduler.
  - The webhook's namespaceSelector is `routing-e2e: on`, not `kubernetes.io/metadata.name NotIn
    [kube-system]`: the 1.20 apiserver does not set that label on namespaces (1.21+). It also
    keeps this webhook away from every other test's namespaces.
  - The instance authenticates as CN=system:kube-scheduler with the extra group
    multisched-routing-e2e, which alone is granted namespaces get/list/watch (the rules'
    namespaceSelector needs namespace labels; 1.20's system:kube-scheduler role cannot read
    namespaces, and the grant must not change the suite's main scheduler).
The webhook configuration, the instance and the RBAC objects are removed in tearDownClass.

  w1  routed on creation by namespace label + pod label, bound by that profile; other pods keep
      default-scheduler; direct AdmissionReviews (v1, v1beta1, no credentials): kube-system
      never patched, 400 for a body that is not a review
  w2  rules file edited: a new rule applies without a restart; a rule naming an unknown profile
      is logged and the old rules stay
  w3  instance down: pods are still created (failurePolicy Ignore); routing resumes on restart
  w4  a rule naming an unknown profile stops the start-up
  w5  manifests/webhook/routing-rules.yaml routes as documented with samples/gang-profiles.yaml
"""

import base64
import http.client
import json
import os
import re
import ssl
import subprocess
import time
import unittest
import uuid

import harness
import local_cluster
from harness import ClusterTestCase, pod, unique, wait_for

ROUTED = "routed-e2e"
SPARE = "routed-e2e-spare"
NS_LABEL_KEY, NS_LABEL_VALUE = "routing-e2e", "on"
GROUP = "multisched-routing-e2e"
WEBHOOK_CONFIG = "multisched-routing-e2e"
WEBHOOK_NAME = "profile-routing.multisched.io"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
ROUTE_TIMEOUT = 15.0   # seconds for a rules edit or a restart to show in routing

CONFIG = harness.CONFIG_HEADER + """\
profiles:
- schedulerName: routed-e2e
- schedulerName: routed-e2e-spare
"""

# Rule 1 is what the tests exercise through the apiserver. Rule 2 has no namespaceSelector; it is
# reached only by the direct reviews of test w1 (the apiserver calls the webhook for labelled
# namespaces only) and shows the kube-system exemption.
RULES = """\
apiVersion: multisched.io/v1alpha1
kind: ProfileRouting
rules:
- name: batch-in-labelled-namespaces
  schedulerName: routed-e2e
  match:
    namespaceSelector:
      matchLabels:
        routing-e2e: "on"
    podSelector:
      matchLabels:
        tier: batch
- name: system-probe-anywhere
  schedulerName: routed-e2e
  match:
    podSelector:
      matchLabels:
        tier: system-probe
"""
RULE_ETL = """\
- name: etl-to-spare
  schedulerName: routed-e2e-spare
  match:
    namespaceSelector:
      matchLabels:
        routing-e2e: "on"
    podSelector:
      matchLabels:
        tier: etl
"""
RULE_UNKNOWN_PROFILE = """\
- name: to-nowhere
  schedulerName: no-such-profile
  match:
    podSelector:
      matchLabels:
        tier: nowhere
"""

NAMESPACE_READER = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
    "metadata": {"name": GROUP},
    "rules": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "watch"]}]}
NAMESPACE_READER_BINDING = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
    "metadata": {"name": GROUP},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": GROUP},
    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": GROUP}]}


# ---------------------------------------------------------------------------------------------
# certificates and the webhook registration (also used by hand-run checks of the plumbing)
# ---------------------------------------------------------------------------------------------

def sign_leaf(d, ca_crt, ca_key, crt, key, subj, ext_lines):
    """An RSA key and a certificate for `subj` signed by the CA, with extensions `ext_lines`."""
    csr, ext = crt + ".csr", crt + ".ext"
    lines = ["basicConstraints=critical,CA:FALSE",
             "keyUsage=critical,digitalSignature,keyEncipherment"] + ext_lines
    with open(ext, "w") as f:
        f.write("\n".join(lines) + "\n")
    local_cluster._openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                           "-out", csr, "-subj", subj, cwd=d)
    local_cluster._openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
                           "-CAcreateserial", "-out", crt, "-days", "30", "-sha256",
                           "-extfile", ext, cwd=d)
    os.remove(csr)
    os.remove(ext)
    os.chmod(key, 0o600)


def make_serving_pki(d):
    """A CA of its own and a serving certificate for IP 127.0.0.1 (and DNS localhost) in d.
    Returns {"ca_crt", "ca_key", "crt", "key"}."""
    os.makedirs(d, exist_ok=True)
    p = {k: os.path.join(d, v) for k, v in (("ca_crt", "webhook-ca.crt"),
                                            ("ca_key", "webhook-ca.key"),
                                            ("crt", "serving.crt"), ("key", "serving.key"))}
    local_cluster._openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p["ca_key"],
                           "-out", p["ca_crt"], "-days", "30",
                           "-subj", "/CN=routing-e2e-webhook-ca",
                           "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                           cwd=d)
    os.chmod(p["ca_key"], 0o600)
    sign_leaf(d, p["ca_crt"], p["ca_key"], p["crt"], p["key"], "/CN=multisched-webhook",
              ["extendedKeyUsage=serverAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
    return p


def make_scheduler_kubeconfig(cluster, d, group=GROUP):
    """A kubeconfig for CN=system:kube-scheduler with the extra group `group` (O=), signed by
    the cluster's CA."""
    crt, key = os.path.join(d, "routing-scheduler.crt"), os.path.join(d, "routing-scheduler.key")
    sign_leaf(d, cluster.pki["ca_crt"], cluster.pki["ca_key"], crt, key,
              "/O=%s/CN=system:kube-scheduler" % group, ["extendedKeyUsage=clientAuth"])
    path = os.path.join(d, "routing-scheduler.kubeconfig")
    local_cluster.write_kubeconfig(path, cluster.server, cluster.pki["ca_crt"], crt, key,
                                   "system:kube-scheduler")
    return path


def webhook_configuration(url, ca_crt_path, name=WEBHOOK_CONFIG):
    """The MutatingWebhookConfiguration the tests register: pod CREATE in namespaces labelled
    routing-e2e=on goes to `url`, whose certificate `ca_crt_path` signed."""
    with open(ca_crt_path, "rb") as f:
        ca_bundle = base64.b64encode(f.read()).decode()
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [{
            "name": WEBHOOK_NAME,
            "clientConfig": {"url": url, "caBundle": ca_bundle},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": ["pods"], "scope": "Namespaced"}],
            "failurePolicy": "Ignore",
            "sideEffects": "None",
            "admissionReviewVersions": ["v1", "v1beta1"],
            "timeoutSeconds": 5,
            "matchPolicy": "Equivalent",
            "reinvocationPolicy": "Never",
            # 1.20 sets no kubernetes.io/metadata.name label: select the tests' namespaces.
            "namespaceSelector": {"matchLabels": {NS_LABEL_KEY: NS_LABEL_VALUE}},
        }]}


def register_webhook(api, config):
    name = config["metadata"]["name"]
    api.delete(WEBHOOKS + "/" + name)   # a leftover of an aborted run
    api.post(WEBHOOKS, config)


def replace_file(path, text):
    """Write-and-rename, as editors and the kubelet's ConfigMap volume do."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


@unittest.skipIf(harness.is_upstream(), "the profile-routing webhook is multisched's own")
class RoutingWebhookTest(ClusterTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.dir = os.path.join(env.work_dir, "routing-e2e")
        os.makedirs(cls.dir, exist_ok=True)
        cls.proc = None
        cls.log = os.path.join(env.work_dir, "routing-webhook.log")
        try:
            cls.pki = make_serving_pki(cls.dir)
            cls.kubeconfig = kubeconfig = make_scheduler_kubeconfig(env.cluster, cls.dir)
            for obj, kind in ((NAMESPACE_READER, "clusterroles"),
                              (NAMESPACE_READER_BINDING, "clusterrolebindings")):
                cls.api.delete("%s/%s/%s" % (RBAC, kind, obj["metadata"]["name"]))
                cls.api.post("%s/%s" % (RBAC, kind), obj)
            cls.config = os.path.join(cls.dir, "scheduler-config.yaml")
            with open(cls.config, "w") as f:
                f.write(CONFIG.format(kubeconfig=kubeconfig))
            cls.rules = os.path.join(cls.dir, "routing-rules.yaml")
            replace_file(cls.rules, RULES)
            cls.port = local_cluster.free_port()
            cls.start_instance()
            register_webhook(cls.api, webhook_configuration(
                "https://127.0.0.1:%d/mutate-pods" % cls.port, cls.pki["ca_crt"]))
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()
        super().tearDownClass()

    @classmethod
    def cleanup(cls):
        # The webhook first: a dangling one would slow pod creation in its namespaces.
        for path in (WEBHOOKS + "/" + WEBHOOK_CONFIG,
                     "%s/clusterrolebindings/%s" % (RBAC, GROUP),
                     "%s/clusterroles/%s" % (RBAC, GROUP)):
            try:
                cls.api.delete(path)
            except Exception as e:  # noqa: BLE001 - best effort
                print("cleanup of %s: %s" % (path, e))
        local_cluster.kill_process(cls.proc)

    @classmethod
    def instance_args(cls, rules=None, port=None):
        return [harness.scheduler_bin(), "--config", cls.config, "-v=3",
                "--routing-config=" + (rules or cls.rules),
                "--bind-address=127.0.0.1", "--secure-port=%d" % (port or cls.port),
                "--tls-cert-file=" + cls.pki["crt"], "--tls-private-key-file=" + cls.pki["key"]]

    @classmethod
    def start_instance(cls):
        cls.proc = cls.start_healthy(cls.instance_args(), cls.log, cls.port)

    @classmethod
    def start_healthy(cls, args, log, port):
        """Start a multisched process; wait until it answers /healthz on `port` with the
        certificate made here."""
        with open(log, "ab") as f:
            f.write(("\n===== e2e: starting %s =====\n" % " ".join(args)).encode())
        proc = local_cluster.start_process(args, log)

        def healthy():
            if proc.poll() is not None:
                local_cluster.kill_process(proc)
                raise AssertionError("%s exited with %s; log tail:\n%s"
                                     % (args[0], proc.returncode, local_cluster.tail(log, 30)))
            try:
                return cls.https("GET", "/healthz", port=port)[0] == 200
            except (ssl.SSLError, http.client.HTTPException):
                return False
        try:
            wait_for(healthy, "/healthz on 127.0.0.1:%d (log %s)" % (port, log))
        except BaseException:
            local_cluster.kill_process(proc)
            raise
        return proc

    @classmethod
    def https(cls, method, path, body=None, port=None):
        """One request to a secure port (default: the instance's), verified against the webhook
        CA."""
        ctx = ssl.create_default_context(cafile=cls.pki["ca_crt"])
        conn = http.client.HTTPSConnection("127.0.0.1", port or cls.port, context=ctx, timeout=10)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def setUp(self):
        super().setUp()
        self.log_start = os.path.getsize(self.log)
        self.api.patch("/api/v1/namespaces/" + self.ns,
                       {"metadata": {"labels": {NS_LABEL_KEY: NS_LABEL_VALUE}}})
        # Both the apiserver's webhook configuration and the instance's view of this namespace's
        # labels are informer-fed: wait until a pod is routed.
        self.wait_routed({"tier": "batch"}, ROUTED, "the webhook to route in namespace " + self.ns)

    def tearDown(self):
        super().tearDown()
        self.assertIsNotNone(self.proc)
        self.assertIsNone(self.proc.poll(), "the routing instance exited; see " + self.log)

    # -- helpers -----------------------------------------------------------------------------

    def diag(self):
        return "\n--- routing instance log tail (%s) ---\n%s" % (
            self.log, local_cluster.tail(self.log, 40))

    def wait(self, fn, what, timeout=harness.WAIT_TIMEOUT):
        try:
            return wait_for(fn, what, timeout)
        except AssertionError as e:
            raise AssertionError(str(e) + self.diag()) from None

    def created_scheduler_name(self, name, labels, scheduler=None):
        """Create a pod; the schedulerName the apiserver stored (after admission)."""
        created = self.create_pod(pod(name, labels=labels, scheduler=scheduler))
        return created["spec"].get("schedulerName")

    def wait_routed(self, labels, expect, what, timeout=ROUTE_TIMEOUT):
        """Create throw-away pods with `labels` until one comes out with schedulerName `expect`.
        Returns the seconds it took."""
        t0 = time.monotonic()

        def attempt():
            name = unique("probe")
            got = self.created_scheduler_name(name, labels)
            self.delete_pod(name)
            return got == expect or None
        self.wait(attempt, what, timeout)
        return time.monotonic() - t0

    def log_since_start(self):
        with open(self.log, errors="replace") as f:
            f.seek(self.log_start)
            return f.read()

    def wait_scheduled_by(self, name, profile):
        def check():
            evs = self.events_for(name, "Scheduled")
            return evs if any(harness.event_source(e) == profile for e in evs) else None
        try:
            return wait_for(check, "a Scheduled event for %s from %s" % (name, profile))
        except AssertionError:
            seen = [(e.get("reason"), harness.event_source(e), e.get("note"))
                    for e in self.events_for(name)]
            raise AssertionError("no Scheduled event for %s from %s; events seen: %r%s"
                                 % (name, profile, seen, self.diag())) from None

    def review(self, api_version, ns, labels, port=None, edit=None):
        """POST one AdmissionReview for a pod CREATE straight to /mutate-pods, anonymously, as
        the apiserver does (`edit(pod)` may change the pod first). Returns the answer's
        `response` after checking the envelope."""
        uid = str(uuid.uuid4())
        obj = pod("direct", labels=labels, scheduler="default-scheduler")  # as defaulted
        obj["metadata"]["namespace"] = ns
        if edit:
            edit(obj)
        gvk = {"group": "", "version": "v1", "kind": "Pod"}
        gvr = {"group": "", "version": "v1", "resource": "pods"}
        body = {"apiVersion": "admission.k8s.io/" + api_version, "kind": "AdmissionReview",
                "request": {"uid": uid, "kind": gvk, "resource": gvr, "requestKind": gvk,
                            "requestResource": gvr, "name": "direct", "namespace": ns,
                            "operation": "CREATE", "userInfo": {"username": "e2e"},
                            "object": obj, "oldObject": None, "dryRun": False,
                            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}}
        status, text = self.https("POST", "/mutate-pods", json.dumps(body), port=port)
        self.assertEqual(status, 200, text + self.diag())
        answer = json.loads(text)
        self.assertEqual(answer.get("apiVersion"), "admission.k8s.io/" + api_version, text)
        self.assertEqual(answer.get("kind"), "AdmissionReview", text)
        response = answer.get("response") or {}
        self.assertEqual(response.get("uid"), uid, text)
        self.assertIs(response.get("allowed"), True, text)
        return response

    def assert_patch_sets(self, response, scheduler):
        self.assertEqual(response.get("patchType"), "JSONPatch", response)
        ops = json.loads(base64.b64decode(response["patch"]))
        self.assertEqual(len(ops), 1, ops)
        self.assertIn(ops[0].get("op"), ("add", "replace"), ops)
        self.assertEqual((ops[0].get("path"), ops[0].get("value")),
                         ("/spec/schedulerName", scheduler), ops)

    def assert_no_patch(self, response):
        self.assertFalse(response.get("patch"), response)

    # w. -------------------------------------------------------------------------------------
    def test_w1_new_pods_are_routed_by_namespace_and_labels(self):
        node = self.create_node(unique("w1"))
        # tier=batch in a labelled namespace: routed as it is created, bound by that profile.
        self.assertEqual(self.created_scheduler_name("batch-1", {"tier": "batch"}), ROUTED,
                         self.diag())
        self.assertEqual(self.wait_bound("batch-1"), node)
        self.wait_scheduled_by("batch-1", ROUTED)
        # Another tier: left to default-scheduler (the suite's scheduler binds it).
        self.assertEqual(self.created_scheduler_name("web-1", {"tier": "web"}),
                         "default-scheduler", self.diag())
        self.assertEqual(self.wait_bound("web-1"), node)
        self.wait_scheduled_by("web-1", "default-scheduler")
        # A pod naming another scheduler is kept (the rule has no override).
        self.assertEqual(self.created_scheduler_name("own-1", {"tier": "batch"},
                                                     scheduler="other-scheduler"),
                         "other-scheduler", self.diag())

        # Straight to the endpoint, both AdmissionReview versions, no credentials.
        for version in ("v1", "v1beta1"):
            self.assert_patch_sets(self.review(version, self.ns, {"tier": "batch"}), ROUTED)
            self.assert_no_patch(self.review(version, self.ns, {"tier": "web"}))
            # "default" lacks the namespace label: rule 1 does not hold; rule 2 needs none.
            self.assert_no_patch(self.review(version, "default", {"tier": "batch"}))
            self.assert_patch_sets(self.review(version, "default", {"tier": "system-probe"}),
                                   ROUTED)
            # kube-system is never touched, whatever the rules say.
            self.assert_no_patch(self.review(version, "kube-system", {"tier": "system-probe"}))
        # Not an AdmissionReview: 400.
        self.assertEqual(self.https("POST", "/mutate-pods", "{}")[0], 400)

    def test_w2_rules_file_hot_reload(self):
        self.create_node(unique("w2"))
        try:
            # A new rule: tier=etl to the spare profile, no restart.
            replace_file(self.rules, RULES + RULE_ETL)
            took = self.wait_routed({"tier": "etl"}, SPARE, "tier=etl pods routed to " + SPARE)
            print("e2e w2: new rule in force %.1fs after the edit" % took)
            self.assertEqual(self.created_scheduler_name("etl-1", {"tier": "etl"}), SPARE)
            self.wait_bound("etl-1")
            self.wait_scheduled_by("etl-1", SPARE)

            # A rule naming a profile this instance does not serve: rejected, old rules kept.
            self.log_start = os.path.getsize(self.log)
            replace_file(self.rules, RULES + RULE_ETL + RULE_UNKNOWN_PROFILE)
            self.wait(lambda: re.search(r"no-such-profile", self.log_since_start()),
                      "the instance to log the rejected rules (naming no-such-profile)")
            self.assertEqual(self.created_scheduler_name("etl-2", {"tier": "etl"}), SPARE,
                             self.diag())
            self.assertEqual(self.created_scheduler_name("batch-2", {"tier": "batch"}), ROUTED,
                             self.diag())
            self.assertEqual(self.created_scheduler_name("nowhere-1", {"tier": "nowhere"}),
                             "default-scheduler", self.diag())
            self.assertIsNone(self.proc.poll(), "the instance exited on a bad rules file")
        finally:
            replace_file(self.rules, RULES)
        self.wait_routed({"tier": "etl"}, "default-scheduler", "the etl rule to be gone again")

    def test_w3_instance_down_pods_still_created(self):
        cls = type(self)
        local_cluster.kill_process(cls.proc)
        try:
            t0 = time.monotonic()
            got = self.created_scheduler_name("batch-down", {"tier": "batch"})
            took = time.monotonic() - t0
            print("e2e w3: pod created in %.2fs with the webhook down" % took)
            # failurePolicy Ignore: created, with the apiserver's default.
            self.assertEqual(got, "default-scheduler")
        finally:
            cls.start_instance()
        took = self.wait_routed({"tier": "batch"}, ROUTED, "routing after the restart")
        print("e2e w3: routing again %.1fs after the restarted instance was healthy" % took)

    def test_w4_rule_naming_an_unknown_profile_is_a_startup_error(self):
        rules = os.path.join(self.dir, "bad-rules.yaml")
        replace_file(rules, RULES + RULE_UNKNOWN_PROFILE)
        args = self.instance_args(rules=rules, port=local_cluster.free_port())
        r = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        out = r.stdout.decode(errors="replace")
        self.assertNotEqual(r.returncode, 0, out)
        self.assertRegex(out, r"to-nowhere|rules\[2\]")
        self.assertIn("no-such-profile", out)

    def test_w5_shipped_sample_rules(self):
        """manifests/webhook/routing-rules.yaml with the profiles it is written for
        (manifests/samples/gang-profiles.yaml; its default-scheduler renamed, so that this
        process competes with the suite's scheduler for nothing)."""
        rc, out = self.kubectl("create", "--dry-run=client", "-o", "json", "-f",
                               os.path.join(harness.REPO, "manifests/webhook/routing-rules.yaml"))
        self.assertEqual(rc, 0, out)
        rules = os.path.join(self.dir, "sample-rules.yaml")
        replace_file(rules, json.loads(out)["data"]["routing-rules.yaml"])
        with open(os.path.join(harness.SAMPLES, "gang-profiles.yaml")) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^(\s+kubeconfig:).*$", r"\1 " + self.kubeconfig, text)
        self.assertEqual(n, 1)
        text, n = re.subn(r"(?m)^- schedulerName: default-scheduler$",
                          "- schedulerName: routing-e2e-sample-default", text)
        self.assertEqual(n, 1)
        config = os.path.join(self.dir, "sample-config.yaml")
        replace_file(config, text)
        port = local_cluster.free_port()
        args = [harness.scheduler_bin(), "--config", config, "-v=3", "--routing-config=" + rules,
                "--bind-address=127.0.0.1", "--secure-port=%d" % port,
                "--tls-cert-file=" + self.pki["crt"], "--tls-private-key-file=" + self.pki["key"]]
        log = os.path.join(self.env.work_dir, "routing-sample.log")
        proc = self.start_healthy(args, log, port)
        try:
            def gpu(p):
                p["spec"]["containers"][0]["resources"]["limits"] = {"nvidia.com/gpu": "1"}

            def batch_low(p):
                p["spec"]["priorityClassName"] = "batch-low"
            self.assert_patch_sets(self.review("v1", self.ns, {}, port, gpu), "gang-scheduler")
            self.assert_patch_sets(self.review("v1", self.ns, {}, port, batch_low),
                                   "batch-scheduler")
            self.assert_no_patch(self.review("v1", self.ns, {}, port))
            self.assert_no_patch(self.review("v1", "kube-system", {}, port, gpu))
            self.api.patch("/api/v1/namespaces/" + self.ns,
                           {"metadata": {"labels": {"team": "ml"}}})
            wait_for(lambda: self.review("v1", self.ns, {}, port).get("patch"),
                     "the namespace label team=ml to route to batch-scheduler")
            self.assert_patch_sets(self.review("v1", self.ns, {}, port), "batch-scheduler")
            self.assertIsNone(proc.poll())
        finally:
            local_cluster.kill_process(proc)

    def kubectl(self, *args):
        r = subprocess.run(["kubectl", "--kubeconfig", self.env.cluster.admin_kubeconfig, *args],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        return r.returncode, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


if __name__ == "__main__":
    unittest.main()
