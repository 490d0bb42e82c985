#!/usr/bin/env python3
"""Incremental relinks: after a first link that fills lld's cache, how many backend compiles run,
and how long the link takes, when nothing changed, when one module's body changed, and when a
header every module includes changed. For in-process lld and for DTLTO through
dtlto-distributor, each with its own --thinlto-cache-dir; lld looks up its cache before it hands
anything to a distributor, so DTLTO runs only the misses.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

from measure import compile_all, measure

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--distributor", required=True)
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--functions", type=int, default=24)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    args = parser.parse_args()

    cores = os.cpu_count()
    clang = os.path.join(args.llvm, "clang")
    work = os.path.join(HERE, "out", "incremental")
    shutil.rmtree(work, ignore_errors=True)
    program = os.path.join(work, "program")
    subprocess.check_call([sys.executable, os.path.join(HERE, "generate_program.py"), program, "--common-header",
                           "--modules", str(args.modules), "--functions", str(args.functions)])
    sources = sorted(f for f in os.listdir(program) if f.endswith(".c"))
    objects = [s[:-2] + ".o" for s in sources]
    modes = {
        "in-process": [f"-Wl,--thinlto-jobs={cores}", f"-Wl,--thinlto-cache-dir={work}/cache-in-process"],
        "dtlto": [f"-fthinlto-distributor={args.distributor}", "-Xthinlto-distributor=--no-cache", f"-Wl,--thinlto-cache-dir={work}/cache-dtlto"],
    }

    def link(mode):
        cache = f"{work}/cache-{mode}"
        before = set(os.listdir(cache)) if os.path.isdir(cache) else set()
        app = os.path.join(program, "app")
        if os.path.exists(app):
            os.remove(app)
        r = measure([clang, "-flto=thin", "-O2", "-fuse-ld=lld", "-o", "app", *modes[mode], *objects], program)
        if mode == "dtlto":
            summary = re.search(r"dtlto-distributor: (\d+) backend jobs", r.output)
            jobs = int(summary.group(1)) if summary else 0
        else:
            jobs = len([f for f in set(os.listdir(cache)) - before if f.startswith("llvmcache-")])
        checksum = subprocess.run([app], stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        return jobs, r.wall, checksum

    rows = []

    def case(name):
        results = {mode: link(mode) for mode in modes}
        if results["in-process"][2] != results["dtlto"][2]:
            sys.exit(f"error: {name}: the programs differ: {results}")
        rows.append((name, results))

    print(f"compiling {len(sources)} modules ...", file=sys.stderr)
    compile_all(clang, sources, program, [])
    case("first link (empty cache)")
    case("nothing changed")
    with open(os.path.join(program, "m5.c")) as f:
        text = f.read()
    with open(os.path.join(program, "m5.c"), "w") as f:
        f.write(text.replace("unsigned acc = x;", "unsigned acc = x + 1u;", 1))
    compile_all(clang, ["m5.c"], program, [])
    case("one module body changed (m5.c)")
    with open(os.path.join(program, "common.h"), "w") as f:
        f.write("#define COMMON_SCALE 3u\n")
    compile_all(clang, sources, program, [])
    case("header used everywhere changed")

    print()
    print(f"Incremental relinks of a generated program ({len(sources)} modules), {cores} cores")
    print(f"{'case':<34} {'in-process jobs':>16} {'wall s':>7} {'DTLTO jobs':>11} {'wall s':>7}")
    for name, results in rows:
        (ij, iw, _), (dj, dw, _) = results["in-process"], results["dtlto"]
        print(f"{name:<34} {ij:>16} {iw:>7.2f} {dj:>11} {dw:>7.2f}")


if __name__ == "__main__":
    main()
