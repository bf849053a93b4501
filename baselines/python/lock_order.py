#!/usr/bin/env python3
"""threading baseline: two transfers take two locks in opposite orders.

Notebook 15's Python side. transfer(src, dst) holds src's lock, then asks for dst's. Run
alice->bob and bob->alice at once, each waiting at a barrier once it holds its first lock
(the unlucky timing, made certain), and each thread waits for the lock the other holds:
a deadlock, which CPython neither detects nor reports. The script gives the two threads
--timeout seconds, then dumps every thread's stack with faulthandler (the threads are
daemons, so the process can still exit). Then the two ways out: take the locks in one
order (by account id), or acquire the second with a timeout and give up. Prints one JSON
object.

    python3 lock_order.py --timeout 1
"""

import argparse
import faulthandler
import json
import platform
import sys
import tempfile
import threading
import time


class Account:
    def __init__(self, ident, balance):
        self.id = ident
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount, between):
    with src.lock:
        between()  # the other transfer takes its first lock meanwhile
        with dst.lock:
            src.balance -= amount
            dst.balance += amount


def transfer_ordered(src, dst, amount, between):
    first, second = sorted((src, dst), key=lambda a: a.id)  # one order for every caller
    with first.lock:
        between()
        with second.lock:
            src.balance -= amount
            dst.balance += amount


def transfer_or_give_up(src, dst, amount, between, timeout):
    with src.lock:
        between()
        if not dst.lock.acquire(timeout=timeout):
            return False  # the caller must undo, retry or report
        try:
            src.balance -= amount
            dst.balance += amount
        finally:
            dst.lock.release()
    return True


def run_pair(target, between, timeout, *extra):
    """Run alice->bob (10) and bob->alice (20) at once; wait up to timeout for both."""
    alice, bob = Account(1, 100), Account(2, 100)
    results = {}

    def run(name, src, dst, amount):
        results[name] = target(src, dst, amount, between, *extra)

    threads = [
        threading.Thread(target=run, args=("alice->bob", alice, bob, 10), name="alice->bob", daemon=True),
        threading.Thread(target=run, args=("bob->alice", bob, alice, 20), name="bob->alice", daemon=True),
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    deadline = start + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.perf_counter()))
    stuck = [t.name for t in threads if t.is_alive()]
    out = {"stuck": stuck, "balances": [alice.balance, bob.balance], "results": results,
           "seconds": round(time.perf_counter() - start, 3)}
    if stuck:
        with tempfile.TemporaryFile("w+") as f:
            faulthandler.dump_traceback(f, all_threads=True)
            f.seek(0)
            out["dump"] = f.read()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for the two transfers (> 0)")
    args = parser.parse_args(argv)
    if not args.timeout > 0:
        parser.error("--timeout must be > 0")

    def line_up(barrier):
        def between():
            try:
                barrier.wait(args.timeout)  # both transfers hold their first lock
            except threading.BrokenBarrierError:
                pass
        return between

    opposite = run_pair(transfer, line_up(threading.Barrier(2)), args.timeout)
    # In one order, the second transfer waits for the first lock, so it cannot line up:
    # hold the first lock a while instead, long enough for the other to ask for it.
    ordered = run_pair(transfer_ordered, lambda: time.sleep(0.05), args.timeout)
    give_up = run_pair(transfer_or_give_up, line_up(threading.Barrier(2)), args.timeout, args.timeout / 4)
    json.dump({"python": platform.python_version(), "timeout": args.timeout,
               "opposite": opposite, "ordered": ordered, "give_up": give_up}, fp=sys.stdout)
    print()


if __name__ == "__main__":
    main()
