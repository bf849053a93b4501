// Package pyecho runs the lab's Python asyncio echo server and load client
// (baselines/python/echo_server.py and echo_client.py) from Go.
//
// They are the Python twins of the Go server and load client, and the names line up: Start
// is the Python server as [echoproc.StartGo] is the Go one (each in a process of its own),
// and Run is the Python load client as [load.Run] is the Go one (same line protocol, same
// byte-for-byte checks, same Report), so a notebook or benchmark can swap either side for
// Python and compare like with like. python3 is optional: both functions return an error
// wrapping [pybaseline.ErrNoPython] when it is missing, so callers can skip visibly.
package pyecho

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// Start starts echo_server.py on 127.0.0.1 at a free port and returns once it is
// listening. maxLine is the longest line it accepts (0 means its default, 64 KiB). The
// server runs in a process of its own, like one started by [echoproc.StartGo], so
// [echoproc.Measure] can read its CPU time. It is killed when ctx is done; Close stops it
// earlier.
func Start(ctx context.Context, maxLine int) (*echoproc.Server, error) {
	if maxLine < 0 {
		return nil, fmt.Errorf("pyecho: Start: maxLine = %d: must be >= 0", maxLine)
	}
	python, script, err := pybaseline.Script("echo_server.py")
	if err != nil {
		return nil, err
	}
	// --watch-stdin: the server exits when Close closes its stdin, even if the signal is lost.
	args := []string{script, "--port", "0", "--watch-stdin"}
	if maxLine > 0 {
		args = append(args, "--max-line", strconv.Itoa(maxLine))
	}
	return echoproc.Start(ctx, python, args...)
}

// clientJSON is what echo_client.py prints.
type clientJSON struct {
	Clients       int      `json:"clients"`
	Messages      int      `json:"messages"`
	PayloadBytes  int      `json:"payload_bytes"`
	Planned       int64    `json:"planned"`
	Echoed        int64    `json:"echoed"`
	Corrupted     int64    `json:"corrupted"`
	Lost          int64    `json:"lost"`
	Unsent        int64    `json:"unsent"`
	FailedClients int      `json:"failed_clients"`
	Errors        []string `json:"errors"`
	ElapsedS      float64  `json:"elapsed_s"`
	Throughput    float64  `json:"throughput"`
	MeanS         float64  `json:"mean_s"`
	P50S          float64  `json:"p50_s"`
	P95S          float64  `json:"p95_s"`
	P99S          float64  `json:"p99_s"`
	MaxS          float64  `json:"max_s"`
}

// Run runs echo_client.py against addr with cfg's clients, messages, payload size
// and timeout, and returns its numbers as a load.Report, with the same contract as
// load.Run: an error unless every message was echoed intact. cfg.Payload is not
// supported (the Python client generates its own messages).
func Run(ctx context.Context, addr string, cfg load.Config) (load.Report, error) {
	switch {
	case cfg.Clients <= 0:
		return load.Report{}, fmt.Errorf("pyecho: Run: Config.Clients = %d: must be >= 1", cfg.Clients)
	case cfg.Messages < 0:
		return load.Report{}, fmt.Errorf("pyecho: Run: Config.Messages = %d: must be >= 0", cfg.Messages)
	case cfg.PayloadBytes < 0:
		return load.Report{}, fmt.Errorf("pyecho: Run: Config.PayloadBytes = %d: must be >= 0", cfg.PayloadBytes)
	case len(cfg.Payload) > 0:
		return load.Report{}, errors.New("pyecho: Run: Config.Payload is not supported; set PayloadBytes")
	}
	host, port, err := splitAddr(addr)
	if err != nil {
		return load.Report{}, fmt.Errorf("pyecho: Run: %w", err)
	}
	size := cmp.Or(cfg.PayloadBytes, load.DefaultPayloadBytes)
	timeout := cmp.Or(cfg.Timeout, load.DefaultTimeout)
	if timeout < 0 {
		timeout = time.Hour
	}
	var out clientJSON
	err = pybaseline.Run(ctx, "echo_client.py", &out,
		"--host", host, "--port", port,
		"--clients", strconv.Itoa(cfg.Clients), "--messages", strconv.Itoa(cfg.Messages),
		"--payload-bytes", strconv.Itoa(size),
		"--timeout", strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64))
	if err != nil {
		return load.Report{}, err
	}
	seconds := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	r := load.Report{
		Clients: out.Clients, Messages: out.Messages, PayloadBytes: out.PayloadBytes,
		Planned: out.Planned, Echoed: out.Echoed, Corrupted: out.Corrupted, Lost: out.Lost, Unsent: out.Unsent,
		FailedClients: out.FailedClients, Errors: out.Errors,
		Elapsed: seconds(out.ElapsedS), Throughput: out.Throughput,
		Mean: seconds(out.MeanS), P50: seconds(out.P50S), P95: seconds(out.P95S), P99: seconds(out.P99S), Max: seconds(out.MaxS),
	}
	if r.Planned != int64(cfg.Clients)*int64(cfg.Messages) || r.Echoed+r.Corrupted+r.Lost+r.Unsent != r.Planned {
		return r, fmt.Errorf("pyecho: Run: echo_client.py's counts do not add up: %+v", out)
	}
	if !r.OK() {
		first := ""
		if len(r.Errors) > 0 {
			first = "; first error: " + r.Errors[0]
		}
		return r, fmt.Errorf("pyecho: %d of %d messages not echoed intact (corrupted %d, lost %d, unsent %d)%s",
			r.Planned-r.Echoed, r.Planned, r.Corrupted, r.Lost, r.Unsent, first)
	}
	return r, nil
}

func splitAddr(addr string) (host, port string, err error) {
	host, port, err = net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("addr %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}
