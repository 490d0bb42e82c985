#!/usr/bin/env python3
"""Benchmarks one ThinLTO link, done in several ways side by side.

Every way links the same bitcode objects, alternating within each round so that ratios come
from the same machine load, and every linked program is run and must print the same. Prints
median wall time, CPU time and peak memory (of the link and every process it started), the
ratio to in-process lld, the speed-up over the serial reference distributor, and the distance
from the bound: thin link + final link + sum of backend CPU / cores, where the thin and final
link are timed as a link whose every module comes from lld's cache, and the backend CPU as the
serial distributor's CPU less that.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

from measure import compile_all, measure, median, write_sdk_workspace

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
    history = os.path.join(work, "durations.json")
    cache = os.path.join(work, "lto-cache")

    link = [clang, "-flto=thin", "-O2", "-fuse-ld=lld", "-o", "app"]
    variants = [
        ("in-process lld", [f"-Wl,--thinlto-jobs={cores}"]),
        ("serial reference distributor", [f"-fthinlto-distributor={os.path.join(HERE, 'serial_distributor.py')}"]),
        ("naive parallel distributor", [f"-fthinlto-distributor={os.path.join(HERE, 'naive_parallel_distributor.py')}"]),
        ("dtlto-distributor", [f"-fthinlto-distributor={args.distributor}", "-Xthinlto-distributor=--no-cache"]),
        ("dtlto-distributor, learned order", [f"-fthinlto-distributor={args.distributor}", "-Xthinlto-distributor=--no-cache", f"-Xthinlto-distributor=--history={history}"]),
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

    # Warm-ups: the learned order needs a history, and the cached link a full cache.
    measure(link + variants[4][1] + objects + libraries, program)
    measure(link + variants[5][1] + objects + libraries, program)

    results = {name: [] for name, _ in variants}
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


if __name__ == "__main__":
    main()
