package echo_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
)

// patience bounds every wait for an event in these tests. It is not a timing assertion:
// the events happen in milliseconds, and the bound only turns a bug into a failure
// instead of a hang.
const patience = 20 * time.Second

func startServer(t testing.TB, cfg echo.Config) *echo.Server {
	t.Helper()
	s, err := echo.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("echo: Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t testing.TB, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func write(t testing.TB, c net.Conn, s string) {
	t.Helper()
	c.SetWriteDeadline(time.Now().Add(patience))
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

// readN reads exactly n bytes.
func readN(t testing.TB, c net.Conn, n int) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(patience))
	buf := make([]byte, n)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("reading %d bytes: %v (got %q)", n, err, buf)
	}
	return string(buf)
}

// roundTrip sends line (which ends in '\n') and requires its exact echo.
func roundTrip(t testing.TB, c net.Conn, line string) {
	t.Helper()
	write(t, c, line)
	if got := readN(t, c, len(line)); got != line {
		t.Fatalf("echo = %q, want %q", got, line)
	}
}

// readToEOF reads until the server closes the connection, closes it too (so the server
// need not wait for it), and returns what arrived. It fails the test if the connection
// ends with anything but end of file.
func readToEOF(t testing.TB, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(patience))
	got, err := io.ReadAll(c)
	c.Close()
	if err != nil {
		t.Fatalf("reading to EOF: %v (got %d bytes: %.80q)", err, len(got), got)
	}
	return string(got)
}

// waitFor polls cond until it holds, failing the test after patience.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %v for %s", patience, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitIdle(t testing.TB, s *echo.Server) {
	t.Helper()
	waitFor(t, "no active connections", func() bool { return s.Stats().Active == 0 })
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
