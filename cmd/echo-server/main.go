// Command echo-server runs the lab's TCP line-echo server (package echo) until Ctrl-C.
//
//	go run ./cmd/echo-server                  # 127.0.0.1:7007, every limit at its default
//	go run ./cmd/echo-server -addr 127.0.0.1:0 -max-line 1024 -max-conns 100 -idle-timeout 30s
//	go run ./cmd/echo-server -minimal         # the bare io.Copy server, no limits
//
// Talk to it from another terminal with `nc 127.0.0.1 7007` or `go run ./cmd/echo-client`.
// Its first line of output is "echo-server: listening on HOST:PORT ...", so a program that
// starts it with -addr 127.0.0.1:0 learns the port the OS picked.
//
// The first Ctrl-C (or SIGTERM) stops it gracefully: it stops accepting, lets every line
// in flight be echoed, closes each connection, prints its counters and exits 0. If
// connections are still open after -shutdown-timeout, or at a second Ctrl-C, it closes
// them at once and exits 1.
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
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
)

// defaultAddr is loopback, so a server started to try things out is not reachable from
// the network.
const defaultAddr = "127.0.0.1:7007"

// errReported is a bad-flags error that has already been printed.
var errReported = errors.New("reported")

type options struct {
	addr            string
	maxLine         int
	maxConns        int
	idleTimeout     time.Duration
	writeTimeout    time.Duration
	shutdownTimeout time.Duration
	minimal         bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its exit code returned: 0 after a graceful stop, 1 when it failed or
// had to force connections closed, 2 for bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(stderr, "echo-server:", err)
		}
		return 2
	}
	// Signals are caught before listening, so one that arrives at any time after the
	// "listening" line stops the server gracefully.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	if opts.minimal {
		return runMinimal(opts, signals, stdout, stderr)
	}
	srv, err := echo.Start(context.Background(), echo.Config{
		Addr: opts.addr, MaxLineBytes: opts.maxLine, MaxConns: opts.maxConns,
		IdleTimeout: opts.idleTimeout, WriteTimeout: opts.writeTimeout,
	})
	if err != nil {
		fmt.Fprintln(stderr, "echo-server:", err)
		return 1
	}
	cfg := srv.Config()
	fmt.Fprintf(stdout, "echo-server: listening on %s (max line %d B, max %s connections, idle timeout %s, write timeout %s); Ctrl-C stops\n",
		srv.Addr(), cfg.MaxLineBytes, limit(cfg.MaxConns), duration(cfg.IdleTimeout), duration(cfg.WriteTimeout))
	started := time.Now()

	sig := <-signals
	fmt.Fprintf(stdout, "echo-server: %v: stopping — no new connections; waiting up to %v for lines in flight (Ctrl-C again to force)\n",
		sig, opts.shutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), opts.shutdownTimeout)
	defer cancel()
	go func() {
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()
	shutdownErr := srv.Shutdown(ctx)
	fmt.Fprintf(stdout, "echo-server: stopped after %v: %v\n", time.Since(started).Round(time.Millisecond), srv.Stats())
	if shutdownErr != nil {
		fmt.Fprintf(stderr, "echo-server: connections still open were closed at once: %v\n", shutdownErr)
		return 1
	}
	return 0
}

// runMinimal serves with echo.Minimal, which has no graceful shutdown: a signal closes
// every connection at once.
func runMinimal(opts options, signals <-chan os.Signal, stdout, stderr io.Writer) int {
	srv, err := echo.StartMinimal(context.Background(), opts.addr)
	if err != nil {
		fmt.Fprintln(stderr, "echo-server:", err)
		return 1
	}
	fmt.Fprintf(stdout, "echo-server: listening on %s (minimal: io.Copy per connection, no limits); Ctrl-C stops\n", srv.Addr())
	sig := <-signals
	srv.Close()
	fmt.Fprintf(stdout, "echo-server: %v: closed every connection (the minimal server keeps no counters)\n", sig)
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("echo-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", defaultAddr, "`host:port` to listen on (port 0: any free port)")
	fs.IntVar(&o.maxLine, "max-line", echo.DefaultMaxLineBytes, "longest line in `bytes`, without its newline")
	fs.IntVar(&o.maxConns, "max-conns", echo.DefaultMaxConns, "connections served at once; -1: no limit")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", echo.DefaultIdleTimeout, "close a connection silent this long; -1s: never")
	fs.DurationVar(&o.writeTimeout, "write-timeout", echo.DefaultWriteTimeout, "close a connection whose echo cannot be written this long; -1s: never")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 5*time.Second, "on Ctrl-C, how long lines in flight may take before connections are closed at once")
	fs.BoolVar(&o.minimal, "minimal", false, "serve with the bare io.Copy server (no limits, no counters) instead")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: echo-server [flags]\n\nA TCP line-echo server; Ctrl-C stops it gracefully.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, errReported // the flag package has printed the error and the usage
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q: every setting is a flag (see -h)", fs.Arg(0))
	case o.maxLine < 1:
		return o, fmt.Errorf("-max-line = %d: must be >= 1", o.maxLine)
	case o.maxConns == 0 || o.maxConns < -1:
		return o, fmt.Errorf("-max-conns = %d: must be >= 1, or -1 for no limit", o.maxConns)
	case o.idleTimeout == 0:
		return o, errors.New("-idle-timeout = 0: give a duration such as 30s, or -1s for none")
	case o.writeTimeout == 0:
		return o, errors.New("-write-timeout = 0: give a duration such as 10s, or -1s for none")
	case o.shutdownTimeout <= 0:
		return o, fmt.Errorf("-shutdown-timeout = %v: must be > 0", o.shutdownTimeout)
	}
	if o.minimal {
		var limits []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "max-line", "max-conns", "idle-timeout", "write-timeout", "shutdown-timeout":
				limits = append(limits, "-"+f.Name)
			}
		})
		if len(limits) > 0 {
			return o, fmt.Errorf("-minimal has no limits, so %v cannot apply: drop them or drop -minimal", limits)
		}
	}
	return o, nil
}

func limit(n int) string {
	if n < 0 {
		return "unlimited"
	}
	return fmt.Sprint(n)
}

func duration(d time.Duration) string {
	if d < 0 {
		return "none"
	}
	return d.String()
}
