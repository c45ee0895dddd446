#!/usr/bin/env python3
"""A real, throw-away Kubernetes control plane (etcd + kube-apiserver) on 127.0.0.1.

Used by the e2e suite (test/e2e) and the demo (test/cluster/demo.py); python3 stdlib only.

    from local_cluster import LocalCluster
    with LocalCluster("/tmp/work") as c:      # certs, etcd, kube-apiserver; waits for /readyz
        c.admin_kubeconfig, c.scheduler_kubeconfig
        api = c.client()                       # REST helper, admin client certificate
        api.post("/api/v1/namespaces", {...})
        c.restart_apiserver()                  # same port, same certificates
        c.restart_etcd()                       # same port, same data
        c.audit_events()                       # Bindings, and the scheduler's lists and watches
    # stop() kills everything; also on interpreter exit, SIGTERM, SIGHUP and parent death.

CLI:  python3 test/cluster/local_cluster.py up DIR    (prints kubeconfig paths, Ctrl-C stops)

What the work directory holds afterwards:
    pki/            CA, apiserver serving cert, service-account key pair, admin and scheduler
                    client certs (CN=system:kube-scheduler, so bootstrap RBAC gives it the
                    system:kube-scheduler and system:volume-scheduler ClusterRoles only)
    etcd-data/      etcd's data dir
    etcd.log, kube-apiserver.log          process output (kube-apiserver.log is appended to on
                                          each restart, with a marker line)
    audit-policy.yaml, audit.log          the apiserver's audit log (JSON lines, stage
                                          ResponseComplete): every pods/binding create, and every
                                          list and watch of pods and nodes by the scheduler's
                                          identity
    admin.kubeconfig, scheduler.kubeconfig

Environment: LOCAL_CLUSTER_EMBED_CERTS=1 (kubeconfigs with inline *-data), LOCAL_CLUSTER_NICE=N
(nice increment for every process started here, e.g. -5 on a host busy compiling),
LOCAL_CLUSTER_ETCD_TMPFS=1 (etcd-data is a symlink to a directory in /dev/shm; removed by stop()).

Binaries: KUBE_APISERVER (default /var/cache/multisched/bin/kube-apiserver, then PATH) and
ETCD (default /usr/bin/etcd, then PATH).

Quirks of this setup (no kubelet, no controller-manager): pods stay Pending after binding (the
binding sets spec.nodeName and condition PodScheduled=True); node status (capacity/allocatable) is
kept on create in 1.20, but every later change must go to nodes/NAME/status; bound pods are only
deleted with gracePeriodSeconds=0 (no kubelet confirms termination); a deleted namespace stays
Terminating (no namespace controller), so delete its pods yourself.
"""

import argparse
import atexit
import base64
import ctypes
import http.client
import json
import os
import shutil
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

DEFAULT_BIN_DIR = os.environ.get("MULTISCHED_BIN", "/var/cache/multisched/bin")

# ---------------------------------------------------------------------------------------------
# process bookkeeping: every child we start is killed on stop(), interpreter exit, SIGTERM/SIGHUP,
# and (via PR_SET_PDEATHSIG) when this process dies without running any handler at all.
# ---------------------------------------------------------------------------------------------

_live_procs = set()
_live_lock = threading.Lock()
_handlers_installed = False
_PR_SET_PDEATHSIG = 1

try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - non-glibc
    _libc = None


_NICE = int(os.environ.get("LOCAL_CLUSTER_NICE", "0") or 0)


def _child_setup():
    # Runs in the child between fork and exec: die with SIGKILL when the parent thread exits.
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if _NICE:
        try:
            os.nice(_NICE)   # e.g. -5: keep the control plane responsive on a busy host
        except OSError:
            pass


def kill_process(proc, grace=10.0):
    """SIGTERM, wait up to `grace` seconds, then SIGKILL. Idempotent."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    with _live_lock:
        _live_procs.discard(proc)


def _kill_all():
    with _live_lock:
        procs = list(_live_procs)
    for p in procs:
        try:
            kill_process(p, grace=5.0)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def _on_signal(signum, _frame):
    _kill_all()
    # Leave with the conventional status; atexit handlers still run through SystemExit.
    sys.exit(128 + signum)


def install_cleanup_handlers():
    """atexit + SIGTERM/SIGHUP handlers (only from the main thread; SIGINT stays Python's
    KeyboardInterrupt, which unwinds through atexit)."""
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_kill_all)
    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(s) in (signal.SIG_DFL, None):
                signal.signal(s, _on_signal)


def start_process(args, log_path, env=None, cwd=None):
    """Start `args` with stdout+stderr appended to log_path; tracked for cleanup.

    The child gets PR_SET_PDEATHSIG=SIGKILL, bound to the *calling thread*: start long-lived
    processes from a thread that outlives them (normally the main thread)."""
    install_cleanup_handlers()
    log = open(log_path, "ab")
    try:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, preexec_fn=_child_setup)
    finally:
        log.close()
    proc.log_path = log_path
    with _live_lock:
        _live_procs.add(proc)
    return proc


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read().decode("utf-8", "replace")
    except OSError as e:
        return "(no log: %s)" % e
    return "\n".join(data.splitlines()[-lines:])


def find_binary(name, env_var, default):
    path = os.environ.get(env_var) or default
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    found = shutil.which(name)
    if found:
        return found
    raise ClusterError("%s not found (looked at $%s, %s and PATH); run test/cluster/install_deps.sh"
                       % (name, env_var, default))


class ClusterError(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------
# PKI with the openssl CLI
# ---------------------------------------------------------------------------------------------

def _openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise ClusterError("openssl %s failed:\n%s" % (" ".join(args), r.stdout.decode(errors="replace")))


def make_pki(pki_dir):
    """Create (once) CA, serving cert, SA key pair and client certs in pki_dir. Returns paths."""
    os.makedirs(pki_dir, exist_ok=True)
    p = {k: os.path.join(pki_dir, v) for k, v in {
        "ca_crt": "ca.crt", "ca_key": "ca.key",
        "server_crt": "apiserver.crt", "server_key": "apiserver.key",
        "sa_key": "sa.key", "sa_pub": "sa.pub",
        "admin_crt": "admin.crt", "admin_key": "admin.key",
        "sched_crt": "scheduler.crt", "sched_key": "scheduler.key",
    }.items()}
    if all(os.path.exists(v) for v in p.values()):
        return p
    d = pki_dir
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p["ca_key"], "-out", p["ca_crt"],
             "-days", "30", "-subj", "/CN=multisched-e2e-ca",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", cwd=d)

    def leaf(crt, key, subj, ext_lines):
        csr = crt + ".csr"
        ext = crt + ".ext"
        with open(ext, "w") as f:
            f.write("\n".join(["basicConstraints=critical,CA:FALSE",
                               "keyUsage=critical,digitalSignature,keyEncipherment"] + ext_lines) + "\n")
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                 "-subj", subj, cwd=d)
        _openssl("x509", "-req", "-in", csr, "-CA", p["ca_crt"], "-CAkey", p["ca_key"],
                 "-CAcreateserial", "-out", crt, "-days", "30", "-sha256", "-extfile", ext, cwd=d)
        os.remove(csr)
        os.remove(ext)

    leaf(p["server_crt"], p["server_key"], "/CN=kube-apiserver",
         ["extendedKeyUsage=serverAuth",
          "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
          "DNS:kubernetes.default.svc,IP:10.0.0.1"])
    leaf(p["admin_crt"], p["admin_key"], "/O=system:masters/CN=admin", ["extendedKeyUsage=clientAuth"])
    leaf(p["sched_crt"], p["sched_key"], "/CN=system:kube-scheduler", ["extendedKeyUsage=clientAuth"])
    _openssl("genrsa", "-out", p["sa_key"], "2048", cwd=d)
    _openssl("rsa", "-in", p["sa_key"], "-pubout", "-out", p["sa_pub"], cwd=d)
    for k in ("ca_key", "server_key", "admin_key", "sched_key", "sa_key"):
        os.chmod(p[k], 0o600)
    return p


def write_kubeconfig(path, server, ca, cert, key, user, embed=False):
    """A kubeconfig with one cluster/user/context named 'local': absolute file paths, or (embed)
    the PEM contents base64-encoded in the *-data fields."""
    def field(name, file):
        if not embed:
            return "%s: %s" % (name, os.path.abspath(file))
        with open(file, "rb") as f:
            return "%s-data: %s" % (name, base64.b64encode(f.read()).decode())
    text = f"""apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: {server}
    {field("certificate-authority", ca)}
users:
- name: {user}
  user:
    {field("client-certificate", cert)}
    {field("client-key", key)}
contexts:
- name: local
  context:
    cluster: local
    user: {user}
current-context: local
"""
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------
# REST helper
# ---------------------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, method, path, status, body):
        self.method, self.path, self.status, self.body = method, path, status, body
        msg = body.get("message") if isinstance(body, dict) else body
        super().__init__("%s %s -> %s: %s" % (method, path, status, msg))


class Client:
    """Tiny JSON client for the apiserver over TLS with a client certificate.

    One HTTPS connection per request (robust across apiserver restarts; cheap on loopback).
    Non-2xx answers raise ApiError (status, body); connection failures raise OSError."""

    def __init__(self, host, port, ca, cert, key, timeout=10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.ctx = ssl.create_default_context(cafile=ca)
        self.ctx.load_cert_chain(cert, key)

    def request(self, method, path, body=None, content_type="application/json", query=None,
                timeout=None):
        if query:
            path = path + ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        conn = self._connect(timeout or self.timeout)
        try:
            headers = {"Accept": "application/json"}
            data = None
            if body is not None:
                data = body if isinstance(body, (bytes, str)) else json.dumps(body)
                headers["Content-Type"] = content_type
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            obj = json.loads(raw) if raw else None
        except ValueError:
            obj = raw.decode("utf-8", "replace")
        if not 200 <= resp.status < 300:
            raise ApiError(method, path, resp.status, obj)
        return obj

    def _connect(self, timeout, attempts=3):
        """TCP + TLS handshake, retried: nothing was sent yet, so any method may retry. (A loaded
        host or a restarting apiserver refuses or stalls the handshake now and then.)"""
        for i in range(attempts):
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                               timeout=timeout)
            try:
                conn.connect()
                return conn
            except (OSError, ssl.SSLError):
                conn.close()
                if i == attempts - 1:
                    raise
                time.sleep(0.2 * (i + 1))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body, patch_type="merge", **kw):
        ct = {"merge": "application/merge-patch+json",
              "strategic": "application/strategic-merge-patch+json",
              "json": "application/json-patch+json"}[patch_type]
        return self.request("PATCH", path, body, content_type=ct, **kw)

    def delete(self, path, grace_period=None, ignore_missing=True, **kw):
        body = None
        if grace_period is not None:
            body = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": grace_period}
        try:
            return self.request("DELETE", path, body, **kw)
        except ApiError as e:
            if ignore_missing and e.status == 404:
                return None
            raise

    def list(self, path, label_selector=None, field_selector=None, **kw):
        """Items of a list endpoint (follows `continue`)."""
        items, cont = [], None
        while True:
            q = {"limit": "500"}
            if label_selector:
                q["labelSelector"] = label_selector
            if field_selector:
                q["fieldSelector"] = field_selector
            if cont:
                q["continue"] = cont
            obj = self.get(path, query=q, **kw)
            items.extend(obj.get("items") or [])
            cont = (obj.get("metadata") or {}).get("continue")
            if not cont:
                return items

    def exists(self, path):
        try:
            self.get(path)
            return True
        except ApiError as e:
            if e.status == 404:
                return False
            raise


# ---------------------------------------------------------------------------------------------
# the cluster
# ---------------------------------------------------------------------------------------------

class LocalCluster:
    def __init__(self, work_dir, ready_timeout=90.0, apiserver_args=(), embed_certs=None):
        """embed_certs: kubeconfigs carry the PEMs inline (default: $LOCAL_CLUSTER_EMBED_CERTS=1,
        else file paths)."""
        self.work_dir = os.path.abspath(work_dir)
        if embed_certs is None:
            embed_certs = os.environ.get("LOCAL_CLUSTER_EMBED_CERTS", "") not in ("", "0")
        self.embed_certs = embed_certs
        self.ready_timeout = ready_timeout
        self.extra_apiserver_args = list(apiserver_args)
        self.etcd_bin = find_binary("etcd", "ETCD", "/usr/bin/etcd")
        self.apiserver_bin = find_binary("kube-apiserver", "KUBE_APISERVER",
                                         os.path.join(DEFAULT_BIN_DIR, "kube-apiserver"))
        self.etcd = None
        self.apiserver = None
        self.etcd_port = self.etcd_peer_port = self.port = None
        self.pki = None
        self.etcd_log = os.path.join(self.work_dir, "etcd.log")
        self.apiserver_log = os.path.join(self.work_dir, "kube-apiserver.log")
        self.admin_kubeconfig = os.path.join(self.work_dir, "admin.kubeconfig")
        self.scheduler_kubeconfig = os.path.join(self.work_dir, "scheduler.kubeconfig")
        # Static bearer tokens (--token-auth-file) for tests of delegated authentication:
        # user name -> token. No RBAC is granted to them here.
        self.tokens = {}
        self.token_file = os.path.join(self.work_dir, "tokens.csv")
        self.audit_policy = os.path.join(self.work_dir, "audit-policy.yaml")
        self.audit_log = os.path.join(self.work_dir, "audit.log")
        self.restarts = 0
        self.etcd_restarts = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def server(self):
        return "https://127.0.0.1:%d" % self.port

    def start(self):
        os.makedirs(self.work_dir, exist_ok=True)
        install_cleanup_handlers()
        atexit.register(self.stop)   # idempotent; also removes a tmpfs etcd-data
        try:
            self.pki = make_pki(os.path.join(self.work_dir, "pki"))
            self._write_tokens()
            with open(self.audit_policy, "w") as f:
                f.write(AUDIT_POLICY)
            self._start_etcd()
            self.port = free_port()
            self._start_apiserver()
            self.wait_ready()
            p = self.pki
            write_kubeconfig(self.admin_kubeconfig, self.server, p["ca_crt"], p["admin_crt"],
                             p["admin_key"], "admin", self.embed_certs)
            write_kubeconfig(self.scheduler_kubeconfig, self.server, p["ca_crt"], p["sched_crt"],
                             p["sched_key"], "system:kube-scheduler", self.embed_certs)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        kill_process(self.apiserver)
        kill_process(self.etcd)
        self.apiserver = self.etcd = None
        data_dir = os.path.join(self.work_dir, "etcd-data")
        if os.path.islink(data_dir):
            target = os.path.realpath(data_dir)
            if target.startswith("/dev/shm/multisched-etcd-"):
                shutil.rmtree(target, ignore_errors=True)
            os.unlink(data_dir)

    def restart_apiserver(self, graceful=True, grace=2.0):
        """Kill kube-apiserver (SIGTERM, then SIGKILL after `grace` seconds; SIGKILL at once if
        not graceful) and start it again on the same port with the same certificates; returns
        when /readyz is ok. (1.20 drains open watches for up to a minute on SIGTERM, hence the
        short grace.)"""
        if not graceful and self.apiserver is not None and self.apiserver.poll() is None:
            self.apiserver.kill()
        kill_process(self.apiserver, grace=grace)
        self.apiserver = None
        self.restarts += 1
        self._start_apiserver()
        self.wait_ready()

    def restart_etcd(self, graceful=False):
        """Kill etcd (SIGKILL unless graceful) and start it again on the same ports with the same
        data; returns when it is healthy. kube-apiserver stays up and reconnects by itself."""
        if not graceful and self.etcd is not None and self.etcd.poll() is None:
            self.etcd.kill()
        kill_process(self.etcd)
        self.etcd = None
        self.etcd_restarts += 1
        self._start_etcd(new_ports=False)

    def audit_events(self):
        """The audit log's events (dicts, oldest first); see AUDIT_POLICY for which. Each has
        verb, user.username, sourceIPs, userAgent, objectRef {resource, namespace, name,
        subresource}, responseStatus.code and stageTimestamp."""
        events = []
        try:
            with open(self.audit_log, errors="replace") as f:
                for line in f:
                    try:
                        events.append(json.loads(line))
                    except ValueError:
                        pass   # a line being written as we read
        except FileNotFoundError:
            pass
        return events

    # -- etcd --------------------------------------------------------------------------------

    def _start_etcd(self, new_ports=True):
        if new_ports:
            self.etcd_port, self.etcd_peer_port = free_port(), free_port()
            while self.etcd_peer_port == self.etcd_port:
                self.etcd_peer_port = free_port()
        client = "http://127.0.0.1:%d" % self.etcd_port
        peer = "http://127.0.0.1:%d" % self.etcd_peer_port
        data_dir = os.path.join(self.work_dir, "etcd-data")
        if os.environ.get("LOCAL_CLUSTER_ETCD_TMPFS") and os.path.isdir("/dev/shm"):
            # fsync latency on a busy disk stalls etcd (and so every API call): keep the data
            # in memory, reachable through the usual path.
            if not os.path.exists(data_dir):
                os.symlink(tempfile.mkdtemp(prefix="multisched-etcd-", dir="/dev/shm"), data_dir)
        args = [self.etcd_bin, "--name", "e2e",
                "--data-dir", data_dir,
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "e2e=" + peer, "--initial-cluster-state", "new",
                "--log-level", "warn", "--logger", "zap"]
        self.etcd = start_process(args, self.etcd_log)
        deadline = time.monotonic() + 20
        while True:
            if self.etcd.poll() is not None:
                raise ClusterError("etcd exited with %s; log tail:\n%s"
                                   % (self.etcd.returncode, tail(self.etcd_log)))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.etcd_port, timeout=2)
                c.request("GET", "/health")
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200 and b"true" in body:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ClusterError("etcd not healthy on 127.0.0.1:%d after 20s; log tail:\n%s"
                                   % (self.etcd_port, tail(self.etcd_log)))
            time.sleep(0.1)

    def _write_tokens(self):
        self.tokens = {user: secrets.token_hex(16) for user in ("e2e-metrics-reader", "e2e-nobody")}
        with open(self.token_file, "w") as f:
            for i, (user, token) in enumerate(sorted(self.tokens.items())):
                f.write('%s,%s,uid-%d,"e2e"\n' % (token, user, i))
        os.chmod(self.token_file, 0o600)

    # -- kube-apiserver ----------------------------------------------------------------------

    def apiserver_args(self):
        p = self.pki
        return [self.apiserver_bin,
                "--etcd-servers=http://127.0.0.1:%d" % self.etcd_port,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=%d" % self.port,
                "--insecure-port=0",
                "--cert-dir=" + os.path.join(self.work_dir, "pki"),
                "--client-ca-file=" + p["ca_crt"],
                "--tls-cert-file=" + p["server_crt"],
                "--tls-private-key-file=" + p["server_key"],
                "--service-account-key-file=" + p["sa_pub"],
                "--service-account-signing-key-file=" + p["sa_key"],
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--api-audiences=https://kubernetes.default.svc.cluster.local",
                "--authorization-mode=Node,RBAC",
                "--token-auth-file=" + self.token_file,
                "--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--allow-privileged=true",
                "--profiling=false",
                "--endpoint-reconciler-type=none",
                "--audit-policy-file=" + self.audit_policy,
                "--audit-log-path=" + self.audit_log,
                "--v=1",
                *self.extra_apiserver_args]

    def _start_apiserver(self):
        with open(self.apiserver_log, "ab") as f:
            f.write(("\n===== local_cluster: starting kube-apiserver (start #%d) at %s =====\n"
                     % (self.restarts + 1, time.strftime("%H:%M:%S"))).encode())
        self.apiserver = start_process(self.apiserver_args(), self.apiserver_log)

    def client(self, timeout=10.0):
        p = self.pki
        return Client("127.0.0.1", self.port, p["ca_crt"], p["admin_crt"], p["admin_key"], timeout)

    def scheduler_client(self, timeout=10.0):
        """A client with the scheduler's identity (for RBAC checks)."""
        p = self.pki
        return Client("127.0.0.1", self.port, p["ca_crt"], p["sched_crt"], p["sched_key"], timeout)

    def wait_ready(self, timeout=None):
        timeout = timeout or self.ready_timeout
        deadline = time.monotonic() + timeout
        c = self.client(timeout=3)
        last = None
        while True:
            if self.apiserver.poll() is not None:
                raise ClusterError("kube-apiserver exited with %s; log tail:\n%s"
                                   % (self.apiserver.returncode, tail(self.apiserver_log)))
            try:
                c.get("/readyz")
                return
            except (OSError, ApiError, ssl.SSLError, http.client.HTTPException) as e:
                last = e
            if time.monotonic() > deadline:
                raise ClusterError("kube-apiserver not ready at %s/readyz after %.0fs (last: %s); "
                                   "log tail:\n%s" % (self.server, timeout, last,
                                                      tail(self.apiserver_log)))
            time.sleep(0.2)


# What the audit log keeps (see LocalCluster.audit_events): enough to count successful Bindings
# per pod and the scheduler's LISTs (relists) and WATCHes, nothing else.
AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
  verbs: ["create"]
  resources: [{group: "", resources: ["pods/binding"]}]
- level: Metadata
  users: ["system:kube-scheduler"]
  verbs: ["list", "watch"]
  resources: [{group: "", resources: ["pods", "nodes"]}]
- level: None
"""


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start etcd + kube-apiserver in DIR, stay in the foreground")
    up.add_argument("dir")
    args = ap.parse_args(argv)
    if args.cmd == "up":
        cluster = LocalCluster(args.dir)
        t0 = time.monotonic()
        cluster.start()
        print("cluster ready in %.1fs at %s" % (time.monotonic() - t0, cluster.server))
        print("admin kubeconfig:     %s" % cluster.admin_kubeconfig)
        print("scheduler kubeconfig: %s" % cluster.scheduler_kubeconfig)
        print("logs: %s %s" % (cluster.etcd_log, cluster.apiserver_log))
        print("export KUBECONFIG=%s   # Ctrl-C stops the cluster" % cluster.admin_kubeconfig,
              flush=True)
        try:
            while True:
                for name, proc in (("etcd", cluster.etcd), ("kube-apiserver", cluster.apiserver)):
                    if proc.poll() is not None:
                        print("%s exited with %s" % (name, proc.returncode), file=sys.stderr)
                        cluster.stop()
                        return 1
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            cluster.stop()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
