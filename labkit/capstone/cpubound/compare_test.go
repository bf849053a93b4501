package cpubound

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

func TestWorkerCounts(t *testing.T) {
	for cpus, want := range map[int][]int{1: {1}, 2: {1, 2}, 6: {1, 2, 4, 6}, 8: {1, 2, 4, 8}, 0: {1}} {
		if got := WorkerCounts(cpus); !slices.Equal(got, want) {
			t.Errorf("WorkerCounts(%d) = %v, want %v", cpus, got, want)
		}
	}
}

func TestComparisonRunsEveryWay(t *testing.T) {
	var calls atomic.Int32
	var steps int
	var last [2]int
	var ks []int
	c := Comparison{
		Batch: Batch{Tasks: 2, Units: 1}, Workers: []int{1, 2}, Rounds: 2,
		Goroutines: func(ctx context.Context, k int) error {
			calls.Add(1)
			ks = append(ks, k)
			_, err := runGoroutines(ctx, Batch{Tasks: 2, Units: 1}, k)
			return err
		},
		Progress: func(done, total int) { steps, last = steps+1, [2]int{done, total} },
	}
	s, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Two rounds of 1 sequential + 3 ways x 2 worker counts, then 2 Python runs.
	if steps != 16 || last != [2]int{16, 16} {
		t.Errorf("Progress called %d times, last with %v; want 16 calls, the last (16, 16)", steps, last)
	}
	// Two rounds, two worker counts, at GOMAXPROCS and at 1.
	if calls.Load() != 8 || !slices.Equal(ks[:4], []int{1, 1, 2, 2}) {
		t.Errorf("the caller's goroutines ran with k = %v", ks)
	}
	if s.Sequential <= 0 {
		t.Errorf("sequential time %v", s.Sequential)
	}
	for name, v := range map[string][]float64{"goroutines": s.Goroutines, "GOMAXPROCS=1": s.GOMAXPROCS1, "processes": s.Processes} {
		if len(v) != 2 || v[0] <= 0 || v[1] <= 0 {
			t.Errorf("%s speedups %v", name, v)
		}
	}
	if !s.PythonMissing && (len(s.PythonThreads) != 2 || len(s.PythonProcesses) != 2) {
		t.Errorf("python speedups %v %v", s.PythonThreads, s.PythonProcesses)
	}
	line := s.Chart("speedups")
	if len(line.X) != 2 || len(line.Ideal) != 2 || len(line.Series) < 3 {
		t.Errorf("chart %+v", line)
	}
	if sum := s.Summary(); !strings.Contains(sum, "at k = 2 (ideal 2x): goroutines") {
		t.Errorf("summary %q", sum)
	}
}

func TestComparisonRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]Comparison{
		"no workers":   {Batch: Batch{Tasks: 1, Units: 1}},
		"zero workers": {Batch: Batch{Tasks: 1, Units: 1}, Workers: []int{0}},
		"no tasks":     {Workers: []int{1}},
	} {
		if _, err := c.Run(ctx); err == nil || !strings.HasPrefix(err.Error(), "cpubound: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	boom := errors.New("boom")
	c := Comparison{Batch: Batch{Tasks: 1, Units: 1}, Workers: []int{1}, Rounds: 1,
		Goroutines: func(context.Context, int) error { return boom }}
	if _, err := c.Run(ctx); !errors.Is(err, boom) {
		t.Errorf("a failing Goroutines: err = %v", err)
	}
}
