#!/usr/bin/env python3
"""CPU-bound baseline: the same batch sequentially, with threads, and with processes.

The work is labkit/workload's CPU loop (workload.SpinIters), step for step: x = mix(x) repeated, where mix is
the same xorshift-multiply on 64-bit integers (masked to 64 bits, since Python ints do
not wrap). Given the same iteration count and seed it returns the same checksum as Go,
which the Go tests check. A "unit" is calibrated here much as workload.Calibrate does it
in Go: grow a batch until it takes at least CALIBRATE_MIN seconds, then scale so one
unit takes about 1 ms of this interpreter's time (Go times its batches on the thread's
CPU clock where it can and keeps the fastest of several; this times one batch on the
wall clock). So Python and Go each run "1 ms per
unit" of their own speed, and the speedups (sequential time / parallel time) compare
like with like even though Python does roughly 100x fewer iterations per unit.

The pools are started and warmed up before the clock starts (as the Go pool is), so the
timings measure the work, not process start-up; start-up is reported separately. With
--repeat N the modes take turns for N rounds (sequential, threads, processes, then again),
as the Go side's rounds do, so a burst of load from elsewhere hurts one run of each rather
than every run of one; each mode's fastest (least disturbed) run is reported.

    python3 cpu_bound.py --tasks 8 --units 25 --workers 2 --repeat 3
    python3 cpu_bound.py --check-iters 1000 --check-seed 2     # checksum only

Prints one JSON object.
"""

import argparse
import concurrent.futures as cf
import contextlib
import json
import os
import platform
import sys
import time

M64 = (1 << 64) - 1
CALIBRATE_MIN = 0.05  # seconds


def spin(iters, seed):
    """workload.SpinIters: iters rounds of mix starting from seed|1; returns the final value."""
    x = (seed | 1) & M64
    for _ in range(iters):
        # mix(x), as in labkit/workload/workload.go
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & M64
        x ^= x >> 29
        x = ((x << 17) | (x >> 47)) & M64  # bits.RotateLeft64(x, 17)
        x = (x + 0x9E3779B97F4A7C15) & M64
    return x


def calibrate():
    """Iterations that take about 1 ms here (a simpler workload.Calibrate)."""
    iters = 1 << 8
    while True:
        start = time.perf_counter()
        spin(iters, iters)
        took = time.perf_counter() - start
        if took >= CALIBRATE_MIN:
            return max(1, int(iters * 0.001 / took))
        iters *= 2


def task(args):
    """One task: units of work, seeded by its index like workload.Spin(units)."""
    units, iters_per_unit = args
    return spin(units * iters_per_unit, units + 1)


def nap(seconds):
    time.sleep(seconds)
    return os.getpid()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=8)
    ap.add_argument("--units", type=int, default=25, help="work per task, ~1 ms each")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode; the fastest is reported")
    ap.add_argument("--iters-per-unit", type=int, default=0, help="skip calibration")
    ap.add_argument("--only", default="sequential,threads,processes",
                    help="comma-separated subset of sequential,threads,processes")
    ap.add_argument("--check-iters", type=int, default=-1)
    ap.add_argument("--check-seed", type=int, default=0)
    a = ap.parse_args()

    if a.check_iters >= 0:
        json.dump({"checksum": spin(a.check_iters, a.check_seed)}, sys.stdout)
        print()
        return
    for name in ("tasks", "units", "workers", "repeat"):
        if getattr(a, name) < 1:
            ap.error(f"--{name} = {getattr(a, name)}, want >= 1")
    modes = [m for m in a.only.split(",") if m]
    for m in modes:
        if m not in ("sequential", "threads", "processes"):
            ap.error(f"--only: unknown mode {m!r}")

    calibrated = a.iters_per_unit <= 0
    per = calibrate() if calibrated else a.iters_per_unit
    jobs = [(a.units, per)] * a.tasks
    out = {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "tasks": a.tasks,
        "units": a.units,
        "workers": a.workers,
        "repeat": a.repeat,
        "iters_per_unit": per,
        "calibrated": calibrated,
    }
    expected = task(jobs[0]) if modes else None

    runs = {}
    with contextlib.ExitStack() as stack:
        if "sequential" in modes:
            runs["sequential"] = lambda: [task(j) for j in jobs]
        if "threads" in modes:
            threads = stack.enter_context(cf.ThreadPoolExecutor(max_workers=a.workers))
            list(threads.map(nap, [0.0] * a.workers))
            runs["threads"] = lambda: list(threads.map(task, jobs))
        if "processes" in modes:
            start = time.perf_counter()
            processes = stack.enter_context(cf.ProcessPoolExecutor(max_workers=a.workers))
            # Sleeping tasks make every worker start before the clock does.
            pids = set(processes.map(nap, [0.05] * a.workers))
            out["process_pool_start_s"] = time.perf_counter() - start
            out["process_workers_seen"] = len(pids)
            runs["processes"] = lambda: list(processes.map(task, jobs))
        for _ in range(a.repeat):  # rounds: every mode once per round
            for mode, run in runs.items():
                start = time.perf_counter()
                results = run()
                took = time.perf_counter() - start
                assert all(r == expected for r in results)
                out[mode + "_s"] = min(out.get(mode + "_s", took), took)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
