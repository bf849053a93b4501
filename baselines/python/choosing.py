#!/usr/bin/env python3
"""Choosing baseline: one batch of tasks run every way Python offers, for notebook 12.

A task is CPU work followed by a wait: --cpu-ms milliseconds of cpu_bound.py's spin loop
(calibrated here on this thread's CPU clock to this interpreter's speed, as Go calibrates its own) and then
--wait-ms milliseconds of sleep, the stand-in for a network call. The batch of --tasks tasks
runs sequentially, on threads (one per task, like a goroutine per task), on a process pool
(usable_cpus() workers, ProcessPoolExecutor's default on 3.13+, started before the clock) and on
asyncio (the CPU part runs on the event loop, the wait is asyncio.sleep). The modes take
turns for --repeat rounds, and each mode's fastest run is reported.

    python3 choosing.py batch --tasks 40 --cpu-ms 5 --wait-ms 20 --repeat 3
    python3 choosing.py memory --tasks 10000 --threads 500
    python3 choosing.py crash --tasks 8

`memory` reports the resident memory (RSS) each parked asyncio task and each parked thread
adds, and the virtual memory each thread reserves (Linux: /proc/self/statm). `crash` runs tasks on threads and on a process pool while one
task dies (an exception on a thread; os._exit in a worker process) and counts how many of
the other tasks still return. Prints one JSON object.
"""

import argparse
import asyncio
import concurrent.futures as cf
import json
import os
import platform
import sys
import threading
import time

from cpu_bound import spin

MODES = ("sequential", "threads", "processes", "asyncio")


def gil_enabled():
    """True/False on CPython 3.13+ (free-threaded builds can run without the GIL), None before."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return probe() if probe else None


def usable_cpus():
    """The CPUs this process may run on: os.process_cpu_count() (3.13+, the default size of
    ProcessPoolExecutor there), else the affinity mask it reads, else os.cpu_count()."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def calibrate():
    """Spin iterations per millisecond of this thread's CPU time (time.thread_time), so that
    other programs competing for the cores do not shrink the work, as a wall clock would."""
    iters = 1 << 8
    while True:
        start = time.thread_time()
        spin(iters, iters)
        took = time.thread_time() - start
        if took >= 0.05:
            return max(1, int(iters * 0.001 / took))
        iters *= 2


def work(args):
    cpu_iters, wait_s = args
    result = spin(cpu_iters, cpu_iters + 1)
    time.sleep(wait_s)
    return result


async def awork(cpu_iters, wait_s):
    result = spin(cpu_iters, cpu_iters + 1)  # blocks the event loop while it runs
    await asyncio.sleep(wait_s)
    return result


async def gather_all(tasks, cpu_iters, wait_s):
    return await asyncio.gather(*(awork(cpu_iters, wait_s) for _ in range(tasks)))


def batch(a):
    per_ms = calibrate()
    job = (int(a.cpu_ms * per_ms), a.wait_ms / 1000)
    jobs = [job] * a.tasks
    out = {"tasks": a.tasks, "cpu_ms": a.cpu_ms, "wait_ms": a.wait_ms, "iters_per_ms": per_ms}
    modes = [m for m in a.modes.split(",") if m]
    workers = usable_cpus()
    with cf.ThreadPoolExecutor(max_workers=a.tasks) as threads, cf.ProcessPoolExecutor(max_workers=workers) as procs:
        if "processes" in modes:
            list(procs.map(time.sleep, [0.05] * workers))  # every worker started before the clock
        run = {
            "sequential": lambda: [work(j) for j in jobs],
            "threads": lambda: list(threads.map(work, jobs)),
            "processes": lambda: list(procs.map(work, jobs)),
            "asyncio": lambda: asyncio.run(gather_all(a.tasks, *job)),
        }
        # Rounds, every mode once per round, keeping each mode's fastest run: a burst of load
        # from elsewhere then hurts one run of every mode rather than every run of one.
        for _ in range(a.repeat):
            for m in modes:
                start = time.perf_counter()
                run[m]()
                took = time.perf_counter() - start
                out[m + "_s"] = min(took, out.get(m + "_s", took))
    out["process_workers"] = workers
    return out


def statm():
    """(virtual, resident) bytes of this process: the first two fields of /proc/self/statm."""
    with open("/proc/self/statm") as f:
        size, resident = f.read().split()[:2]
    page = os.sysconf("SC_PAGE_SIZE")
    return int(size) * page, int(resident) * page


def rss_bytes():
    return statm()[1]


async def park_tasks(n):
    release = asyncio.Event()
    before = rss_bytes()
    tasks = [asyncio.create_task(release.wait()) for _ in range(n)]
    await asyncio.sleep(0.05)  # every task has started and is waiting
    grown = rss_bytes() - before
    release.set()
    await asyncio.gather(*tasks)
    return grown


def park_threads(n):
    """(virtual, resident) bytes that n parked threads add."""
    release = threading.Event()
    before = statm()
    threads = [threading.Thread(target=release.wait) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    after = statm()
    release.set()
    for t in threads:
        t.join()
    return after[0] - before[0], after[1] - before[1]


def memory(a):
    if not os.path.exists("/proc/self/statm"):
        return {"error": "memory needs Linux's /proc/self/statm"}
    task_bytes = asyncio.run(park_tasks(a.tasks))
    thread_virtual, thread_bytes = park_threads(a.threads)
    import resource  # Unix only, as /proc is

    stack_limit = resource.getrlimit(resource.RLIMIT_STACK)[0]  # ulimit -s: glibc's default thread stack
    return {"tasks": a.tasks, "bytes_per_task": task_bytes / a.tasks,
            "threads": a.threads, "bytes_per_thread": thread_bytes / a.threads,
            "virtual_bytes_per_thread": thread_virtual / a.threads,
            "stack_limit_bytes": None if stack_limit == resource.RLIM_INFINITY else stack_limit,
            "libc": platform.libc_ver()[0]}


def fails_on(i, crash_at):
    if i == crash_at:
        raise RuntimeError(f"task {i} failed")
    time.sleep(0.02)
    return i


def dies_on(i, crash_at):
    if i == crash_at:
        os._exit(3)  # the way a segfault or the OOM killer ends a worker: no exception, no cleanup
    time.sleep(0.2)
    return i


def count_survivors(pool, fn, tasks):
    futures = [pool.submit(fn, i, tasks // 2) for i in range(tasks)]
    ok, failed, kinds = 0, 0, set()
    for f in futures:
        try:
            f.result(timeout=30)
            ok += 1
        except Exception as e:  # noqa: BLE001 - counting every kind of failure is the point
            failed += 1
            kinds.add(type(e).__name__)
    return {"ok": ok, "failed": failed, "errors": sorted(kinds)}


def crash(a):
    with cf.ThreadPoolExecutor(max_workers=a.tasks) as pool:
        threads = count_survivors(pool, fails_on, a.tasks)
    with cf.ProcessPoolExecutor(max_workers=min(a.tasks, usable_cpus())) as pool:
        processes = count_survivors(pool, dies_on, a.tasks)
    return {"tasks": a.tasks, "threads": threads, "processes": processes}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["batch", "memory", "crash"])
    ap.add_argument("--tasks", type=int, default=40, help="tasks in the batch (1..100000)")
    ap.add_argument("--cpu-ms", type=float, default=5, help="CPU milliseconds per task (0..1000)")
    ap.add_argument("--wait-ms", type=float, default=20, help="milliseconds each task waits (0..10000)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of " + ",".join(MODES))
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode; the fastest is reported (1..20)")
    ap.add_argument("--threads", type=int, default=500, help="memory: parked threads (1..5000)")
    a = ap.parse_args(argv)
    if not 1 <= a.tasks <= 100_000:
        ap.error(f"--tasks = {a.tasks}, want 1..100000")
    if not 0 <= a.cpu_ms <= 1000:
        ap.error(f"--cpu-ms = {a.cpu_ms}, want 0..1000")
    if not 0 <= a.wait_ms <= 10_000:
        ap.error(f"--wait-ms = {a.wait_ms}, want 0..10000")
    if not 1 <= a.repeat <= 20:
        ap.error(f"--repeat = {a.repeat}, want 1..20")
    if not 1 <= a.threads <= 5000:
        ap.error(f"--threads = {a.threads}, want 1..5000")
    unknown = [m for m in a.modes.split(",") if m and m not in MODES]
    if unknown:
        ap.error(f"--modes: unknown {', '.join(unknown)}; want a subset of {','.join(MODES)}")
    out = {"batch": batch, "memory": memory, "crash": crash}[a.what](a)
    out.update(python=platform.python_version(), gil=gil_enabled(), cpu_count=os.cpu_count(),
               usable_cpus=usable_cpus())
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
