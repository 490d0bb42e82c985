#!/usr/bin/env python3
"""A relink after a one-module change, through a team's warm farm cache, beside in-process lld
with its own --thinlto-cache-dir.

Two checkouts of one program in different folders: checkout A links it through the farm first
(the team cache: the farm's action cache and CAS), checkout B links it once in-process with its
own lld cache. Then each round changes one module of checkout B (a new function appended, its
bitcode compiled again; a change of its own before each link, so that no link finds the changed
module in a cache another one filled) and relinks B in three ways, in turn:

  in-process lld, own cache     -Wl,--thinlto-cache-dir (lld's cache, warm from B's own links)
  farm, team cache only         dtlto-distributor --remote, no lld cache and no local backend
                                cache: every job is asked of the farm, the unchanged ones are
                                its cache's hits (from checkout A and the earlier rounds)
  farm + lld's cache            both: lld hands only its cache's misses to the distributor

The farm is the project's test server (tests/Dtlto.Build.RemoteTestServer) on this machine,
with a worker per core, executing what misses with the real clang. Every program is run and must print the same.
Prints median wall times, their ratio to in-process lld, and the farm's cache hits.

  python3 bench/team_cache_bench.py --program lua --distributor D --server S
  python3 bench/team_cache_bench.py --program generated --modules 700 --distributor D --server S
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

from measure import compile_all, measure, median
from remote_bench import Server

HERE = os.path.dirname(os.path.abspath(__file__))


def prepare(args, folder):
    """The program's sources in folder: (sources, compile flags, link libraries, changed module)."""
    if args.program == "lua":
        subprocess.check_call(["bash", os.path.join(HERE, "fetch_lua.sh")])
        shutil.copytree(os.path.join(HERE, "out", "lua-5.4", "src"), folder)
        sources = sorted(f for f in os.listdir(folder) if f.endswith(".c") and f not in ("luac.c",))
        return sources, ["-DLUA_USE_LINUX"], ["-lm", "-ldl"], "lstrlib.c"
    subprocess.check_call([sys.executable, os.path.join(HERE, "generate_program.py"), folder, "--modules", str(args.modules)])
    sources = sorted(f for f in os.listdir(folder) if f.endswith(".c"))
    return sources, [], [], "m1.c"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--program", choices=["lua", "generated"], default="lua")
    parser.add_argument("--modules", type=int, default=700, help="modules of the generated program")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--server", required=True, help="path of dtlto-remote-test-server")
    parser.add_argument("--work", help="folder for the two checkouts (default: bench/out/team-cache-PROGRAM)")
    args = parser.parse_args()

    cores = os.cpu_count()
    clang = os.path.join(args.llvm, "clang")
    work = args.work or os.path.join(HERE, "out", "team-cache-" + args.program)
    shutil.rmtree(work, ignore_errors=True)
    a = os.path.join(work, "checkout-a", "program")
    b = os.path.join(work, "elsewhere", "checkout-b", "program")
    sources, flags, libraries, changed = prepare(args, a)
    print(f"compiling {len(sources)} modules ...", file=sys.stderr)
    compile_all(clang, sources, a, flags)
    shutil.copytree(a, b)
    objects = [s[:-2] + ".o" for s in sources]
    lld_cache = os.path.join(work, "lld-cache-b")

    # A farm of as many workers as this machine has cores, which it runs on: a farm that started
    # every action at once would starve its own CAS.
    server = Server(args.server, "--workers", str(cores))
    try:
        farm = [f"-fthinlto-distributor={args.distributor}", "-Xthinlto-distributor=--no-cache", "-Xthinlto-distributor=--verbose",
                f"-Xthinlto-distributor=--remote={server.endpoint}", "-Xthinlto-distributor=--remote-strict"]
        ways = {
            "in-process lld, own cache": [f"-Wl,--thinlto-jobs={cores}", f"-Wl,--thinlto-cache-dir={lld_cache}"],
            "farm, team cache only": farm,
            "farm + lld's cache": [*farm, f"-Wl,--thinlto-cache-dir={lld_cache}-farm"],
        }

        def link(folder, extra):
            app = os.path.join(folder, "app")
            if os.path.exists(app):
                os.remove(app)
            run = measure([clang, "-flto=thin", "-O2", "-fuse-ld=lld", "-o", "app", *extra, *objects, *libraries], folder)
            printed = subprocess.run([app], input="", capture_output=True, text=True, timeout=60).stdout
            summary = re.search(r"(\d+) backend jobs, \d+ workers[^,]*, (\d+) cache hits.*?remote: (\d+) executed", run.output, re.S)
            return run.wall, printed, summary

        print("checkout A links through the farm (the team cache); B links once with its own lld cache ...", file=sys.stderr)
        link(a, farm)
        link(b, ways["in-process lld, own cache"])
        link(b, ways["farm + lld's cache"])

        times = {way: [] for way in ways}
        hits = {}
        for run in range(args.runs):
            expected = None
            order = list(ways) if run % 2 == 0 else list(reversed(ways))
            for k, way in enumerate(order):
                # A change of its own for each link: no link finds its changed module in a cache another link filled.
                with open(os.path.join(b, changed), "a") as f:
                    f.write(f"\nint dtlto_team_cache_round_{run}_{k}(int x) {{ return x * {run + k + 3}; }}\n")
                compile_all(clang, [changed], b, flags)
                print(f"round {run + 1}/{args.runs}: {way} ...", file=sys.stderr)
                wall, printed, summary = link(b, ways[way])
                expected = expected if expected is not None else printed
                if printed != expected:
                    sys.exit(f"error: the program linked by {way} printed something else")
                times[way].append(wall)
                if summary:
                    hits[way] = f"{summary.group(2)} of {summary.group(1)} jobs handed over ({summary.group(3)} run on the farm)"
    finally:
        server.stop()

    print()
    print(f"Relink after a one-module change ({changed}), {len(sources)} modules, {cores} cores, median of {args.runs}, test server on this machine")
    print(f"{'link':<28} {'wall s':>7} {'/ lld':>6}  farm cache")
    base = median(times["in-process lld, own cache"])
    for way, values in times.items():
        print(f"{way:<28} {median(values):>7.2f} {median(values) / base:>5.2f}x  {hits.get(way, '')}")


if __name__ == "__main__":
    main()
