package contention

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTimeRunsEveryOpExactlyOnce(t *testing.T) {
	for _, g := range []int{1, 3, 8} {
		for _, ops := range []int{0, 1, 7, 1000} {
			var calls atomic.Int64
			if _, err := Time(g, ops, func() { calls.Add(1) }); err != nil {
				t.Fatal(err)
			}
			if got := calls.Load(); got != int64(ops) {
				t.Errorf("Time(%d goroutines, %d ops) made %d calls", g, ops, got)
			}
		}
	}
}

func TestTimeUsesTheRequestedGoroutines(t *testing.T) {
	// Each op blocks until all 4 goroutines are inside one at the same time: this only
	// finishes if Time really runs 4 of them concurrently.
	const g = 4
	var inside atomic.Int64
	op := func() {
		inside.Add(1)
		for inside.Load() < g {
			runtime.Gosched()
		}
	}
	if _, err := Time(g, g, op); err != nil {
		t.Fatal(err)
	}
}

func TestSweepShapeAndLine(t *testing.T) {
	var made atomic.Int64
	cases := []Case{
		{Name: "atomic", New: func() func() { made.Add(1); var n atomic.Int64; return func() { n.Add(1) } }},
		{Name: "noop", New: func() func() { made.Add(1); return func() {} }},
	}
	steps, last := 0, [2]int{}
	res, err := Sweep(context.Background(), cases, Options{Levels: []int{1, 2}, BenchTime: time.Millisecond, Rounds: 2,
		Progress: func(done, total int) { steps, last = steps+1, [2]int{done, total} }})
	if err != nil {
		t.Fatal(err)
	}
	if made.Load() != 8 {
		t.Errorf("New called %d times, want once per round, case and level (8)", made.Load())
	}
	if steps != 8 || last != [2]int{8, 8} {
		t.Errorf("Progress called %d times, last with %v; want 8 calls, the last (8, 8)", steps, last)
	}
	if len(res.NsPerOp) != 2 || len(res.NsPerOp[0]) != 2 {
		t.Fatalf("grid shape %v", res.NsPerOp)
	}
	for i, row := range res.NsPerOp {
		for j, v := range row {
			if !(v > 0) {
				t.Errorf("NsPerOp[%d][%d] = %v, want > 0", i, j, v)
			}
		}
	}
	if v, ok := res.At("noop", 2); !ok || v != res.NsPerOp[1][1] {
		t.Errorf("At(noop, 2) = %v, %v", v, ok)
	}
	if _, ok := res.At("mutex", 1); ok {
		t.Error("At found a case that was not measured")
	}
	table, err := res.Chart("cost").Table()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "goroutines") || !strings.Contains(table, "atomic") {
		t.Errorf("table:\n%s", table)
	}
}

// measure grows the count until one run lasts the bench time, like testing.Benchmark.
func TestMeasureGrowsUntilBenchTime(t *testing.T) {
	var calls atomic.Int64
	const benchTime = 5 * time.Millisecond
	start := time.Now()
	ns, err := measure(context.Background(), benchTime, 2, func() {
		calls.Add(1)
		time.Sleep(10 * time.Microsecond)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !(ns > 0) || calls.Load() < 2 {
		t.Fatalf("ns/op = %v after %d calls: want a positive cost from more than one run", ns, calls.Load())
	}
	// The last run alone lasted at least benchTime, so the whole took longer.
	if took := time.Since(start); took < benchTime {
		t.Fatalf("measure returned after %v, before one run could last %v", took, benchTime)
	}
}

func TestMeasureStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	_, err := measure(ctx, time.Hour, 1, func() {
		if calls.Add(1) == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSweepCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Sweep(ctx, Primitives(), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSweepBadInput(t *testing.T) {
	ctx := context.Background()
	ok := Primitives()[:1]
	cases := []struct {
		cases []Case
		opts  Options
		want  string
	}{
		{nil, Options{}, "cases is empty"},
		{[]Case{{Name: "x"}}, Options{}, "Name and New"},
		{ok, Options{Levels: []int{1, 0}}, "Levels"},
		{ok, Options{BenchTime: -time.Second}, "BenchTime"},
		{ok, Options{Rounds: -1}, "Rounds"},
		{[]Case{{Name: "nil", New: func() func() { return nil }}}, Options{Levels: []int{1}}, "nil op"},
	}
	for _, c := range cases {
		if _, err := Sweep(ctx, c.cases, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Sweep(%v, %+v) error = %v, want it to mention %q", c.cases, c.opts, err, c.want)
		}
	}
	if _, err := Time(0, 1, func() {}); err == nil || !strings.Contains(err.Error(), "goroutines") {
		t.Errorf("Time(0 goroutines) error = %v", err)
	}
	if _, err := Time(1, -1, func() {}); err == nil || !strings.Contains(err.Error(), "ops") {
		t.Errorf("Time(-1 ops) error = %v", err)
	}
}

// The primitives must all protect their counter: run each under contention (and -race in CI).
func TestPrimitivesAreSafeForConcurrentUse(t *testing.T) {
	for _, c := range Primitives() {
		if _, err := Time(8, 10_000, c.New()); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
	}
}
