"""HTTP scheduler extenders (KubeSchedulerConfiguration `extenders:`) on the real cluster, with
multisched instances of their own and the standard-library extender in extender_server.py
(filter: nodes need the label extender-e2e=yes; prioritize: the greatest node name among those
sent scores 10, the rest 0).

  ExtenderTest            profile extender-e2e; the extender is ignorable, weight 5,
                          httpTimeout 2s, called with full node objects (not nodeCacheCapable)
  StrictExtenderTest      profile extender-e2e-strict; a non-ignorable extender at a port where
                          nothing listens

multisched only here: kube-scheduler 1.20 supports extenders too, but reads them from config
v1beta1; these tests keep to v1.
"""

import os
import re
import sys
import time
import unittest

import harness
import local_cluster
from harness import QUIET, ClusterTestCase, pod, unique, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
EXTENDER = os.path.join(HERE, "extender_server.py")
PROFILE = "extender-e2e"
STRICT_PROFILE = "extender-e2e-strict"
LABEL_KEY, LABEL_VALUE = "extender-e2e", "yes"
LACKS_LABEL = "node lacks label %s=%s" % (LABEL_KEY, LABEL_VALUE)

CONFIG = harness.CONFIG_HEADER + """\
profiles:
- schedulerName: {profile}
extenders:
- urlPrefix: http://127.0.0.1:{port}
  filterVerb: filter
  prioritizeVerb: prioritize
  weight: 5
  ignorable: {ignorable}
  httpTimeout: 2s
"""


def start_extender(log, port=0):
    """Start extender_server.py on 127.0.0.1:port (0: any); returns (process, port)."""
    offset = os.path.getsize(log) if os.path.exists(log) else 0
    proc = local_cluster.start_process(
        [sys.executable, EXTENDER, "--port", str(port), "--label", LABEL_KEY + "=" + LABEL_VALUE],
        log)

    def port_line():
        # Its first line on stdout is the port (stdout and stderr share the log).
        with open(log, errors="replace") as f:
            f.seek(offset)
            for line in f:
                if re.fullmatch(r"\d+", line.strip()):
                    return int(line)
        if proc.poll() is not None:
            raise AssertionError("the extender exited with %s; log tail:\n%s"
                                 % (proc.returncode, local_cluster.tail(log, 20)))
        return None
    return proc, wait_for(port_line, "the extender's port line in " + log, timeout=15)


def start_instance(env, name, profile, port, ignorable):
    """A multisched instance serving `profile` with one extender at 127.0.0.1:port."""
    config = os.path.join(env.work_dir, name + ".yaml")
    with open(config, "w") as f:
        f.write(CONFIG.format(kubeconfig=env.cluster.scheduler_kubeconfig, profile=profile,
                              port=port, ignorable="true" if ignorable else "false"))
    log = os.path.join(env.work_dir, name + ".log")
    offset = os.path.getsize(log) if os.path.exists(log) else 0
    proc = local_cluster.start_process(
        [harness.scheduler_bin(), "--config", config, "-v=3", "--secure-port=0"], log)

    def started():
        # Fail fast (with its reason) when the configuration is refused; a missing "caches
        # synced" line alone is no failure, the tests' own waits judge the scheduling.
        if proc.poll() is not None:
            local_cluster.kill_process(proc)
            raise AssertionError("the %s instance exited with %s; log tail:\n%s"
                                 % (name, proc.returncode, local_cluster.tail(log, 20)))
        with open(log, errors="replace") as f:
            f.seek(offset)
            return "caches synced" in f.read()
    try:
        wait_for(started, "the %s instance to sync its caches" % name, timeout=20)
    except AssertionError as e:
        if proc.poll() is not None:
            raise
        print("e2e: %s" % e, file=sys.stderr)
    return proc, log


class ExtenderCase(ClusterTestCase):
    """Log tails of the class's processes in failure messages."""

    logs = ()

    def diag(self):
        return "".join("\n--- %s tail ---\n%s" % (path, local_cluster.tail(path, 30))
                       for path in self.logs)

    def wait_failed(self, name, pattern, timeout=harness.WAIT_TIMEOUT):
        try:
            return self.wait_failed_scheduling(name, pattern, timeout=timeout)
        except AssertionError as e:
            raise AssertionError(str(e) + self.diag()) from None

    def wait_placed(self, names, timeout=harness.WAIT_TIMEOUT):
        try:
            return self.wait_all_bound(names, timeout=timeout)
        except AssertionError as e:
            raise AssertionError(str(e) + self.diag()) from None

    def three_nodes(self, prefix):
        """Identical nodes <prefix>-a, -b (labelled for the extender) and -c (not), 2 cpu each:
        plugin scores tie, so the extender's prioritize decides (it prefers -b of a and b)."""
        base = unique(prefix)
        labelled = {LABEL_KEY: LABEL_VALUE}
        return (self.create_node(base + "-a", cpu="2", labels=labelled),
                self.create_node(base + "-b", cpu="2", labels=labelled),
                self.create_node(base + "-c", cpu="2"))


@unittest.skipIf(harness.is_upstream(), "extenders are configured in config v1 here "
                 "(kube-scheduler 1.20 reads v1beta1)")
class ExtenderTest(ExtenderCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.extender_log = os.path.join(cls.env.work_dir, "extender.log")
        cls.extender, cls.extender_port = start_extender(cls.extender_log)
        try:
            cls.proc, cls.log = start_instance(cls.env, "extender-e2e", PROFILE,
                                               cls.extender_port, ignorable=True)
        except BaseException:
            local_cluster.kill_process(cls.extender)
            raise
        cls.logs = (cls.log, cls.extender_log)

    @classmethod
    def tearDownClass(cls):
        local_cluster.kill_process(cls.proc)
        local_cluster.kill_process(cls.extender)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        cls = type(self)
        if cls.extender.poll() is not None:   # a failed x2 left it down
            cls.extender, _ = start_extender(cls.extender_log, cls.extender_port)

    def tearDown(self):
        super().tearDown()
        self.assertIsNone(self.proc.poll(), "the extender-e2e instance exited; see " + self.log)

    # x. -------------------------------------------------------------------------------------
    def test_x1_filter_and_prioritize_decide(self):
        a, b, c = self.three_nodes("x1")
        placed = {}
        # b is preferred (greatest labelled name; c is greater but filtered out) until it is
        # full (2 x 1 cpu); then a is the only node left that the extender passes.
        for i, want in enumerate((b, b, a, a)):
            name = "p%d" % i
            self.create_pod(pod(name, scheduler=PROFILE, cpu="1"))
            placed[name] = self.wait_placed([name])[name]
            self.assertEqual(placed[name], want, "placements so far %r%s" % (placed, self.diag()))
        # Room only on c, which the extender filters out.
        self.create_pod(pod("p4", scheduler=PROFILE, cpu="1"))
        ev = self.wait_failed("p4", r"0/3 nodes are available: 1 %s, 2 Insufficient cpu\."
                              % re.escape(LACKS_LABEL))
        self.assertEqual(harness.event_source(ev), PROFILE)
        self.assert_stays_unbound("p4")
        with open(self.extender_log, errors="replace") as f:
            self.assertRegex(f.read(), r"/filter -> 200 %s/p4: kept \[\], failed \['%s'\]"
                             % (self.ns, c))

    def test_x2_ignorable_extender_down(self):
        a, b, c = self.three_nodes("x2")
        cls = type(self)
        local_cluster.kill_process(cls.extender)
        try:
            # Six 1-cpu pods fill the three 2-cpu nodes: c too, which the extender would refuse.
            names = ["p%d" % i for i in range(6)]
            t0 = time.monotonic()
            for n in names:
                self.create_pod(pod(n, scheduler=PROFILE, cpu="1"))
            placed = self.wait_placed(names)
            print("e2e x2: 6 pods bound in %.1fs with the ignorable extender down"
                  % (time.monotonic() - t0))
            self.assertEqual(sorted(placed.values()), sorted([a, a, b, b, c, c]), placed)
        finally:
            cls.extender, _ = start_extender(cls.extender_log, cls.extender_port)
        # Back up on the same port: its filter applies again (room on an unlabelled node only).
        d = self.create_node(unique("x2") + "-d", cpu="2")
        t0 = time.monotonic()
        self.create_pod(pod("after", scheduler=PROFILE, cpu="1"))
        self.wait_failed("after", r"0/4 nodes are available: 1 %s, 3 Insufficient cpu\."
                         % re.escape(LACKS_LABEL))
        print("e2e x2: extender back: FailedScheduling %.1fs after the pod was created"
              % (time.monotonic() - t0))
        self.assertFalse(self.get_pod("after")["spec"].get("nodeName"), "bound to %s" % d)


@unittest.skipIf(harness.is_upstream(), "extenders are configured in config v1 here "
                 "(kube-scheduler 1.20 reads v1beta1)")
class StrictExtenderTest(ExtenderCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dead_port = local_cluster.free_port()   # nothing listens there
        cls.proc, cls.log = start_instance(cls.env, "extender-e2e-strict", STRICT_PROFILE,
                                           cls.dead_port, ignorable=False)
        cls.logs = (cls.log,)

    @classmethod
    def tearDownClass(cls):
        local_cluster.kill_process(cls.proc)
        super().tearDownClass()

    def tearDown(self):
        super().tearDown()
        self.assertIsNone(self.proc.poll(), "the strict instance exited; see " + self.log)

    # x. -------------------------------------------------------------------------------------
    def test_x3_non_ignorable_extender_down_fails_the_attempt(self):
        self.create_node(unique("x3"), cpu="2")
        self.create_pod(pod("p", scheduler=STRICT_PROFILE, cpu="100m"))
        ev = self.wait_failed("p", re.escape("http://127.0.0.1:%d" % self.dead_port))
        self.assertEqual(harness.event_source(ev), STRICT_PROFILE)
        self.assert_stays_unbound("p", seconds=QUIET)


if __name__ == "__main__":
    unittest.main()
