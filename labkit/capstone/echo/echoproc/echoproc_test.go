package echoproc_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/proc"
)

func startGo(t *testing.T, args ...string) *echoproc.Server {
	t.Helper()
	s, err := echoproc.StartGo(t.Context(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMeasureGoServers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SKIP (visible on purpose): reading another process's CPU time needs Linux")
	}
	for _, args := range [][]string{nil, {"-minimal"}} {
		t.Run(strings.Join(append([]string{"echo-server"}, args...), " "), func(t *testing.T) {
			s := startGo(t, args...)
			cost, err := echoproc.Measure(t.Context(), s, load.Config{Clients: 20, Messages: 500})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v", cost)
			r := cost.Report
			if r.Echoed != 10000 {
				t.Errorf("echoed %d of 10000", r.Echoed)
			}
			// Ten thousand round trips cannot cost the server no CPU at all, nor more than
			// every core for the whole run.
			limit := time.Duration(float64(r.Elapsed) * float64(runtime.NumCPU()))
			if cost.ServerCPU <= 0 || cost.ServerCPU > limit+20*time.Millisecond {
				t.Errorf("server CPU %v over a %v run on %d cores: not a plausible reading", cost.ServerCPU, r.Elapsed, runtime.NumCPU())
			}
			if cost.ClientCPU <= 0 || cost.ClientCPU > limit+20*time.Millisecond {
				t.Errorf("client CPU %v over a %v run on %d cores: not a plausible reading", cost.ClientCPU, r.Elapsed, runtime.NumCPU())
			}
			// The machine's counters tick every 10 ms per CPU and their window brackets the run
			// (read just before the clients start, just after they finish): allow for both.
			slack := 50*time.Millisecond + limit/20
			if cost.MachineCPU < cost.ServerCPU+cost.ClientCPU-slack || cost.MachineCPU > limit+slack {
				t.Errorf("machine CPU %v, server %v, client %v over a %v run on %d cores: the machine's must cover both and fit the cores",
					cost.MachineCPU, cost.ServerCPU, cost.ClientCPU, r.Elapsed, runtime.NumCPU())
			}
			if got, want := cost.ServerPerMessage(), cost.ServerCPU/10000; got != want {
				t.Errorf("ServerPerMessage = %v, want %v", got, want)
			}
			twice := cost.Plus(cost)
			if twice.Report.Echoed != 2*r.Echoed || twice.ServerCPU != 2*cost.ServerCPU || twice.MachineCPU != 2*cost.MachineCPU ||
				twice.ServerPerMessage() != cost.ServerPerMessage() || twice.Report.Throughput <= 0 {
				t.Errorf("cost.Plus(cost) = %+v: want twice the echoes and CPU, the same CPU per message", twice)
			}
			pid := s.Pid()
			if err := s.Close(); err != nil {
				t.Errorf("Close = %v, want a graceful exit", err)
			}
			if proc.Alive(pid) {
				t.Errorf("process %d still running after Close", pid)
			}
			if _, err := s.CPU(); err == nil {
				t.Error("CPU after Close: want an error")
			}
		})
	}
}

func TestStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s, err := echoproc.StartGo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel = %v, want nil", err)
	}
	if c, err := net.Dial("tcp", s.Addr()); err == nil {
		c.Close()
		t.Error("the server outlived its context")
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := echoproc.StartGo(t.Context(), "-max-line", "0"); err == nil || !strings.Contains(err.Error(), "-max-line = 0") {
		t.Errorf("StartGo with a bad flag: error %v, want one quoting echo-server's complaint", err)
	}
	if _, err := echoproc.Start(t.Context(), "sh", "-c", "echo hello there"); err == nil || !strings.Contains(err.Error(), `"hello there"`) {
		t.Errorf("a program that prints no address: error %v, want one quoting its output", err)
	}
	if _, err := echoproc.Start(t.Context(), "sh", "-c", "echo broken >&2; exit 3"); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("a program that fails: error %v, want one quoting its stderr", err)
	}
	if _, err := echoproc.Start(t.Context(), "/no/such/program"); err == nil {
		t.Error("a missing program: want an error")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := echoproc.StartGo(ctx); !errors.Is(err, context.Canceled) && err == nil {
		t.Errorf("StartGo with a cancelled context: error %v", err)
	}
}

// Start accepts a bare port (the Python server's way) and the first host:port in a line.
func TestAddressLines(t *testing.T) {
	for line, want := range map[string]string{
		"echo 41234": "127.0.0.1:41234",
		"echo 'listening on 127.0.0.1:5555 (x); ok'": "127.0.0.1:5555",
		"echo 'bound [::1]:6000,'":                   "[::1]:6000",
	} {
		s, err := echoproc.Start(t.Context(), "sh", "-c", line+"; exec sleep 60")
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if s.Addr() != want {
			t.Errorf("%s: Addr = %q, want %q", line, s.Addr(), want)
		}
		if err := s.Close(); err != nil {
			t.Errorf("%s: Close = %v (sleep is ended by SIGTERM: no error)", line, err)
		}
	}
}
