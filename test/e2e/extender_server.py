#!/usr/bin/env python3
"""A tiny kube-scheduler HTTP extender in Python's standard library, for the e2e tests
(test_extenders.py) and as an example of writing one in any language.

    python3 test/e2e/extender_server.py --port 0 --label extender-e2e=yes
    # first line on stdout: the port it listens on (127.0.0.1); one line per call on stderr

Configure it in KubeSchedulerConfiguration v1 as
    extenders:
    - urlPrefix: http://127.0.0.1:<port>
      filterVerb: filter
      prioritizeVerb: prioritize
      weight: 5

Verbs (POST, JSON with Go's field names, as k8s.io/kube-scheduler/extender/v1):
  /filter      ExtenderArgs {"Pod", "Nodes": {"items": [...]}, "NodeNames": [...]} ->
               ExtenderFilterResult {"Nodes" | "NodeNames", "FailedNodes",
               "FailedAndUnresolvableNodes", "Error"}. A node passes when it has every
               --label KEY=VALUE and its name matches --name-regex (when given). Failed nodes get
               the reason "node lacks label KEY=VALUE" (the first label missing) or "node name
               does not match REGEX". The answer uses the form of the question: node objects for
               "Nodes", names for "NodeNames" (an extender with nodeCacheCapable: true). In the
               names-only form labels are unknown, so a node fails the label check with "node
               lacks label KEY=VALUE (labels unknown: names only)"; use --name-regex with
               nodeCacheCapable extenders.
  /prioritize  ExtenderArgs -> HostPriorityList [{"Host", "Score"}]: the lexicographically
               greatest node name among those sent scores 10 (MaxExtenderPriority), every other
               node 0.
No bind or preempt verb. --delay SECONDS sleeps before each answer (to exercise httpTimeout).
A body that is not JSON is answered 400; an unknown path 404.
"""

import argparse
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_EXTENDER_PRIORITY = 10


def node_names_of(args):
    """(names, node objects or None) of an ExtenderArgs body, in the order sent."""
    nodes = args.get("Nodes")
    if isinstance(nodes, dict) and nodes.get("items") is not None:
        items = nodes.get("items") or []
        return [(n.get("metadata") or {}).get("name", "") for n in items], items
    return list(args.get("NodeNames") or []), None


class Rules:
    def __init__(self, labels, name_regex, delay):
        self.labels = labels            # [(key, value)]
        self.name_regex = re.compile(name_regex) if name_regex else None
        self.delay = delay

    def failure(self, name, node):
        """None when the node passes, else the reason it fails."""
        if self.name_regex is not None and not self.name_regex.fullmatch(name):
            return "node name does not match %s" % self.name_regex.pattern
        for key, value in self.labels:
            if node is None:
                return "node lacks label %s=%s (labels unknown: names only)" % (key, value)
            if ((node.get("metadata") or {}).get("labels") or {}).get(key) != value:
                return "node lacks label %s=%s" % (key, value)
        return None

    def filter(self, args):
        names, items = node_names_of(args)
        kept, failed = [], {}
        for i, name in enumerate(names):
            reason = self.failure(name, items[i] if items is not None else None)
            if reason is None:
                kept.append(i)
            else:
                failed[name] = reason
        result = {"Nodes": None, "NodeNames": None, "FailedNodes": failed,
                  "FailedAndUnresolvableNodes": {}, "Error": ""}
        if items is not None:
            result["Nodes"] = {"metadata": {}, "items": [items[i] for i in kept]}
        else:
            result["NodeNames"] = [names[i] for i in kept]
        return result, "kept %s, failed %s" % ([names[i] for i in kept], sorted(failed))

    def prioritize(self, args):
        names, _ = node_names_of(args)
        best = max(names) if names else None
        scores = [{"Host": n, "Score": MAX_EXTENDER_PRIORITY if n == best else 0} for n in names]
        return scores, "scores %s" % {s["Host"]: s["Score"] for s in scores}


def make_handler(rules):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"   # keep-alive, as kube-scheduler's client expects

        def do_POST(self):  # noqa: N802 - http.server's naming
            verb = self.path.rstrip("/").rsplit("/", 1)[-1]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if verb not in ("filter", "prioritize"):
                return self.answer(404, "text/plain", b"unknown verb\n", "404")
            try:
                args = json.loads(raw)
                if not isinstance(args, dict):
                    raise ValueError("ExtenderArgs must be an object")
            except ValueError as e:
                return self.answer(400, "text/plain", ("bad request: %s\n" % e).encode(), "400")
            if rules.delay:
                time.sleep(rules.delay)
            result, summary = getattr(rules, verb)(args)
            pod = args.get("Pod") or {}
            meta = pod.get("metadata") or {}
            summary = "%s/%s: %s" % (meta.get("namespace", ""), meta.get("name", ""), summary)
            self.answer(200, "application/json", json.dumps(result).encode(), summary)

        def answer(self, status, content_type, body, summary):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.log_message("%s -> %d %s", self.path, status, summary)

        def log_request(self, code="-", size="-"):
            pass   # answer() logs one line per call instead

        def log_message(self, fmt, *args):
            sys.stderr.write("%s extender: %s\n" % (time.strftime("%H:%M:%S"), fmt % args))
            sys.stderr.flush()

    return Handler


def parse_label(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError("expected KEY=VALUE, got %r" % text)
    return key, value


def main(argv=None):
    ap = argparse.ArgumentParser(description="a filter + prioritize scheduler extender")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    ap.add_argument("--label", type=parse_label, action="append", default=[],
                    metavar="KEY=VALUE", help="nodes must carry this label (repeatable)")
    ap.add_argument("--name-regex", help="nodes' names must match this (whole name)")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
    args = ap.parse_args(argv)

    server = ThreadingHTTPServer((args.host, args.port),
                                 make_handler(Rules(args.label, args.name_regex, args.delay)))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    sys.stderr.write("extender: listening on http://%s:%d (labels %s, name regex %s)\n"
                     % (args.host, server.server_address[1], args.label, args.name_regex))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
