package speedup

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tracker is a task that records which tasks ran and how many were in flight at once.
type tracker struct {
	mu       sync.Mutex
	ran      map[int]int
	inFlight atomic.Int64
	peak     atomic.Int64
}

func (tr *tracker) task(ctx context.Context, i int) error {
	n := tr.inFlight.Add(1)
	defer tr.inFlight.Add(-1)
	for {
		p := tr.peak.Load()
		if n <= p || tr.peak.CompareAndSwap(p, n) {
			break
		}
	}
	tr.mu.Lock()
	tr.ran[i]++
	tr.mu.Unlock()
	select {
	case <-time.After(2 * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestPoolRunsEveryTaskOnceWithinTheLimit(t *testing.T) {
	for _, workers := range []int{1, 3, 20} {
		tr := &tracker{ran: map[int]int{}}
		if _, err := Pool(context.Background(), workers, Batch{Tasks: 12, Task: tr.task}); err != nil {
			t.Fatal(err)
		}
		if len(tr.ran) != 12 {
			t.Errorf("workers=%d: %d distinct tasks ran, want 12", workers, len(tr.ran))
		}
		for i, n := range tr.ran {
			if n != 1 {
				t.Errorf("workers=%d: task %d ran %d times", workers, i, n)
			}
		}
		if p := tr.peak.Load(); p > int64(workers) {
			t.Errorf("workers=%d: %d tasks in flight at once", workers, p)
		}
	}
}

func TestPoolStopsOnFirstError(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int64
	task := func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 0 {
			return boom
		}
		<-ctx.Done() // would hang forever if the pool did not cancel
		return ctx.Err()
	}
	_, err := Pool(context.Background(), 2, Batch{Tasks: 100, Task: task})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n := started.Load(); n >= 100 {
		t.Errorf("all %d tasks started after the first failed", n)
	}
}

func TestPoolCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Pool(ctx, 4, Batch{Tasks: 5, Task: func(ctx context.Context, int int) error { return nil }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSweep(t *testing.T) {
	tr := &tracker{ran: map[int]int{}}
	res, err := sweep(context.Background(), Batch{Tasks: 8, Task: tr.task}, []int{1, 2, 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 3 || res.Points[0].Workers != 1 || res.Points[2].Workers != 8 {
		t.Fatalf("points %+v", res.Points)
	}
	if res.Points[0].Speedup != 1 || res.Points[0].Wall != res.Sequential {
		t.Errorf("size 1 should reuse the sequential run: %+v vs %v", res.Points[0], res.Sequential)
	}
	for _, p := range res.Points {
		if !(p.Speedup > 0) || p.Wall <= 0 {
			t.Errorf("point %+v", p)
		}
	}
	for i, n := range tr.ran { // sequential + sizes 2 and 8
		if n != 3 {
			t.Errorf("task %d ran %d times, want 3", i, n)
		}
	}
	l := res.Chart("io")
	if len(l.Ideal) != 3 || l.Ideal[2] != 8 {
		t.Errorf("ideal line %v", l.Ideal)
	}
	if _, err := l.Table(); err != nil {
		t.Error(err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	ok := Batch{Tasks: 1, Task: func(context.Context, int) error { return nil }}
	checks := []struct {
		err  error
		want string
	}{
		{second(Pool(ctx, 0, ok)), "workers"},
		{second(Pool(ctx, 1, Batch{Tasks: 0, Task: ok.Task})), "Tasks"},
		{second(Pool(ctx, 1, Batch{Tasks: 1})), "Task is nil"},
		{second(sweep(ctx, ok, nil)), "sizes is empty"},
		{second(sweep(ctx, ok, []int{2, 0})), "sizes contains 0"},
	}
	for _, c := range checks {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error = %v, want it to mention %q", c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestSweepBestKeepsTheFastest(t *testing.T) {
	const slow = 200 * time.Millisecond // far above any untimed run: a logic check, not a timing one
	var calls atomic.Int64
	// Every task of the first round's runs is slow; later rounds are fast. The best must
	// come from the fast rounds, and speedups must be recomputed from the kept walls.
	task := func(ctx context.Context, i int) error {
		if calls.Add(1) <= 4*3 { // round 1: sequential + sizes 2 and 4, 4 tasks each
			time.Sleep(slow)
		}
		return nil
	}
	res, err := SweepBest(context.Background(), Batch{Tasks: 4, Task: task}, []int{1, 2, 4}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sequential >= slow {
		t.Errorf("Sequential = %v, want the fast round's", res.Sequential)
	}
	for _, p := range res.Points {
		if p.Wall >= slow {
			t.Errorf("workers=%d kept the slow wall %v", p.Workers, p.Wall)
		}
		if p.Speedup != ratio(res.Sequential, p.Wall) {
			t.Errorf("workers=%d speedup %v not recomputed", p.Workers, p.Speedup)
		}
	}
	if res.Points[0].Wall != res.Sequential {
		t.Errorf("size 1 wall %v != sequential %v", res.Points[0].Wall, res.Sequential)
	}
	if _, err := SweepBest(context.Background(), Batch{Tasks: 1, Task: task}, []int{1}, 0); err == nil || !strings.Contains(err.Error(), "rounds") {
		t.Errorf("rounds=0: %v", err)
	}
}
