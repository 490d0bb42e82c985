#!/usr/bin/env python3
"""Measures what a remote link sends and hashes, with the compiler uploaded (--remote-upload-toolchain).

Against the test server (started afresh for every link, so that its CAS is empty), a generated
program is linked, in turn:

  zstd      the server advertises zstd: blobs travel compressed
  plain     the server does not (dtlto-remote-test-server --no-zstd)

and, for each, a second link with the same digest store (XDG_CACHE_HOME kept), whose hashing of the
unchanged toolchain and bitcode the store saves. Prints medians of the bytes on the wire, the bytes
as they are, the wall times and the hashing the distributor's summary reports.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from measure import generated_program, measure, median
from remote_bench import Server

HERE = os.path.dirname(os.path.abspath(__file__))
SENT = re.compile(r"sent ([\d.]+) MB, received ([\d.]+) MB(?: \(zstd; ([\d.]+) and ([\d.]+) MB as they are\))?")
HASHED = re.compile(r"hashed ([\d.]+) MB in ([\d.]+) s, (\d+) files from the digest cache")


def link(clang, distributor, folder, objects, endpoint, cache):
    args = [clang, "-flto=thin", "-O2", "-fuse-ld=lld", f"-fthinlto-distributor={distributor}",
            f"-Xthinlto-distributor=--remote={endpoint}", "-Xthinlto-distributor=--remote-upload-toolchain",
            "-Xthinlto-distributor=--remote-race=false", "-Xthinlto-distributor=--no-cache", "-o", "app", *objects]
    run = measure(args, folder, env=dict(os.environ, XDG_CACHE_HOME=cache))
    sent, hashed = SENT.search(run.output), HASHED.search(run.output)
    if not sent or not hashed:
        sys.exit(f"error: no transfer or hashing figures in the summary:\n{run.output}")
    wire_up, wire_down = float(sent.group(1)), float(sent.group(2))
    raw_up, raw_down = (float(sent.group(3)), float(sent.group(4))) if sent.group(3) else (wire_up, wire_down)
    return run.wall, wire_up, raw_up, wire_down, raw_down, float(hashed.group(1)), float(hashed.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    parser.add_argument("--distributor", required=True)
    parser.add_argument("--server", required=True)
    args = parser.parse_args()

    folder = os.path.join(HERE, "out", "transfer", "program")
    shutil.rmtree(os.path.dirname(folder), ignore_errors=True)
    objects = generated_program(folder, args.modules, os.path.join(args.llvm, "clang"))
    clang = os.path.join(args.llvm, "clang")

    rows = {(mode, which): [] for mode in ("zstd", "plain") for which in ("first link", "second link")}
    for _ in range(args.runs):
        for mode in ("zstd", "plain"):
            cache = tempfile.mkdtemp(prefix="dtlto-transfer-")
            try:
                for which in ("first link", "second link"):
                    server = Server(args.server, *(["--no-zstd"] if mode == "plain" else []))
                    try:
                        rows[(mode, which)].append(link(clang, args.distributor, folder, objects, server.endpoint, cache))
                    finally:
                        server.stop()
            finally:
                shutil.rmtree(cache, ignore_errors=True)

    print(f"Remote link with the compiler uploaded: generated program of {args.modules + 1} modules, a fresh server per link, median of {args.runs}")
    print(f"{'blobs':<6} {'link':<12} {'wall s':>7} {'MB sent':>8} {'MB as they are':>15} {'MB received':>12} {'as they are':>12} {'MB hashed':>10} {'hashing s':>10}")
    for (mode, which), runs in rows.items():
        m = [median([r[i] for r in runs]) for i in range(7)]
        print(f"{mode:<6} {which:<12} {m[0]:>7.2f} {m[1]:>8.1f} {m[2]:>15.1f} {m[3]:>12.1f} {m[4]:>12.1f} {m[5]:>10.1f} {m[6]:>10.2f}")


if __name__ == "__main__":
    main()
