"""Shared e2e harness: one local control plane and one scheduler process per test run.

Environment:
  SCHEDULER_BIN         scheduler under test (default build/multisched, relative to the repo root)
  SCHEDULER_CONFIG_API  v1 (default) or v1beta1 (upstream kube-scheduler 1.20); when unset and
                        the binary is named kube-scheduler, v1beta1 is chosen
  SCHEDULER_EXTRA_ARGS  more flags for the scheduler (shell-split)
  E2E_CONFIG_TEMPLATE   config to use instead of manifests/samples/two-profiles*.yaml (its
                        clientConnection.kubeconfig line is rewritten the same way)
  E2E_WORK_DIR          keep cluster, config and logs there (default: a temp dir, removed when all
                        tests passed)
  KUBE_APISERVER, ETCD  binaries (see test/cluster/local_cluster.py)
  LOCAL_CLUSTER_EMBED_CERTS=1  kubeconfigs with inline *-data instead of file paths
  E2E_SANITIZED         non-empty: SCHEDULER_BIN is built with sanitizers at -O0 (the ASan
                        tree sets it), so assertions about its speed or RSS are not made

The scheduler gets `--config <copy of manifests/samples/two-profiles*.yaml with
clientConnection.kubeconfig = the cluster's scheduler.kubeconfig> -v=2 --secure-port=0`
(and `--port=0` for upstream 1.20). Its output goes to <work>/scheduler.log.
"""

import datetime
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "test", "cluster"))

import local_cluster  # noqa: E402
from local_cluster import ApiError, tail  # noqa: E402,F401

SAMPLES = os.path.join(REPO, "manifests", "samples")
WAIT_TIMEOUT = 30.0   # seconds, per wait
POLL = 0.15           # seconds between polls
QUIET = 3.0           # seconds a pod must stay unbound to count as "not scheduled"


def scheduler_bin():
    b = os.environ.get("SCHEDULER_BIN", "build/multisched")
    return b if os.path.isabs(b) else os.path.join(REPO, b)


def config_api():
    api = os.environ.get("SCHEDULER_CONFIG_API")
    if api:
        return api
    return "v1beta1" if os.path.basename(scheduler_bin()) == "kube-scheduler" else "v1"


def is_upstream():
    return config_api() == "v1beta1"


def is_sanitized():
    """The binary under test is a sanitizer build: several times slower, and ASan's shadow
    memory and quarantine make its RSS meaningless. Tests skip their pace and memory bounds
    (never their functional checks) for it."""
    return bool(os.environ.get("E2E_SANITIZED"))


def sample_config_path(api=None):
    if os.environ.get("E2E_CONFIG_TEMPLATE"):
        return os.environ["E2E_CONFIG_TEMPLATE"]
    api = api or config_api()
    name = "two-profiles.yaml" if api == "v1" else "two-profiles-%s.yaml" % api
    return os.path.join(SAMPLES, name)


# The start of the configuration of a test's own scheduler instance (v1, no leader election);
# format it with kubeconfig= after appending the profiles.
CONFIG_HEADER = """\
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: {kubeconfig}
leaderElection:
  leaderElect: false
"""


def write_config(dest, kubeconfig, api=None):
    """Copy the sample two-profile config to dest with clientConnection.kubeconfig filled in."""
    with open(sample_config_path(api)) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^(\s+kubeconfig:).*$", r"\1 " + kubeconfig, text)
    assert n == 1, "sample config has no clientConnection.kubeconfig line"
    # v1beta1 (kube-scheduler 1.20) serves healthz/metrics over HTTP: move it to a free port.
    text = re.sub(r"(?m)^((?:healthz|metrics)BindAddress:).*$",
                  r"\1 127.0.0.1:%d" % local_cluster.free_port(), text)
    with open(dest, "w") as f:
        f.write(text)
    return dest


def scheduler_args(config_path):
    args = [scheduler_bin(), "--config", config_path, "-v=2", "--secure-port=0"]
    if is_upstream():
        args.append("--port=0")
    args += shlex.split(os.environ.get("SCHEDULER_EXTRA_ARGS", ""))
    return args


class Env:
    """The run's cluster and scheduler (see get_env())."""

    def __init__(self):
        self.own_dir = "E2E_WORK_DIR" not in os.environ
        self.work_dir = os.environ.get("E2E_WORK_DIR") or tempfile.mkdtemp(prefix="multisched-e2e-")
        os.makedirs(self.work_dir, exist_ok=True)
        self.cluster = None
        self.api = None
        self.scheduler = None
        self.scheduler_starts = 0
        self.scheduler_log = os.path.join(self.work_dir, "scheduler.log")
        self.config_path = os.path.join(self.work_dir, "scheduler-config.yaml")
        self.failed = False

    def start(self):
        t0 = time.monotonic()
        self.cluster = local_cluster.LocalCluster(os.path.join(self.work_dir, "cluster")).start()
        self.api = self.cluster.client()
        self.install_crds()
        write_config(self.config_path, self.cluster.scheduler_kubeconfig)
        self.start_scheduler()
        print("e2e: cluster %s up in %.1fs; scheduler %s (config %s); work dir %s"
              % (self.cluster.server, time.monotonic() - t0, scheduler_bin(), config_api(),
                 self.work_dir), file=sys.stderr, flush=True)

    def install_crds(self):
        """The PodGroup CRD and its RBAC, as an operator installs them (manifests/crds)."""
        kubectl = ["kubectl", "--kubeconfig", self.cluster.admin_kubeconfig]
        subprocess.run(kubectl + ["apply", "-f", os.path.join(REPO, "manifests", "crds")],
                       check=True, capture_output=True, timeout=60)
        subprocess.run(kubectl + ["wait", "--for=condition=established", "--timeout=60s",
                                  "crd/podgroups.scheduling.x-k8s.io"],
                       check=True, capture_output=True, timeout=90)

    def start_scheduler(self):
        b = scheduler_bin()
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise unittest.SkipTest("scheduler binary %s not found (set SCHEDULER_BIN)" % b)
        with open(self.scheduler_log, "ab") as f:
            f.write(("\n===== e2e: starting %s =====\n" % " ".join(scheduler_args(self.config_path)))
                    .encode())
        self.scheduler = local_cluster.start_process(scheduler_args(self.config_path),
                                                     self.scheduler_log)
        self.scheduler_starts += 1

    def ensure_scheduler(self):
        """Restart the scheduler if a previous test killed it (that test already failed)."""
        if self.scheduler is None or self.scheduler.poll() is not None:
            self.start_scheduler()

    def stop(self):
        if self.scheduler is not None:
            local_cluster.kill_process(self.scheduler)
        if self.cluster is not None:
            self.cluster.stop()
        if self.own_dir and not self.failed:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def diagnostics(self, lines=60):
        out = ["--- scheduler log tail (%s) ---" % self.scheduler_log, tail(self.scheduler_log, lines)]
        if self.cluster is not None:
            out += ["--- kube-apiserver log tail (%s) ---" % self.cluster.apiserver_log,
                    tail(self.cluster.apiserver_log, 15)]
        return "\n".join(out)


_env = None


def get_env():
    global _env
    if _env is None:
        e = Env()
        _env = e
        try:
            e.start()
        except BaseException:
            e.failed = True
            e.stop()
            raise
    return _env


def current_env():
    return _env


def shutdown():
    global _env
    if _env is not None:
        _env.stop()
        _env = None


# ---------------------------------------------------------------------------------------------
# object builders and waits
# ---------------------------------------------------------------------------------------------

def unique(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(3))


def pod(name, scheduler=None, cpu="100m", memory="64Mi", node_name=None, labels=None,
        tolerations=None, node_selector=None, affinity=None, host_ports=None):
    container = {"name": "c", "image": "registry.k8s.io/pause:3.2",
                 "resources": {"requests": {"cpu": cpu, "memory": memory}}}
    if host_ports:
        container["ports"] = [{"containerPort": p, "hostPort": p} for p in host_ports]
    spec = {"containers": [container], "terminationGracePeriodSeconds": 0}
    if tolerations:
        spec["tolerations"] = tolerations
    if node_selector:
        spec["nodeSelector"] = node_selector
    if affinity:
        spec["affinity"] = affinity
    if scheduler is not None:
        spec["schedulerName"] = scheduler
    if node_name is not None:
        spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"e2e": "multisched"}}, "spec": spec}


def wait_for(fn, what, timeout=WAIT_TIMEOUT, interval=POLL):
    """Poll fn() until it returns a truthy value; return it, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    last_err = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except (OSError, ApiError) as e:   # apiserver restarting etc.
            last_err = e
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0fs waiting for %s%s"
                                 % (timeout, what, " (last error: %s)" % last_err if last_err else ""))
        time.sleep(interval)


def event_source(ev):
    """The component that reported an events.k8s.io/v1 event (new or legacy field)."""
    return ev.get("reportingController") or (ev.get("deprecatedSource") or {}).get("component") or ""


class ClusterTestCase(unittest.TestCase):
    """Gives each test a namespace and tracks its nodes; cleans both up afterwards."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.env = get_env()
        cls.api = cls.env.api

    def setUp(self):
        self.env.ensure_scheduler()
        self.scheduler_pid = self.env.scheduler.pid
        self.nodes = []
        self.ns = unique("e2e-" + self._testMethodName.split("_")[1])
        self.api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": self.ns}})

    def tearDown(self):
        # Best effort (the apiserver may be down after a failed test); problems are printed.
        # A long timeout: deleting the 10 000 pods of a full-size fault run takes over 10 s.
        api = self.env.cluster.client(timeout=120)
        try:
            # No namespace controller runs: delete the pods ourselves (grace 0: no kubelet).
            api.delete("/api/v1/namespaces/%s/pods" % self.ns, grace_period=0)
            api.delete("/api/v1/namespaces/%s" % self.ns)
            for n in self.nodes:
                api.delete("/api/v1/nodes/" + n)
            for n in self.nodes:
                wait_for(lambda n=n: not api.exists("/api/v1/nodes/" + n), "node %s deleted" % n)
        except (OSError, ApiError, AssertionError) as e:
            print("cleanup of %s / nodes %s: %s" % (self.ns, self.nodes, e), file=sys.stderr)

    # -- helpers -----------------------------------------------------------------------------

    def create_node(self, name, cpu="4", memory="8Gi", pods="110", unschedulable=False, labels=None,
                    taints=None):
        labels = dict(labels or {})
        labels.setdefault("kubernetes.io/hostname", name)
        spec = {"unschedulable": True} if unschedulable else {}
        if taints:
            spec["taints"] = taints
        body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
                "spec": spec}
        self.api.post("/api/v1/nodes", body)
        self.nodes.append(name)
        res = {"cpu": cpu, "memory": memory, "pods": pods}
        # Status is dropped on create; it has its own subresource.
        self.api.patch("/api/v1/nodes/%s/status" % name,
                       {"status": {"capacity": res, "allocatable": res}})
        return name

    def delete_node(self, name):
        self.api.delete("/api/v1/nodes/" + name)
        wait_for(lambda: not self.api.exists("/api/v1/nodes/" + name), "node %s deleted" % name)
        self.nodes.remove(name)

    def create_pod(self, p, ns=None):
        return self.api.post("/api/v1/namespaces/%s/pods" % (ns or self.ns), p)

    def get_pod(self, name, ns=None):
        return self.api.get("/api/v1/namespaces/%s/pods/%s" % (ns or self.ns, name))

    def delete_pod(self, name, ns=None):
        self.api.delete("/api/v1/namespaces/%s/pods/%s" % (ns or self.ns, name), grace_period=0)

    def pods(self, ns=None):
        return self.api.list("/api/v1/namespaces/%s/pods" % (ns or self.ns))

    def events(self, ns=None):
        """events.k8s.io/v1 view of all events in the namespace (this view also shows events
        written through core/v1: message -> note, source -> deprecatedSource)."""
        return self.api.list("/apis/events.k8s.io/v1/namespaces/%s/events" % (ns or self.ns))

    def events_for(self, pod_name, reason=None, ns=None):
        return [e for e in self.events(ns)
                if (e.get("regarding") or {}).get("name") == pod_name
                and (e.get("regarding") or {}).get("kind") == "Pod"
                and (reason is None or e.get("reason") == reason)]

    def wait_bound(self, name, ns=None, timeout=WAIT_TIMEOUT):
        p = wait_for(lambda: (lambda p: p if p["spec"].get("nodeName") else None)(self.get_pod(name, ns)),
                     "pod %s/%s to be bound" % (ns or self.ns, name), timeout)
        return p["spec"]["nodeName"]

    def wait_all_bound(self, names, ns=None, timeout=WAIT_TIMEOUT):
        names = set(names)

        def check():
            bound = {p["metadata"]["name"]: p["spec"].get("nodeName") for p in self.pods(ns)}
            return bound if all(bound.get(n) for n in names) else None
        try:
            return wait_for(check, "%d pods to be bound" % len(names), timeout)
        except AssertionError:
            bound = {p["metadata"]["name"]: p["spec"].get("nodeName") for p in self.pods(ns)}
            missing = sorted(n for n in names if not bound.get(n))
            raise AssertionError("timed out after %.0fs: %d of %d pods unbound: %s"
                                 % (timeout, len(missing), len(names), ", ".join(missing[:10]))) from None

    def assert_stays_unbound(self, name, seconds=QUIET, ns=None):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            node = self.get_pod(name, ns)["spec"].get("nodeName")
            self.assertFalse(node, "pod %s was bound to %s but must stay pending" % (name, node))
            time.sleep(POLL)

    def wait_failed_scheduling(self, name, pattern, ns=None, timeout=WAIT_TIMEOUT):
        """Wait for a FailedScheduling event of the pod whose note matches regex `pattern`."""
        rx = re.compile(pattern)

        def check():
            evs = self.events_for(name, "FailedScheduling", ns)
            return next((e for e in evs if rx.search(e.get("note") or "")), None)
        try:
            return wait_for(check, "FailedScheduling event for %s matching %r" % (name, pattern),
                            timeout)
        except AssertionError:
            seen = [(e.get("reason"), e.get("note")) for e in self.events_for(name, None, ns)]
            raise AssertionError("no FailedScheduling event for %s matching %r within %.0fs; "
                                 "events seen: %r" % (name, pattern, timeout, seen)) from None

    def binding_requests(self, ns=None):
        """pod name -> [(HTTP code, requestReceived as epoch seconds)] of every Binding of it, by
        anyone, from the apiserver's audit log (local_cluster.AUDIT_POLICY)."""
        ns = ns or self.ns
        out = {}
        for e in self.env.cluster.audit_events():
            ref = e.get("objectRef") or {}
            if ref.get("subresource") == "binding" and ref.get("namespace") == ns:
                received = datetime.datetime.strptime(
                    e["requestReceivedTimestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                        tzinfo=datetime.timezone.utc).timestamp()
                out.setdefault(ref["name"], []).append(
                    ((e.get("responseStatus") or {}).get("code"), received))
        return out

    def successful_bindings(self, ns=None):
        """pod name -> how many of its Bindings the apiserver answered 201 (more than one would
        be a double binding)."""
        return {n: sum(1 for code, _ in reqs if code == 201)
                for n, reqs in self.binding_requests(ns).items()}

    def assert_scheduler_alive(self):
        s = self.env.scheduler
        self.assertIsNone(s.poll(), "scheduler exited with %s" % s.returncode)
        self.assertEqual(s.pid, self.scheduler_pid, "scheduler was restarted during the test")

    def assert_no_overcommit(self, node_names):
        """Sum of cpu requests of pods bound to each node <= its allocatable cpu."""
        pods = self.api.list("/api/v1/pods")
        for n in node_names:
            alloc = parse_cpu(self.api.get("/api/v1/nodes/" + n)["status"]["allocatable"]["cpu"])
            used = sum(parse_cpu(c["resources"]["requests"].get("cpu", "0"))
                       for p in pods if p["spec"].get("nodeName") == n
                       for c in p["spec"]["containers"])
            self.assertLessEqual(used, alloc, "node %s overcommitted: %dm requested of %dm"
                                 % (n, used, alloc))


def parse_cpu(q):
    """CPU quantity -> millicores."""
    q = str(q)
    if q.endswith("m"):
        return int(q[:-1])
    return int(float(q) * 1000)
