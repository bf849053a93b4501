#!/usr/bin/env python3
"""asyncio line-echo server: the Python twin of labkit/capstone/echo's Server.

One coroutine per connection reads '\\n'-terminated lines and writes each back unchanged.
A line longer than --max-line bytes gets "ERR line too long (max N bytes)\\n" and the
connection is closed; a last line cut short by the peer's close is echoed as it came.
Prints the bound port on stdout (one line) once it is listening, and stops cleanly on
SIGTERM or SIGINT (and, with --watch-stdin, when stdin closes, so it never outlives the
program that started it).

    python3 echo_server.py --port 0
"""

import argparse
import asyncio
import signal
import sys
import threading


async def handle(reader, writer, max_line):
    try:
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as e:  # EOF: echo the unfinished tail, if any
                if e.partial:
                    writer.write(e.partial)
                    await writer.drain()
                break
            except asyncio.LimitOverrunError:
                writer.write(b"ERR line too long (max %d bytes)\n" % max_line)
                await writer.drain()
                break
            if len(line) - 1 > max_line:
                writer.write(b"ERR line too long (max %d bytes)\n" % max_line)
                await writer.drain()
                break
            writer.write(line)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


async def serve(host, port, max_line, backlog, watch_stdin):
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if watch_stdin:
        def wait_for_eof():
            sys.stdin.buffer.read()
            loop.call_soon_threadsafe(stop.set)
        threading.Thread(target=wait_for_eof, daemon=True).start()
    # limit is the StreamReader buffer: a line may be max_line bytes plus its '\n'.
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, max_line), host, port, limit=max_line + 1, backlog=backlog)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await stop.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--max-line", type=int, default=64 * 1024, help="longest line in bytes, without its newline")
    parser.add_argument("--backlog", type=int, default=1024, help="listen backlog")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches end of file")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port = {args.port}, want 0..65535")
    if args.max_line < 1:
        parser.error(f"--max-line = {args.max_line}, want >= 1")
    if args.backlog < 1:
        parser.error(f"--backlog = {args.backlog}, want >= 1")
    asyncio.run(serve(args.host, args.port, args.max_line, args.backlog, args.watch_stdin))


if __name__ == "__main__":
    main()
