#!/usr/bin/env python3
"""asyncio baseline: N coroutines that each sleep for DELAY seconds, all at once.

The Python twin of starting N goroutines that each wait: one event loop interleaves the
sleeps, so the wall time should be close to one DELAY, plus the loop's cost of creating
and resuming N tasks. Prints one JSON object; the time is measured inside Python, so
interpreter start-up is not counted.

    python3 asyncio_sleeps.py --n 10000 --delay 0.1
"""

import argparse
import asyncio
import json
import platform
import sys
import time


async def sleep_all(n, delay):
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(delay) for _ in range(n)))
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="number of concurrent sleeps (>= 1)")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds each sleep lasts (>= 0)")
    parser.add_argument("--repeat", type=int, default=1, help="runs to time; the fastest is reported (>= 1)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.n > 1_000_000:
        parser.error(f"--n = {args.n}, want 1..1000000")
    if args.delay < 0 or args.delay > 60:
        parser.error(f"--delay = {args.delay}, want 0..60 seconds")
    if args.repeat < 1 or args.repeat > 100:
        parser.error(f"--repeat = {args.repeat}, want 1..100")
    walls = [asyncio.run(sleep_all(args.n, args.delay)) for _ in range(args.repeat)]
    json.dump({
        "n": args.n,
        "delay_s": args.delay,
        "wall_s": min(walls),
        "walls_s": walls,
        "python": platform.python_version(),
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
