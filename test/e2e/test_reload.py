"""Hot reload of the configuration file while multisched runs (multisched only: kube-scheduler
reads its configuration once). The running scheduler watches its --config file; these tests edit
that file the ways operators do and check scheduling follows without a restart, and that a broken
edit never stops it. The file is restored afterwards."""

import os
import re
import time
import unittest

import harness
from harness import ClusterTestCase, pod, unique, wait_for

THIRD_PROFILE = """\
- schedulerName: third-scheduler
  plugins:
    score:
      disabled:
      - name: '*'
"""


def replace_file(path, text):
    """Write-and-rename, as editors and `kubectl cp` do."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def write_in_place(path, text):
    with open(path, "w") as f:
        f.write(text)


@unittest.skipIf(harness.is_upstream(), "kube-scheduler does not reload its configuration")
class ReloadTest(ClusterTestCase):

    def setUp(self):
        super().setUp()
        self.config = self.env.config_path
        with open(self.config) as f:
            self.original = f.read()
        self.log_start = os.path.getsize(self.env.scheduler_log)

    def tearDown(self):
        if open(self.config).read() != self.original:
            replace_file(self.config, self.original)
            self.wait_log(r"configuration .* reloaded")
        super().tearDown()

    def log_since_start(self):
        with open(self.env.scheduler_log, errors="replace") as f:
            f.seek(self.log_start)
            return f.read()

    def wait_log(self, pattern):
        rx = re.compile(pattern)
        wait_for(lambda: rx.search(self.log_since_start()), "scheduler log line matching %r" % pattern)

    # p. -------------------------------------------------------------------------------------
    def test_p_profiles_reload_without_restart(self):
        node = self.create_node(unique("p"))
        # Not served yet: left alone, as any pod for another scheduler.
        self.create_pod(pod("early", scheduler="third-scheduler"))
        self.assert_stays_unbound("early")
        self.assertFalse(self.events_for("early"))

        # Add a third profile: the pending pod is adopted and new ones flow, no restart.
        replace_file(self.config, self.original + THIRD_PROFILE)
        self.assertEqual(self.wait_bound("early"), node)
        self.create_pod(pod("late", scheduler="third-scheduler"))
        self.assertEqual(self.wait_bound("late"), node)
        self.assertRegex(self.log_since_start(), r"profiles added \[third-scheduler\]")

        # A broken edit (unknown field): logged with file:line:col, the running profiles stay.
        write_in_place(self.config, self.original + THIRD_PROFILE + "  pluginConfg: []\n")
        self.wait_log(re.escape(self.config) + r":\d+:\d+: profiles\[2\]\.pluginConfg")
        for scheduler in (None, "my-scheduler", "third-scheduler"):
            name = "during-broken-" + (scheduler or "default")
            self.create_pod(pod(name, scheduler=scheduler))
            self.assertEqual(self.wait_bound(name), node)

        # Invalid YAML is refused the same way.
        write_in_place(self.config, self.original + "profiles: [\n")
        self.wait_log(r"reload failed.*invalid YAML")
        self.create_pod(pod("during-garbage", scheduler="third-scheduler"))
        self.assertEqual(self.wait_bound("during-garbage"), node)

        # Fixed by going back to two profiles: third-scheduler pods are left alone again.
        replace_file(self.config, self.original)
        self.wait_log(r"profiles added \[none\], removed \[third-scheduler\]")
        self.create_pod(pod("after", scheduler="third-scheduler"))
        self.create_pod(pod("after-default"))
        self.assertEqual(self.wait_bound("after-default"), node)
        self.assert_stays_unbound("after")
        self.assertFalse(self.events_for("after"))
        self.assert_scheduler_alive()
