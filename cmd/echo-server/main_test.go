package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/internal/cmdtest"
	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// These tests run echo-server and echo-client as a user does: built binaries, started as
// processes, spoken to over 127.0.0.1 and stopped with SIGINT.

const patience = cmdtest.Patience

var binDir string // holds the built echo-server and echo-client

func TestMain(m *testing.M) {
	cmdtest.Main(m, &binDir, "github.com/go-concurrency-lab/lab/cmd/echo-server", "github.com/go-concurrency-lab/lab/cmd/echo-client")
}

// server is a running echo-server process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	out    *proc.Buffer // stdout after the "listening" line
	stderr *proc.Buffer
	exited chan struct{} // closed once the process has been waited for
	code   int           // its exit code, valid after exited is closed
}

// startServer runs echo-server with args plus -addr 127.0.0.1:0, and returns once it has
// printed the address it listens on.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	cmd := proc.Command(ctx, filepath.Join(binDir, "echo-server"), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, out: &proc.Buffer{}, stderr: &proc.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel() // kills it if a test left it running
		s.wait()
	})
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("echo-server printed %q then %v; stderr: %s", first, err, s.stderr)
	}
	const prefix = "echo-server: listening on "
	if !strings.HasPrefix(first, prefix) {
		t.Fatalf("first line %q, want it to start with %q", first, prefix)
	}
	s.addr, _, _ = strings.Cut(strings.TrimPrefix(first, prefix), " ")
	go func() {
		io.Copy(s.out, r)
		cmd.Wait() // after the copy: Wait closes the pipe
		s.code = cmd.ProcessState.ExitCode()
		close(s.exited)
	}()
	return s
}

// interrupt sends SIGINT and returns the exit code, failing the test if the process
// does not exit or leaves a process behind.
func (s *server) interrupt(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := s.wait()
	if kids, err := proc.Children(); err == nil && len(kids) > 0 {
		t.Errorf("processes left behind after SIGINT: %v", kids)
	}
	return code
}

func (s *server) wait() int {
	<-s.exited
	return s.code
}

// runTool runs a program to completion with stdin and returns its stdout, stderr and
// exit code.
func TestGoClientThenInterrupt(t *testing.T) {
	s := startServer(t, "-max-line", "1024")
	out, errOut, code := cmdtest.Run(t, "", filepath.Join(binDir, "echo-client"),
		"-addr", s.addr, "-clients", "20", "-messages", "50", "-payload", "100")
	if code != 0 || !strings.Contains(out, "echoed 1000/1000") {
		t.Fatalf("echo-client exited %d:\n%s%s", code, out, errOut)
	}
	if code := s.interrupt(t); code != 0 {
		t.Errorf("echo-server exited %d after SIGINT, want 0; stderr: %s", code, s.stderr)
	}
	if out := s.out.String(); !strings.Contains(out, "accepted=20 ") || !strings.Contains(out, "lines=1000 ") {
		t.Errorf("the stats printed at exit do not count 20 connections and 1000 lines:\n%s", out)
	}
}

// TestInterruptFinishesLineInFlight interrupts the server while a client is in the middle
// of a line: the line must still be echoed, then the connection closed, and the server
// must exit 0.
func TestInterruptFinishesLineInFlight(t *testing.T) {
	s := startServer(t)
	c, err := net.DialTimeout("tcp", s.addr, patience)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(patience))
	r := bufio.NewReader(c)
	// One small write on loopback arrives as one segment, so the server reads the start of
	// the second line together with the first: by the time "first" is echoed, a line is in
	// flight.
	io.WriteString(c, "first\nhalf a ")
	if got, err := r.ReadString('\n'); got != "first\n" {
		t.Fatalf("got %q, %v", got, err)
	}
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "line\n")
	if got, err := r.ReadString('\n'); got != "half a line\n" {
		t.Errorf("the line in flight at SIGINT came back as %q (%v), want it echoed whole", got, err)
	}
	if rest, err := io.ReadAll(r); err != nil || len(rest) > 0 {
		t.Errorf("after the echo, want end of file; got %q, %v", rest, err)
	}
	c.Close() // ends the server's drain of this connection
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d, want 0; stderr: %s", code, s.stderr)
	}
	if !strings.Contains(s.out.String(), "lines=2 ") {
		t.Errorf("stats do not count 2 lines:\n%s", s.out)
	}
}

func TestMinimal(t *testing.T) {
	s := startServer(t, "-minimal")
	out, errOut, code := cmdtest.Run(t, "", filepath.Join(binDir, "echo-client"), "-addr", s.addr, "-clients", "5", "-messages", "20")
	if code != 0 || !strings.Contains(out, "echoed 100/100") {
		t.Fatalf("echo-client against -minimal exited %d:\n%s%s", code, out, errOut)
	}
	if code := s.interrupt(t); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0; stderr: %s", code, s.stderr)
	}
}

// TestPeers talks to the server with programs this repository did not write.
func TestPeers(t *testing.T) {
	s := startServer(t, "-max-line", "32")
	host, port, _ := net.SplitHostPort(s.addr)
	input := "hello\n\tworld \r\nlast line without newline"
	peers := map[string][]string{
		"socat":   {"socat", "-t", "10", "-", "TCP:" + s.addr},
		"nc":      {"nc", "-N", host, port}, // -N: shut the socket down at end of input (OpenBSD nc)
		"python3": {"python3", "-c", pythonPeer, host, port},
	}
	for _, name := range []string{"socat", "nc", "python3"} {
		t.Run(name, func(t *testing.T) {
			argv := peers[name]
			if _, err := exec.LookPath(argv[0]); err != nil {
				t.Skipf("SKIP (visible on purpose): %s is not on PATH", argv[0])
			}
			if name == "nc" {
				if help, _ := exec.Command("nc", "-h").CombinedOutput(); !bytes.Contains(help, []byte("OpenBSD")) {
					t.Skip("SKIP (visible on purpose): nc is not OpenBSD netcat (no -N)")
				}
			}
			out, errOut, code := cmdtest.Run(t, input, argv[0], argv[1:]...)
			if code != 0 || out != input {
				t.Errorf("%s exited %d with %q, want %q; stderr: %s", name, code, out, input, errOut)
			}
			out, _, _ = cmdtest.Run(t, strings.Repeat("x", 33)+"\n", argv[0], argv[1:]...)
			if want := "ERR line too long (max 32 bytes)\n"; out != want {
				t.Errorf("%s sending a 33-byte line got %q, want %q", name, out, want)
			}
		})
	}
	if code := s.interrupt(t); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0; stderr: %s", code, s.stderr)
	}
}

// pythonPeer copies stdin to the server, half-closes, and prints everything it gets back.
const pythonPeer = `
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
while chunk := s.recv(4096):
    sys.stdout.buffer.write(chunk)
`

func TestBadFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := []struct {
		args     []string
		code     int
		wantText string
	}{
		{[]string{"-max-line", "0"}, 2, "-max-line = 0: must be >= 1"},
		{[]string{"-max-conns", "-5"}, 2, "-max-conns = -5"},
		{[]string{"-idle-timeout", "0s"}, 2, "-idle-timeout = 0"},
		{[]string{"-shutdown-timeout", "-1s"}, 2, "-shutdown-timeout = -1s"},
		{[]string{"-minimal", "-max-line", "10"}, 2, "-minimal has no limits"},
		{[]string{"-max-line", "lots"}, 2, `invalid value "lots" for flag -max-line`},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"7007"}, 2, `unexpected argument "7007"`},
		{[]string{"-addr", "not an address"}, 1, "echo: Start"},
		{[]string{"-addr", busy.Addr().String()}, 1, "address already in use"},
	}
	for _, c := range cases {
		_, errOut, code := cmdtest.Run(t, "", filepath.Join(binDir, "echo-server"), c.args...)
		if code != c.code || !strings.Contains(errOut, c.wantText) {
			t.Errorf("echo-server %q: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.wantText)
		}
	}
}
