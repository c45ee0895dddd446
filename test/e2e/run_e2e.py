#!/usr/bin/env python3
"""Runs the multisched e2e suite; exits non-zero on any failure.

    SCHEDULER_BIN=build/multisched python3 test/e2e/run_e2e.py            # default
    SCHEDULER_BIN=/var/cache/multisched/bin/kube-scheduler SCHEDULER_CONFIG_API=v1beta1 \
        python3 test/e2e/run_e2e.py                                        # upstream 1.20
    python3 test/e2e/run_e2e.py -k test_a -k test_e3                       # a subset

The last line printed is `N passed, M failed` (plus `, K skipped` when some were skipped).
See harness.py for the environment variables.

A scheduler binary built with sanitizers (-DMULTISCHED_SANITIZE=address,undefined) writes each
report to a file of its own (ASAN_OPTIONS / UBSAN_OPTIONS log_path, set here unless the caller
set them): every multisched process the suite starts, including the ones it SIGKILLs or that
exit while a test still passes. Any report fails the run, and is printed.
"""

import argparse
import glob
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


class Result(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0
        self._t0 = {}

    def startTest(self, test):
        self._t0[test] = time.monotonic()
        super().startTest(test)

    def addSuccess(self, test):
        self.passed += 1
        super().addSuccess(test)

    def _diag(self):
        env = harness.current_env()
        if env is not None:
            env.failed = True
            self.stream.writeln(env.diagnostics())

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.stream.writeln(self._exc_info_to_string(err, test))
        self._diag()

    def addError(self, test, err):
        super().addError(test, err)
        self.stream.writeln(self._exc_info_to_string(err, test))
        self._diag()

    def printErrors(self):
        # Failures and errors were printed as they happened, each with the logs' tails.
        if self.dots or self.showAll:
            self.stream.writeln()

    def stopTest(self, test):
        super().stopTest(test)
        if test in self._t0 and self.showAll:
            self.stream.writeln("    (%.1fs)" % (time.monotonic() - self._t0.pop(test)))


def route_sanitizer_reports():
    """Points the sanitizers' reports of every child process at files in a new directory
    (outside the work dir, which is removed on success); returns it."""
    reports = tempfile.mkdtemp(prefix="multisched-e2e-sanitizers-")
    for var, name in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
        opts = os.environ.get(var, "")
        if "log_path=" not in opts:
            extra = "log_path=%s" % os.path.join(reports, name)
            if var == "UBSAN_OPTIONS":
                extra += ":print_stacktrace=1"
            os.environ[var] = "%s:%s" % (opts, extra) if opts else extra
    return reports


def sanitizer_reports(directory):
    """[(file, text)] of the reports written to `directory`; removes it."""
    found = []
    for path in sorted(glob.glob(os.path.join(directory, "*"))):
        with open(path, errors="replace") as f:
            found.append((os.path.basename(path), f.read()))
    shutil.rmtree(directory, ignore_errors=True)
    return found


def main():
    ap = argparse.ArgumentParser(description="multisched e2e suite")
    ap.add_argument("-k", action="append", default=[],
                    help="only tests whose id contains this substring (repeatable)")
    ap.add_argument("-q", action="store_true", help="less output")
    args = ap.parse_args()

    loader = unittest.TestLoader()
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if args.k:
        def flat(s):
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    yield from flat(t)
                else:
                    yield t
        suite = unittest.TestSuite(t for t in flat(suite) if any(k in t.id() for k in args.k))

    reports_dir = route_sanitizer_reports()
    t0 = time.monotonic()
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=1 if args.q else 2,
                                     resultclass=Result)
    try:
        result = runner.run(suite)
    finally:
        env = harness.current_env()
        work = env.work_dir if env else None
        keep = env is not None and (env.failed or not env.own_dir)
        harness.shutdown()
    # A test that fails and then errors in tearDown is one failed test.
    failed = len({t.id() for t, _ in result.failures + result.errors}
                 | {t.id() for t in result.unexpectedSuccesses})
    skipped = len(result.skipped)
    # Each failure once more, its assertion only, last: the logs printed with it can be long
    # enough that a truncated CI log keeps neither the test's name nor what it found.
    for t, err in result.failures + result.errors:
        lines = [l for l in err.rstrip().splitlines() if l.strip()]
        print("e2e: FAILED %s: %s" % (t.id(), " / ".join(lines[-3:])[:2000]), file=sys.stderr)
    reports = sanitizer_reports(reports_dir)
    for name, text in reports:
        print("e2e: FAILED: sanitizer report %s:\n%s" % (name, text[:6000]), file=sys.stderr)
    if work and keep:
        print("e2e: logs kept in %s" % work, file=sys.stderr)
    print("e2e: %.1fs" % (time.monotonic() - t0), file=sys.stderr)
    line = "%d passed, %d failed" % (result.passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    if reports:
        line += ", %d sanitizer reports" % len(reports)
    sys.stderr.flush()
    print(line, flush=True)
    return 1 if failed or reports or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
