package pyecho_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/pyecho"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

func needPython(t *testing.T) {
	t.Helper()
	if _, err := pybaseline.Available(); err != nil {
		t.Skipf("SKIP (visible on purpose): %v; the Python echo baselines are not tested", err)
	}
}

func TestServerEchoesAndStops(t *testing.T) {
	needPython(t)
	s, err := pyecho.Start(t.Context(), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "12345678\n123456789\n")
	got, err := io.ReadAll(c)
	if want := "12345678\nERR line too long (max 8 bytes)\n"; err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q then end of file", got, err, want)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v, want a clean exit", err)
	}
	if c, err := net.Dial("tcp", s.Addr()); err == nil {
		c.Close()
		t.Error("the Python server still accepts connections after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestServerStopsWithItsContext(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithCancel(t.Context())
	s, err := pyecho.Start(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel = %v, want nil", err)
	}
	if c, err := net.Dial("tcp", s.Addr()); err == nil {
		c.Close()
		t.Error("the Python server outlived its context")
	}
}

func TestBadInput(t *testing.T) {
	if _, err := pyecho.Start(t.Context(), -1); err == nil || !strings.Contains(err.Error(), "maxLine") {
		t.Errorf("Start(-1) error = %v, want one naming maxLine", err)
	}
	tests := []struct {
		addr string
		cfg  load.Config
		want string
	}{
		{"127.0.0.1:1", load.Config{Clients: 0}, "Clients"},
		{"127.0.0.1:1", load.Config{Clients: 1, Messages: -1}, "Messages"},
		{"127.0.0.1:1", load.Config{Clients: 1, PayloadBytes: -1}, "PayloadBytes"},
		{"127.0.0.1:1", load.Config{Clients: 1, Payload: []byte("x")}, "Payload"},
		{"no port", load.Config{Clients: 1}, "addr"},
	}
	for _, tt := range tests {
		if _, err := pyecho.Run(t.Context(), tt.addr, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%q, %+v) error = %v, want one naming %s", tt.addr, tt.cfg, err, tt.want)
		}
	}
}

func TestPythonClientAgainstPythonServer(t *testing.T) {
	needPython(t)
	s, err := pyecho.Start(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := pyecho.Run(t.Context(), s.Addr(), load.Config{Clients: 5, Messages: 20, PayloadBytes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Echoed != 100 || r.Throughput <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Mean <= 0 {
		t.Errorf("report %+v: want 100 echoed with sane latencies", r)
	}
}

// The Python client's checks are real: a server that garbles one echo per connection is caught.
func TestPythonClientCatchesCorruption(t *testing.T) {
	needPython(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				r := bufio.NewReader(c)
				for n := 0; ; n++ {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if n == 1 {
						line = strings.ToUpper(line)
					}
					io.WriteString(c, line)
				}
			})
		}
	})
	r, err := pyecho.Run(t.Context(), ln.Addr().String(), load.Config{Clients: 3, Messages: 4, PayloadBytes: 12})
	if err == nil || r.Corrupted != 3 || r.Echoed != 9 {
		t.Errorf("Run = %+v, %v; want 3 corrupted (one per client) and an error", r, err)
	}
}

func TestRunHonoursContext(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := pyecho.Run(ctx, "127.0.0.1:9", load.Config{Clients: 1, Messages: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Run error = %v, want context.Canceled", err)
	}
}
