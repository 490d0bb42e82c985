#!/usr/bin/env python3
"""Benchmarks one ThinLTO link, done in several ways side by side.

Every way links the same bitcode objects, alternating within each round so that ratios come
from the same machine load, and every linked program is run and must print the same. Prints
median wall time, CPU time and peak memory (of the link and every process it started), the
ratio to in-process lld, the speed-up over the serial reference distributor, and the distance
from the bound: thin link + final link + sum of backend CPU / cores, where the thin and final
link are timed as a link whose every module comes from lld's cache, and the backend CPU as the
serial distributor's CPU less that. Then the oracle: thin + final link + the makespan of the
compiles' own durations in each dtlto-distributor run (from its --trace), longest first on the
cores: the best any order could do with what the compiles cost when they share the machine; and
that run's timeline (bench/timeline.py): hand-over, gaps between a core's compiles, idle cores
in the tail, the time after the last compile; and, replaying the last run's compiles with their
measured durations on more cores, how far the size order is from ordering by those durations.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

from measure import compile_all, measure, median, write_sdk_workspace
from timeline import analyse, order_gain

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def prepare_generated(args, work):
    program = os.path.join(work, "generated")
    subprocess.check_call([sys.executable, os.path.join(HERE, "generate_program.py"), program,
                           "--modules", str(args.modules), "--functions", str(args.functions),
                           "--large-modules", str(args.large_modules), "--large-factor", str(args.large_factor)])
    sources = sorted(f for f in os.listdir(program) if f.endswith(".c"))
    return program, sources, [], [], [], f"generated program, {len(sources)} modules"


def prepare_lua(args, work):
    subprocess.check_call(["bash", os.path.join(HERE, "fetch_lua.sh")])
    program = os.path.join(work, "lua")
    shutil.copytree(os.path.join(HERE, "out", "lua-5.4", "src"), program)
    sources = sorted(f for f in os.listdir(program) if f.endswith(".c") and f != "luac.c")
    return program, sources, ["-DLUA_USE_LINUX"], ["-lm", "-ldl"], ["-e", "local t = {} for i = 1, 200000 do t[i] = i * i end print(#t, t[200000])"], \
        f"Lua 5.4 ({len(sources)} modules)"


def taglib_sources(source):
    """TagLib's library and test-suite sources, and what its CMakeLists.txt gives their compiles."""
    library = sorted(os.path.join(d, f) for d, _, files in os.walk(os.path.join(source, "taglib")) for f in files if f.endswith(".cpp"))
    tests = sorted(os.path.join(source, "tests", f) for f in os.listdir(os.path.join(source, "tests")) if f.endswith(".cpp"))
    folders = sorted({os.path.dirname(f) for f in library}) + [os.path.join(source, "3rdparty"), os.path.join(source, "tests"),
                                                             os.path.join(ROOT, "samples", "taglib", "config")]
    defines = ["-DHAVE_CONFIG_H", "-DTAGLIB_STATIC", "-DNDEBUG", f'-DTESTS_DIR="{source}/tests/"']
    return library + tests, folders, defines


def prepare_taglib(args, work):
    source = os.path.join(HERE, "out", "taglib")
    subprocess.check_call(["bash", os.path.join(ROOT, "samples", "taglib", "fetch-source.sh"), source])
    program = os.path.join(work, "taglib")
    os.makedirs(program)
    sources, folders, defines = taglib_sources(source)
    flags = ["-std=gnu++11", *defines, *(f"-I{f}" for f in folders)]
    return program, sources, flags, ["-lcppunit", "-lz", "-lstdc++", "-lm"], [], \
        f"TagLib 1.13 and its CppUnit tests (C++, {len(sources)} modules)"


def sdk_link_seconds(output):
    """The three link targets' time from MSBuild's performance summary (targets come before tasks,
    and one task shares a target's name, so each target's first line counts)."""
    total = 0
    for target in ("DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink"):
        match = re.search(rf"^\s+(\d+) ms\s+{target}\s+\d+ calls", output, re.M)
        if not match:
            sys.exit(f"error: no timing for {target}:\n{output}")
        total += int(match.group(1))
    return total / 1000


def write_sdk_project(program, sources, defines, libraries, version):
    write_sdk_workspace(program, version)
    items = "\n".join(f'    <ClCompile Include="{s}" />' for s in sources)
    defs = ";".join(d[2:] for d in defines if d.startswith("-D"))
    includes = ";".join(d[2:] for d in defines if d.startswith("-I"))
    options = " ".join(d for d in defines if d.startswith("-std="))
    libs = ";".join(l[2:] for l in libraries)
    path = os.path.join(program, "bench.clangproj")
    with open(path, "w") as f:
        f.write(f"""<Project Sdk="Dtlto.Build.Sdk">
  <PropertyGroup><OutDir>sdk-bin/</OutDir><IntDir>sdk-obj/</IntDir></PropertyGroup>
  <ItemDefinitionGroup>
    <ClCompile><PreprocessorDefinitions>{defs}</PreprocessorDefinitions><AdditionalIncludeDirectories>{includes}</AdditionalIncludeDirectories><AdditionalOptions>{options}</AdditionalOptions></ClCompile>
    <Link><AdditionalDependencies>{libs}</AdditionalDependencies></Link>
  </ItemDefinitionGroup>
  <ItemGroup>
{items}
  </ItemGroup>
</Project>
""")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--program", choices=["generated", "lua", "taglib"], default="generated")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--functions", type=int, default=24)
    parser.add_argument("--large-modules", type=int, default=4)
    parser.add_argument("--large-factor", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22/bin")
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--sdk-version", help="a Dtlto.Build.Sdk version in artifacts/packages: adds the MSBuild SDK link")
    args = parser.parse_args()

    cores = os.cpu_count()
    clang = os.path.join(args.llvm, "clang")
    work = os.path.join(HERE, "out", "link-" + args.program)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    prepare = {"lua": prepare_lua, "taglib": prepare_taglib}.get(args.program, prepare_generated)
    program, sources, defines, libraries, run_args, label = prepare(args, work)
    print(f"compiling {len(sources)} modules to ThinLTO bitcode ...", file=sys.stderr)
    compile_all(clang + "++" if args.program == "taglib" else clang, sources, program, defines)
    objects = [os.path.splitext(os.path.basename(s))[0] + ".o" for s in sources]
    cache = os.path.join(work, "lto-cache")
    traces = {"dtlto-distributor": os.path.join(work, "trace.json")}

    link = [clang, "-flto=thin", "-O2", "-fuse-ld=lld", "-o", "app"]
    variants = [
        ("in-process lld", [f"-Wl,--thinlto-jobs={cores}"]),
        ("serial reference distributor", [f"-fthinlto-distributor={os.path.join(HERE, 'serial_distributor.py')}"]),
        ("naive parallel distributor", [f"-fthinlto-distributor={os.path.join(HERE, 'naive_parallel_distributor.py')}"]),
        ("dtlto-distributor", [f"-fthinlto-distributor={args.distributor}", "-Xthinlto-distributor=--no-cache", f"-Xthinlto-distributor=--trace={traces['dtlto-distributor']}"]),
        ("thin + final link only (cached)", [f"-fthinlto-distributor={args.distributor}", "-Xthinlto-distributor=--no-cache", f"-Wl,--thinlto-cache-dir={cache}"]),
    ]
    env = dict(os.environ, NUGET_PACKAGES=os.path.join(ROOT, "artifacts", "nuget-packages"))
    sdk = None
    if args.sdk_version:
        shutil.rmtree(os.path.join(env["NUGET_PACKAGES"], "dtlto.build.sdk"), ignore_errors=True)
        sdk = write_sdk_project(program, sources, defines, libraries, args.sdk_version)
        print("building with the SDK once (compiles its own objects) ...", file=sys.stderr)
        measure(["dotnet", "build", sdk, "-c", "Release", "-nodeReuse:false"], program, env)
        variants.append(("MSBuild SDK link (3 phases)", None))

    # Warm-up: the cached link needs a full cache.
    measure(link + variants[4][1] + objects + libraries, program)

    results = {name: [] for name, _ in variants}
    timelines = {name: [] for name in traces}
    expected = None
    for run in range(args.runs):
        for name, extra in variants:
            print(f"run {run + 1}/{args.runs}: {name} ...", file=sys.stderr)
            if extra is None:
                app = os.path.join(program, "sdk-bin", "bench")
                if os.path.exists(app):
                    os.remove(app)
                r = measure(["dotnet", "build", sdk, "-c", "Release", "-nodeReuse:false", "-p:DtltoCache=false", "-clp:PerformanceSummary", "-v:m"], program, env)
                # The link alone, from MSBuild's target timings (the rest is MSBuild starting up).
                r.wall = sdk_link_seconds(r.output)
            else:
                app = os.path.join(program, "app")
                if os.path.exists(app):
                    os.remove(app)
                r = measure(link + extra + objects + libraries, program)
                if name in traces:
                    timelines[name].append(analyse(traces[name], cores))
            results[name].append(r)
            printed = subprocess.run([app, *run_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
            expected = expected or printed
            if printed != expected:
                sys.exit(f"error: the program linked by {name} printed {printed!r}, not {expected!r}")

    wall = {name: median([r.wall for r in rs]) for name, rs in results.items()}
    cpu = {name: median([r.cpu for r in rs]) for name, rs in results.items()}
    peak = {name: median([r.peak_mb for r in rs]) for name, rs in results.items()}
    fixed = wall["thin + final link only (cached)"]
    backend_cpu = cpu["serial reference distributor"] - cpu["thin + final link only (cached)"]
    bound = fixed + backend_cpu / cores

    print()
    print(f"ThinLTO link of {label}, {cores} cores, median of {args.runs} runs")
    print(f"{'link':<34} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'/ in-process':>13} {'serial /':>9} {'/ bound':>8} {'/ naive':>8}")
    for name, _ in variants:
        print(f"{name:<34} {wall[name]:>7.2f} {cpu[name]:>7.2f} {peak[name]:>8.0f} {wall[name] / wall['in-process lld']:>12.2f}x "
              f"{wall['serial reference distributor'] / wall[name]:>8.2f}x {wall[name] / bound:>7.2f}x {wall[name] / wall['naive parallel distributor']:>7.2f}x")
    print(f"{'bound':<34} {bound:>7.2f}   (thin + final link {fixed:.2f} s + backend CPU {backend_cpu:.2f} s / {cores})")
    if sdk:
        print("The MSBuild SDK row's wall time is its three link targets; its CPU and peak memory include MSBuild.")

    print()
    print(f"Timelines (--trace), medians; oracle = thin + final link {fixed:.2f} s + the longest-first makespan of the run's own compile durations on {cores} cores")
    print(f"{'link':<34} {'hand-over':>9} {'busy':>7} {'gaps':>6} {'tail idle':>9} {'after':>6} {'span':>7} {'LPT':>7} {'span/LPT':>8} {'/ oracle':>8} {'busy/serial':>11}")
    for name, runs in timelines.items():
        t = {k: median([r[k] for r in runs]) for k in runs[0] if k != "thin link"}
        oracles = [fixed + r["LPT of these"] for r in runs]
        ratio = median([r.wall / o for r, o in zip(results[name], oracles)])
        print(f"{name:<34} {t['hand-over']:>9.3f} {t['busy']:>7.2f} {t['gaps']:>6.3f} {t['tail idle']:>9.3f} {t['after compiles']:>6.3f} {t['backend span']:>7.2f} "
              f"{t['LPT of these']:>7.2f} {median([r['backend span'] / r['LPT of these'] for r in runs]):>7.3f}x {ratio:>7.3f}x {t['busy'] / backend_cpu:>10.3f}x")
    print()
    print("The last run's compiles replayed with their measured durations: size order (as run) against longest first by those durations")
    print(f"{'cores':>6} {'size order s':>12} {'by duration s':>13} {'ratio':>6}")
    for n, ordered, longest in order_gain(traces["dtlto-distributor"], [2, 4, 8, 16, 32, 64]):
        print(f"{n:>6} {ordered:>12.3f} {longest:>13.3f} {ordered / longest:>6.3f}")


if __name__ == "__main__":
    main()
