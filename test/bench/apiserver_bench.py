#!/usr/bin/env python3
"""The apiserver benchmark (issue 6): multisched, kube-scheduler and raw Binding POSTs on one
real kube-apiserver + etcd, in turn, with the same client qps/burst.

    python3 test/bench/apiserver_bench.py                          # every workload, full size
    python3 test/bench/apiserver_bench.py --workloads basic --scale 0.2
    python3 test/bench/apiserver_bench.py --smoke                  # tiny; what ctest runs

For each workload it creates the nodes (kept for the next workload of the same size), then for
each run: a fresh namespace, the workload's pending pods (created before the run starts, so every
run drains the same backlog), the run itself, and the deletion of the pods.

Runs: `raw` (multisched_bind_flood: Bindings with no scheduler, 32 in flight, the ceiling),
`raw+events` (the same, each Binding followed by the "Scheduled" event kube-scheduler writes: the
ceiling of a scheduler that records its decisions), `kube-scheduler` (built from the same Debian source as the apiserver, v1beta1 config), and
`multisched` (v1 config); both schedulers get the same two profiles (workloads.py), no leader
election, no serving, default verbosity.

Per run: pods/s between the first and the last successful Binding (times from the apiserver's
audit log, microseconds), the latency from each pod's creation to its Binding (p50/p99; pods are
created before the run, so this includes the wait in the backlog), the time from the process's
start to its first Binding, peak RSS and CPU seconds of the process (wait4's rusage). Prints
markdown tables; --results writes JSON, --plot an SVG (gnuplot).

Binaries: --multisched (build/multisched), --kube-scheduler ($KUBE_SCHEDULER or
/var/cache/multisched/bin/kube-scheduler), --bind-flood (build/multisched_bind_flood).
"""

import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "cluster"))
sys.path.insert(0, HERE)

import local_cluster  # noqa: E402
import workloads  # noqa: E402

RUNS = ("raw", "raw+events", "kube-scheduler", "multisched")
# 150 pods: more than the scheduler's 64 bindings in flight, so its pause can come into play.
SMOKE_WORKLOADS = {"basic": (20, 150), "two-profiles": (20, 150)}


class KeepAliveClient:
    """One persistent HTTPS connection (the e2e Client opens one per request, too slow for tens
    of thousands of creates). Reconnects and resends on a transport error; a create resent after
    it was applied answers 409, which the callers accept."""

    def __init__(self, cluster):
        p = cluster.pki
        self.host, self.port = "127.0.0.1", cluster.port
        self.ctx = ssl.create_default_context(cafile=p["ca_crt"])
        self.ctx.load_cert_chain(p["admin_crt"], p["admin_key"])
        self.conn = None

    def request(self, method, path, body=None, ok=(200, 201, 202)):
        data = json.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        for attempt in range(5):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                                            timeout=60)
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
            except (OSError, http.client.HTTPException):
                self.conn = None
                time.sleep(0.2 * (attempt + 1))
                continue
            if resp.status in ok:
                return json.loads(raw) if raw else None
            if resp.status == 429 or resp.status >= 500:
                time.sleep(0.2 * (attempt + 1))
                continue
            raise local_cluster.ApiError(method, path, resp.status, raw[:300])
        raise RuntimeError("%s %s: gave up after 5 attempts" % (method, path))


def parallel(cluster, items, fn, threads=8):
    """fn(client, item) for every item on `threads` keep-alive connections; results in order."""
    local = threading.local()

    def call(item):
        if not hasattr(local, "client"):
            local.client = KeepAliveClient(cluster)
        return fn(local.client, item)

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(call, items))


def ensure_nodes(cluster, have, want):
    """Creates nodes have..want-1 (status included: 1.20 keeps it on create)."""
    def create(c, i):
        c.request("POST", "/api/v1/nodes", workloads.node(i), ok=(201, 409))
    parallel(cluster, range(have, want), create)
    sample = cluster.client().get("/api/v1/nodes/" + workloads.node_name(want - 1))
    assert sample["status"].get("allocatable"), "node status was dropped on create"


def create_pods(cluster, ns, count, factory):
    """Creates `count` pods; returns name -> wall-clock time its create was answered."""
    def create(c, i):
        name = "pod-%05d" % i
        c.request("POST", "/api/v1/namespaces/%s/pods" % ns, factory(name, i), ok=(201, 409))
        return name, time.time()
    return dict(parallel(cluster, range(count), create))


def delete_pods(cluster, ns):
    """Deletes every pod of `ns` at once (bound pods need gracePeriodSeconds 0)."""
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}
    KeepAliveClient(cluster).request("DELETE", "/api/v1/namespaces/%s/pods" % ns, body)
    left = cluster.client().list("/api/v1/namespaces/%s/pods" % ns)
    assert not left, "%d pods left in %s" % (len(left), ns)


class AuditTail:
    """Successful Bindings of one namespace, read incrementally from the audit log."""

    def __init__(self, path, ns):
        self.path, self.ns = path, ns
        self.f = None
        if os.path.exists(path):   # else the apiserver creates it with its first audit event
            self.f = open(path, errors="replace")
            self.f.seek(0, os.SEEK_END)
        self.bound = {}   # pod name -> stageTimestamp (epoch seconds) of its first 201
        self.duplicates = 0
        self.partial = ""

    def poll(self):
        if self.f is None:
            if not os.path.exists(self.path):
                return
            self.f = open(self.path, errors="replace")
        chunk = self.f.read()
        try:
            rotated = os.stat(self.path).st_ino != os.fstat(self.f.fileno()).st_ino
        except FileNotFoundError:
            rotated = False
        if rotated:   # the apiserver renamed it at --audit-log-maxsize (100 MB): go on in the new
            chunk += self.f.read()
            self.f.close()
            self.f = open(self.path, errors="replace")
            chunk += self.f.read()
        if not chunk:
            return
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        for line in lines:
            if '"binding"' not in line:
                continue
            ev = json.loads(line)
            ref = ev.get("objectRef") or {}
            if (ref.get("subresource") != "binding" or ref.get("namespace") != self.ns
                    or (ev.get("responseStatus") or {}).get("code") != 201):
                continue
            if ref["name"] in self.bound:
                self.duplicates += 1
                continue
            self.bound[ref["name"]] = parse_time(ev["stageTimestamp"])

    def close(self):
        if self.f is not None:
            self.f.close()


def parse_time(stamp):
    # "2026-11-23T21:25:55.123456Z" (MicroTime)
    t = datetime.datetime.strptime(stamp.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else None


class Process:
    """A run's process, reaped with wait4 for its rusage (peak RSS, CPU seconds)."""

    def __init__(self, args, log_path):
        self.started = time.time()
        self.proc = local_cluster.start_process(args, log_path)
        self.rusage = None
        self.status = None

    def exited(self):
        if self.status is None:
            pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self._reaped(status, ru)
        return self.status is not None

    def stop(self, grace=10.0):
        if not self.exited():
            self.proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + grace
            while not self.exited() and time.monotonic() < deadline:
                time.sleep(0.05)
            if not self.exited():
                self.proc.kill()
                _, status, ru = os.wait4(self.proc.pid, 0)
                self._reaped(status, ru)
        return self

    def _reaped(self, status, ru):
        self.status, self.rusage = status, ru
        self.proc.returncode = os.waitstatus_to_exitcode(status)   # Popen must not wait again


def run_args(run, args, work, ns):
    if run.startswith("raw"):
        return [args.bind_flood, "--kubeconfig", work.kubeconfig, "--namespace", ns,
                "--qps", str(args.qps), "--burst", str(args.burst),
                *(["--events"] if run == "raw+events" else [])]
    binary = args.kube_scheduler if run == "kube-scheduler" else args.multisched
    api = "v1beta1" if run == "kube-scheduler" else "v1"
    config = os.path.join(work.dir, "%s-config.yaml" % run)
    with open(config, "w") as f:
        f.write(workloads.scheduler_config(api, work.kubeconfig, args.qps, args.burst,
                                           local_cluster.free_port))
    extra = ["--port=0"] if run == "kube-scheduler" else []
    return [binary, "--config", config, "--secure-port=0", *extra]


def run_one(cluster, args, work, workload, run, pods, factory):
    ns = "bench-%s-%s" % (workload, run.replace("+", "-"))
    cluster.client().post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": ns}})
    created = create_pods(cluster, ns, pods, factory)
    tail = AuditTail(cluster.audit_log, ns)
    before = request_counts(cluster)
    cp_before = control_plane_cpu(cluster)
    log = os.path.join(work.dir, "%s-%s.log" % (workload, run))
    proc = Process(run_args(run, args, work, ns), log)
    last_progress, seen = time.monotonic(), 0
    try:
        while len(tail.bound) < pods:
            time.sleep(0.1)
            tail.poll()
            if len(tail.bound) != seen:
                seen, last_progress = len(tail.bound), time.monotonic()
            if proc.exited() and not run.startswith("raw"):
                raise RuntimeError("%s exited (%s) with %d/%d bound; log %s:\n%s"
                                   % (run, proc.proc.returncode, seen, pods, log,
                                      local_cluster.tail(log)))
            if time.monotonic() - last_progress > args.stall_seconds:
                print("bench: %s/%s: no Binding for %ds, %d/%d bound; giving up"
                      % (workload, run, args.stall_seconds, seen, pods), file=sys.stderr)
                break
    finally:
        proc.stop()
        tail.poll()
        tail.close()
    after = request_counts(cluster)
    cp_after = control_plane_cpu(cluster)
    # Requests the apiserver served during the run, per pod (the harness's own few included).
    per_pod = {k: round((v - before.get(k, 0)) / pods, 3) for k, v in after.items()
               if v - before.get(k, 0) >= max(1, pods // 100)}
    times = sorted(tail.bound.values())
    latencies = [tail.bound[n] - created[n] for n in tail.bound if n in created]
    ru = proc.rusage
    result = {
        "workload": workload, "run": run, "nodes": work.nodes, "pods": pods,
        "bound": len(tail.bound), "duplicate_bindings": tail.duplicates,
        "pods_per_second": ((len(times) - 1) / (times[-1] - times[0])
                            if len(times) > 1 and times[-1] > times[0] else None),
        "latency_p50_s": percentile(latencies, 50), "latency_p99_s": percentile(latencies, 99),
        "first_binding_after_start_s": (times[0] - proc.started) if times else None,
        "peak_rss_mib": ru.ru_maxrss / 1024.0 if ru else None,
        "cpu_seconds": (ru.ru_utime + ru.ru_stime) if ru else None,
        "apiserver_requests_per_pod": per_pod,
        # CPU the run cost kube-apiserver and etcd (from the start to the end of the run).
        "apiserver_cpu_seconds": round(cp_after["apiserver"] - cp_before["apiserver"], 2),
        "etcd_cpu_seconds": round(cp_after["etcd"] - cp_before["etcd"], 2),
    }
    delete_pods(cluster, ns)
    return result


def request_counts(cluster):
    """apiserver_request_total summed by "VERB resource[/subresource]" (every client)."""
    text = cluster.client().get("/metrics")
    counts = {}
    for line in text.splitlines():
        if not line.startswith("apiserver_request_total{"):
            continue
        labels, _, value = line.rpartition(" ")
        fields = dict(kv.split("=", 1) for kv in labels[labels.index("{") + 1:-1].split(",")
                      if "=" in kv)
        key = "%s %s" % (fields.get("verb", "").strip('"'), fields.get("resource", "").strip('"'))
        sub = fields.get("subresource", '""').strip('"')
        key += "/" + sub if sub else ""
        counts[key] = counts.get(key, 0) + float(value)
    return counts


def cpu_seconds(pid):
    """utime + stime of a running process, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def control_plane_cpu(cluster):
    return {"apiserver": cpu_seconds(cluster.apiserver.pid), "etcd": cpu_seconds(cluster.etcd.pid)}


def fmt(v, spec):
    return "" if v is None else format(v, spec)


def markdown(results):
    out = ["| workload | nodes | pods | run | bound | pods/s | p50 latency s | p99 latency s "
           "| first Binding after start s | peak RSS MiB | CPU s | apiserver CPU s | etcd CPU s |",
           "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        out.append("| %s | %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["workload"], r["nodes"], r["pods"], r["run"], r["bound"],
            fmt(r["pods_per_second"], ".0f"), fmt(r["latency_p50_s"], ".2f"),
            fmt(r["latency_p99_s"], ".2f"), fmt(r["first_binding_after_start_s"], ".2f"),
            fmt(r["peak_rss_mib"], ".0f"), fmt(r["cpu_seconds"], ".1f"),
            fmt(r["apiserver_cpu_seconds"], ".1f"), fmt(r["etcd_cpu_seconds"], ".1f")))
    out += ["", "| workload | multisched / kube-scheduler pods/s | multisched / raw pods/s "
            "| multisched / raw+events pods/s | RSS multisched / kube-scheduler "
            "| CPU s multisched / kube-scheduler |",
            "|---|---:|---:|---:|---:|---:|"]
    for w in dict.fromkeys(r["workload"] for r in results):
        by = {r["run"]: r for r in results if r["workload"] == w}

        def ratio(key, a, b):
            x, y = by.get(a, {}).get(key), by.get(b, {}).get(key)
            return fmt(x / y, ".2f") if x and y else ""
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            w, ratio("pods_per_second", "multisched", "kube-scheduler"),
            ratio("pods_per_second", "multisched", "raw"),
            ratio("pods_per_second", "multisched", "raw+events"),
            ratio("peak_rss_mib", "multisched", "kube-scheduler"),
            ratio("cpu_seconds", "multisched", "kube-scheduler")))
    return "\n".join(out)


def plot(results, path, work_dir):
    """Grouped bars of pods/s per workload and run (gnuplot, SVG)."""
    data = os.path.join(work_dir, "plot.dat")
    workloads_seen = list(dict.fromkeys(r["workload"] for r in results))
    with open(data, "w") as f:
        f.write("workload %s\n" % " ".join(RUNS))
        for w in workloads_seen:
            by = {r["run"]: r["pods_per_second"] or 0 for r in results if r["workload"] == w}
            f.write("%s %s\n" % (w, " ".join("%.1f" % by.get(run, 0) for run in RUNS)))
    subprocess.run(["gnuplot", "-e", "datafile='%s'; outfile='%s'" % (data, path),
                    os.path.join(HERE, "plot.gp")], check=True)


class Work:
    def __init__(self, directory, kubeconfig):
        self.dir, self.kubeconfig, self.nodes = directory, kubeconfig, 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default=",".join(workloads.WORKLOADS),
                    help="comma-separated, from: " + ", ".join(workloads.WORKLOADS))
    ap.add_argument("--runs", default=",".join(RUNS), help="comma-separated, from: " +
                    ", ".join(RUNS))
    ap.add_argument("--scale", type=float, default=1.0, help="multiply node and pod counts")
    ap.add_argument("--smoke", action="store_true", help="20 nodes, 150 pods, two workloads")
    ap.add_argument("--qps", type=float, default=5000, help="client qps of every run")
    ap.add_argument("--burst", type=int, default=5000, help="client burst of every run")
    ap.add_argument("--stall-seconds", type=int, default=120,
                    help="give a run up after this long without a new Binding")
    ap.add_argument("--multisched", default=os.path.join(REPO, "build", "multisched"))
    ap.add_argument("--kube-scheduler", default=os.environ.get(
        "KUBE_SCHEDULER", os.path.join(local_cluster.DEFAULT_BIN_DIR, "kube-scheduler")))
    ap.add_argument("--bind-flood", default=os.path.join(REPO, "build", "multisched_bind_flood"))
    ap.add_argument("--work-dir", help="default: a temporary directory, removed on success")
    ap.add_argument("--results", help="write the results as JSON here")
    ap.add_argument("--plot", help="write an SVG of pods/s here (needs gnuplot)")
    args = ap.parse_args(argv)

    if args.smoke:
        plan = [(w, n, p, workloads.WORKLOADS[w][2]) for w, (n, p) in SMOKE_WORKLOADS.items()]
    else:
        plan = []
        for w in args.workloads.split(","):
            if w not in workloads.WORKLOADS:
                ap.error("unknown workload %r" % w)
            n, p, factory = workloads.WORKLOADS[w]
            plan.append((w, max(1, int(n * args.scale)), max(1, int(p * args.scale)), factory))
        plan.sort(key=lambda x: x[1])   # node sets only grow
    runs = args.runs.split(",")
    for run in runs:
        if run not in RUNS:
            ap.error("unknown run %r" % run)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix="multisched-bench-")
    os.makedirs(work_dir, exist_ok=True)

    results = []
    with local_cluster.LocalCluster(os.path.join(work_dir, "cluster")) as cluster:
        work = Work(work_dir, cluster.scheduler_kubeconfig)
        for workload, nodes, pods, factory in plan:
            if nodes > work.nodes:
                t0 = time.monotonic()
                ensure_nodes(cluster, work.nodes, nodes)
                print("bench: %d nodes ready in %.1fs" % (nodes, time.monotonic() - t0),
                      file=sys.stderr, flush=True)
                work.nodes = nodes
            for run in runs:
                r = run_one(cluster, args, work, workload, run, pods, factory)
                print("bench: %s" % json.dumps(r), file=sys.stderr, flush=True)
                results.append(r)
    print(markdown(results))
    if args.results:
        with open(args.results, "w") as f:
            json.dump({"command": " ".join(sys.argv), "results": results}, f, indent=1)
    if args.plot:
        plot(results, os.path.abspath(args.plot), work_dir)
    failed = [r for r in results if r["bound"] != r["pods"] or r["duplicate_bindings"]]
    if not failed and not args.work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)
    for r in failed:
        print("bench: %s/%s bound %d of %d pods, %d duplicate Bindings"
              % (r["workload"], r["run"], r["bound"], r["pods"], r["duplicate_bindings"]),
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
