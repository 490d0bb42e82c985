"""Shared measuring helpers for the benchmarks: run a command, return its wall time, the CPU time
and peak memory of it and every process it started (wait4's resource usage), and medians."""
import os
import statistics
import subprocess
import sys
import time


class Run:
    def __init__(self, wall, cpu, peak_mb, output):
        self.wall, self.cpu, self.peak_mb, self.output = wall, cpu, peak_mb, output


def measure(argv, cwd, env=None, check=True):
    """Runs argv to completion; its output is captured (stdout and stderr together)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = output.decode("utf-8", "replace")
    if check and process.returncode != 0:
        sys.exit(f"error: {' '.join(argv)} failed ({process.returncode}):\n{text}")
    # ru_maxrss is the largest resident set among the process and the descendants it waited for, in KiB.
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def write_sdk_workspace(folder, version):
    """A global.json naming Dtlto.Build.Sdk `version` and a nuget.config naming artifacts/packages
    alone, as a user's repository has them."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(folder, "global.json"), "w") as f:
        f.write(f'{{"sdk": {{"version": "10.0.100", "rollForward": "latestFeature"}}, "msbuild-sdks": {{"Dtlto.Build.Sdk": "{version}"}}}}\n')
    with open(os.path.join(folder, "nuget.config"), "w") as f:
        f.write('<configuration><packageSources><clear /><add key="local" value="'
                + os.path.join(root, "artifacts", "packages") + '" /></packageSources></configuration>\n')


def median(values):
    return statistics.median(values) if values else float("nan")


def compile_all(clang, sources, cwd, flags):
    """Compiles sources to ThinLTO bitcode objects, one process per core at a time."""
    procs = []
    for source in sources:
        procs.append(subprocess.Popen([clang, "-flto=thin", "-O2", *flags, "-c", source], cwd=cwd))
        if len(procs) >= os.cpu_count():
            if procs.pop(0).wait() != 0:
                sys.exit("error: compile failed")
    if any(p.wait() != 0 for p in procs):
        sys.exit("error: compile failed")


def generated_program(folder, modules, clang):
    """Writes generate_program.py's program of `modules` + 1 modules into folder, compiles it to bitcode, and returns the objects."""
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.check_call([sys.executable, os.path.join(here, "generate_program.py"), folder, "--modules", str(modules)])
    sources = sorted(f for f in os.listdir(folder) if f.endswith(".c"))
    compile_all(clang, sources, folder, [])
    return [s[:-2] + ".o" for s in sources]
