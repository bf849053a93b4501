#!/usr/bin/env python3
"""ThreadingHTTPServer: the Python twin of notebook 14's net/http server.

http.server.ThreadingHTTPServer starts a thread for every connection it accepts
(socketserver.ThreadingMixIn); with HTTP/1.1 keep-alive that thread serves every request
the connection sends. Two paths:

    GET /hello         -> "hello\\n"
    GET /slow?ms=N     -> sleeps N ms (0..10000), then answers with the number of threads
                          alive in this process

Prints the bound port on stdout (one line) once it is listening, and stops cleanly on
SIGTERM or SIGINT (and, with --watch-stdin, when stdin closes, so it never outlives the
program that started it).

    python3 http_server.py --port 0
"""
import argparse
import http.server
import signal
import sys
import threading
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Go's client and server use by default
    disable_nagle_algorithm = True  # TCP_NODELAY, as Go sets on every TCP connection: else the body
                                    # (a second send after the headers) waits for a delayed ACK

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/hello":
            self.reply(200, b"hello\n")
        elif url.path == "/slow":
            try:
                ms = int(urllib.parse.parse_qs(url.query).get("ms", ["0"])[0])
            except ValueError:
                ms = -1
            if not 0 <= ms <= 10000:
                self.reply(400, b"ms must be an integer in 0..10000\n")
                return
            time.sleep(ms / 1000)  # blocks this connection's thread, and only this one
            self.reply(200, b"%d\n" % threading.active_count())
        else:
            self.reply(404, b"not found\n")

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # one line per request on stderr would cost more than the request
        pass


def serve(host, port, backlog, watch_stdin):
    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = backlog  # socketserver's default is 5: a burst of connections would wait for SYN retries

    server = Server((host, port), Handler)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if watch_stdin:
        def wait_for_eof():
            sys.stdin.buffer.read()
            stop.set()
        threading.Thread(target=wait_for_eof, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    while not stop.wait(0.5):  # a timeout, so that signal handlers get to run
        pass
    server.shutdown()
    server.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--backlog", type=int, default=1024, help="listen backlog (default 1024)")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches end of file")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port = {args.port}, want 0..65535")
    if args.backlog < 1:
        parser.error(f"--backlog = {args.backlog}, want >= 1")
    serve(args.host, args.port, args.backlog, args.watch_stdin)


if __name__ == "__main__":
    main()
