#!/usr/bin/env python3
"""Measures dtlto-distributor's own costs with a no-op compiler (a tiny C program that only
writes its output), so that nothing but the distributor is timed: start-up on an empty job list,
the cost per job of a 2,000-job list, and reading, checking and ordering a 10,000-job list
(--dry-run) with its peak memory.
"""
import argparse
import json
import os
import shutil
import subprocess

from measure import measure, median

HERE = os.path.dirname(os.path.abspath(__file__))

NOOP = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "-o") == 0) { FILE *f = fopen(argv[i + 1], "w"); if (!f) return 1; fputs("object", f); fclose(f); }
  return 0;
}
"""


def job_list(path, count, compiler):
    jobs = [{"args": [f"m{i}.o", "-o", f"m{i}.native.o"], "inputs": [f"m{i}.o", f"m{i}.native.o.thinlto.bc"],
             "outputs": [f"m{i}.native.o"]} for i in range(count)]
    with open(path, "w") as f:
        json.dump({"common": {"linker_output": "app", "args": [compiler, "-c", "-O2"], "inputs": []}, "jobs": jobs}, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--distributor", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    args = parser.parse_args()

    work = os.path.join(HERE, "out", "overhead")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    noop = os.path.join(work, "noop-compiler")
    with open(noop + ".c", "w") as f:
        f.write(NOOP)
    subprocess.check_call([os.path.join(args.llvm, "clang"), "-O2", noop + ".c", "-o", noop])
    job_list(os.path.join(work, "empty.json"), 0, noop)
    job_list(os.path.join(work, "jobs-2000.json"), 2000, noop)
    job_list(os.path.join(work, "jobs-10000.json"), 10000, noop)
    cores = os.cpu_count()

    start = [measure([args.distributor, "--no-cache", "empty.json"], work) for _ in range(args.runs)]
    noop_alone = [measure([noop, "-o", "x.o"], work) for _ in range(args.runs * 10)]
    batch = [measure([args.distributor, "--no-cache", f"--jobs={cores}", "jobs-2000.json"], work) for _ in range(args.runs)]
    plan = [measure([args.distributor, "--dry-run", "jobs-10000.json"], work) for _ in range(args.runs)]

    startup = median([r.wall for r in start])
    per_job = (median([r.wall for r in batch]) - startup) / 2000 * cores
    print(f"dtlto-distributor overhead, {cores} cores, median of {args.runs} runs")
    print(f"{'measure':<52} {'value':>12}")
    print(f"{'start-up, empty job list (wall)':<52} {startup * 1000:>9.1f} ms")
    print(f"{'start-up, empty job list (peak memory)':<52} {median([r.peak_mb for r in start]):>9.1f} MB")
    print(f"{'no-op compiler alone, one run (wall)':<52} {median([r.wall for r in noop_alone]) * 1000:>9.2f} ms")
    print(f"{'2,000 no-op jobs on {0} workers (wall)'.format(cores):<52} {median([r.wall for r in batch]):>10.2f} s")
    print(f"{'per job, per worker: wall less start-up / jobs x workers':<52} {per_job * 1000:>9.2f} ms")
    print(f"{'10,000-job list read, checked and ordered (wall)':<52} {median([r.wall for r in plan]) * 1000:>9.1f} ms")
    print(f"{'10,000-job list read, checked and ordered (peak memory)':<52} {median([r.peak_mb for r in plan]):>9.1f} MB")


if __name__ == "__main__":
    main()
