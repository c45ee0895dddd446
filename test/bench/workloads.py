"""The apiserver benchmark's workloads (issue 6) and the objects they create.

Shapes follow kube-scheduler's scheduler_perf (test/integration/scheduler_perf/config): nodes as
node-default.yaml (4 cpu, 32Gi memory, 110 pods), pods as pod-default.yaml (one pause container
requesting 100m cpu and 500Mi memory). Every node carries kubernetes.io/hostname, a zone
(zone-0 .. zone-9 round-robin) and a region, so one node set serves every workload of one size.
"""

ZONES = 10
ZONE_KEY = "topology.kubernetes.io/zone"
SECOND_PROFILE = "bin-packing"


def node_name(i):
    return "bench-node-%05d" % i


def node(i):
    name = node_name(i)
    res = {"cpu": "4", "memory": "32Gi", "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {
                "kubernetes.io/hostname": name,
                ZONE_KEY: "zone-%d" % (i % ZONES),
                "topology.kubernetes.io/region": "region-0",
                "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
            "spec": {},
            "status": {"capacity": res, "allocatable": res}}


def _pod(name, labels=None, affinity=None, spread=None, scheduler=None):
    spec = {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.9",
                            "ports": [{"containerPort": 80}],
                            "resources": {"requests": {"cpu": "100m", "memory": "500Mi"},
                                          "limits": {"cpu": "100m", "memory": "500Mi"}}}],
            "terminationGracePeriodSeconds": 0}
    if affinity:
        spec["affinity"] = affinity
    if spread:
        spec["topologySpreadConstraints"] = spread
    if scheduler:
        spec["schedulerName"] = scheduler
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"app": "bench"}}, "spec": spec}


def plain_pod(name, i):
    return _pod(name)


def node_affinity_pod(name, i):
    # As scheduler_perf's pod-with-node-affinity.yaml: required terms every node satisfies (there
    # every node is labelled zone1 and pods ask for zone1 or zone2; here all ten zones are
    # listed), so the Filter runs on every node and rejects none.
    zones = ["zone-%d" % z for z in range(ZONES)]
    return _pod(name, affinity={"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": ZONE_KEY, "operator": "In", "values": zones}]}]}}})


def anti_affinity_pod(name, i):
    # As pod-with-pod-anti-affinity.yaml: at most one such pod per node.
    return _pod(name, labels={"app": "anti"}, affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": {"app": "anti"}},
            "topologyKey": "kubernetes.io/hostname"}]}})


def spread_pod(name, i):
    return _pod(name, labels={"app": "spread"}, spread=[{
        "maxSkew": 1, "topologyKey": ZONE_KEY, "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "spread"}}}])


def two_profiles_pod(name, i):
    # Odd pods go to the second profile (MostAllocated bin-packing), even ones to the default.
    return _pod(name, scheduler=SECOND_PROFILE if i % 2 else None)


# name -> (nodes, pods, pod factory). The sizes; --scale shrinks them.
WORKLOADS = {
    "basic": (5000, 10000, plain_pod),
    "node-affinity": (5000, 10000, node_affinity_pod),
    "pod-anti-affinity": (5000, 2000, anti_affinity_pod),
    "topology-spread": (5000, 5000, spread_pod),
    "two-profiles": (5000, 10000, two_profiles_pod),
    "basic-15000-nodes": (15000, 10000, plain_pod),
}


def scheduler_config(api, kubeconfig, qps, burst, free_port):
    """The KubeSchedulerConfiguration both schedulers run: default profile plus bin-packing, no
    leader election, the same client qps/burst. `api` is "v1" (multisched) or "v1beta1"
    (kube-scheduler 1.20, where bin-packing is the NodeResourcesMostAllocated score plugin and
    healthz/metrics are plain HTTP, pinned to a free loopback port)."""
    head = ("apiVersion: kubescheduler.config.k8s.io/%s\n"
            "kind: KubeSchedulerConfiguration\n"
            "clientConnection:\n  kubeconfig: %s\n  qps: %s\n  burst: %d\n"
            "leaderElection:\n  leaderElect: false\n" % (api, kubeconfig, qps, burst))
    if api == "v1":
        return head + ("profiles:\n"
                       "- schedulerName: default-scheduler\n"
                       "- schedulerName: %s\n"
                       "  pluginConfig:\n"
                       "  - name: NodeResourcesFit\n"
                       "    args:\n"
                       "      scoringStrategy:\n"
                       "        type: MostAllocated\n" % SECOND_PROFILE)
    port = free_port()
    return head + ("healthzBindAddress: 127.0.0.1:%d\n"
                   "metricsBindAddress: 127.0.0.1:%d\n"
                   "profiles:\n"
                   "- schedulerName: default-scheduler\n"
                   "- schedulerName: %s\n"
                   "  plugins:\n"
                   "    score:\n"
                   "      disabled:\n"
                   "      - name: NodeResourcesLeastAllocated\n"
                   "      enabled:\n"
                   "      - name: NodeResourcesMostAllocated\n"
                   "        weight: 1\n" % (port, port, SECOND_PROFILE))
