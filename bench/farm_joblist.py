#!/usr/bin/env python3
"""Writes a synthetic DTLTO job list of many jobs for the farm benchmark.

Each job is drawn from a profile of a real link (bench/data/backend-profile-*.tsv: seconds,
bitcode, index shard and object sizes, imported modules): its bitcode and shard are files of
those sizes with content unique to the module, and it imports as many other modules as its
profile line says, chosen with a skewed popularity (a few modules, like the headers of a code
base, are imported by most jobs). Beside the job list it writes the table the simulated farm
reads (module, seconds, object bytes), so the farm "runs" each job for its recorded time.
"""
import argparse
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROFILE = os.path.join(HERE, "data", "backend-profile-generated-201.tsv")


def read_profile(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or line.startswith("seconds"):
                continue
            seconds, bitcode, shard, obj, imports = line.split("\t")
            rows.append((float(seconds), int(bitcode), int(shard), int(obj), int(imports)))
    return rows


def write_jobs(folder, jobs, profile, seed, duration_scale, clang):
    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    drawn = [rng.choice(profile) for _ in range(jobs)]
    names = [f"m{i:05d}.o" for i in range(jobs)]
    # Zipf-like popularity: module k is imported with weight 1/(k+1).
    weights = [1.0 / (k + 1) for k in range(jobs)]
    popular = list(range(jobs))
    rng.shuffle(popular)
    table, entries = [], []
    for i, (seconds, bitcode, shard, obj, imports) in enumerate(drawn):
        name = names[i]
        with open(os.path.join(folder, name), "wb") as f:
            f.write(rng.randbytes(bitcode))
        shard_name = name[:-2] + ".1.thinlto.bc"
        with open(os.path.join(folder, shard_name), "wb") as f:
            f.write(rng.randbytes(shard))
        wanted = min(imports, jobs - 1)
        chosen = set()
        while len(chosen) < wanted:
            for k in rng.choices(popular, weights=weights, k=wanted - len(chosen)):
                if k != i:
                    chosen.add(k)
        out = name[:-2] + ".1.native.o"
        entries.append({
            "args": [name, f"-fthinlto-index={shard_name}", "-o", out],
            "inputs": [name, shard_name, *[names[k] for k in sorted(chosen)]],
            "outputs": [out],
        })
        table.append(f"{name}\t{seconds * duration_scale:.4f}\t{obj}\n")
    job_list = {
        "common": {"linker_output": "app", "args": [clang, "-c", "--target=x86_64-pc-linux-gnu", "-O2"], "inputs": []},
        "jobs": entries,
    }
    with open(os.path.join(folder, "app.dist-file.json"), "w") as f:
        json.dump(job_list, f)
    with open(os.path.join(folder, "farm-jobs.tsv"), "w") as f:
        f.writelines(table)
    return [(seconds * duration_scale) for (seconds, *_rest) in drawn]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--profile", default=DEFAULT_PROFILE)
    parser.add_argument("--duration-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clang", default="/usr/lib/llvm-22/bin/clang")
    args = parser.parse_args()
    write_jobs(args.folder, args.jobs, read_profile(args.profile), args.seed, args.duration_scale, args.clang)


if __name__ == "__main__":
    main()
