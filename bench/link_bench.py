#!/usr/bin/env python3
"""Benchmarks one ThinLTO link of a generated program, linked in several ways side by side.

Every way links the same bitcode objects in the same run, alternating, so that ratios are
measured under the same machine load. Prints a table of median wall time and CPU time (of the
link and every process it started) and the ratios, then the distributor's start-up time.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(argv, cwd):
    """Runs argv; returns (wall seconds, CPU seconds of it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(argv)} failed:\n{result.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--functions", type=int, default=24)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", default=os.path.join(HERE, "out"))
    args = parser.parse_args()

    cores = os.cpu_count()
    clang = os.path.join(args.llvm, "clang")
    program = os.path.join(args.work, "program")
    shutil.rmtree(program, ignore_errors=True)
    subprocess.check_call([sys.executable, os.path.join(HERE, "generate_program.py"), program,
                           "--modules", str(args.modules), "--functions", str(args.functions)])
    sources = sorted(f for f in os.listdir(program) if f.endswith(".c"))
    print(f"compiling {len(sources)} modules to ThinLTO bitcode ...", file=sys.stderr)
    procs = []
    for source in sources:
        procs.append(subprocess.Popen([clang, "-flto=thin", "-O2", "-c", source], cwd=program))
        if len(procs) >= cores:
            if procs.pop(0).wait() != 0:
                sys.exit("error: compile failed")
    if any(p.wait() != 0 for p in procs):
        sys.exit("error: compile failed")
    objects = [s[:-2] + ".o" for s in sources]

    link = [clang, "-flto=thin", "-O2", "-fuse-ld=lld", "-o", "app"]
    variants = [
        ("in-process lld", [f"-Wl,--thinlto-jobs={cores}"]),
        ("serial reference distributor", [f"-fthinlto-distributor={os.path.join(HERE, 'serial_distributor.py')}"]),
        ("naive parallel distributor", [f"-fthinlto-distributor={os.path.join(HERE, 'naive_parallel_distributor.py')}"]),
        ("dtlto-distributor", [f"-fthinlto-distributor={args.distributor}"]),
    ]
    walls = {name: [] for name, _ in variants}
    cpus = {name: [] for name, _ in variants}
    expected = None
    for run in range(args.runs):
        for name, extra in variants:
            print(f"run {run + 1}/{args.runs}: {name} ...", file=sys.stderr)
            app = os.path.join(program, "app")
            if os.path.exists(app):
                os.remove(app)
            wall, cpu = timed(link + extra + objects, program)
            walls[name].append(wall)
            cpus[name].append(cpu)
            output = subprocess.run([app], stdout=subprocess.PIPE, text=True, check=True).stdout
            if expected is None:
                expected = output
            elif output != expected:
                sys.exit(f"error: the program linked by {name} printed {output!r}, not {expected!r}")

    base = statistics.median(walls["in-process lld"])
    serial = statistics.median(walls["serial reference distributor"])
    print()
    print(f"ThinLTO link of {args.modules + 1} modules, {cores} cores, median of {args.runs} runs")
    print(f"{'link':<30} {'wall s':>8} {'CPU s':>8} {'wall / in-process':>18} {'serial / wall':>14}")
    for name, _ in variants:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name])
        print(f"{name:<30} {wall:>8.2f} {cpu:>8.2f} {wall / base:>17.2f}x {serial / wall:>13.2f}x")

    empty = os.path.join(args.work, "empty.json")
    with open(empty, "w") as f:
        f.write('{"common":{"linker_output":"a","args":["clang"],"inputs":[]},"jobs":[]}')
    starts = [timed([args.distributor, empty], args.work)[0] for _ in range(21)]
    print()
    print(f"dtlto-distributor start-up (empty job list): median {statistics.median(starts) * 1000:.0f} ms "
          f"over {len(starts)} runs")


if __name__ == "__main__":
    main()
