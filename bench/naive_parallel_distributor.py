#!/usr/bin/env python3
"""A naive parallel DTLTO distributor: a thread pool of one worker per core runs the jobs in
job-list order. What a user would write in an afternoon; the benchmark's second baseline."""
import concurrent.futures
import json
import os
import subprocess
import sys

with open(sys.argv[-1]) as f:
    job_list = json.load(f)
common = job_list["common"]["args"]
with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
    for returncode in pool.map(lambda job: subprocess.call(common + job["args"]), job_list["jobs"]):
        if returncode != 0:
            sys.exit(1)
