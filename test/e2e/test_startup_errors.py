"""Startup errors of the scheduler binary (multisched only: upstream's messages differ).

Neither test needs the cluster: the binary must reject the configuration before it connects.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness

TIMEOUT = 15  # seconds for the process to exit


def run_scheduler(args):
    r = subprocess.run([harness.scheduler_bin(), *args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


@unittest.skipIf(harness.is_upstream(), "startup error messages are multisched's own")
class StartupErrorsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        b = harness.scheduler_bin()
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise unittest.SkipTest("scheduler binary %s not found" % b)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="multisched-f-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_short_error(self, rc, out, err, must_name):
        text = (err + out).strip()
        self.assertNotEqual(rc, 0, "exit status 0; output:\n" + text)
        lines = [l for l in text.splitlines() if l.strip()]
        naming = [l for l in lines if must_name in l]
        self.assertTrue(naming, "no output line names %r; output:\n%s" % (must_name, text))
        self.assertLessEqual(len(lines), 3,
                             "want a one-line error, got %d lines:\n%s" % (len(lines), text))

    def test_f1_missing_config_file(self):
        missing = os.path.join(self.dir, "no-such-dir", "missing-config.yaml")
        rc, out, err = run_scheduler(["--config", missing, "--secure-port=0"])
        self.assert_short_error(rc, out, err, missing)

    def write_kubeconfig(self, server="https://127.0.0.1:1"):
        kubeconfig = os.path.join(self.dir, "unreachable.kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write("apiVersion: v1\nkind: Config\nclusters:\n- name: x\n  cluster:\n"
                    "    server: %s\ncontexts:\n- name: x\n  context:\n"
                    "    cluster: x\n    user: x\ncurrent-context: x\nusers:\n- name: x\n"
                    "  user: {}\n" % server)
        return kubeconfig

    def write_config(self, kubeconfig, profiles):
        cfg = os.path.join(self.dir, "config.yaml")
        with open(cfg, "w") as f:
            f.write("apiVersion: kubescheduler.config.k8s.io/v1\n"
                    "kind: KubeSchedulerConfiguration\n"
                    "clientConnection:\n  kubeconfig: %s\n"
                    "leaderElection:\n  leaderElect: false\n"
                    "profiles:%s\n" % (kubeconfig, profiles))
        return cfg

    def test_f2_duplicate_profile_names(self):
        cfg = self.write_config(self.write_kubeconfig(),
                                "\n- schedulerName: my-scheduler\n- schedulerName: my-scheduler")
        rc, out, err = run_scheduler(["--config", cfg, "--secure-port=0"])
        self.assert_short_error(rc, out, err, "schedulerName")

    def test_f6_invalid_plugin_args(self):
        cfg = self.write_config(self.write_kubeconfig(),
                                "\n- schedulerName: a\n  pluginConfig:\n"
                                "  - name: NodeResourcesFit\n"
                                "    args: {scoringStrategy: {type: Fastest}}")
        rc, out, err = run_scheduler(["--config", cfg, "--secure-port=0"])
        self.assert_short_error(rc, out, err, "profiles[0].pluginConfig[0].args")
        self.assertRegex(err + out, re.escape(cfg) + r":\d+:\d+: profiles\[0\]")

    def test_f3_empty_profile_list(self):
        cfg = self.write_config(self.write_kubeconfig(), " []")
        rc, out, err = run_scheduler(["--config", cfg, "--secure-port=0"])
        self.assert_short_error(rc, out, err, "profiles")
        self.assertIn(cfg, err + out)

    def test_f4_missing_kubeconfig(self):
        missing = os.path.join(self.dir, "missing.kubeconfig")
        cfg = self.write_config(missing, "\n- schedulerName: a\n- schedulerName: b")
        rc, out, err = run_scheduler(["--config", cfg, "--secure-port=0"])
        self.assert_short_error(rc, out, err, missing)

    def test_f5_unreachable_apiserver(self):
        # Nothing listens on port 1: start-up retries for 15 s, then names where the address
        # came from (clientConnection.kubeconfig) and exits non-zero.
        kubeconfig = self.write_kubeconfig("https://127.0.0.1:1")
        cfg = self.write_config(kubeconfig, "\n- schedulerName: a\n- schedulerName: b")
        r = subprocess.run([harness.scheduler_bin(), "--config", cfg, "--secure-port=0"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=45)
        out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
        self.assertNotEqual(r.returncode, 0, err + out)
        last = [l for l in (err + out).splitlines() if l.strip()][-1]
        self.assertIn("cannot reach kube-apiserver https://127.0.0.1:1", last)
        self.assertIn(kubeconfig, last)


if __name__ == "__main__":
    unittest.main()
