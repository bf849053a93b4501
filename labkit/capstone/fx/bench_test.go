package fx

import (
	"context"
	"os/exec"
	"testing"
)

// benchStrategies runs every strategy in strategies on cfg once per iteration (so load on
// the machine hits them alike) and reports each one's best throughput and best p99 over
// the iterations, plus each one's best throughput relative to the first strategy's.
func benchStrategies(b *testing.B, cfg Config, strategies []Strategy, short map[Strategy]string) {
	b.Helper()
	throughput := make([]float64, len(strategies))
	p99 := make([]float64, len(strategies))
	for b.Loop() {
		for i, s := range strategies {
			r, err := Run(context.Background(), cfg, s)
			if err != nil {
				b.Fatal(err)
			}
			throughput[i] = max(throughput[i], r.Throughput)
			if ms := float64(r.P99.Microseconds()) / 1000; p99[i] == 0 || ms < p99[i] {
				p99[i] = ms
			}
		}
	}
	for i, s := range strategies {
		b.ReportMetric(throughput[i], short[s]+"-orders/s")
		b.ReportMetric(p99[i], short[s]+"-p99-ms")
		if i > 0 {
			b.ReportMetric(throughput[i]/throughput[0], short[s]+"/"+short[strategies[0]]+"-speedup")
		}
	}
}

var shortNames = map[Strategy]string{
	Sequential: "seq", PerOrder: "goroutines", Pool: "pool", Pipeline: "pipeline",
	PythonAsyncio: "python-asyncio", PythonThreads: "python-threads",
}

// BenchmarkFXStrategies compares the Go strategies against Sequential on both mixes.
func BenchmarkFXStrategies(b *testing.B) {
	b.Run("io-heavy", func(b *testing.B) { benchStrategies(b, IOHeavy(), Strategies(), shortNames) })
	b.Run("cpu-heavy", func(b *testing.B) { benchStrategies(b, CPUHeavy(), Strategies(), shortNames) })
}

// BenchmarkFXGoVsPython runs the Go pool and both Python baselines on the same orders and
// reports Go's best throughput over each Python version's ("go/python-asyncio"). On the
// CPU-heavy mix each language prices for ~1 ms of its own calibrated CPU time per order,
// so the ratio compares how well each runs that work concurrently, not raw loop speed.
func BenchmarkFXGoVsPython(b *testing.B) {
	if _, err := exec.LookPath("python3"); err != nil {
		b.Skip("python3 not found on PATH: skipping the Go vs Python comparison")
	}
	for _, mix := range []struct {
		name string
		cfg  Config
	}{{"io-heavy", IOHeavy()}, {"cpu-heavy", CPUHeavy()}} {
		b.Run(mix.name, func(b *testing.B) {
			var goTP, asyncTP, threadTP float64
			for b.Loop() {
				for _, run := range []struct {
					s   Strategy
					acc *float64
				}{{Pool, &goTP}, {PythonAsyncio, &asyncTP}, {PythonThreads, &threadTP}} {
					r, err := Run(context.Background(), mix.cfg, run.s)
					if err != nil {
						b.Fatal(err)
					}
					*run.acc = max(*run.acc, r.Throughput) // best of the iterations
				}
			}
			b.ReportMetric(goTP, "go-pool-orders/s")
			b.ReportMetric(asyncTP, "python-asyncio-orders/s")
			b.ReportMetric(threadTP, "python-threads-orders/s")
			b.ReportMetric(goTP/asyncTP, "go/python-asyncio")
			b.ReportMetric(goTP/threadTP, "go/python-threads")
		})
	}
}
