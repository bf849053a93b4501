package cpubound

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/procpool"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
	"github.com/go-concurrency-lab/lab/labkit/proc"
	"github.com/go-concurrency-lab/lab/labkit/workload"
)

func newPool(t testing.TB, n int) *procpool.Pool {
	t.Helper()
	p, err := procpool.New(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		if kids, err := proc.Children(); err == nil && len(kids) != 0 {
			t.Errorf("children left after Close: %v", kids)
		}
	})
	return p
}

func TestEveryWayRunsTheBatch(t *testing.T) {
	ctx := context.Background()
	b := Batch{Tasks: 4, Units: 2}
	p := newPool(t, 2)
	for name, run := range map[string]func() (time.Duration, error){
		"Sequential": func() (time.Duration, error) { return sequential(ctx, b) },
		"Goroutines": func() (time.Duration, error) { return runGoroutines(ctx, b, 2) },
		"Processes":  func() (time.Duration, error) { return processes(ctx, p, b) },
	} {
		d, err := run()
		if err != nil || d <= 0 {
			t.Errorf("%s = %v, %v", name, d, err)
		}
	}
}

// A worker process does exactly the work this process asks for: same checksum.
func TestWorkersDoTheSameWork(t *testing.T) {
	p := newPool(t, 1)
	w := newWork(2)
	got, err := spinTask.Call(context.Background(), p, w)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := workload.Spin(2); got != want {
		t.Fatalf("worker checksum %d, here %d", got, want)
	}
	_, err = spinTask.Call(context.Background(), p, work{Units: -1, ItersPerUnit: 5})
	if err == nil || !strings.Contains(err.Error(), "units = -1") {
		t.Fatalf("negative units: err = %v", err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	cases := map[string]error{}
	_, cases["Tasks"] = sequential(ctx, Batch{Tasks: 0, Units: 1})
	_, cases["Units"] = runGoroutines(ctx, Batch{Tasks: 1, Units: -2}, 1)
	_, cases["workers"] = runGoroutines(ctx, Batch{Tasks: 1, Units: 1}, 0)
	_, cases["pool is nil"] = processes(ctx, nil, Batch{Tasks: 1, Units: 1})
	_, cases["workers = 0"] = runPython(ctx, Batch{Tasks: 1, Units: 1}, 0)
	_, cases["Units = 0"] = runPython(ctx, Batch{Tasks: 1, Units: 0}, 1)
	for want, err := range cases {
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(want)) {
			t.Errorf("err = %v, want one naming %q", err, want)
		}
	}
}

func TestCancelStopsEveryWay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := Batch{Tasks: 4, Units: 100}
	if _, err := sequential(ctx, b); !errors.Is(err, context.Canceled) {
		t.Errorf("Sequential: %v", err)
	}
	if _, err := runGoroutines(ctx, b, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("Goroutines: %v", err)
	}
	p := newPool(t, 2)
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := processes(ctx, p, Batch{Tasks: 4, Units: 10_000}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Processes: %v", err)
	}
	// The pool replaced the killed workers and still works.
	if _, err := spinTask.Call(context.Background(), p, newWork(1)); err != nil {
		t.Fatal(err)
	}
}

func needPython(t *testing.T) {
	t.Helper()
	if _, err := pybaseline.Available(); err != nil {
		t.Skipf("SKIP (visible): %v — the Python baseline is not exercised", err)
	}
}

// The Python script must do exactly workload's arithmetic: same iterations and seed,
// same checksum.
func TestPythonSpinIsWorkloadSpin(t *testing.T) {
	needPython(t)
	iters := workload.Calibrate()
	want, _ := workload.SpinIters(context.Background(), iters, 2)
	var out struct {
		Checksum uint64 `json:"checksum"`
	}
	err := pybaseline.Run(context.Background(), "cpu_bound.py", &out,
		"--check-iters", strconv.FormatInt(iters, 10), "--check-seed", "2")
	if err != nil {
		t.Fatal(err)
	}
	if out.Checksum != want {
		t.Fatalf("Python checksum %d, Go %d after %d iterations", out.Checksum, want, iters)
	}
}

func TestRunPython(t *testing.T) {
	needPython(t)
	res, err := runPython(context.Background(), Batch{Tasks: 4, Units: 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tasks != 4 || res.Units != 2 || res.Workers != 2 || res.Repeat != 3 || res.ItersPerUnit < 1 {
		t.Fatalf("echoed parameters wrong: %+v", res)
	}
	if res.SequentialS <= 0 || res.ThreadsS <= 0 || res.ProcessesS <= 0 || res.ProcessWorkers != 2 {
		t.Fatalf("missing measurements: %+v", res)
	}
	if res.ThreadsSpeedup() <= 0 || res.ProcessesSpeedup() <= 0 {
		t.Fatalf("speedups: %v %v", res.ThreadsSpeedup(), res.ProcessesSpeedup())
	}
	if (pythonRun{}).ThreadsSpeedup() != 0 {
		t.Fatal("speedup of nothing should be 0")
	}
}
