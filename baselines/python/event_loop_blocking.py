#!/usr/bin/env python3
"""asyncio baseline: a CPU loop inside a coroutine blocks the whole event loop.

A ticker task wants to wake every INTERVAL ms (think: a heartbeat, or a market-data
handler). While it runs, another coroutine does BURST ms of pure-Python number crunching.
In "blocking" mode the cruncher never awaits, so the loop cannot run the ticker until the
burst ends; in "cooperative" mode it awaits asyncio.sleep(0) every YIELD ms of work, which
is the fix asyncio asks of you. For each tick the script records how late it woke
relative to its schedule. Prints one JSON object with both modes.

    python3 event_loop_blocking.py --interval-ms 5 --burst-ms 300 --yield-ms 1
"""

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time


async def ticker(start, interval, stop_at, ticks):
    """Wake at start + k*interval for k = 1, 2, ...; record (scheduled, lateness) in ms."""
    k = 1
    while True:
        due = start + k * interval
        if due > stop_at:
            return
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        now = time.perf_counter()
        ticks.append(((due - start) * 1000, (now - due) * 1000))
        k += 1


def crunch(seconds):
    """Pure-Python CPU work for about `seconds`; never yields."""
    end = time.perf_counter() + seconds
    x = 1
    while time.perf_counter() < end:
        for _ in range(200):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return x


async def cruncher(burst, yield_every):
    if yield_every <= 0:
        crunch(burst)  # the whole burst in one go: the loop is stuck until it ends
        return
    done = 0.0
    while done < burst:
        step = min(yield_every, burst - done)
        crunch(step)
        done += step
        await asyncio.sleep(0)  # give the loop a turn


async def scenario(interval, warmup, burst, cooldown, yield_every):
    ticks = []
    start = time.perf_counter()
    stop_at = start + warmup + burst + cooldown
    tick_task = asyncio.create_task(ticker(start, interval, stop_at, ticks))
    await asyncio.sleep(warmup)
    burst_start = time.perf_counter()
    await cruncher(burst, yield_every)
    burst_end = time.perf_counter()
    await tick_task
    late = [lateness for _, lateness in ticks]
    return {
        "ticks": len(ticks),
        "expected_ticks": int((stop_at - start) / interval),
        "max_late_ms": max(late) if late else 0.0,
        "median_late_ms": statistics.median(late) if late else 0.0,
        "burst_start_ms": (burst_start - start) * 1000,
        "burst_end_ms": (burst_end - start) * 1000,
        "lateness": [[round(at, 3), round(lateness, 3)] for at, lateness in ticks],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval-ms", type=float, default=5.0, help="ticker period (1..1000 ms)")
    parser.add_argument("--burst-ms", type=float, default=300.0, help="CPU burst length (1..10000 ms)")
    parser.add_argument("--warmup-ms", type=float, default=100.0, help="ticking before the burst (0..10000 ms)")
    parser.add_argument("--cooldown-ms", type=float, default=100.0, help="ticking after the burst (0..10000 ms)")
    parser.add_argument("--yield-ms", type=float, default=1.0, help="cooperative mode: await every this much work (0.1..1000 ms)")
    args = parser.parse_args(argv)
    for name, value, lo, hi in [
        ("--interval-ms", args.interval_ms, 1, 1000),
        ("--burst-ms", args.burst_ms, 1, 10000),
        ("--warmup-ms", args.warmup_ms, 0, 10000),
        ("--cooldown-ms", args.cooldown_ms, 0, 10000),
        ("--yield-ms", args.yield_ms, 0.1, 1000),
    ]:
        if not lo <= value <= hi:
            parser.error(f"{name} = {value}, want {lo}..{hi}")
    ms = 1 / 1000
    common = (args.interval_ms * ms, args.warmup_ms * ms, args.burst_ms * ms, args.cooldown_ms * ms)
    result = {
        "interval_ms": args.interval_ms,
        "burst_ms": args.burst_ms,
        "yield_ms": args.yield_ms,
        "python": platform.python_version(),
        "blocking": asyncio.run(scenario(*common, 0)),
        "cooperative": asyncio.run(scenario(*common, args.yield_ms * ms)),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
