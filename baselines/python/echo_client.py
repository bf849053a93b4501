#!/usr/bin/env python3
"""asyncio load client for a line-echo server: the Python twin of labkit/capstone/echo/load.

N clients connect at once; each sends M messages of --payload-bytes bytes plus '\\n', one
at a time, and checks that every echo comes back byte for byte. Every planned message is
counted as echoed, corrupted, lost (sent, no echo) or unsent (its connection failed
first). Prints one JSON object on stdout, with throughput and latency percentiles
measured inside Python.

    python3 echo_client.py --port 7000 --clients 100 --messages 100 --payload-bytes 64
"""

import argparse
import asyncio
import json
import platform
import sys
import time


def message(client, msg, size):
    """Client `client`'s message `msg`: its numbers, then letters, `size` bytes in all."""
    head = b"c%d m%d " % (client, msg)
    x = (client * 2654435761 ^ msg * 40503 | 1) & 0xFFFFFFFF
    tail = bytearray()
    while len(head) + len(tail) < size:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        tail.append(ord("a") + x % 26)
    return (head + bytes(tail))[:size] + b"\n"


async def client(host, port, cid, messages, size, timeout, out):
    res = {"echoed": 0, "corrupted": 0, "lost": 0, "unsent": messages, "error": None}
    out.append(res)
    lat = res["latencies"] = []
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, limit=max(65536, size + 2)), timeout)
    except (OSError, asyncio.TimeoutError) as e:
        res["error"] = f"client {cid}: connect: {e!r}"
        return
    try:
        for m in range(messages):
            line = message(cid, m, size)
            begin = time.perf_counter()
            try:
                writer.write(line)
                await asyncio.wait_for(writer.drain(), timeout)
            except (OSError, asyncio.TimeoutError) as e:
                res["error"] = f"client {cid}, message {m}: write: {e!r}"
                return
            res["unsent"] -= 1
            try:
                echo = await asyncio.wait_for(reader.readuntil(b"\n"), timeout)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
                res["lost"] += 1
                res["error"] = f"client {cid}, message {m}: read: {e!r}"
                return
            if echo == line:
                lat.append(time.perf_counter() - begin)
                res["echoed"] += 1
            else:
                res["corrupted"] += 1
                if res["error"] is None:
                    res["error"] = f"client {cid}, message {m}: echo differs: sent {line[:40]!r}, got {echo[:40]!r}"
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


def percentile(sorted_values, p):
    """Nearest-rank percentile, as labkit/timing.Percentile."""
    if not sorted_values:
        return 0.0
    rank = int(p / 100 * len(sorted_values) + 0.999999)
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


async def run(host, port, clients, messages, size, timeout):
    results = []
    start = time.perf_counter()
    await asyncio.gather(*(client(host, port, c, messages, size, timeout, results) for c in range(clients)))
    elapsed = time.perf_counter() - start
    lat = sorted(v for r in results for v in r["latencies"])
    echoed = sum(r["echoed"] for r in results)
    errors = [r["error"] for r in results if r["error"]]
    return {
        "clients": clients,
        "messages": messages,
        "payload_bytes": size,
        "planned": clients * messages,
        "echoed": echoed,
        "corrupted": sum(r["corrupted"] for r in results),
        "lost": sum(r["lost"] for r in results),
        "unsent": sum(r["unsent"] for r in results),
        "failed_clients": sum(1 for r in results if r["error"] and (r["lost"] or r["unsent"])),
        "errors": errors[:5],
        "elapsed_s": elapsed,
        "throughput": echoed / elapsed if elapsed > 0 else 0.0,
        "mean_s": sum(lat) / len(lat) if lat else 0.0,
        "p50_s": percentile(lat, 50),
        "p95_s": percentile(lat, 95),
        "p99_s": percentile(lat, 99),
        "max_s": lat[-1] if lat else 0.0,
        "python": platform.python_version(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=10, help="concurrent connections (>= 1)")
    parser.add_argument("--messages", type=int, default=100, help="messages per client (>= 0)")
    parser.add_argument("--payload-bytes", type=int, default=64, help="bytes per message before its newline (>= 1)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed per connect and per round trip")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port = {args.port}, want 1..65535")
    if not 1 <= args.clients <= 100_000:
        parser.error(f"--clients = {args.clients}, want 1..100000")
    if not 0 <= args.messages <= 10_000_000:
        parser.error(f"--messages = {args.messages}, want 0..10000000")
    if not 1 <= args.payload_bytes <= 1 << 20:
        parser.error(f"--payload-bytes = {args.payload_bytes}, want 1..1048576")
    if not 0 < args.timeout <= 3600:
        parser.error(f"--timeout = {args.timeout}, want 0..3600 seconds")
    report = asyncio.run(run(args.host, args.port, args.clients, args.messages, args.payload_bytes, args.timeout))
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
