#!/usr/bin/env python3
"""FX workload baseline: the labkit/capstone/fx simulation in Python, stdlib only.

Generates the same seeded orders as the Go package (same splitmix64 draws, same integer
prices, same risk rules), runs them one at a time in a plain loop, with asyncio (tasks
bounded by a Semaphore) or with threads (ThreadPoolExecutor), and prints one JSON object with the decisions, the
per-order latencies and the run's timing on stdout.

Pricing is labkit/workload's CPU loop, seeded by the order's id: --cpu-iters gives the
loop count per order directly (the same count as Go's Config.CPUIters does the same
arithmetic: the output's price_checksum equals Go's Report.PriceChecksum), otherwise it
is calibrated to --cpu-ns per order in each process. Callers comparing several
time-calibrated runs measure once with --calibrate (prints {"iters_per_ms": ...}) and
pass the same count to every run, so that every run does the same work whatever the
machine's load during calibration.

    python3 fx_workload.py --mode asyncio --orders 200 --latency exponential \
        --latency-min-ns 1000000 --latency-mean-ns 3000000 --cpu-ns 50000 --workers 16
"""

import argparse
import asyncio
import json
import math
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
TIMING_SALT = 0x7F4A7C159E3779B9

# name, digits, mid (ticks), base spread (ticks): the same table as fx.AllPairs().
PAIRS = [
    ("EURUSD", 5, 108500, 6),
    ("USDJPY", 3, 151250, 9),
    ("GBPUSD", 5, 126800, 10),
    ("AUDUSD", 5, 65400, 9),
    ("USDCHF", 5, 88200, 12),
    ("USDCAD", 5, 136100, 14),
    ("NZDUSD", 5, 59800, 16),
    ("EURJPY", 3, 164100, 18),
]
WIDE_MARKET_PCT = 8
FAT_FINGER_PCT = 4
FAT_FINGER_LOTS = 50
MAX_LOTS = 20
MAX_SPREAD_FACTOR = 3
FILLED, REJECTED_SIZE, REJECTED_SPREAD = 0, 1, 2
MAX_LATENCY_NS = 10 * 10**9


def fmix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class SplitMix:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + GOLDEN) & M64
        return fmix(self.state)

    def float(self):
        return (self.next() >> 11) / float(1 << 53)

    def exp(self, mean):
        return -math.log(1 - self.float()) * mean


def generate(a):
    """Orders as tuples (id, pair, side, lots, bid, ask, offset_ns, latency_ns)."""
    market = SplitMix(a.seed)
    timing = SplitMix(a.seed ^ TIMING_SALT)
    mids = [p[2] for p in PAIRS[: a.pairs]]
    orders = []
    offset = 0
    for i in range(a.orders):
        p = market.next() % a.pairs
        mids[p] += market.next() % 7 - 3
        spread = PAIRS[p][3] + market.next() % 3
        if market.next() % 100 < WIDE_MARKET_PCT:
            spread *= 4
        side = market.next() & 1
        lots = 1 + market.next() % 10
        if market.next() % 100 < FAT_FINGER_PCT:
            lots = FAT_FINGER_LOTS
        bid = mids[p] - spread // 2
        if a.interval_ns > 0:
            offset += int(timing.exp(float(a.interval_ns)))
        if a.latency == "uniform":
            lat = a.latency_min_ns + int(timing.float() * float(a.latency_max_ns - a.latency_min_ns))
        elif a.latency == "exponential":
            lat = a.latency_min_ns + int(timing.exp(float(a.latency_mean_ns)))
        else:
            lat = a.latency_min_ns
        orders.append((i, p, side, lots, bid, bid + spread, offset, lat))
    return orders


def decide(order):
    """(outcome, fill price) by the same risk rules as fx.Decide."""
    _, p, side, lots, bid, ask, _, _ = order
    if lots > MAX_LOTS:
        return REJECTED_SIZE, 0
    if ask - bid > MAX_SPREAD_FACTOR * PAIRS[p][3]:
        return REJECTED_SPREAD, 0
    return FILLED, ask if side == 0 else bid


def digest(decisions):
    total = 0
    for i, (outcome, price) in enumerate(decisions):
        total = (total + fmix(((i << 32) ^ (price << 2) ^ outcome) & M64)) & M64
    return total


def price_loop(iters, seed):
    """The pricing model's arithmetic: labkit/workload's CPU loop (workload.SpinIters), step
    for step, so the same iterations from the same seed give Go's result exactly."""
    x = (seed | 1) & M64
    for _ in range(iters):
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & M64
        x ^= x >> 29
        x = ((x << 17) | (x >> 47)) & M64  # bits.RotateLeft64(x, 17)
        x = (x + 0x9E3779B97F4A7C15) & M64
    return x


def calibrate():
    """Loop iterations per nanosecond of CPU, timed much as Go's workload.Calibrate times its
    loop: on the thread's CPU clock, keeping the fastest of three batches."""
    iters = 1 << 8
    while True:
        took = time_loop(iters)
        if took >= 10_000_000:
            took = min(took, time_loop(iters), time_loop(iters))
            return iters / took
        iters *= 2


def time_loop(iters):
    """CPU time of iters steps on this thread (wall time where the OS has no thread clock),
    so a busy machine does not make the loop look slow and every later "1 ms" shorter."""
    clock = getattr(time, "thread_time_ns", time.perf_counter_ns)
    start = clock()
    price_loop(iters, iters)
    took = clock() - start
    return took if took > 0 else 1


class Session:
    def __init__(self, a, orders, cpu_iters):
        self.a = a
        self.orders = orders
        self.cpu_iters = cpu_iters
        self.decisions = [None] * len(orders)
        self.prices = [None] * len(orders)
        self.latencies = [None] * len(orders)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.start = 0

    def take(self):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def price(self, order):
        self.prices[order[0]] = price_loop(self.cpu_iters, order[0] + 1)

    def finish(self, order, decision):
        i = order[0]
        if self.decisions[i] is not None:
            raise RuntimeError(f"order {i} decided twice")
        self.latencies[i] = time.perf_counter_ns() - self.start - order[6]
        self.decisions[i] = decision
        with self.lock:
            self.in_flight -= 1

    def until_due(self, order):
        return (self.start + order[6] - time.perf_counter_ns()) / 1e9

    # --- sequential: one order at a time in a plain loop, as Go's sequential strategy ---
    def run_sequential(self):
        self.start = time.perf_counter_ns()
        for order in self.orders:
            wait = self.until_due(order)
            if wait > 0:
                time.sleep(wait)
            self.take()
            self.price(order)
            d = decide(order)
            if d[0] == FILLED:
                time.sleep(order[7] / 1e9)
            self.finish(order, d)

    # --- asyncio: one task per order, at most `workers` at once -------------------------
    async def run_asyncio(self):
        sem = asyncio.Semaphore(self.a.workers)

        async def handle(order):
            try:
                self.take()
                self.price(order)  # blocks the event loop: asyncio cannot overlap CPU work
                d = decide(order)
                if d[0] == FILLED:
                    await asyncio.sleep(order[7] / 1e9)
                self.finish(order, d)
            finally:
                sem.release()

        self.start = time.perf_counter_ns()
        tasks = []
        for order in self.orders:
            wait = self.until_due(order)
            if wait > 0:
                await asyncio.sleep(wait)
            await sem.acquire()
            tasks.append(asyncio.create_task(handle(order)))
        await asyncio.gather(*tasks)

    # --- threads: a pool of `workers` threads ------------------------------------------
    def run_threads(self):
        def handle(order):
            self.take()
            self.price(order)  # holds the GIL: threads cannot overlap CPU work either
            d = decide(order)
            if d[0] == FILLED:
                time.sleep(order[7] / 1e9)
            self.finish(order, d)

        self.start = time.perf_counter_ns()
        with ThreadPoolExecutor(max_workers=self.a.workers) as pool:
            futures = []
            for order in self.orders:
                wait = self.until_due(order)
                if wait > 0:
                    time.sleep(wait)
                futures.append(pool.submit(handle, order))
            for f in futures:
                f.result()


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calibrate", action="store_true", help="print the pricing loop's iterations per ms and exit")
    ap.add_argument("--mode", choices=["sequential", "asyncio", "threads"])
    ap.add_argument("--cpu-iters", type=int, default=-1, help="pricing loop count per order (default: calibrate to --cpu-ns)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pairs", type=int, default=len(PAIRS))
    ap.add_argument("--orders", type=int, default=100)
    ap.add_argument("--interval-ns", type=int, default=0)
    ap.add_argument("--latency", choices=["fixed", "uniform", "exponential"], default="fixed")
    ap.add_argument("--latency-min-ns", type=int, default=0)
    ap.add_argument("--latency-max-ns", type=int, default=0)
    ap.add_argument("--latency-mean-ns", type=int, default=0)
    ap.add_argument("--cpu-ns", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    if a.calibrate:
        return a
    if a.mode is None:
        ap.error("--mode is required (sequential, asyncio or threads)")
    if a.cpu_iters < -1 or a.cpu_iters > 10**12:
        ap.error(f"--cpu-iters {a.cpu_iters}: want 0..10^12, or -1 to calibrate")
    if not 0 <= a.seed <= M64:
        ap.error(f"--seed {a.seed}: want 0..2^64-1")
    if not 1 <= a.pairs <= len(PAIRS):
        ap.error(f"--pairs {a.pairs}: want 1..{len(PAIRS)}")
    if not 1 <= a.orders <= 1_000_000:
        ap.error(f"--orders {a.orders}: want 1..1000000")
    if a.workers < 1:
        ap.error(f"--workers {a.workers}: want >= 1")
    for name in ("interval_ns", "latency_min_ns", "latency_max_ns", "latency_mean_ns", "cpu_ns"):
        v = getattr(a, name)
        if not 0 <= v <= MAX_LATENCY_NS:
            ap.error(f"--{name.replace('_', '-')} {v}: want 0..{MAX_LATENCY_NS}")
    if a.latency == "uniform" and a.latency_max_ns < a.latency_min_ns:
        ap.error("--latency-max-ns must be >= --latency-min-ns for uniform latency")
    return a


def main(argv):
    a = parse(argv)
    if a.calibrate:
        json.dump({"iters_per_ms": calibrate() * 1e6}, sys.stdout)
        sys.stdout.write("\n")
        return
    orders = generate(a)
    cpu_iters = a.cpu_iters
    if cpu_iters < 0:
        cpu_iters = int(calibrate() * a.cpu_ns) if a.cpu_ns > 0 else 0
    session = Session(a, orders, cpu_iters)
    if a.mode == "sequential":
        session.run_sequential()
    elif a.mode == "asyncio":
        asyncio.run(session.run_asyncio())
    else:
        session.run_threads()
    elapsed = time.perf_counter_ns() - session.start
    json.dump(
        {
            "strategy": "python-" + a.mode,
            "orders": len(orders),
            "elapsed_ns": elapsed,
            "max_in_flight": session.max_in_flight,
            "decisions": [list(d) for d in session.decisions],
            "latencies_ns": session.latencies,
            "checksum": digest(session.decisions),
            "price_iters": cpu_iters,
            "price_checksum": sum(session.prices) & M64,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
