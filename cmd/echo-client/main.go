// Command echo-client drives a line-echo server with N concurrent clients, M messages
// each, and checks every echo byte for byte (package echo/load).
//
//	go run ./cmd/echo-client                               # 10 clients × 100 messages to 127.0.0.1:7007
//	go run ./cmd/echo-client -clients 200 -messages 1000 -payload 256 -addr 127.0.0.1:7007
//
// It prints one summary line — messages echoed, throughput, latency percentiles — and
// exits 0 only if every message came back intact; a lost or garbled echo, a refused
// connection or Ctrl-C exits 1, with the first errors on stderr. Bad flags exit 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
)

const defaultAddr = "127.0.0.1:7007" // echo-server's default

// errReported is a bad-flags error that has already been printed.
var errReported = errors.New("reported")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	addr, cfg, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(stderr, "echo-client:", err)
		}
		return 2
	}
	r, err := load.Run(ctx, addr, cfg)
	fmt.Fprintf(stdout, "echo-client: %s: %v\n", addr, r)
	if err != nil {
		fmt.Fprintln(stderr, "echo-client:", err)
		for _, e := range r.Errors[min(1, len(r.Errors)):] { // the first is in err already
			fmt.Fprintln(stderr, "echo-client: also:", e)
		}
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (string, load.Config, error) {
	var (
		addr string
		cfg  load.Config
	)
	fs := flag.NewFlagSet("echo-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&addr, "addr", defaultAddr, "the server's `host:port`")
	fs.IntVar(&cfg.Clients, "clients", 10, "concurrent connections")
	fs.IntVar(&cfg.Messages, "messages", 100, "messages each client sends, one at a time, waiting for each echo")
	fs.IntVar(&cfg.PayloadBytes, "payload", load.DefaultPayloadBytes, "`bytes` per message, without its newline")
	fs.DurationVar(&cfg.Timeout, "timeout", load.DefaultTimeout, "limit on connecting and on each round trip")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: echo-client [flags]\n\nSends lines to a line-echo server from concurrent clients and verifies every echo.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", cfg, errReported // the flag package has printed the error and the usage
	}
	switch {
	case fs.NArg() > 0:
		return "", cfg, fmt.Errorf("unexpected argument %q: every setting is a flag (see -h)", fs.Arg(0))
	case cfg.Clients < 1:
		return "", cfg, fmt.Errorf("-clients = %d: must be >= 1", cfg.Clients)
	case cfg.Messages < 1:
		return "", cfg, fmt.Errorf("-messages = %d: must be >= 1", cfg.Messages)
	case cfg.PayloadBytes < 1:
		return "", cfg, fmt.Errorf("-payload = %d: must be >= 1", cfg.PayloadBytes)
	case cfg.Timeout <= 0:
		return "", cfg, fmt.Errorf("-timeout = %v: must be > 0", cfg.Timeout)
	}
	return addr, cfg, nil
}
