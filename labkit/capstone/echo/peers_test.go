package echo_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/pyecho"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// Real peers: the same protocol spoken by programs this package did not write.

func needPython(t testing.TB) {
	t.Helper()
	if _, err := pybaseline.Available(); err != nil {
		t.Skipf("SKIP (visible on purpose): %v; Python peers not tested", err)
	}
}

func TestLoadClientAgainstPythonServer(t *testing.T) {
	needPython(t)
	py, err := pyecho.Start(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer py.Close()
	r, err := load.Run(t.Context(), py.Addr(), load.Config{Clients: 50, Messages: 40, PayloadBytes: 200})
	if err != nil {
		t.Fatalf("Go load client against the Python asyncio server: %v", err)
	}
	t.Logf("Go client → Python server: %v", r)
	if err := py.Close(); err != nil {
		t.Errorf("Python server exit: %v", err)
	}
}

func TestPythonClientAgainstServer(t *testing.T) {
	needPython(t)
	s := startServer(t, echo.Config{})
	r, err := pyecho.Run(t.Context(), s.Addr(), load.Config{Clients: 50, Messages: 40, PayloadBytes: 200})
	if err != nil {
		t.Fatalf("Python asyncio client against our server: %v", err)
	}
	t.Logf("Python client → Go server: %v", r)
	waitIdle(t, s)
	if st := s.Stats(); st.Lines != 2000 || st.Accepted != 50 || st.Errors+st.Resets != 0 {
		t.Errorf("server stats %v, want 2000 lines from 50 clients and no errors", st)
	}
}

// TestNetcat talks to the server with socat or OpenBSD nc, whichever is installed.
func TestNetcat(t *testing.T) {
	s := startServer(t, echo.Config{MaxLineBytes: 32})
	input := "hello\n\tworld \r\nlast line without newline"
	var tools [][]string
	host, port := "127.0.0.1", s.Addr()[strings.LastIndexByte(s.Addr(), ':')+1:]
	if _, err := exec.LookPath("socat"); err == nil {
		tools = append(tools, []string{"socat", "-t", "10", "-", "TCP:" + host + ":" + port})
	}
	if path, err := exec.LookPath("nc"); err == nil {
		help, _ := exec.Command(path, "-h").CombinedOutput()
		if bytes.Contains(help, []byte("OpenBSD")) { // -N (close on stdin EOF) is OpenBSD's
			tools = append(tools, []string{"nc", "-N", host, port})
		} else {
			t.Logf("nc at %s is not OpenBSD netcat; not used", path)
		}
	}
	if len(tools) == 0 {
		t.Skip("SKIP (visible on purpose): neither socat nor OpenBSD nc is on PATH")
	}
	for _, tool := range tools {
		t.Run(tool[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), patience)
			defer cancel()
			cmd := exec.CommandContext(ctx, tool[0], tool[1:]...)
			cmd.Stdin = strings.NewReader(input)
			cmd.WaitDelay = time.Second
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %v", tool, err)
			}
			if string(out) != input {
				t.Errorf("%s got %q, want %q", tool[0], out, input)
			}
			over := exec.CommandContext(ctx, tool[0], tool[1:]...)
			over.Stdin = strings.NewReader(strings.Repeat("x", 33) + "\n")
			over.WaitDelay = time.Second
			out, _ = over.Output()
			if want := "ERR line too long (max 32 bytes)\n"; string(out) != want {
				t.Errorf("%s sending an over-long line got %q, want %q", tool[0], out, want)
			}
		})
	}
}
