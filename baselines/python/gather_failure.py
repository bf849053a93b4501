#!/usr/bin/env python3
"""asyncio baseline: what gather and TaskGroup do when one of three calls fails.

Notebook 07's Python side of `gather` → `errgroup`. Three calls wait 120, 40 and 200 ms
(scaled by --scale); the 40 ms one then raises. For each way of awaiting them it reports
when the await returned (or raised), which calls were still running at that moment, how
each call ended, and what was raised:

- `gather` (default): raises the first exception at once, neither waiting for nor
  cancelling the others — they keep running on the loop;
- `gather(return_exceptions=True)`: waits for every call and returns the exceptions as
  results (Go: a WaitGroup and errors.Join);
- `TaskGroup` (3.11+): cancels the others at the first failure, waits for them, and raises
  an ExceptionGroup of every non-cancellation error (Go: errgroup.WithContext, which
  returns the first error only).

Prints one JSON object; times are measured inside Python, in milliseconds.

    python3 gather_failure.py --scale 1
"""

import argparse
import asyncio
import json
import platform
import sys
import time

CALLS = (("quotes", 0.120, False), ("positions", 0.040, True), ("news", 0.200, False))


class Upstream(Exception):
    pass


def ms_since(start):
    return round((time.perf_counter() - start) * 1000, 1)


async def call(name, seconds, fail, ended, start):
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        ended[name] = f"cancelled at {ms_since(start)} ms"
        raise
    ended[name] = f"{'failed' if fail else 'finished'} at {ms_since(start)} ms"
    if fail:
        raise Upstream(f"{name}: upstream returned 503")
    return name


async def one_way(way, scale):
    ended, start = {}, time.perf_counter()
    coros = [call(n, s * scale, f, ended, start) for n, s, f in CALLS]
    try:
        if way == "gather":
            outcome = repr(await asyncio.gather(*coros))
        elif way == "gather_return_exceptions":
            outcome = repr(await asyncio.gather(*coros, return_exceptions=True))
        else:
            async with asyncio.TaskGroup() as tg:
                for c in coros:
                    tg.create_task(c)
            outcome = "no error"
    except Exception as exc:  # noqa: BLE001 - reporting what each way raises is the point
        outcome = f"raised {exc!r}"
    returned_ms = ms_since(start)
    still_running = [n for n, _, _ in CALLS if n not in ended]
    # Let anything still running end, so the report shows what became of it.
    await asyncio.sleep(max(s for _, s, _ in CALLS) * scale + 0.05)
    return {"returned_ms": returned_ms, "outcome": outcome, "still_running": still_running,
            "ended": [f"{n}: {ended.get(n, 'never ended')}" for n, _, _ in CALLS]}


async def all_ways(scale):
    ways = ["gather", "gather_return_exceptions"]
    if hasattr(asyncio, "TaskGroup"):
        ways.append("taskgroup")
    return {way: await one_way(way, scale) for way in ways}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every call's duration (0.1..10)")
    args = parser.parse_args(argv)
    if not 0.1 <= args.scale <= 10:
        parser.error(f"--scale = {args.scale}, want 0.1..10")
    json.dump({"python": platform.python_version(), "ways": asyncio.run(all_ways(args.scale))}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
