package httpcost_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/httpcost"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

func TestMeasureGoAndPython(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading another process's CPU clock needs Linux's /proc")
	}
	ctx := t.Context()
	goSrv, err := httpcost.StartSelf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer goSrv.Close()
	servers := map[string]*echoproc.Server{"go": goSrv}
	if _, err := pybaseline.Available(); err != nil {
		t.Logf("no Python server: %v", err)
	} else {
		py, err := httpcost.StartPython(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer py.Close()
		servers["python"] = py
	}
	for name, srv := range servers {
		c, err := httpcost.Measure(ctx, srv, httpcost.Config{Clients: 4, Requests: 25, Path: "/hello"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Requests != 100 || c.Clients != 4 || c.P50 <= 0 || c.P99 < c.P50 || c.Throughput <= 0 {
			t.Errorf("%s: report %+v: want 100 requests from 4 clients, 0 < p50 <= p99", name, c.Report)
		}
		if c.CPU.Server < 0 || c.CPU.Client <= 0 || c.CPU.Machine < c.CPU.Server {
			t.Errorf("%s: CPU %+v: want server >= 0, client > 0, machine >= server", name, c.CPU)
		}
		t.Logf("%s: %v", name, c)
	}
	for name, srv := range servers {
		if err := srv.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := t.Context()
	for _, cfg := range []httpcost.Config{{Clients: 0, Requests: 1}, {Clients: 1, Requests: -1}, {Clients: 1, Timeout: -time.Second}} {
		if _, err := httpcost.Load(ctx, "127.0.0.1:1", cfg); err == nil || !strings.HasPrefix(err.Error(), "httpcost: Load: Config.") {
			t.Errorf("Load(%+v) = %v, want an error naming the bad field", cfg, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close() // nothing listens there any more
	r, err := httpcost.Load(ctx, nobody, httpcost.Config{Clients: 2, Requests: 3})
	if err == nil || r.Requests != 0 {
		t.Errorf("Load against a closed port = %v, %v; want an error and no requests", r, err)
	}
	srv, err := httpcost.StartSelf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := httpcost.Load(cancelled, srv.Addr(), httpcost.Config{Clients: 2, Requests: 3}); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context = %v, want context.Canceled", err)
	}
}

// http_fanout.py is notebook 14's Python fan-out; it is tested here, beside the server it
// is run against. Both scripts reject bad flags.
func TestPythonScripts(t *testing.T) {
	if _, err := pybaseline.Available(); err != nil {
		t.Skip(err)
	}
	ctx := t.Context()
	srv, err := httpcost.StartSelf(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var out struct {
		Bodies   []string `json:"bodies"`
		ElapsedS float64  `json:"elapsed_s"`
	}
	url := "http://" + srv.Addr() + "/hello"
	if err := pybaseline.Run(ctx, "http_fanout.py", &out, "--url", url, "--n", "5", "--workers", "2"); err != nil {
		t.Fatal(err)
	}
	if len(out.Bodies) != 5 || out.Bodies[4] != "hello" || out.ElapsedS <= 0 {
		t.Errorf("http_fanout.py printed %+v, want 5 bodies \"hello\" and a positive time", out)
	}
	for _, args := range [][]string{{"--url", url, "--workers", "0"}, {"--url", "ftp://x"}, {"--url", url, "--n", "-1"}} {
		if err := pybaseline.Run(ctx, "http_fanout.py", &out, args...); err == nil {
			t.Errorf("http_fanout.py %v succeeded, want a usage error", args)
		}
	}
	for _, args := range [][]string{{"--port", "70000"}, {"--backlog", "0"}} {
		if err := pybaseline.Run(ctx, "http_server.py", &out, args...); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("http_server.py %v = %v, want a usage error", args, err)
		}
	}
}
