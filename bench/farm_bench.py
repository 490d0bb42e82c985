#!/usr/bin/env python3
"""Measures the remote executor at the scale people buy a farm for, on a simulated farm.

The test server runs in its simulated mode (dtlto-remote-test-server --simulate-workers N): it
speaks the whole Remote Execution API (capabilities, CAS, action cache, Execute), but "executes"
an action by waiting for one of N virtual workers, a scheduling latency, and the job's recorded
duration, and returns an object of the recorded size. Job lists of 1,000 and 10,000 jobs are drawn
from a real link's profile by farm_joblist.py (sizes, durations, import fan-out). dtlto-distributor
runs each job list with --remote (racing off: this measures the farm path alone) against a fresh
server for each worker count, and the table gives, per row:

  wall          the distributor's wall time (median of --runs)
  ideal         longest-first makespan of the jobs on N workers, each job taking its duration plus
                the latency: what a client that costs nothing would reach
  ratio         wall / ideal
  CPU/action    the distributor's CPU time (user + system) per action
  peak MB       the distributor's peak resident memory
  MB up/down    blob bytes the server received and sent
  RPCs          calls the server saw: Execute, FindMissingBlobs, BatchUpdateBlobs, and all of them

The server shares this machine's cores with the client, so the client's CPU figures are the ones
to compare across machines; the wall includes the server's own work.
"""
import argparse
import heapq
import json
import os
import shutil
import subprocess
import sys

from farm_joblist import DEFAULT_PROFILE, read_profile, write_jobs
from measure import measure, median

HERE = os.path.dirname(os.path.abspath(__file__))


class SimulatedFarm:
    """The test server in its simulated mode, as a separate process; "stats" on its stdin prints its counters."""

    def __init__(self, program, workers, latency_ms, table):
        self.process = subprocess.Popen(
            # The synthetic blobs are random bytes, which zstd cannot shrink: the farm takes them as they are.
            [program, "0", "--no-zstd", "--simulate-workers", str(workers), "--latency-ms", str(latency_ms), "--jobs", table],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening "):
            sys.exit(f"error: the test server did not start: {line}")
        self.endpoint = line[len("listening "):]

    def stats(self):
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def ideal_makespan(durations, workers, latency):
    """Longest processing time first on identical workers."""
    loads = [0.0] * min(workers, len(durations))
    heapq.heapify(loads)
    for d in sorted(durations, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + d + latency)
    return max(loads)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distributor", required=True, help="path of dtlto-distributor")
    parser.add_argument("--server", required=True, help="path of dtlto-remote-test-server")
    parser.add_argument("--workers", default="50,200,1000", help="virtual worker counts, comma-separated")
    parser.add_argument("--jobs", default="1000,10000", help="job counts, comma-separated")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="the farm's scheduling latency per action")
    parser.add_argument("--duration-scale", type=float, default=1.0, help="multiplies every recorded duration")
    parser.add_argument("--profile", default=DEFAULT_PROFILE)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--extra", action="append", default=[], help="another distributor option, e.g. --extra=--remote-jobs=200")
    parser.add_argument("--work", default=os.path.join(HERE, "out", "farm"),
                        help="folder of the job lists and objects (a tmpfs such as /dev/shm/farm leaves the disk's file creation out)")
    args = parser.parse_args()

    profile = read_profile(args.profile)
    rows = []
    for jobs in [int(j) for j in args.jobs.split(",")]:
        folder = os.path.join(args.work, f"jobs-{jobs}")
        shutil.rmtree(folder, ignore_errors=True)
        durations = write_jobs(folder, jobs, profile, 1, args.duration_scale, "/usr/lib/llvm-22/bin/clang")
        for workers in [int(w) for w in args.workers.split(",")]:
            walls, cpus, peaks, stats = [], [], [], None
            for _ in range(args.runs):
                # lld names each link's objects after its process: they never exist before the link.
                for name in os.listdir(folder):
                    if name.endswith(".native.o"):
                        os.remove(os.path.join(folder, name))
                farm = SimulatedFarm(args.server, workers, args.latency_ms, os.path.join(folder, "farm-jobs.tsv"))
                try:
                    run = measure([args.distributor, f"--remote={farm.endpoint}", "--remote-race=false", "--remote-strict", "--no-cache", *args.extra, "app.dist-file.json"], folder)
                    stats = farm.stats()
                finally:
                    farm.stop()
                if stats["executed"] != jobs:
                    sys.exit(f"error: the farm executed {stats['executed']} of {jobs} jobs:\n{run.output}")
                walls.append(run.wall)
                cpus.append(run.cpu)
                peaks.append(run.peak_mb)
            ideal = ideal_makespan(durations, workers, args.latency_ms / 1000)
            calls = stats["calls"]
            rows.append((jobs, workers, median(walls), ideal, median(walls) / ideal, median(cpus) * 1000 / jobs, max(peaks),
                         stats["bytes_received"] / 1e6, stats["bytes_sent"] / 1e6,
                         calls.get("Execute", 0), calls.get("FindMissingBlobs", 0), calls.get("BatchUpdateBlobs", 0), sum(calls.values())))
            print(f"  {jobs} jobs on {workers} workers: {median(walls):.2f} s (ideal {ideal:.2f} s)", file=sys.stderr)

    print(f"Simulated farm: latency {args.latency_ms:g} ms per action, durations x{args.duration_scale:g} of {os.path.basename(args.profile)}, median of {args.runs}")
    print(f"{'jobs':>6} {'workers':>7} {'wall s':>7} {'ideal s':>7} {'ratio':>6} {'CPU ms/action':>13} {'peak MB':>7} {'MB up':>6} {'MB down':>7} {'Execute':>7} {'FindMissing':>11} {'BatchUpdate':>11} {'RPCs':>6}")
    for r in rows:
        print(f"{r[0]:>6} {r[1]:>7} {r[2]:>7.2f} {r[3]:>7.2f} {r[4]:>6.2f} {r[5]:>13.2f} {r[6]:>7.0f} {r[7]:>6.1f} {r[8]:>7.1f} {r[9]:>7} {r[10]:>11} {r[11]:>11} {r[12]:>6}")


if __name__ == "__main__":
    main()
