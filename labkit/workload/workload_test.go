package workload_test

import (
	"context"
	"errors"
	"fmt"
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
