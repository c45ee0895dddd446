#!/usr/bin/env python3
"""The soak (issue 9): multisched under steady churn for a long time; its RSS must stay flat.

    python3 test/bench/soak.py --minutes 30                 # what docs/reliability.md reports
    python3 test/bench/soak.py --minutes 2 --max-slope 0    # a quick look, no verdict

Starts etcd + kube-apiserver (local_cluster), creates the nodes, starts the scheduler (both
profiles of the apiserver benchmark, workloads.scheduler_config) and then, every second until
the end: creates --rate pods (alternately for each profile; one in 25 asks for more cpu than any
node has and stays pending with FailedScheduling events), deletes the oldest pods beyond
--live (gracePeriodSeconds 0, bound or not), and every 15 s deletes the oldest node, its pods
left bound to it, and adds a new one. Every 5 s it reads the scheduler's VmRSS.

The verdict: the least-squares slope of RSS over the run after --warmup-minutes, in MiB per
hour, must stay under --max-slope (0: no verdict); every schedulable pod older than 10 s at the
end must be bound; the scheduler must not have exited. Prints one summary line and writes the
samples as CSV (seconds, RSS KiB, pods created) to --samples.
"""

import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "cluster"))
sys.path.insert(0, HERE)

import local_cluster  # noqa: E402
import workloads  # noqa: E402
from apiserver_bench import KeepAliveClient, ensure_nodes  # noqa: E402

NS = "soak"
NODE_CHURN_SECONDS = 15
SAMPLE_SECONDS = 5
UNSCHEDULABLE_EVERY = 25


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def slope_per_hour(points):
    """Least-squares slope of [(seconds, value)], per hour."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return 3600.0 * sxy / sxx if sxx else 0.0


def soak_pod(i):
    name = "soak-%07d" % i
    pod = workloads.two_profiles_pod(name, i)
    if i % UNSCHEDULABLE_EVERY == 0:
        pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100"}}
    return name, pod


def bound_by_name(client):
    pods = client.request("GET", "/api/v1/namespaces/%s/pods" % NS)["items"]
    return {p["metadata"]["name"]: bool(p["spec"].get("nodeName")) for p in pods}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30)
    # The event series cache (event_series.hpp, upstream's) keeps each event until the finish
    # round after it is 6 min old, rounds every 6 min: up to 12 min of events, so RSS climbs
    # for ~12 min at a steady event rate before it levels off.
    ap.add_argument("--warmup-minutes", type=float, default=13,
                    help="samples before this are not in the slope")
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--rate", type=int, default=20, help="pods created per second")
    ap.add_argument("--live", type=int, default=1500, help="pods kept; older ones are deleted")
    ap.add_argument("--max-slope", type=float, default=4.0,
                    help="MiB per hour the RSS may grow after the warm-up (0: no verdict)")
    ap.add_argument("--multisched", default=os.path.join(REPO, "build", "multisched"))
    ap.add_argument("--work-dir", help="default: a temporary directory")
    ap.add_argument("--samples", help="CSV of the samples (default: in the work dir)")
    args = ap.parse_args(argv)

    work = args.work_dir or tempfile.mkdtemp(prefix="multisched-soak-")
    os.makedirs(work, exist_ok=True)
    samples_path = args.samples or os.path.join(work, "soak-samples.csv")
    with local_cluster.LocalCluster(os.path.join(work, "cluster")) as cluster:
        client = KeepAliveClient(cluster)
        ensure_nodes(cluster, 0, args.nodes)
        oldest_node, next_node = 0, args.nodes
        client.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                      "metadata": {"name": NS}})
        config = os.path.join(work, "soak-config.yaml")
        with open(config, "w") as f:
            f.write(workloads.scheduler_config("v1", cluster.scheduler_kubeconfig, 5000, 5000,
                                               local_cluster.free_port))
        log = os.path.join(work, "soak-scheduler.log")
        proc = local_cluster.start_process(
            [args.multisched, "--config", config, "--secure-port=0"], log)
        live = []           # (name, created at) oldest first
        created = deleted = nodes_replaced = 0
        samples = []
        delete = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}
        t0 = time.monotonic()
        end = t0 + args.minutes * 60
        next_sample = next_churn = t0
        try:
            while time.monotonic() < end:
                tick = time.monotonic()
                for _ in range(args.rate):
                    name, body = soak_pod(created)
                    client.request("POST", "/api/v1/namespaces/%s/pods" % NS, body,
                                   ok=(201, 409))
                    live.append((name, time.monotonic()))
                    created += 1
                while len(live) > args.live:
                    name, _ = live.pop(0)
                    client.request("DELETE", "/api/v1/namespaces/%s/pods/%s" % (NS, name),
                                   delete, ok=(200, 202, 404))
                    deleted += 1
                now = time.monotonic()
                if now >= next_churn:
                    next_churn += NODE_CHURN_SECONDS
                    client.request("DELETE", "/api/v1/nodes/" + workloads.node_name(oldest_node),
                                   ok=(200, 404))
                    ensure_nodes(cluster, next_node, next_node + 1)
                    oldest_node, next_node = oldest_node + 1, next_node + 1
                    nodes_replaced += 1
                if now >= next_sample:
                    next_sample += SAMPLE_SECONDS
                    if proc.poll() is not None:
                        raise RuntimeError("the scheduler exited (%s); log tail:\n%s"
                                           % (proc.returncode, local_cluster.tail(log)))
                    samples.append((now - t0, rss_kib(proc.pid), created))
                time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
            time.sleep(10)
            bound = bound_by_name(client)
            old_enough = [n for n, at in live if at < end - 10 and
                          int(n.split("-")[1]) % UNSCHEDULABLE_EVERY != 0]
            pending = [n for n in old_enough if not bound.get(n)]
            stuck = [n for n, _ in live if int(n.split("-")[1]) % UNSCHEDULABLE_EVERY == 0
                     and bound.get(n)]
            alive = proc.poll() is None
            final_rss = rss_kib(proc.pid) if alive else 0
        finally:
            local_cluster.kill_process(proc)

    with open(samples_path, "w") as f:
        f.write("seconds,rss_kib,pods_created\n")
        for s, rss, c in samples:
            f.write("%.1f,%d,%d\n" % (s, rss, c))
    after_warmup = [(s, rss / 1024.0) for s, rss, _ in samples if s >= args.warmup_minutes * 60]
    slope = slope_per_hour(after_warmup) if len(after_warmup) >= 2 else float("nan")
    rss = [r for _, r, _ in samples]
    summary = {
        "minutes": args.minutes, "nodes": args.nodes, "rate": args.rate, "live": args.live,
        "pods_created": created, "pods_deleted": deleted, "nodes_replaced": nodes_replaced,
        "rss_mib_first": round(rss[0] / 1024, 1), "rss_mib_at_warmup":
            round(after_warmup[0][1], 1) if after_warmup else None,
        "rss_mib_max": round(max(rss) / 1024, 1), "rss_mib_last": round(final_rss / 1024, 1),
        "slope_mib_per_hour": round(slope, 2), "pending_schedulable": len(pending),
        "unschedulable_bound": len(stuck), "samples": samples_path}
    print("soak: " + json.dumps(summary), flush=True)
    failures = []
    if not alive:
        failures.append("the scheduler exited")
    if pending:
        failures.append("%d schedulable pods pending, e.g. %s" % (len(pending), pending[:5]))
    if stuck:
        failures.append("pods that fit no node were bound: %s" % stuck[:5])
    if args.max_slope and not slope < args.max_slope:
        failures.append("RSS grew %.2f MiB/h after the warm-up (limit %.2f)"
                        % (slope, args.max_slope))
    for f in failures:
        print("soak: FAILED: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
