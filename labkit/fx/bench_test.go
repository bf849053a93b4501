package fx

import (
	"context"
	"os/exec"
	"testing"
)

// benchStrategies runs every strategy in strategies on cfg once per iteration and reports
// each one's mean throughput and p99, plus each one's throughput relative to the first.
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
			throughput[i] += r.Throughput
			p99[i] += float64(r.P99.Microseconds()) / 1000
		}
	}
	n := float64(b.N)
	for i, s := range strategies {
		b.ReportMetric(throughput[i]/n, short[s]+"-orders/s")
		b.ReportMetric(p99[i]/n, short[s]+"-p99-ms")
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
	b.Run("io-heavy", func(b *testing.B) { benchStrategies(b, IOHeavy(), Strategies, shortNames) })
	b.Run("cpu-heavy", func(b *testing.B) { benchStrategies(b, CPUHeavy(), Strategies, shortNames) })
}

// BenchmarkFXGoVsPython runs the Go pool and both Python baselines on the same orders and
// reports Go's throughput over each Python version's ("go/python-asyncio").
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
					*run.acc += r.Throughput
				}
			}
			n := float64(b.N)
			b.ReportMetric(goTP/n, "go-pool-orders/s")
			b.ReportMetric(asyncTP/n, "python-asyncio-orders/s")
			b.ReportMetric(threadTP/n, "python-threads-orders/s")
			b.ReportMetric(goTP/asyncTP, "go/python-asyncio")
			b.ReportMetric(goTP/threadTP, "go/python-threads")
		})
	}
}
