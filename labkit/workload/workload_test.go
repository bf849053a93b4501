package workload_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/workload"
)

func TestSpinIsDeterministicWork(t *testing.T) {
	a, err := workload.Spin(2)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := workload.Spin(2)
	c, _ := workload.Spin(3)
	if a != b {
		t.Errorf("same units gave different checksums %x, %x: the work is not deterministic", a, b)
	}
	if a == c {
		t.Errorf("different units gave the same checksum %x: the work may have been skipped", a)
	}
	if workload.Calibrate() < 1 {
		t.Error("calibration must be at least one iteration per unit")
	}
}

func TestBadInput(t *testing.T) {
	if _, err := workload.Spin(-1); err == nil {
		t.Error("Spin(-1): want error")
	}
	if _, err := workload.SpinContext(context.Background(), -1); err == nil {
		t.Error("SpinContext(-1): want error")
	}
	if err := workload.Wait(context.Background(), -time.Second); err == nil {
		t.Error("Wait(-1s): want error")
	}
	if _, err := workload.SpinIters(context.Background(), -1, 1); err == nil {
		t.Error("SpinIters(-1): want error")
	}
	if err := workload.Burn(-time.Millisecond); err == nil {
		t.Error("Burn(-1ms): want error")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustSpin(-1) should panic")
		}
	}()
	workload.MustSpin(-1)
}

func TestWaitHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- workload.Wait(ctx, time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait ignored cancellation")
	}
	if err := workload.Wait(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled ctx = %v, want Canceled", err)
	}
}

func TestSpinContextStopsBetweenUnits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done, err := workload.SpinContext(ctx, 1000)
	if !errors.Is(err, context.Canceled) || done != 0 {
		t.Fatalf("done=%d err=%v, want 0 units and Canceled", done, err)
	}
	done, err = workload.SpinContext(context.Background(), 3)
	if err != nil || done != 3 {
		t.Fatalf("done=%d err=%v, want 3 units", done, err)
	}
}

// Spin is SpinIters with the calibrated count, so a worker process handed the count does
// exactly the same work (same checksum).
func TestSpinItersIsSpin(t *testing.T) {
	for _, units := range []int{0, 1, 3} {
		want, _ := workload.Spin(units)
		got, err := workload.SpinIters(context.Background(), int64(units)*workload.Calibrate(), uint64(units+1))
		if err != nil || got != want {
			t.Errorf("SpinIters for %d units = %x, %v; Spin = %x", units, got, err, want)
		}
	}
	a, _ := workload.SpinIters(context.Background(), 1000, 7)
	b, _ := workload.SpinIters(context.Background(), 1001, 7)
	if a == b {
		t.Errorf("1000 and 1001 iterations gave the same checksum %x: the work may have been skipped", a)
	}
}

func TestSpinItersHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := workload.SpinIters(ctx, 1<<40, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("SpinIters on a cancelled ctx = %v, want Canceled", err)
	}
	if x, err := workload.SpinIters(ctx, 0, 1); err != nil || x == 0 {
		t.Fatalf("zero iterations = %x, %v; want the seed back and no error", x, err)
	}
}

// Burn spends CPU time on this thread: the thread's CPU clock (where the OS has one)
// must move. The bound is far below the 20 ms asked for: this checks that the clock
// counts this thread's work at all, not how fast the machine is.
func TestBurnUsesThisThreadsCPU(t *testing.T) {
	workload.Calibrate()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, ok := workload.ThreadCPUTime()
	if !ok {
		t.Skip("no per-thread CPU clock on this OS: Calibrate uses wall time")
	}
	if err := workload.Burn(20 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := workload.Burn(0); err != nil {
		t.Fatal(err)
	}
	after, _ := workload.ThreadCPUTime()
	if used := after - before; used < time.Millisecond {
		t.Fatalf("thread CPU time advanced %v over Burn(20ms)", used)
	}
}

func ExampleWait() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := workload.Wait(ctx, time.Minute) // gives up when the context does
	fmt.Println(err)
	// Output: context deadline exceeded
}

func ExampleSpin() {
	sum, err := workload.Spin(1) // about 1 ms of CPU work on any machine
	fmt.Println(sum != 0, err)
	// Output: true <nil>
}

// A worker process given the iteration count does exactly the caller's work.
func ExampleSpinIters() {
	iters := 2 * workload.Calibrate() // two units, as measured here
	sum, err := workload.SpinIters(context.Background(), iters, 3)
	same, _ := workload.Spin(2) // Spin(n) seeds with n+1
	fmt.Println(sum == same, err)
	// Output: true <nil>
}

// Burn is for CPU work finer than a unit, such as a 20 µs pricing step.
func ExampleBurn() {
	err := workload.Burn(20 * time.Microsecond)
	fmt.Println(err)
	// Output: <nil>
}
