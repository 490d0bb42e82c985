#!/usr/bin/env python3
"""Links PostgreSQL's server binary (Debian's postgresql-15 source, unchanged) three ways.

The source is built once with clang-22 -flto=thin (configure, then make: every object is ThinLTO
bitcode), and the link of src/backend/postgres, which takes about 750 modules, is then run again,
alternated within each round:

  lld           in-process ThinLTO, --thinlto-jobs = the cores
  distributor   DTLTO through dtlto-distributor, its cache off
  farm          DTLTO through dtlto-distributor and the test server's real execution (--server,
                a worker per core of this machine), racing and the cache off: every backend
                compile is a remote action

Each row gives the median wall, CPU (of the link and every process it started) and peak memory,
the bound (thin link + final link + the backend compiles' CPU / cores, from the distributor's
timeline and CPU), and where the distributor's link spends its time (the timeline of --trace):
the thin link (lld, up to the distributor's start), the hand-over (distributor start to the first
compile), the backend compiles, and the final link (after the distributor ends). With --check, the
DTLTO binary then runs PostgreSQL's regression tests (make check, as an unprivileged user when
run as root, since initdb refuses root).
"""
import argparse
import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys

from remote_bench import Server
from measure import measure, median

HERE = os.path.dirname(os.path.abspath(__file__))
CLANG = "/usr/lib/llvm-22/bin/clang"


def build(source, folder, cores):
    """Configures and builds PostgreSQL with ThinLTO bitcode objects (once: a finished build is kept)."""
    if os.path.exists(os.path.join(folder, ".built")):
        return
    os.makedirs(folder, exist_ok=True)
    env = dict(os.environ, CC=CLANG, CFLAGS="-O2 -flto=thin", LDFLAGS=f"-fuse-ld=lld -Wl,--thinlto-jobs={cores}")
    if not os.path.exists(os.path.join(folder, "config.status")):
        subprocess.check_call([os.path.join(source, "configure"), "--without-readline", "--without-icu", "--quiet"], cwd=folder, env=env)
    subprocess.check_call(["make", f"-j{cores}", "-s"], cwd=folder, env=env)
    open(os.path.join(folder, ".built"), "w").close()


def link_command(backend):
    """The command make runs to link src/backend/postgres, as a list."""
    binary = os.path.join(backend, "postgres")
    kept = binary + ".built"
    if not os.path.exists(kept):
        shutil.copy2(binary, kept)
    os.remove(binary)
    try:
        lines = subprocess.check_output(["make", "-n", "postgres"], cwd=backend, text=True).splitlines()
    finally:
        shutil.copy2(kept, binary)
    commands = [shlex.split(line) for line in lines if " -o postgres" in line]
    if len(commands) != 1:
        sys.exit("error: make -n postgres did not show one link command:\n" + "\n".join(lines))
    return commands[0]


def phases(trace_file, wall):
    """thin link, hand-over, backend compiles, final link (seconds) from the distributor's timeline."""
    with open(trace_file) as f:
        events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
    phase = {e["name"]: e for e in events if e.get("cat") == "phase"}
    thin, backend = phase["thin link"], phase["backend compiles"]
    first = min(e["ts"] for e in events if e.get("cat") == "backend")
    distributor_end = backend["ts"] + backend["dur"]
    return (thin["dur"] / 1e6, (first - backend["ts"]) / 1e6, (distributor_end - first) / 1e6,
            wall - (distributor_end - thin["ts"]) / 1e6)


def run_check(folder, binary):
    """make check with the DTLTO binary in place of the built one."""
    backend = os.path.join(folder, "src", "backend")
    shutil.copy2(binary, os.path.join(backend, "postgres"))
    argv = ["make", "check"]
    if os.geteuid() == 0:
        # initdb refuses to run as root: the tests run as nobody, in a build tree it owns.
        nobody = pwd.getpwnam("nobody")
        subprocess.check_call(["chown", "-R", f"{nobody.pw_uid}:{nobody.pw_gid}", folder])
        argv = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "env", "HOME=/tmp", *argv]
    result = subprocess.run(argv, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    summary = [line for line in result.stdout.splitlines() if "tests passed" in line or "failed" in line]
    return result.returncode, summary[-1].strip() if summary else result.stdout[-2000:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--server", help="path of dtlto-remote-test-server, for the farm row")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="run PostgreSQL's regression tests on the DTLTO binary")
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    subprocess.check_call(["bash", os.path.join(HERE, "fetch_postgres.sh")])
    source = os.path.join(HERE, "out", "postgresql-15")
    folder = os.path.join(HERE, "out", "postgres-build")
    build(source, folder, cores)
    backend = os.path.join(folder, "src", "backend")
    command = [a for a in link_command(backend) if not a.startswith("-Wl,--thinlto-jobs=")]
    modules = sum(1 for a in command if a.endswith(".o"))
    objects_file = next((a for a in command if a.startswith("@")), None)
    if objects_file:
        with open(os.path.join(backend, objects_file[1:])) as f:
            modules += sum(1 for a in f.read().split() if a.endswith(".o"))

    trace = os.path.join(backend, "dtlto-trace.json")
    dtlto = [f"-fthinlto-distributor={args.distributor}", f"-Wl,--thinlto-remote-compiler={CLANG}",
             "-Xthinlto-distributor=--no-cache", f"-Xthinlto-distributor=--jobs={cores}"]
    ways = {
        "lld": lambda: [f"-Wl,--thinlto-jobs={cores}"],
        "distributor": lambda: [*dtlto, f"-Xthinlto-distributor=--trace={trace}"],
    }
    if args.server:
        ways["farm"] = lambda: [*dtlto, f"-Xthinlto-distributor=--remote={farm.endpoint}", "-Xthinlto-distributor=--remote-race=false",
                                "-Xthinlto-distributor=--remote-strict"]
    results = {way: [] for way in ways}
    timelines = []
    for _ in range(args.runs):
        for way, extra in ways.items():
            # A worker per core: a farm that starts every action at once runs hundreds of clangs on
            # this machine's cores, and answers nothing within the client's deadlines.
            farm = Server(args.server, "--workers", str(cores)) if way == "farm" else None
            try:
                out = f"postgres.{way}"
                run = measure([*[a if a != "postgres" else out for a in command], *extra()], backend)
            finally:
                if farm is not None:
                    farm.stop()
            results[way].append(run)
            if way == "distributor":
                timelines.append(phases(trace, run.wall))
            print(f"  {way}: {run.wall:.1f} s", file=sys.stderr)

    thin, handover, compiles, final = (median([t[i] for t in timelines]) for i in range(4))
    backend_cpu = median([r.cpu for r in results["distributor"]])
    bound = thin + final + backend_cpu / cores
    lld_wall = median([r.wall for r in results["lld"]])
    print(f"PostgreSQL 15 postgres, {modules} modules in the link, {cores} cores, median of {args.runs} (alternated)")
    print(f"{'way':<12} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'vs lld':>7} {'vs bound':>9}")
    for way, runs in results.items():
        wall = median([r.wall for r in runs])
        print(f"{way:<12} {wall:>7.1f} {median([r.cpu for r in runs]):>7.1f} {max(r.peak_mb for r in runs):>8.0f} {wall / lld_wall:>7.2f} {wall / bound:>9.2f}")
    print(f"bound (thin link + final link + distributor's CPU / cores): {bound:.1f} s")
    print(f"distributor's timeline: thin link {thin:.1f} s, hand-over {handover:.2f} s, backend compiles {compiles:.1f} s, final link {final:.1f} s")

    if args.check:
        status, summary = run_check(folder, os.path.join(backend, "postgres.distributor"))
        print(f"make check on the DTLTO binary: {summary}")
        if status != 0:
            sys.exit(status)


if __name__ == "__main__":
    main()
