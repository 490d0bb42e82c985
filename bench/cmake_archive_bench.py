#!/usr/bin/env python3
"""The backend cache through the tool route on a real CMake project with static libraries.

libjpeg-turbo (Debian 12's source) is built static-only with Dtlto.cmake and dtlto-distributor:
cold, after `cmake --build --target clean`, in a new build tree, and after an edit to one
member of libjpeg.a. The same four steps then run with in-process ThinLTO and lld's own
`--thinlto-cache-dir`, the yardstick of what a relink must compile (counted by the entries its
compiles leave, so the builds run one step at a time). Prints one table: per step, the links,
their backend jobs, and the compiles each way ran.

    python3 bench/cmake_archive_bench.py --distributor artifacts/distributor/dtlto-distributor
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "out", "libjpeg-turbo")
WORK = os.path.join(HERE, "out", "cmake-archive")
SUMMARY = re.compile(r"dtlto-distributor: (\d+) backend jobs, .*?(\d+) cache hits \((\d+) local, (\d+) compiled")
# A member of libjpeg.a whose growth moves the members after it; every program links it.
EDITED = "jcomapi.c"
EDIT = "\nint dtlto_bench_edit(void) { return 1; }\n"


def run(args, cwd=WORK, env=None):
    result = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout[-4000:]}")
    return result.stdout


def configure(tree, options):
    base = ["cmake", "-S", SOURCE, "-B", os.path.join(WORK, tree), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DCMAKE_C_COMPILER=clang-22", "-DENABLE_SHARED=0", "-DWITH_SIMD=0", "-DWITH_TURBOJPEG=1"]
    run(base + options)


def build(tree, *extra):
    # One step at a time: lld's cache counts compiles by the entries they leave, and two links
    # compiling the same module at once would leave one.
    return run(["cmake", "--build", os.path.join(WORK, tree), "-j", "1", *extra])


def distributor_counts(output):
    """(links, jobs, compiled) summed over every link's summary line."""
    lines = SUMMARY.findall(output)
    return len(lines), sum(int(j) for j, _, _, _ in lines), sum(int(c) for _, _, _, c in lines)


def lld_entries(cache):
    return len(glob.glob(os.path.join(cache, "llvmcache-*")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributor", required=True)
    args = parser.parse_args()
    distributor = os.path.abspath(args.distributor)
    run(["bash", os.path.join(HERE, "..", "eng", "fetch-debian-source.sh"), "libjpeg-turbo", SOURCE], cwd=HERE)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    module = run([distributor, "--cmake-module"]).strip()
    dtlto = ["-DCMAKE_PROJECT_INCLUDE=" + module, "-DDTLTO_DISTRIBUTOR=" + distributor,
             "-DDTLTO_DISTRIBUTOR_OPTIONS=--cache-dir=" + os.path.join(WORK, "dtlto-cache")]
    lld_cache = os.path.join(WORK, "lld-cache")
    lld = ["-DCMAKE_C_FLAGS=-flto=thin", "-DCMAKE_EXE_LINKER_FLAGS=-flto=thin -fuse-ld=lld -Wl,--thinlto-cache-dir=" + lld_cache]
    edited = os.path.join(SOURCE, EDITED)
    original = open(edited).read()
    rows = []
    try:
        configure("dtlto", dtlto)
        configure("lld", lld)
        steps = [
            ("cold", lambda tree: build(tree)),
            ("after `--target clean`", lambda tree: (build(tree, "--target", "clean"), build(tree))[1]),
            ("a new build tree", lambda tree: (configure(tree + "-other", dtlto if tree == "dtlto" else lld), build(tree + "-other"))[1]),
            (f"after an edit to {EDITED} (libjpeg.a)", None),
        ]
        for name, step in steps:
            if step is None:
                with open(edited, "a") as f:
                    f.write(EDIT)
                step = lambda tree: build(tree)
            links, jobs, compiled = distributor_counts(step("dtlto"))
            before = lld_entries(lld_cache)
            step("lld")
            rows.append((name, links, jobs, compiled, lld_entries(lld_cache) - before))
    finally:
        with open(edited, "w") as f:
            f.write(original)

    print("| step | DTLTO links | backend jobs | compiled (dtlto-distributor) | compiled (lld's --thinlto-cache-dir) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, links, jobs, compiled, lld_compiled in rows:
        print(f"| {name} | {links} | {jobs} | {compiled} | {lld_compiled} |")


if __name__ == "__main__":
    main()
