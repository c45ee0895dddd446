#!/usr/bin/env python3
"""The README's main job, end to end on one machine:

  1. start a throw-away control plane (etcd + kube-apiserver, test/cluster/local_cluster.py);
  2. run the scheduler with the sample two-profile config (manifests/samples/two-profiles.yaml,
     clientConnection.kubeconfig filled in) as the least-privileged system:kube-scheduler user;
  3. `kubectl create` the sample nodes (then their status through nodes/NAME/status) and pods;
  4. wait until every pod whose schedulerName is one of the config's profiles is bound;
  5. print   POD  SCHEDULER  NODE   (unbound pods: <pending> and the FailedScheduling reason);
  6. tear everything down. Exit status 1 if a pod that should be bound is not.

    python3 test/cluster/demo.py                      # build/multisched
    SCHEDULER_BIN=/var/cache/multisched/bin/kube-scheduler python3 test/cluster/demo.py
    python3 test/cluster/demo.py --keep /tmp/demo     # keep work dir (logs, kubeconfigs)

SCHEDULER_CONFIG_API selects the sample's version (v1, or v1beta1 for kube-scheduler 1.20; chosen
automatically when the binary is named kube-scheduler).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import local_cluster  # noqa: E402
from local_cluster import ApiError, LocalCluster, tail  # noqa: E402

SAMPLES = os.path.join(REPO, "manifests", "samples")
NAMESPACE = "default"


def config_api(binary):
    return os.environ.get("SCHEDULER_CONFIG_API") or (
        "v1beta1" if os.path.basename(binary) == "kube-scheduler" else "v1")


def write_config(api, kubeconfig, dest):
    src = os.path.join(SAMPLES, "two-profiles.yaml" if api == "v1" else "two-profiles-%s.yaml" % api)
    with open(src) as f:
        text = f.read()
    text = re.sub(r"(?m)^(\s+kubeconfig:).*$", r"\1 " + kubeconfig, text)
    text = re.sub(r"(?m)^((?:healthz|metrics)BindAddress:).*$",
                  r"\1 127.0.0.1:%d" % local_cluster.free_port(), text)
    with open(dest, "w") as f:
        f.write(text)
    profiles = re.findall(r"(?m)^\s*-?\s*schedulerName:\s*(\S+)", text)
    return profiles


def kubectl(kubeconfig, *args):
    r = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("kubectl %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def objects(text):
    """Objects in kubectl's -o json output: one List, or several documents back to back."""
    dec, out, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.extend(obj.get("items", []) if obj.get("kind", "").endswith("List") else [obj])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scheduler", default=os.environ.get("SCHEDULER_BIN", "build/multisched"))
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()

    binary = args.scheduler if os.path.isabs(args.scheduler) else os.path.join(REPO, args.scheduler)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("demo: scheduler binary %s not found (build it, or --scheduler PATH)" % binary,
              file=sys.stderr)
        return 2
    if shutil.which("kubectl") is None:
        print("demo: kubectl not on PATH (test/cluster/install_deps.sh)", file=sys.stderr)
        return 2
    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="multisched-demo-")
    os.makedirs(work, exist_ok=True)
    cluster = LocalCluster(os.path.join(work, "cluster"))
    scheduler = None
    sched_log = os.path.join(work, "scheduler.log")
    ok = False
    try:
        t0 = time.monotonic()
        print("demo: starting etcd + kube-apiserver in %s ..." % work, flush=True)
        cluster.start()
        api = cluster.client()
        print("demo: control plane ready at %s (%.1fs)" % (cluster.server, time.monotonic() - t0))

        api_version = config_api(binary)
        cfg = os.path.join(work, "scheduler-config.yaml")
        profiles = write_config(api_version, cluster.scheduler_kubeconfig, cfg)
        sargs = [binary, "--config", cfg, "-v=2", "--secure-port=0"]
        if api_version == "v1beta1":
            sargs.append("--port=0")
        print("demo: %s  (profiles: %s)" % (" ".join(sargs), ", ".join(profiles)), flush=True)
        scheduler = local_cluster.start_process(sargs, sched_log)

        admin = cluster.admin_kubeconfig
        nodes_file = os.path.join(SAMPLES, "nodes.yaml")
        pods_file = os.path.join(SAMPLES, "pods.yaml")
        print(kubectl(admin, "create", "-f", nodes_file).rstrip())
        desired = objects(kubectl(admin, "create", "--dry-run=client", "-o", "json", "-f", nodes_file))
        for n in desired:
            if n.get("status"):
                api.patch("/api/v1/nodes/%s/status" % n["metadata"]["name"],
                          {"status": {k: n["status"][k] for k in ("capacity", "allocatable")
                                      if k in n["status"]}})
        print(kubectl(admin, "create", "-n", NAMESPACE, "-f", pods_file).rstrip(), flush=True)
        pod_names = [p["metadata"]["name"] for p in objects(
            kubectl(admin, "create", "--dry-run=client", "-o", "json", "-f", pods_file))]

        def state():
            ps = {p["metadata"]["name"]: p for p in api.list("/api/v1/namespaces/%s/pods" % NAMESPACE)}
            return {n: ps[n] for n in pod_names if n in ps}

        expect_bound = {n for n, p in state().items() if p["spec"].get("schedulerName") in profiles}
        deadline = time.monotonic() + args.timeout
        while True:
            if scheduler.poll() is not None:
                print("demo: scheduler exited with %s" % scheduler.returncode, file=sys.stderr)
                break
            st = state()
            if all(st[n]["spec"].get("nodeName") for n in expect_bound):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # let FailedScheduling events of pending pods arrive

        events = api.list("/apis/events.k8s.io/v1/namespaces/%s/events" % NAMESPACE)
        st = state()
        rows = [("POD", "SCHEDULER", "NODE")]
        missing = []
        for n in pod_names:
            p = st.get(n)
            sched = p["spec"].get("schedulerName", "") if p else "?"
            node = p["spec"].get("nodeName") if p else None
            if node:
                rows.append((n, sched, node))
                continue
            if n in expect_bound:
                missing.append(n)
            failed = [e for e in events if e.get("reason") == "FailedScheduling"
                      and (e.get("regarding") or {}).get("name") == n]
            why = failed[-1].get("note") if failed else (
                "no profile named %s" % sched if sched not in profiles else "not scheduled yet")
            rows.append((n, sched, "<pending>  (%s)" % why))
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        print()
        for r in rows:
            print("%-*s  %-*s  %s" % (w0, r[0], w1, r[1], r[2]))
        print()
        scheduled = [e for e in events if e.get("reason") == "Scheduled"]
        for e in scheduled:
            src = e.get("reportingController") or (e.get("deprecatedSource") or {}).get("component")
            print("event  %-18s %s" % (src, e.get("note")))
        if missing:
            print("\ndemo: FAILED: not bound: %s; scheduler log tail:\n%s"
                  % (", ".join(missing), tail(sched_log, 30)), file=sys.stderr)
        else:
            ok = True
            print("\ndemo: ok: %d of %d pods bound (%.1fs total)"
                  % (len(expect_bound), len(pod_names), time.monotonic() - t0))
    except (local_cluster.ClusterError, ApiError, RuntimeError, OSError) as e:
        print("demo: error: %s" % e, file=sys.stderr)
        if scheduler is not None:
            print("scheduler log tail:\n%s" % tail(sched_log, 30), file=sys.stderr)
    finally:
        local_cluster.kill_process(scheduler)
        cluster.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
