package main

import (
	"bufio"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/internal/cmdtest"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
)

// These tests run the built echo-client as a process against servers on 127.0.0.1; the
// server tests in cmd/echo-server run it against the echo-server program.

const patience = cmdtest.Patience

var bin string // holds the built echo-client

func TestMain(m *testing.M) {
	cmdtest.Main(m, &bin, "github.com/go-concurrency-lab/lab/cmd/echo-client")
}

func runClient(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return cmdtest.Run(t, "", filepath.Join(bin, "echo-client"), args...)
}

func TestEchoedIntact(t *testing.T) {
	srv, err := echo.Start(t.Context(), echo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out, errOut, code := runClient(t, "-addr", srv.Addr(), "-clients", "8", "-messages", "25", "-payload", "10")
	if code != 0 || !strings.Contains(out, "8 clients × 25 msgs (10 B): echoed 200/200") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	// The server counts a line after its write returns, which can be after the client read
	// the echo: let every connection finish (Shutdown waits for them) before reading.
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Lines != 200 {
		t.Errorf("the server echoed %d lines, want 200", st.Lines)
	}
}

// badServer serves each connection with handle until the test ends.
func badServer(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(patience))
				handle(c)
			})
		}
	})
	return ln.Addr().String()
}

func TestFailures(t *testing.T) {
	garbling := badServer(t, func(c net.Conn) { // echoes in upper case
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			io.WriteString(c, strings.ToUpper(line))
		}
	})
	losing := badServer(t, func(c net.Conn) { // echoes one line, then hangs up
		line, _ := bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, line)
	})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close() // nothing listens here any more
	cases := []struct {
		name, addr string
		wantOut    string
		wantErr    string
	}{
		{"garbled echo", garbling, "echoed 0/20 [corrupted 20, lost 0, unsent 0]", "echo differs"},
		{"lost echo", losing, "echoed 2/20 [corrupted 0, lost 2, unsent 16]", "read: EOF"},
		{"no server", closed.Addr().String(), "echoed 0/20", "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runClient(t, "-addr", c.addr, "-clients", "2", "-messages", "10")
			if code != 1 || !strings.Contains(out, c.wantOut) || !strings.Contains(errOut, c.wantErr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, %q and %q", code, out, errOut, c.wantOut, c.wantErr)
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	cases := []struct {
		args     []string
		wantText string
	}{
		{[]string{"-clients", "0"}, "-clients = 0: must be >= 1"},
		{[]string{"-messages", "-1"}, "-messages = -1: must be >= 1"},
		{[]string{"-payload", "0"}, "-payload = 0: must be >= 1"},
		{[]string{"-timeout", "0s"}, "-timeout = 0s: must be > 0"},
		{[]string{"-clients", "many"}, `invalid value "many" for flag -clients`},
		{[]string{"-verbose"}, "flag provided but not defined: -verbose"},
		{[]string{"127.0.0.1:7007"}, `unexpected argument "127.0.0.1:7007"`},
	}
	for _, c := range cases {
		_, errOut, code := runClient(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.wantText) {
			t.Errorf("echo-client %q: exit %d, stderr %q; want exit 2 and %q", c.args, code, errOut, c.wantText)
		}
	}
}
