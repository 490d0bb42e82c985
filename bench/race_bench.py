#!/usr/bin/env python3
"""Measures racing the farm (dynamic execution) against a small farm.

The farm must not compute on this machine's cores, or racing would only fight itself for them:
it is the test server's simulated farm (dtlto-remote-test-server --simulate-workers N
--latency-ms MS), whose N virtual workers each take a start-up latency and then the job's
recorded duration, and return the real object of the job. Durations and objects are recorded
first, by a local link of the same program with --trace and --save-temps. The program is then
linked, in turn, each round against a freshly started farm (so that nothing comes from its cache):

  local only    dtlto-distributor without --remote (--jobs = this machine's cores)
  remote only   --remote --remote-race=false
  racing        --remote (racing is on by default)

Prints medians of the wall times, how many jobs each side won when racing, and the ratio of
racing to the better of the other two (the goal: at most 1.05), and checks every program prints
the same.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

from measure import generated_program, measure, median
from remote_bench import Server

HERE = os.path.dirname(os.path.abspath(__file__))


def record(clang, distributor, folder, objects):
    """Links once locally keeping lld's files, and writes the farm's table: module, seconds, bytes, object."""
    recording = os.path.join(os.path.dirname(folder), "recording")
    shutil.rmtree(recording, ignore_errors=True)
    os.makedirs(recording)
    for o in objects:
        shutil.copy(os.path.join(folder, o), recording)
    trace = os.path.join(recording, "trace.json")
    subprocess.check_call([clang, "-flto=thin", "-O2", "-fuse-ld=lld", f"-fthinlto-distributor={distributor}",
                           f"-Xthinlto-distributor=--trace={trace}", "-Xthinlto-distributor=--no-cache", "-Wl,--save-temps", "-o", "app", *objects], cwd=recording)
    # Each backend compile's slice in the timeline is named after its module.
    seconds = {e["name"]: e["dur"] / 1e6 for e in json.load(open(trace))["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "backend"}
    job_list = json.load(open(next(os.path.join(recording, f) for f in os.listdir(recording) if f.endswith(".dist-file.json"))))
    table = os.path.join(os.path.dirname(folder), "farm-jobs.tsv")
    with open(table, "w") as f:
        for job in job_list["jobs"]:
            module, output = job["inputs"][0], os.path.join(recording, job["outputs"][0])
            f.write(f"{module}\t{seconds[module]:.4f}\t{os.path.getsize(output)}\t{output}\n")
    return table


def link(clang, distributor, folder, objects, extra):
    args = [clang, "-flto=thin", "-O2", "-fuse-ld=lld", f"-fthinlto-distributor={distributor}", "-Xthinlto-distributor=--no-cache",
            *[f"-Xthinlto-distributor={e}" for e in extra], "-o", "app", *objects]
    run = measure(args, folder)
    program = subprocess.run([os.path.join(folder, "app")], capture_output=True, text=True)
    races = re.search(r"races won (\d+) here, (\d+) on the farm", run.output)
    return run.wall, program.stdout, (int(races.group(1)), int(races.group(2))) if races else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8, help="the farm's workers")
    parser.add_argument("--latency-ms", type=float, default=500, help="each worker's start-up time per action")
    parser.add_argument("--extra", action="append", default=[], help="another distributor option for the remote links")
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--server", required=True, help="path of dtlto-remote-test-server")
    args = parser.parse_args()

    folder = os.path.join(HERE, "out", "race", "program")
    shutil.rmtree(os.path.dirname(folder), ignore_errors=True)
    objects = generated_program(folder, args.modules, os.path.join(args.llvm, "clang"))
    clang = os.path.join(args.llvm, "clang")
    farm = ["--simulate-workers", str(args.workers), "--latency-ms", str(args.latency_ms), "--jobs", record(clang, args.distributor, folder, objects)]

    times = {"local only": [], "remote only": [], "racing": []}
    wins = []
    expected = None
    for _ in range(args.runs):
        for mode in times:
            server = Server(args.server, *farm) if mode != "local only" else None
            try:
                extra = [] if server is None else [f"--remote={server.endpoint}", "--verbose", *args.extra] + (["--remote-race=false"] if mode == "remote only" else [])
                wall, output, races = link(clang, args.distributor, folder, objects, extra)
            finally:
                if server is not None:
                    server.stop()
            expected = expected or output
            if output != expected:
                sys.exit(f"error: the {mode} program printed something else")
            times[mode].append(wall)
            if mode == "racing" and races:
                wins.append(races)

    best = min(median(times["local only"]), median(times["remote only"]))
    print(f"Racing the farm: generated program of {args.modules + 1} modules; simulated farm of {args.workers} workers, {args.latency_ms:g} ms start-up per action; median of {args.runs}")
    print(f"{'mode':<12} {'wall s':>7} {'vs best':>8}")
    for mode, walls in times.items():
        print(f"{mode:<12} {median(walls):>7.2f} {median(walls) / best:>8.2f}")
    if wins:
        here = median([w[0] for w in wins])
        there = median([w[1] for w in wins])
        print(f"racing: jobs won here {here:g}, on the farm {there:g} (medians)")


if __name__ == "__main__":
    main()
