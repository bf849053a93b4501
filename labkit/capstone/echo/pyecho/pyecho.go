// Package pyecho runs the lab's Python asyncio echo server and load client
// (baselines/python/echo_server.py and echo_client.py) from Go.
//
// They are the Python twins of package echo and echo/load: the same line protocol and the
// same byte-for-byte checks, so a notebook or benchmark can swap either side for Python and
// compare like with like. python3 is optional: both functions return an error wrapping
// pybaseline.ErrNoPython when it is missing, so callers can skip visibly.
package pyecho

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// startTimeout bounds how long the Python server may take to report its port.
const startTimeout = 15 * time.Second

// stopGrace is how long Close waits after SIGTERM before killing the server.
const stopGrace = 3 * time.Second

// Server is a running echo_server.py.
type Server struct {
	cmd   *exec.Cmd
	addr  string
	stdin io.Closer // closing it tells the server (run with --watch-stdin) to exit
	done  chan struct{}
	err   error // Wait's result, valid after done is closed

	closeOnce sync.Once
	stderr    *strings.Builder
}

// StartServer starts echo_server.py on 127.0.0.1 at a free port and returns once it is
// listening. maxLine is the longest line it accepts (0 means its default, 64 KiB). The
// server is killed when ctx is done; Close stops it earlier.
func StartServer(ctx context.Context, maxLine int) (*Server, error) {
	if maxLine < 0 {
		return nil, fmt.Errorf("pyecho.StartServer: maxLine = %d: must be >= 0", maxLine)
	}
	python, err := pybaseline.Available()
	if err != nil {
		return nil, err
	}
	dir, err := pybaseline.Dir()
	if err != nil {
		return nil, err
	}
	args := []string{filepath.Join(dir, "echo_server.py"), "--port", "0", "--watch-stdin"}
	if maxLine > 0 {
		args = append(args, "--max-line", strconv.Itoa(maxLine))
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.WaitDelay = time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("pyecho.StartServer: %w", err)
	}
	portLine := &firstLine{ready: make(chan struct{})}
	cmd.Stdout = portLine
	s := &Server{cmd: cmd, stdin: stdin, done: make(chan struct{}), stderr: &strings.Builder{}}
	cmd.Stderr = &lockedWriter{w: s.stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pyecho.StartServer: %w", err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	var line string
	select {
	case <-portLine.ready:
		line = portLine.line
	case <-s.done: // exited (or was killed) before printing its port
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("pyecho.StartServer: echo_server.py did not report its port within %v", startTimeout)
	}
	port, err := strconv.Atoi(line)
	if err != nil || port <= 0 {
		s.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("pyecho.StartServer: echo_server.py printed %q instead of its port: %s", line, s.stderrText())
	}
	s.addr = "127.0.0.1:" + strconv.Itoa(port)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.addr }

// Close stops the server (SIGTERM, then a kill if it has not exited within a few
// seconds) and waits for it. It returns nil if the server exited cleanly or was already
// stopped by its context.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.stdin.Close()
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(stopGrace):
			s.cmd.Process.Kill()
			<-s.done
			err = fmt.Errorf("pyecho: echo_server.py ignored SIGTERM for %v and was killed", stopGrace)
			return
		}
		var exit *exec.ExitError
		if s.err != nil && !(errors.As(s.err, &exit) && !exit.Exited()) {
			err = fmt.Errorf("pyecho: echo_server.py: %w: %s", s.err, s.stderrText())
		}
	})
	return err
}

func (s *Server) stderrText() string {
	lw := s.cmd.Stderr.(*lockedWriter)
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return strings.TrimSpace(s.stderr.String())
}

// firstLine is a Writer that keeps the first line written to it and discards the rest.
type firstLine struct {
	buf   []byte
	line  string
	ready chan struct{} // closed once line is set
}

// Write is called by one goroutine only (exec's copier); ready publishes line.
func (f *firstLine) Write(p []byte) (int, error) {
	select {
	case <-f.ready:
		return len(p), nil
	default:
	}
	f.buf = append(f.buf, p...)
	if i := bytes.IndexByte(f.buf, '\n'); i >= 0 || len(f.buf) > 1024 {
		if i < 0 {
			i = len(f.buf)
		}
		f.line = strings.TrimSpace(string(f.buf[:i]))
		close(f.ready)
	}
	return len(p), nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
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

// RunClient runs echo_client.py against addr with cfg's clients, messages, payload size
// and timeout, and returns its numbers as a load.Report, with the same contract as
// load.Run: an error unless every message was echoed intact. cfg.Payload is not
// supported (the Python client generates its own messages).
func RunClient(ctx context.Context, addr string, cfg load.Config) (load.Report, error) {
	switch {
	case cfg.Clients <= 0:
		return load.Report{}, fmt.Errorf("pyecho.RunClient: Config.Clients = %d: must be >= 1", cfg.Clients)
	case cfg.Messages < 0:
		return load.Report{}, fmt.Errorf("pyecho.RunClient: Config.Messages = %d: must be >= 0", cfg.Messages)
	case cfg.PayloadBytes < 0:
		return load.Report{}, fmt.Errorf("pyecho.RunClient: Config.PayloadBytes = %d: must be >= 0", cfg.PayloadBytes)
	case len(cfg.Payload) > 0:
		return load.Report{}, errors.New("pyecho.RunClient: Config.Payload is not supported; set PayloadBytes")
	}
	host, port, err := splitAddr(addr)
	if err != nil {
		return load.Report{}, fmt.Errorf("pyecho.RunClient: %w", err)
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
		return r, fmt.Errorf("pyecho.RunClient: echo_client.py's counts do not add up: %+v", out)
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
