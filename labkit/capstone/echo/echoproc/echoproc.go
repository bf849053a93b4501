// Package echoproc runs an echo server in a process of its own and measures what serving
// costs: the CPU time the server process spends per message, beside the throughput the
// load client sees.
//
// Throughput alone compares servers fairly only when the load client can saturate every
// one of them. On a small machine it often cannot: client and server share the cores, and
// a client that needs as much CPU per message as the server caps both. A server's own CPU
// time per message does not depend on how fast the client is, so it is the honest cost
// ratio. Start runs any server program that prints its port; StartGo builds and runs the
// lab's cmd/echo-server; StartSelf runs a server whose code is in this very program (a
// notebook cell); package pyecho starts the Python asyncio server the same way. Measure
// runs a [load.Run] against one of them and reads both processes' CPU clocks; MeasureCPU
// does the same around any load, such as an HTTP client's.
package echoproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/internal/labroot"
	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// startTimeout bounds how long a server may take to print its address.
const startTimeout = 15 * time.Second

// stopGrace is how long Close waits after SIGTERM before killing the server: longer than
// echo-server's default -shutdown-timeout, so a graceful stop is never cut short.
const stopGrace = 10 * time.Second

// Server is an echo server running in a child process. Its methods are safe for
// concurrent use.
type Server struct {
	name   string
	cmd    *exec.Cmd
	addr   string
	stdin  io.Closer // closed by Close: a server that watches stdin exits at its end
	done   chan struct{}
	err    error // Wait's result, valid after done is closed
	stderr *proc.Buffer

	closeOnce sync.Once
	closeErr  error
	cleanup   func() // removes what Start's caller built for this server, if anything
}

// Start runs the program name with args and returns once the program has printed the
// address it listens on: its first line of standard output must be a port number (as
// baselines/python/echo_server.py prints) or contain a host:port (as cmd/echo-server's
// "listening on 127.0.0.1:41234" does). The rest of its output is discarded, except that
// standard error is quoted in errors. The whole process group is killed when ctx is done;
// Close stops it gracefully earlier.
func Start(ctx context.Context, name string, args ...string) (*Server, error) {
	return start(ctx, proc.Command(ctx, name, args...))
}

// StartSelf runs a copy of this program with [proc.Self](ctx, role, args...) and returns
// once it has printed its address, as Start does: for a server whose code is in this
// program (a notebook cell, a test binary), which checks [proc.Role] first thing and
// serves instead of running the program.
func StartSelf(ctx context.Context, role string, args ...string) (*Server, error) {
	cmd, err := proc.Self(ctx, role, args...)
	if err != nil {
		return nil, fmt.Errorf("echoproc: %w", err)
	}
	return start(ctx, cmd)
}

func start(ctx context.Context, cmd *exec.Cmd) (*Server, error) {
	name := cmd.Path
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("echoproc: %w", err)
	}
	first := &firstLine{ready: make(chan struct{})}
	s := &Server{name: filepath.Base(name), cmd: cmd, stdin: stdin, done: make(chan struct{}), stderr: &proc.Buffer{}}
	cmd.Stdout, cmd.Stderr = first, s.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("echoproc: %w", err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-first.ready:
	case <-s.done: // exited (or was killed) before printing its address
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("echoproc: %s did not print its address within %v", s.name, startTimeout)
	}
	s.addr = addrIn(first.text())
	if s.addr == "" {
		s.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("echoproc: %w", ctx.Err())
		}
		return nil, fmt.Errorf("echoproc: %s printed %q instead of its address; stderr: %s",
			s.name, first.text(), strings.TrimSpace(s.stderr.String()))
	}
	return s, nil
}

// StartGo builds the lab's cmd/echo-server and runs it on 127.0.0.1 at a free port with
// args added, e.g. "-minimal" or "-max-line", "1024". It needs the go command and the lab's
// source tree (found from this package's source location, or $LABKIT_ROOT).
func StartGo(ctx context.Context, args ...string) (*Server, error) {
	root, err := labroot.Dir("cmd/echo-server/main.go")
	if err != nil {
		return nil, fmt.Errorf("echoproc: %w", err)
	}
	dir, err := os.MkdirTemp("", "echo-server")
	if err != nil {
		return nil, fmt.Errorf("echoproc: %w", err)
	}
	bin := filepath.Join(dir, "echo-server")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/echo-server")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("echoproc: building cmd/echo-server: %w: %s", err, bytes.TrimSpace(out))
	}
	s, err := Start(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.cleanup = func() { os.RemoveAll(dir) }
	return s, nil
}

// Addr is the address the server listens on, e.g. "127.0.0.1:41234".
func (s *Server) Addr() string { return s.addr }

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// CPU returns the CPU time (user and system) the server process has used so far, at the
// resolution of the kernel's clock tick (10 ms on most Linux systems). It needs Linux's
// /proc; elsewhere it returns an error wrapping [errors.ErrUnsupported].
func (s *Server) CPU() (time.Duration, error) {
	select {
	case <-s.done:
		return 0, fmt.Errorf("echoproc: %s has exited", s.name)
	default:
	}
	return processCPU(s.Pid())
}

// Close stops the server — SIGTERM, which the lab's servers answer with a graceful stop,
// then a kill if it has not exited within a few seconds — and waits for it. It returns nil
// if the server exited cleanly or was already stopped by its context. Calling it again
// returns the same result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		defer func() {
			if s.cleanup != nil {
				s.cleanup()
			}
		}()
		s.stdin.Close()
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(stopGrace):
			proc.KillGroup(s.cmd)
			<-s.done
			s.closeErr = fmt.Errorf("echoproc: %s ignored SIGTERM for %v and was killed", s.name, stopGrace)
			return
		}
		var exit *exec.ExitError
		if s.err != nil && !(errors.As(s.err, &exit) && !exit.Exited()) { // killed by ctx: not an error
			s.closeErr = fmt.Errorf("echoproc: %s: %w: %s", s.name, s.err, strings.TrimSpace(s.stderr.String()))
		}
	})
	return s.closeErr
}

// addrIn finds the listening address in a server's first line of output: a bare port
// (meaning 127.0.0.1) or the first word that is a host:port.
func addrIn(line string) string {
	if port, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && port > 0 && port < 1<<16 {
		return "127.0.0.1:" + strconv.Itoa(port)
	}
	for _, word := range strings.Fields(line) {
		host, port, err := net.SplitHostPort(strings.TrimRight(word, ",;:)"))
		if n, perr := strconv.Atoi(port); err == nil && perr == nil && n > 0 && n < 1<<16 {
			return net.JoinHostPort(host, port)
		}
	}
	return ""
}

// firstLine is a Writer that keeps the first line written to it and discards the rest.
// Only exec's copying goroutine calls Write; ready publishes the line.
type firstLine struct {
	buf   []byte
	line  string
	ready chan struct{}
}

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

// text is the first line, or "" if none has been written yet.
func (f *firstLine) text() string {
	select {
	case <-f.ready:
		return f.line
	default:
		return ""
	}
}
