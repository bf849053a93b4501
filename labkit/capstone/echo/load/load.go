// Package load drives a line-echo server with many concurrent clients and checks every
// echo byte for byte.
//
// Each client opens one connection and sends its messages one at a time, waiting for each
// echo before sending the next, so the round-trip time of every message is a latency
// sample. Nothing goes missing silently: every planned message ends up counted as echoed,
// corrupted, lost or unsent, and Run returns an error unless all of them were echoed.
package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timing"
)

// Defaults used when a Config field is zero.
const (
	DefaultPayloadBytes = 64
	DefaultTimeout      = 10 * time.Second
)

// maxErrorSamples bounds how many error messages a Report keeps.
const maxErrorSamples = 5

// Config describes one load run.
type Config struct {
	// Clients is the number of concurrent connections. Must be >= 1.
	Clients int
	// Messages is the number of messages each client sends. Must be >= 0.
	Messages int
	// PayloadBytes is the size of each message, not counting its '\n'; 0 means
	// DefaultPayloadBytes. Every message differs (it starts with its client and message
	// number), so an echo sent to the wrong client or out of order is caught.
	PayloadBytes int
	// Payload, if not empty, is sent as every message instead, and PayloadBytes is
	// ignored. It must not contain '\n'.
	Payload []byte
	// Timeout bounds connecting and each message's round trip; 0 means DefaultTimeout, a
	// negative value means no limit (the context still applies).
	Timeout time.Duration
}

func (c Config) validate() (Config, error) {
	switch {
	case c.Clients <= 0:
		return c, fmt.Errorf("load: Config.Clients = %d: must be >= 1", c.Clients)
	case c.Messages < 0:
		return c, fmt.Errorf("load: Config.Messages = %d: must be >= 0", c.Messages)
	case c.PayloadBytes < 0:
		return c, fmt.Errorf("load: Config.PayloadBytes = %d: must be >= 0 (0 means %d)", c.PayloadBytes, DefaultPayloadBytes)
	case bytes.IndexByte(c.Payload, '\n') >= 0:
		return c, fmt.Errorf("load: Config.Payload contains '\\n' at byte %d: a message is one line", bytes.IndexByte(c.Payload, '\n'))
	}
	if len(c.Payload) > 0 {
		c.PayloadBytes = len(c.Payload)
	}
	if c.PayloadBytes == 0 {
		c.PayloadBytes = DefaultPayloadBytes
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c, nil
}

// Report is the outcome of a run. Planned = Echoed + Corrupted + Lost + Unsent.
type Report struct {
	Clients, Messages, PayloadBytes int

	Planned   int64 // Clients × Messages
	Echoed    int64 // messages whose echo came back identical
	Corrupted int64 // messages whose echo came back different
	Lost      int64 // messages sent whose echo never came back
	Unsent    int64 // messages never sent because their connection failed first

	FailedClients int      // clients whose connection failed (dial, read, write or a garbled stream)
	Errors        []string // the first few failures, for the reader

	Elapsed    time.Duration // from the first dial to the last client finishing
	Throughput float64       // echoed messages per second of Elapsed
	// Latency of the echoed messages' round trips: mean, percentiles (nearest rank), max.
	Mean, P50, P95, P99, Max time.Duration
}

// OK reports whether every planned message was echoed intact.
func (r Report) OK() bool { return r.Echoed == r.Planned }

// String summarises the run on one line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d clients × %d msgs (%d B): echoed %d/%d", r.Clients, r.Messages, r.PayloadBytes, r.Echoed, r.Planned)
	if !r.OK() {
		fmt.Fprintf(&b, " [corrupted %d, lost %d, unsent %d]", r.Corrupted, r.Lost, r.Unsent)
	}
	fmt.Fprintf(&b, " in %v = %.0f msgs/s; latency mean=%v p50=%v p95=%v p99=%v max=%v",
		timing.Round(r.Elapsed), r.Throughput, timing.Round(r.Mean), timing.Round(r.P50), timing.Round(r.P95), timing.Round(r.P99), timing.Round(r.Max))
	return b.String()
}

// Run connects cfg.Clients clients to addr at once; each sends cfg.Messages messages one
// at a time and checks each echo. It returns the report and an error if any message was
// not echoed intact (the error says how many and why) or if ctx ended first (the error
// wraps ctx.Err(); the report counts what was done). Every connection is closed and
// every goroutine has returned by the time Run returns.
func Run(ctx context.Context, addr string, cfg Config) (Report, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return Report{}, err
	}
	if addr == "" {
		return Report{}, errors.New("load: addr is empty: give the server's host:port")
	}
	results := make([]clientResult, cfg.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range results {
		wg.Go(func() { results[i] = runClient(ctx, addr, i, cfg) })
	}
	wg.Wait()
	r := report(cfg, time.Since(start), results)
	if err := ctx.Err(); err != nil {
		return r, fmt.Errorf("load: stopped early, echoed %d of %d messages: %w", r.Echoed, r.Planned, err)
	}
	if !r.OK() {
		first := ""
		if len(r.Errors) > 0 {
			first = "; first error: " + r.Errors[0]
		}
		return r, fmt.Errorf("load: %d of %d messages not echoed intact (corrupted %d, lost %d, unsent %d; %d clients failed)%s",
			r.Planned-r.Echoed, r.Planned, r.Corrupted, r.Lost, r.Unsent, r.FailedClients, first)
	}
	return r, nil
}

// report adds up the clients' results of a run that took elapsed.
func report(cfg Config, elapsed time.Duration, results []clientResult) Report {
	r := Report{
		Clients: cfg.Clients, Messages: cfg.Messages, PayloadBytes: cfg.PayloadBytes,
		Planned: int64(cfg.Clients) * int64(cfg.Messages),
		Elapsed: elapsed,
	}
	var latencies []time.Duration
	for _, cr := range results {
		r.Echoed += cr.echoed
		r.Corrupted += cr.corrupted
		r.Lost += cr.lost
		r.Unsent += cr.unsent
		latencies = append(latencies, cr.latencies...)
		if cr.err != nil {
			r.FailedClients++
			if len(r.Errors) < maxErrorSamples {
				r.Errors = append(r.Errors, cr.err.Error())
			}
		}
	}
	if elapsed > 0 {
		r.Throughput = float64(r.Echoed) / elapsed.Seconds()
	}
	if len(latencies) > 0 {
		slices.Sort(latencies)
		var sum time.Duration
		for _, l := range latencies {
			sum += l
		}
		r.Mean = sum / time.Duration(len(latencies))
		r.P50 = timing.Percentile(latencies, 50)
		r.P95 = timing.Percentile(latencies, 95)
		r.P99 = timing.Percentile(latencies, 99)
		r.Max = latencies[len(latencies)-1]
	}
	return r
}

type clientResult struct {
	echoed, corrupted, lost, unsent int64
	latencies                       []time.Duration
	err                             error
}

func runClient(ctx context.Context, addr string, id int, cfg Config) (res clientResult) {
	res.unsent = int64(cfg.Messages)
	fail := func(msg int, err error) clientResult {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		res.err = fmt.Errorf("client %d, message %d: %w", id, msg, err)
		return res
	}
	d := net.Dialer{}
	if cfg.Timeout > 0 {
		d.Timeout = cfg.Timeout
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail(0, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	res.latencies = make([]time.Duration, 0, cfg.Messages)
	out := make([]byte, cfg.PayloadBytes+1)
	in := bufio.NewReaderSize(conn, max(4096, cfg.PayloadBytes+1))
	for m := range cfg.Messages {
		fillMessage(out, id, m, cfg.Payload)
		begin := time.Now()
		if cfg.Timeout > 0 {
			conn.SetDeadline(begin.Add(cfg.Timeout))
		}
		if _, err := conn.Write(out); err != nil {
			return fail(m, fmt.Errorf("write: %w", err))
		}
		res.unsent--
		echo, err := in.ReadSlice('\n')
		switch {
		case err == nil && bytes.Equal(echo, out):
			res.latencies = append(res.latencies, time.Since(begin))
			res.echoed++
		case err == nil:
			res.corrupted++
			if res.err == nil {
				res.err = fmt.Errorf("client %d, message %d: echo differs: sent %s, got %s", id, m, excerpt(out), excerpt(echo))
			}
		case errors.Is(err, bufio.ErrBufferFull):
			// An echo longer than the message: the stream can no longer be trusted.
			res.corrupted++
			return fail(m, fmt.Errorf("echo longer than the %d bytes sent: %s", len(out), excerpt(echo)))
		default:
			res.lost++
			if len(echo) > 0 {
				err = fmt.Errorf("%w after partial echo %s", err, excerpt(echo))
			}
			return fail(m, fmt.Errorf("read: %w", err))
		}
	}
	return res
}

// fillMessage writes message m of client id into out: payload (if set) or a printable
// line that starts with the client and message numbers, then '\n'.
func fillMessage(out []byte, id, m int, payload []byte) {
	body := out[:len(out)-1]
	out[len(out)-1] = '\n'
	if len(payload) > 0 {
		copy(body, payload)
		return
	}
	var scratch [48]byte
	header := append(strconv.AppendInt(append(scratch[:0], 'c'), int64(id), 10), ' ', 'm')
	header = append(strconv.AppendInt(header, int64(m), 10), ' ')
	n := copy(body, header)
	x := uint32(id)*2654435761 ^ uint32(m)*40503 | 1
	for i := n; i < len(body); i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		body[i] = 'a' + byte(x%26)
	}
}

func excerpt(b []byte) string {
	const limit = 40
	if len(b) <= limit {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q… (%d bytes)", b[:limit], len(b))
}
