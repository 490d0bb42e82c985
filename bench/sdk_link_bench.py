#!/usr/bin/env python3
"""Times the Release link of a native project built with Dtlto.Build.Sdk: the three-phase
DTLTO link through MSBuild, in Integrated mode and in Split mode (DtltoMode=Split, with its
index shards and objects removed first, so that every module compiles), beside the same link
done inside lld (DtltoEnabled=false), in the same run, alternating. The sources are compiled once; each round deletes the program and
rebuilds, so only the link runs. The backend cache is off but for one mode, whose backend
results all come from it: a build before the first round fills it, and each of its rounds checks
that every job was a cache hit. Link time is read from MSBuild's target performance summary;
the wall time of the whole `dotnet build` (MSBuild start-up included) is given too.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from measure import write_sdk_workspace

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHASES = ("DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink")
LINK_TARGETS = {"dtlto": PHASES, "cached": PHASES, "split": PHASES, "in-process": ("_DtltoNativeLink",)}
# The backend cache is off except in "cached", where every backend result comes from it.
MODE_PROPERTIES = {"dtlto": ["-p:DtltoMode=Integrated", "-p:DtltoCache=false"], "cached": ["-p:DtltoMode=Integrated"],
                   "split": ["-p:DtltoMode=Split", "-p:DtltoCache=false"], "in-process": ["-p:DtltoEnabled=false"]}


def build(project, mode, env):
    # Normal verbosity for "cached": its backend summary says how many results came from the cache.
    verbosity = "-v:n" if mode == "cached" else "-v:m"
    argv = ["dotnet", "build", project, "-c", "Release", "-nodeReuse:false", "-nologo",
            *MODE_PROPERTIES[mode], "-clp:PerformanceSummary;Summary", verbosity]
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(argv)} failed:\n{result.stdout}")
    return wall, result.stdout


def target_seconds(output, targets):
    """Sums the milliseconds MSBuild's target performance summary gives for the targets."""
    total = 0.0
    for target in targets:
        match = re.search(rf"^\s+(\d+) ms\s+{re.escape(target)}\s+\d+ calls", output, re.MULTILINE)
        if not match:
            sys.exit(f"error: no timing for target {target} in:\n{output}")
        total += int(match.group(1)) / 1000
    return total


def write_project(directory, sources, name):
    items = "\n".join(f'    <ClCompile Include="{s}" />' for s in sources)
    path = os.path.join(directory, f"{name}.clangproj")
    with open(path, "w") as f:
        f.write(f'<Project Sdk="Dtlto.Build.Sdk">\n  <ItemGroup>\n{items}\n  </ItemGroup>\n</Project>\n')
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--program", choices=["sample", "generated"], default="generated")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--functions", type=int, default=24)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--version", required=True, help="the Dtlto.Build.Sdk version in artifacts/packages")
    args = parser.parse_args()

    work = os.path.join(HERE, "out", "sdk")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ, NUGET_PACKAGES=os.path.join(ROOT, "artifacts", "nuget-packages"), XDG_CACHE_HOME=os.path.join(work, "user-cache"))
    shutil.rmtree(os.path.join(env["NUGET_PACKAGES"], "dtlto.build.sdk"), ignore_errors=True)
    write_sdk_workspace(work, args.version)

    if args.program == "sample":
        shutil.copytree(os.path.join(ROOT, "samples", "shapes"), os.path.join(work, "shapes"))
        for leftover in ("global.json", "nuget.config"):
            os.remove(os.path.join(work, "shapes", leftover))
        project = os.path.join(work, "shapes", "app", "shapes.clangproj")
        program = os.path.join(work, "shapes", "app", "bin", "Release", "shapes")
        label = "samples/shapes (app + static library, 4 modules)"
    else:
        source_dir = os.path.join(work, "generated")
        subprocess.check_call([sys.executable, os.path.join(HERE, "generate_program.py"), source_dir,
                               "--modules", str(args.modules), "--functions", str(args.functions)])
        sources = sorted(f for f in os.listdir(source_dir) if f.endswith(".c"))
        project = write_project(source_dir, sources, "generated")
        program = os.path.join(source_dir, "bin", "Release", "generated")
        label = f"generated program ({len(sources)} modules)"

    print("first build (compiles everything) ...", file=sys.stderr)
    build(project, "dtlto", env)
    expected = subprocess.run([program], stdout=subprocess.PIPE, text=True, check=True).stdout
    print("filling the backend cache ...", file=sys.stderr)
    os.remove(program)
    build(project, "cached", env)

    links = {mode: [] for mode in LINK_TARGETS}
    walls = {mode: [] for mode in LINK_TARGETS}
    split_folder = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(program))), "obj", "Release", os.path.basename(program) + ".dtlto")
    for run in range(args.runs):
        for mode in ("in-process", "dtlto", "cached", "split"):
            print(f"run {run + 1}/{args.runs}: {mode} ...", file=sys.stderr)
            os.remove(program)
            shutil.rmtree(split_folder, ignore_errors=True)
            wall, output = build(project, mode, env)
            walls[mode].append(wall)
            links[mode].append(target_seconds(output, LINK_TARGETS[mode]))
            if re.search(r"Compiling [1-9]", output):
                sys.exit("error: a source was recompiled; only the link should run")
            if mode == "cached":
                hits = re.search(r"(\d+) cache hits \((\d+) local, (\d+) compiled", output)
                if not hits or hits.group(3) != "0" or hits.group(1) == "0":
                    sys.exit(f"error: the all-cache-hits link was not all cache hits: {hits.group(0) if hits else 'no backend summary'}")
            actual = subprocess.run([program], stdout=subprocess.PIPE, text=True, check=True).stdout
            if actual != expected:
                sys.exit(f"error: the {mode} link printed {actual!r}, not {expected!r}")

    base = statistics.median(links["in-process"])
    print()
    print(f"Release link through Dtlto.Build.Sdk: {label}, {os.cpu_count()} cores, median of {args.runs} runs")
    print(f"{'link':<34} {'link s':>8} {'dotnet build s':>15} {'link / in-process':>18}")
    for mode, name in (("in-process", "in-process lld (DtltoEnabled=false)"), ("dtlto", "DTLTO Integrated, through MSBuild"),
                       ("cached", "DTLTO Integrated, all cache hits"), ("split", "DTLTO Split, through MSBuild")):
        link = statistics.median(links[mode])
        print(f"{name:<34} {link:>8.2f} {statistics.median(walls[mode]):>15.2f} {link / base:>17.2f}x")

    # A build with nothing to do, of the project as linked through DTLTO and of a copy always
    # built with DtltoEnabled=false (switching one project between the two would relink it).
    project_dir = os.path.dirname(os.path.dirname(project)) if args.program == "sample" else os.path.dirname(project)
    copy_dir = project_dir + "-in-process"
    shutil.copytree(project_dir, copy_dir)
    copy = os.path.join(copy_dir, os.path.relpath(project, project_dir))
    noop = {"dtlto": [], "in-process": []}
    for mode, target in (("dtlto", project), ("in-process", copy)):
        build(target, mode, env)
    for run in range(args.runs):
        for mode, target in (("dtlto", project), ("in-process", copy)):
            wall, output = build(target, mode, env)
            if "DtltoThinLink:" in output or "_DtltoNativeLink:" in output or "Compiling" in output:
                sys.exit(f"error: the {mode} build with nothing to do compiled or linked")
            noop[mode].append(wall)
    print(f"{'dotnet build with nothing to do':<34} {'DTLTO':>8} {statistics.median(noop['dtlto']):>6.2f} s, "
          f"DtltoEnabled=false {statistics.median(noop['in-process']):.2f} s")


if __name__ == "__main__":
    main()
