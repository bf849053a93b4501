#!/usr/bin/env python3
"""threading baseline: THREADS threads each add 1 to a shared counter N times.

Notebook 02's Python side. Two counters: `counter += 1` (a load, an add and a store in
bytecode; with the GIL, CPython 3.10 and later consider switching threads only at calls,
function entry and loop back-edges, so this loop keeps every update in practice, while
older versions could switch between the load and the store, and a free-threaded build runs
the threads in parallel), and the same read-modify-write with `time.sleep(0)` between the
read and the write, which forces a switch there and loses updates reliably. Prints one
JSON object with the totals, the bytecode of `counter += 1` and whether the GIL was on.

    python3 gil_counter.py --threads 4 --n 100000
"""

import argparse
import dis
import json
import platform
import sys
import sysconfig
import threading
import time

counter = 0


def plain(n):
    global counter
    for _ in range(n):
        counter += 1


def with_yield(n):
    global counter
    for _ in range(n):
        value = counter
        time.sleep(0)  # give the GIL away between the read and the write
        counter = value + 1


def run(target, threads, n):
    global counter
    counter = 0
    ts = [threading.Thread(target=target, args=(n,)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return counter


def bytecode():
    def inc():
        global counter
        counter += 1

    return [i.opname for i in dis.get_instructions(inc) if i.opname not in ("RESUME", "NOP", "CACHE")][:4]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4, help="number of threads (>= 1)")
    parser.add_argument("--n", type=int, default=100000, help="increments per thread for counter += 1 (>= 1)")
    parser.add_argument("--n-yield", type=int, default=2000, help="increments per thread with sleep(0) (>= 1)")
    args = parser.parse_args(argv)
    for name in ("threads", "n", "n_yield"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    start = time.perf_counter()
    plain_total = run(plain, args.threads, args.n)
    yield_total = run(with_yield, args.threads, args.n_yield)
    json.dump({
        "python": platform.python_version(),
        # sys._is_gil_enabled exists from 3.13; before that every CPython has a GIL.
        "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "threads": args.threads,
        "bytecode": bytecode(),
        "plain_want": args.threads * args.n,
        "plain_got": plain_total,
        "yield_want": args.threads * args.n_yield,
        "yield_got": yield_total,
        "wall_s": time.perf_counter() - start,
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
