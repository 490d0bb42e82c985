#!/usr/bin/env python3
"""Where a distributor's link spends its time, from its timeline (dtlto-distributor --trace).

  python3 bench/timeline.py TRACE.json [--cores N]

Prints, in seconds:
  hand-over       from the distributor's start (lld has written the job list) to the first compile
  backend span    from the first compile's start to the last one's end
  busy            the compiles' summed durations (what the cores had to do)
  gaps            time a core sat between two of its compiles while jobs still waited
  tail idle       core-seconds idle after the last compile started (no job left to start)
  after compiles  from the last compile's end to the distributor's exit (results handed back)
  LPT of these    the makespan of these very durations, longest first, on the cores: the best
                  order could do with what the compiles cost in this run; span / LPT is the
                  order's and the dispatch's share of the distance to the bound

With --simulate 2,16,64: the most any learned order could gain over the trace's own order at
more cores. The compiles are replayed, with the durations this run measured, on N cores in the
order the run started them (for dtlto-distributor, the size order) and longest first by
those very durations (what a perfect history would give); prints both makespans and their ratio.
"""
import argparse
import heapq
import json


def lpt_makespan(durations, cores):
    """Longest processing time first on identical cores."""
    finish = [0.0] * cores
    for d in sorted(durations, reverse=True):
        heapq.heappush(finish, heapq.heappop(finish) + d)
    return max(finish) if durations else 0.0


def list_makespan(durations, cores):
    """Each job, in the given order, on the core that frees first."""
    finish = [0.0] * cores
    for d in durations:
        heapq.heappush(finish, heapq.heappop(finish) + d)
    return max(finish) if durations else 0.0


def order_gain(trace_file, core_counts):
    """[(cores, makespan in the run's start order, makespan longest first)] with the run's durations."""
    with open(trace_file) as f:
        compiles = sorted((e for e in json.load(f)["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "backend" and "status" in e.get("args", {})), key=lambda e: e["ts"])
    durations = [e["dur"] / 1e6 for e in compiles]
    return [(n, list_makespan(durations, n), lpt_makespan(durations, n)) for n in core_counts]


def analyse(trace_file, cores):
    with open(trace_file) as f:
        events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
    phase = {e["name"]: e for e in events if e.get("cat") == "phase"}
    # A job's own slice carries its status; a farm link's trace also has its uploads and downloads in the category.
    compiles = sorted((e for e in events if e.get("cat") == "backend" and "status" in e.get("args", {})), key=lambda e: e["ts"])
    if not compiles:
        raise SystemExit(f"error: {trace_file} has no backend compiles")
    backend = phase["backend compiles"]
    start = backend["ts"]
    end = start + backend["dur"]
    first = compiles[0]["ts"]
    last_start = compiles[-1]["ts"]
    last_end = max(e["ts"] + e["dur"] for e in compiles)
    busy = sum(e["dur"] for e in compiles)

    # A core's gaps: from one of its compiles' end to its next one's start, while jobs waited.
    gaps = 0
    by_slot = {}
    for e in compiles:
        by_slot.setdefault(e["tid"], []).append(e)
    for slot in by_slot.values():
        for before, after in zip(slot, slot[1:]):
            if after["ts"] <= last_start:
                gaps += max(0, after["ts"] - (before["ts"] + before["dur"]))

    in_tail = sum(max(0, e["ts"] + e["dur"] - max(e["ts"], last_start)) for e in compiles)
    tail_idle = cores * (last_end - last_start) - in_tail
    s = 1e6
    return {
        "hand-over": (first - start) / s,
        "backend span": (last_end - first) / s,
        "busy": busy / s,
        "gaps": gaps / s,
        "tail idle": tail_idle / s,
        "after compiles": (end - last_end) / s,
        "LPT of these": lpt_makespan([e["dur"] / s for e in compiles], cores),
        "thin link": phase["thin link"]["dur"] / s if "thin link" in phase else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trace")
    parser.add_argument("--cores", type=int, default=None, help="the workers the link had (default: the trace's slots)")
    parser.add_argument("--simulate", help="core counts, comma-separated, to replay the compiles on")
    args = parser.parse_args()
    with open(args.trace) as f:
        slots = {e["tid"] for e in json.load(f)["traceEvents"] if e.get("cat") == "backend" and "status" in e.get("args", {})}
    for name, value in analyse(args.trace, args.cores or len(slots)).items():
        if value is not None:
            print(f"{name:<15} {value:8.3f}")
    if args.simulate:
        print(f"{'cores':>6} {'run order s':>11} {'longest first s':>15} {'ratio':>6}")
        for n, ordered, longest in order_gain(args.trace, [int(c) for c in args.simulate.split(",")]):
            print(f"{n:>6} {ordered:>11.3f} {longest:>15.3f} {ordered / longest:>6.3f}")


if __name__ == "__main__":
    main()
