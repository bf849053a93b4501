package timing_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timing"
)

func TestSummarizeNearestRank(t *testing.T) {
	var runs []time.Duration
	for i := 20; i >= 1; i-- { // descending, to prove Summarize sorts a copy
		runs = append(runs, time.Duration(i)*time.Millisecond)
	}
	st := timing.Summarize(runs)
	if st.Min != time.Millisecond || st.Max != 20*time.Millisecond {
		t.Errorf("min/max = %v/%v, want 1ms/20ms", st.Min, st.Max)
	}
	if st.Median != 10*time.Millisecond {
		t.Errorf("median = %v, want 10ms (nearest rank)", st.Median)
	}
	if st.P95 != 19*time.Millisecond {
		t.Errorf("p95 = %v, want 19ms", st.P95)
	}
	if st.Mean != 10500*time.Microsecond {
		t.Errorf("mean = %v, want 10.5ms", st.Mean)
	}
	if runs[0] != 20*time.Millisecond || st.Runs[0] != 20*time.Millisecond {
		t.Errorf("input or Runs reordered: %v, %v", runs[0], st.Runs[0])
	}
}

// panicMessage runs f and returns what it panicked with ("" if it did not).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestMisusePanicsSayingWhat(t *testing.T) {
	for want, f := range map[string]func(){
		"timing: Repeat: runs = 0, want >= 1":       func() { timing.Repeat(0, func() {}) },
		"timing: Repeat: fn is nil":                 func() { timing.Repeat(3, nil) },
		"timing: Summarize: no runs":                func() { timing.Summarize(nil) },
		"timing: Interleave: rounds = 0, want >= 1": func() { timing.Interleave(0, func() {}) },
		"timing: Interleave: no functions to time":  func() { timing.Interleave(2) },
		"timing: Interleave: fns[1] is nil":         func() { timing.Interleave(2, func() {}, nil) },
	} {
		if got := panicMessage(f); got != want {
			t.Errorf("panic %q, want %q", got, want)
		}
	}
	if got := timing.Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil) = %v", got)
	}
}

func TestRepeatCallsFnNTimes(t *testing.T) {
	calls := 0
	st := timing.Repeat(7, func() { calls++ })
	if calls != 7 || len(st.Runs) != 7 {
		t.Fatalf("calls=%d runs=%d", calls, len(st.Runs))
	}
}

func TestStopwatch(t *testing.T) {
	var sw timing.Stopwatch
	if sw.Elapsed() != 0 {
		t.Fatal("zero Stopwatch should read 0")
	}
	sw.Start()
	a := sw.Lap()
	b := sw.Lap()
	if b < a || len(sw.Laps()) != 2 {
		t.Fatalf("laps not cumulative: %v", sw.Laps())
	}
	sw.Start()
	if len(sw.Laps()) != 0 {
		t.Fatal("Start should discard laps")
	}
}

func TestRound(t *testing.T) {
	cases := map[time.Duration]time.Duration{
		1234567 * time.Nanosecond:            1230 * time.Microsecond,
		123456789 * time.Nanosecond:          123 * time.Millisecond,
		1234 * time.Nanosecond:               1230 * time.Nanosecond,
		2*time.Second + 345*time.Millisecond: 2350 * time.Millisecond,
	}
	for in, want := range cases {
		if got := timing.Round(in); got != want {
			t.Errorf("Round(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestInterleaveTakesTurns(t *testing.T) {
	var order []string
	stats := timing.Interleave(3, func() { order = append(order, "a") }, func() { order = append(order, "b") })
	if got := fmt.Sprint(order); got != "[a b a b a b]" {
		t.Errorf("call order %s, want the functions taking turns", got)
	}
	if len(stats) != 2 || len(stats[0].Runs) != 3 || len(stats[1].Runs) != 3 {
		t.Errorf("stats %v, want 3 runs for each of 2 functions", stats)
	}
}

func ExampleInterleave() {
	sleep := func() { time.Sleep(time.Millisecond) }
	spin := func() {
		for start := time.Now(); time.Since(start) < time.Millisecond; {
		}
	}
	stats := timing.Interleave(3, sleep, spin) // sleep, spin, sleep, spin, sleep, spin
	fmt.Printf("sleep: %d runs, spin: %d runs\n", len(stats[0].Runs), len(stats[1].Runs))
	// Output: sleep: 3 runs, spin: 3 runs
}

func ExampleSummarize() {
	runs := []time.Duration{3 * time.Millisecond, 1 * time.Millisecond, 2 * time.Millisecond, 10 * time.Millisecond}
	st := timing.Summarize(runs)
	fmt.Println(st)
	// Output: n=4 min=1ms median=2ms p95=10ms max=10ms
}

func ExampleRepeat() {
	st := timing.Repeat(5, func() { time.Sleep(time.Millisecond) })
	fmt.Println(len(st.Runs), st.Min >= time.Millisecond)
	// Output: 5 true
}
