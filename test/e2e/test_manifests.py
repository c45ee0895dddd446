"""The shipped manifests and sample configurations: every Kubernetes object passes the test
apiserver's validation and admission (`kubectl apply --dry-run=server`), and every scheduler
configuration is one multisched accepts (decoded, defaulted, validated and written back with
--write-config-to, which needs no cluster)."""

import json
import os
import subprocess
import tempfile
import unittest

import harness
from harness import ClusterTestCase

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANIFESTS = os.path.join(REPO, "manifests")
OBJECTS = ["kubeadm/kube-scheduler.yaml", "deployment/multisched.yaml",
           "crds/scheduling.x-k8s.io_podgroups.yaml", "crds/podgroup-rbac.yaml",
           "webhook/service.yaml", "webhook/routing-rules.yaml", "webhook/mutating-webhook.yaml"]
CONFIGS = ["kubeadm/multisched-config.yaml", "samples/two-profiles.yaml",
           "samples/gang-profiles.yaml"]


def json_objects(text):
    """The objects of kubectl's `-o json` output for several resources (concatenated)."""
    decoder, at, out = json.JSONDecoder(), 0, []
    text = text.strip()
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        out.append(obj)
        while at < len(text) and text[at].isspace():
            at += 1
    return out


@unittest.skipIf(harness.is_upstream(), "multisched's own manifests")
class ManifestsTest(ClusterTestCase):

    def kubectl(self, *args):
        r = subprocess.run(["kubectl", "--kubeconfig", self.env.cluster.admin_kubeconfig, *args],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        return r.returncode, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")

    def check_config(self, path):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "written.yaml")
            r = subprocess.run([harness.scheduler_bin(), "--config", path, "--secure-port=0",
                                "--write-config-to", out], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
            self.assertEqual(r.returncode, 0, "%s: %s" % (path, r.stdout.decode(errors="replace")))
            with open(out) as f:
                written = f.read()
        # Defaulted as upstream: every enabled plugin with args has its pluginConfig entry.
        self.assertIn("kind: DefaultPreemptionArgs", written)
        self.assertIn("kind: NodeResourcesFitArgs", written)

    # s. -------------------------------------------------------------------------------------
    def test_s_manifests_pass_server_side_dry_run(self):
        for name in OBJECTS:
            rc, out = self.kubectl("apply", "--dry-run=server", "-f", os.path.join(MANIFESTS, name))
            self.assertEqual(rc, 0, "%s: %s" % (name, out))
            self.assertIn("(server dry run)", out)

    def test_t_sample_configurations_are_accepted(self):
        for name in CONFIGS:
            self.check_config(os.path.join(MANIFESTS, name))
        # The ConfigMap's embedded configuration too.
        rc, out = self.kubectl("create", "--dry-run=client", "-o", "json", "-f",
                               os.path.join(MANIFESTS, "deployment/multisched.yaml"))
        self.assertEqual(rc, 0, out)
        config = next(o["data"]["config.yaml"] for o in json_objects(out)
                      if o["kind"] == "ConfigMap")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(config)
            f.flush()
            self.check_config(f.name)
