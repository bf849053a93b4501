package contention

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkPrimitive reports the standard ns/op of every primitive alone and under 8
// goroutines (notebook 03 draws the full 1..8 curve).
func BenchmarkPrimitive(b *testing.B) {
	for _, c := range Primitives() {
		for _, g := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", c.Name, g), func(b *testing.B) {
				benchRun(b, g, c.New())
			})
		}
	}
}

// BenchmarkPrimitiveCosts times every primitive alone and under 8 goroutines within the
// same run, and reports per-op costs and their ratios: how much dearer a mutex is than an
// atomic add, and how much contention multiplies each one's cost.
func BenchmarkPrimitiveCosts(b *testing.B) {
	const batch = 20_000
	const crowd = 8
	cases := Primitives()
	alone := make([]time.Duration, len(cases))
	crowded := make([]time.Duration, len(cases))
	for range b.N {
		for i, c := range cases {
			d1, err := Time(1, batch, c.New())
			if err != nil {
				b.Fatal(err)
			}
			d8, err := Time(crowd, batch, c.New())
			if err != nil {
				b.Fatal(err)
			}
			alone[i] += d1
			crowded[i] += d8
		}
	}
	ops := float64(b.N * batch)
	perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / ops }
	atomic1 := perOp(alone[indexOf(cases, "atomic")])
	for i, c := range cases {
		b.ReportMetric(perOp(alone[i]), c.Name+"-ns/op@1")
		b.ReportMetric(perOp(crowded[i]), c.Name+"-ns/op@8")
		b.ReportMetric(perOp(crowded[i])/perOp(alone[i]), c.Name+"-x@8/@1")
		if c.Name != "atomic" {
			b.ReportMetric(perOp(alone[i])/atomic1, c.Name+"/atomic@1")
		}
	}
}

// benchRun is Time as a benchmark body: b.N operations across goroutines, timed from the
// moment they may all start.
func benchRun(b *testing.B, goroutines int, op func()) {
	run(goroutines, b.N, op, b.ResetTimer)
	b.StopTimer()
}

func indexOf(cases []Case, name string) int {
	for i, c := range cases {
		if c.Name == name {
			return i
		}
	}
	panic("no case " + name)
}
