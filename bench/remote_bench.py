#!/usr/bin/env python3
"""Benchmarks a link whose backend compiles go through a Remote Execution API server.

The server is the project's test server (tests/Dtlto.Build.RemoteTestServer), started as its
own process on 127.0.0.1: it executes actions with the real clang on this same machine, so
"remote" here measures the protocol and the cache, not a bigger farm. Every round links the same
bitcode objects in four ways, in turn:

  local        dtlto-distributor without --remote
  cold         --remote against a freshly started server (empty CAS and action cache)
  warm         --remote again, the same objects in the same folder
  other path   --remote from a copy of the objects in another folder (another checkout)

Prints the median wall time of each and the cache hits out of the jobs, and checks every
program prints the same.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

from measure import compile_all, measure, median

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Server:
    """The test server as a separate process, stopped by closing its standard input."""

    def __init__(self, program, *options):
        self.process = subprocess.Popen([program, "0", *options], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening "):
            sys.exit(f"error: the test server did not start: {line}")
        self.endpoint = line[len("listening "):]

    def stop(self):
        self.process.stdin.close()
        # A farm still running actions a link gave up on finishes them first (a large link's tail).
        self.process.wait(timeout=120)


def link(clang, distributor, folder, objects, extra):
    args = [clang, "-flto=thin", "-O2", "-fuse-ld=lld", f"-fthinlto-distributor={distributor}",
            "-Xthinlto-distributor=--verbose", "-Xthinlto-distributor=--no-cache", *[f"-Xthinlto-distributor={e}" for e in extra], "-o", "app", *objects]
    run = measure(args, folder)
    summary = re.search(r"(\d+) backend jobs, \d+ workers, (\d+) cache hits", run.output)
    if not summary:
        sys.exit(f"error: no summary line:\n{run.output}")
    program = subprocess.run([os.path.join(folder, "app")], capture_output=True, text=True)
    return run.wall, int(summary.group(1)), int(summary.group(2)), program.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--server", required=True, help="path of dtlto-remote-test-server")
    args = parser.parse_args()

    work = os.path.join(HERE, "out", "remote")
    shutil.rmtree(work, ignore_errors=True)
    first = os.path.join(work, "checkout-a", "program")
    subprocess.check_call([sys.executable, os.path.join(HERE, "generate_program.py"), first, "--modules", str(args.modules)])
    sources = sorted(f for f in os.listdir(first) if f.endswith(".c"))
    compile_all(os.path.join(args.llvm, "clang"), sources, first, [])
    objects = [s[:-2] + ".o" for s in sources]
    second = os.path.join(work, "elsewhere", "checkout-b", "program")
    shutil.copytree(first, second)
    clang = os.path.join(args.llvm, "clang")

    times = {"local": [], "cold": [], "warm": [], "other path": []}
    hits = {}
    expected = None
    for _ in range(args.runs):
        server = Server(args.server)
        try:
            remote = [f"--remote={server.endpoint}"]
            for way, folder, extra in (("local", first, []), ("cold", first, remote), ("warm", first, remote), ("other path", second, remote)):
                wall, jobs, cached, output = link(clang, args.distributor, folder, objects, extra)
                expected = expected or output
                if output != expected:
                    sys.exit(f"error: the {way} program printed something else")
                times[way].append(wall)
                hits[way] = f"{cached}/{jobs}"
        finally:
            server.stop()

    print(f"Remote execution, generated program, {len(sources)} modules, median of {args.runs} (server on this machine)")
    print(f"{'link':<12} {'wall s':>8} {'vs local':>9} {'cache hits':>11}")
    base = median(times["local"])
    for way, values in times.items():
        print(f"{way:<12} {median(values):8.2f} {median(values) / base:8.2f}x {hits[way]:>11}")


if __name__ == "__main__":
    main()
