#!/usr/bin/env python3
"""A serial DTLTO distributor equivalent to LLVM's reference one (llvm/utils/dtlto/local.py):
runs each backend compile of the job list one after another. The benchmark's baseline."""
import json
import subprocess
import sys

with open(sys.argv[-1]) as f:
    job_list = json.load(f)
for job in job_list["jobs"]:
    subprocess.check_call(job_list["common"]["args"] + job["args"])
