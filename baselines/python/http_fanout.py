#!/usr/bin/env python3
"""Fan-out: GET many URLs with at most --workers at a time (ThreadPoolExecutor + urllib).

The Python twin of notebook 14's fetchAll (errgroup with SetLimit). Prints one JSON
object: the bodies in the order of the URLs and the elapsed time.

    python3 http_fanout.py --url 'http://127.0.0.1:8080/slow?ms=100' --n 12 --workers 4
"""
import argparse
import concurrent.futures
import json
import time
import urllib.request


def fetch_all(urls, workers, timeout):
    def fetch(url):
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # raises on 4xx/5xx
            return resp.read().decode().strip()

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fetch, urls))  # in order; the first exception is re-raised here


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL; &i=<index> is added to each")
    parser.add_argument("--n", type=int, default=12, help="how many URLs (default 12)")
    parser.add_argument("--workers", type=int, default=4, help="at most this many at a time (default 4)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    args = parser.parse_args(argv)
    if not args.url.startswith("http://"):
        parser.error(f"--url = {args.url!r}, want http://...")
    if args.n < 0 or args.workers < 1 or args.timeout <= 0:
        parser.error("want --n >= 0, --workers >= 1, --timeout > 0")
    sep = "&" if "?" in args.url else "?"
    urls = [f"{args.url}{sep}i={i}" for i in range(args.n)]
    start = time.perf_counter()
    bodies = fetch_all(urls, args.workers, args.timeout)
    print(json.dumps({"bodies": bodies, "elapsed_s": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
