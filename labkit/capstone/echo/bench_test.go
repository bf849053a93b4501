package echo_test

import (
	"context"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/pyecho"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// BenchmarkEchoServers drives Server (all limits on), Minimal (io.Copy, no limits) and,
// when python3 is available, the Python asyncio echo server with the same load client,
// taking turns within every iteration so that all three see the same machine. It reports
// each one's best throughput over the iterations and the ratios: ours/minimal is the price of the limits (near 1
// means cheap), ours/python the Go-versus-asyncio factor.
func BenchmarkEchoServers(b *testing.B) {
	cfg := load.Config{Clients: 50, Messages: 200, PayloadBytes: 64}
	ctx := context.Background()
	ours, err := echo.Start(ctx, echo.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer ours.Close()
	minimal, err := echo.StartMinimal(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	defer minimal.Close()
	type target struct {
		name, addr string
		msgsPerSec float64 // the best iteration's: the least disturbed by the rest of the machine
	}
	targets := []*target{{name: "ours", addr: ours.Addr()}, {name: "minimal", addr: minimal.Addr()}}
	if _, err := pybaseline.Available(); err != nil {
		b.Logf("SKIP python: %v; only Go servers compared", err)
	} else {
		py, err := pyecho.StartServer(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer py.Close()
		targets = append(targets, &target{name: "python", addr: py.Addr()})
	}
	for b.Loop() {
		for _, t := range targets {
			r, err := load.Run(ctx, t.addr, cfg)
			if err != nil {
				b.Fatalf("%s: %v", t.name, err)
			}
			t.msgsPerSec = max(t.msgsPerSec, r.Throughput)
		}
	}
	best := map[string]float64{}
	for _, t := range targets {
		best[t.name] = t.msgsPerSec
		b.ReportMetric(t.msgsPerSec, t.name+"-msgs/s")
	}
	b.ReportMetric(best["ours"]/best["minimal"], "ours/minimal")
	if best["python"] > 0 {
		b.ReportMetric(best["ours"]/best["python"], "ours/python")
	}
}
