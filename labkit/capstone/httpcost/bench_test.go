package httpcost_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/httpcost"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// BenchmarkHTTPServers compares notebook 14's Go server (hello, served by a copy of this
// test binary) with Python's ThreadingHTTPServer (baselines/python/http_server.py), each
// in a process of its own, under the same load from this process: 16 keep-alive clients
// asking for /hello. They take turns within every iteration, so both see the same machine.
//
// It reports each server's CPU time per request (its own process's CPU clock over its
// loads), the load client's, each side's p99 latency, and python/go: how many times more
// CPU the Python server spends per request. Throughput is left out on purpose: on a small
// machine the client shares the cores and caps both servers alike.
func BenchmarkHTTPServers(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reading another process's CPU clock needs Linux's /proc")
	}
	if _, err := pybaseline.Available(); err != nil {
		b.Skipf("no Python to compare with: %v", err)
	}
	ctx := context.Background()
	cfg := httpcost.Config{Clients: 16, Requests: 200, Path: "/hello"}
	goSrv, err := httpcost.StartSelf(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { goSrv.Close() })
	pySrv, err := httpcost.StartPython(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pySrv.Close() })
	var goTotal, pyTotal httpcost.Cost
	for b.Loop() {
		for _, side := range []struct {
			srv   *echoproc.Server
			total *httpcost.Cost
		}{{goSrv, &goTotal}, {pySrv, &pyTotal}} {
			c, err := httpcost.Measure(ctx, side.srv, cfg)
			if err != nil {
				b.Fatal(err)
			}
			side.total.Requests += c.Requests
			side.total.CPU.Server += c.CPU.Server
			side.total.CPU.Client += c.CPU.Client
			side.total.P99 = max(side.total.P99, c.P99)
		}
	}
	us := func(c httpcost.Cost, server bool) float64 {
		if server {
			return float64(c.ServerPerRequest().Nanoseconds()) / 1e3
		}
		return float64(c.ClientPerRequest().Nanoseconds()) / 1e3
	}
	b.ReportMetric(us(goTotal, true), "go-server-µs/req")
	b.ReportMetric(us(pyTotal, true), "python-server-µs/req")
	b.ReportMetric(us(goTotal, false), "client-µs/req")
	b.ReportMetric(float64(goTotal.P99.Microseconds()), "go-worst-p99-µs")
	b.ReportMetric(float64(pyTotal.P99.Microseconds()), "python-worst-p99-µs")
	if goTotal.CPU.Server > 0 {
		b.ReportMetric(float64(pyTotal.CPU.Server)/float64(pyTotal.Requests)/(float64(goTotal.CPU.Server)/float64(goTotal.Requests)), "python/go")
	}
	b.ReportMetric(0, "ns/op") // one op is a load on each server, not a unit worth comparing
}
