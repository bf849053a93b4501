#!/usr/bin/env python3
"""The races of notebook 13 in Python threads: nothing hangs, nothing crashes.

Notebook 13's Python side. Three races that hang or crash a Go program, played by CPython
threads: a loop spinning on a plain global flag that another thread sets after a delay (it
ends: every turn looks the name up again, and a thread waiting for the GIL gets it within
the switch interval); a dict read in a loop while another thread writes it (no error: each
dict operation runs whole, under the GIL or, in a free-threaded build, the dict's own
lock); and a shared name rebound between objects of two classes while another thread calls
a method through it (no error: a name holds one reference, stored in one step, so a call
sees the old object or the new one, never half of each). Prints one JSON object.

    python3 memory_model.py --seconds 0.1
"""

import argparse
import json
import platform
import sys
import sysconfig
import threading
import time

stop = False


def spin():
    turns = 0
    while not stop:  # a plain global, read again on every turn
        turns += 1
    return turns


def set_stop_after(delay):
    global stop
    time.sleep(delay)
    stop = True


prices = {"EURUSD": 0}


def write_prices(done):
    i = 0
    while not done.is_set():
        prices["EURUSD"] = i
        i += 1


class Ptr:
    def __init__(self, box):
        self.box = box  # a list: read follows it

    def read(self):
        return self.box[0]


class Num:
    def __init__(self, n):
        self.n = n  # the same place in the other class: just a number

    def read(self):
        return self.n


shared = Ptr([1])


def flip(done):
    global shared
    a, b = Ptr([1]), Num(0xDEAD)
    while not done.is_set():
        shared = a
        shared = b


def race(writer, seconds, read):
    """Runs writer in a thread while calling read for seconds; returns (calls, errors)."""
    done = threading.Event()
    t = threading.Thread(target=writer, args=(done,))
    t.start()
    calls = errors = 0
    end = time.perf_counter() + seconds
    try:
        while time.perf_counter() < end:
            try:
                read()
            except Exception:
                errors += 1
            calls += 1
    finally:
        done.set()
        t.join()
    return calls, errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.1, help="how long each race runs (> 0, <= 10)")
    parser.add_argument("--delay", type=float, default=0.01, help="when the flag is set, in seconds (> 0, <= 1)")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 10:
        parser.error("--seconds must be > 0 and <= 10")
    if not 0 < args.delay <= 1:
        parser.error("--delay must be > 0 and <= 1")

    setter = threading.Thread(target=set_stop_after, args=(args.delay,))
    start = time.perf_counter()
    setter.start()
    turns = spin()
    spin_s = time.perf_counter() - start
    setter.join()

    dict_calls, dict_errors = race(write_prices, args.seconds, lambda: prices["EURUSD"])
    calls, call_errors = race(flip, args.seconds, lambda: shared.read())
    json.dump({
        "python": platform.python_version(),
        # sys._is_gil_enabled exists from 3.13; before that every CPython has a GIL.
        "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "switch_interval_s": sys.getswitchinterval(),
        "spin_turns": turns,
        "spin_s": spin_s,
        "dict_reads": dict_calls,
        "dict_errors": dict_errors,
        "calls": calls,
        "call_errors": call_errors,
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
