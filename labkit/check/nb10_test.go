package check

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// echoConn is the handler notebook 10's first exercise ships with the stub (and keeps
// in the solution).
func echoConn(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// The stub: one connection at a time.
func serveSequential(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		echoConn(conn)
	}
}

// The reference solution (notebooks/solutions/10_tcp_echo/serve.gocell).
func serveConcurrent(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go echoConn(conn)
	}
}

// Concurrent, but upper-cases: not an echo.
func serveUpper(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			r := bufio.NewReader(conn)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				io.WriteString(conn, strings.ToUpper(line))
			}
		}()
	}
}

func TestEchoServeVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      func(net.Listener)
		wantErr string
	}{
		{"stub (one at a time)", serveSequential, "own goroutine"},
		{"solution", serveConcurrent, ""},
		{"not an echo", serveUpper, "newline included"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkEchoServe(c.fn)
			verdict(t, err, c.wantErr)
		})
	}
}

// The stub of the second exercise: echoes, never times out.
func idleStub(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// The reference solution (notebooks/solutions/10_tcp_echo/idle.gocell).
func idleSolution(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		conn.SetReadDeadline(time.Now().Add(idle))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

// Sets the deadline once: an active client is cut off at idle.
func idleOnce(conn net.Conn, idle time.Duration) {
	conn.SetReadDeadline(time.Now().Add(idle))
	echoConn(conn)
}

// Moves the deadline before every read, but hangs up after half of idle.
func idleTooSoon(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		conn.SetReadDeadline(time.Now().Add(idle / 2))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, line); err != nil {
			return
		}
	}
}

func TestIdleEchoVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		fn      func(net.Conn, time.Duration)
		wantErr string
	}{
		{"stub (no deadline)", idleStub, "SetReadDeadline"},
		{"solution", idleSolution, ""},
		{"deadline set once", idleOnce, "before every read"},
		{"hangs up after idle/2", idleTooSoon, "after 250ms, before idle (500ms) had passed"},
		{"nil", nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkIdleEcho(t, c.fn)
			verdict(t, err, c.wantErr)
		})
	}
}
