package echo_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/echoproc"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/load"
	"github.com/go-concurrency-lab/lab/labkit/capstone/echo/pyecho"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// BenchmarkEchoServers compares cmd/echo-server (Server, all limits on), echo-server
// -minimal (io.Copy, no limits) and, when python3 is available, the Python asyncio echo
// server. Every server runs in a process of its own and the load client in this one, taking
// turns within every iteration so that all see the same machine.
//
// It reports each server's CPU time per message (from the server process's CPU clock over
// its load runs) beside its best throughput. On a machine with few cores the client often
// needs as much CPU per message as the server, so throughput is capped by the client and
// the machine; CPU per message is the honest cost ratio: ours/minimal is the price of the
// limits (near 1 means cheap), python/ours the asyncio-versus-Go factor. client-µs/msg
// shows what the load client itself costs.
func BenchmarkEchoServers(b *testing.B) {
	cfg := load.Config{Clients: 50, Messages: 400, PayloadBytes: 64}
	ctx := context.Background()
	type target struct {
		name           string
		srv            *echoproc.Server
		bestMsgsPerSec float64       // the least disturbed iteration's
		total          echoproc.Cost // every iteration's, added up
	}
	var targets []*target
	add := func(name string, srv *echoproc.Server, err error) {
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		b.Cleanup(func() { srv.Close() })
		targets = append(targets, &target{name: name, srv: srv})
	}
	ours, err := echoproc.StartGo(ctx)
	add("ours", ours, err)
	minimal, err := echoproc.StartGo(ctx, "-minimal")
	add("minimal", minimal, err)
	if _, err := pybaseline.Available(); err != nil {
		b.Logf("SKIP python: %v; only Go servers compared", err)
	} else {
		py, err := pyecho.Start(ctx, 0)
		add("python", py, err)
	}
	for b.Loop() {
		for _, t := range targets {
			cost, err := echoproc.Measure(ctx, t.srv, cfg)
			if err != nil {
				b.Fatalf("%s: %v", t.name, err)
			}
			t.bestMsgsPerSec = max(t.bestMsgsPerSec, cost.Report.Throughput)
			t.total = t.total.Plus(cost)
		}
	}
	perMsg := map[string]float64{} // server µs of CPU per message, over every iteration
	var all echoproc.Cost
	for _, t := range targets {
		perMsg[t.name] = micros(t.total.ServerPerMessage())
		all = all.Plus(t.total)
		b.ReportMetric(t.bestMsgsPerSec, t.name+"-msgs/s")
		b.ReportMetric(perMsg[t.name], t.name+"-µs/msg")
	}
	b.ReportMetric(micros(all.ClientPerMessage()), "client-µs/msg")
	b.ReportMetric(all.MachineCores(), "machine-cores")
	b.ReportMetric(perMsg["ours"]/perMsg["minimal"], "ours/minimal-cpu")
	if perMsg["python"] > 0 {
		b.ReportMetric(perMsg["python"]/perMsg["ours"], "python/ours-cpu")
	}
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
