package sampler_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/sampler"
)

func TestRunStopsOnCancelAndRecordsInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	calls := 0
	probe := func() int {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return calls
	}
	done := make(chan []sampler.Sample)
	go func() {
		s, err := sampler.Run(ctx, time.Millisecond, probe)
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	// Wait for a few readings by their count, not by the clock.
	for {
		mu.Lock()
		n := calls
		mu.Unlock()
		if n >= 5 {
			break
		}
		runtime.Gosched()
	}
	cancel()
	samples := <-done
	if len(samples) < 5 {
		t.Fatalf("got %d samples, want >= 5", len(samples))
	}
	for i, s := range samples {
		if s.Value != i+1 {
			t.Fatalf("sample %d has value %d, want %d (one probe call per sample, in order)", i, s.Value, i+1)
		}
		if i > 0 && s.At < samples[i-1].At {
			t.Fatalf("sample %d at %v is before sample %d at %v", i, s.At, i-1, samples[i-1].At)
		}
	}
	if samples[0].At != 0 {
		t.Errorf("first sample at %v, want 0", samples[0].At)
	}
}

func TestRunOnCancelledContextReturnsTwoReadings(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	samples, err := sampler.Run(ctx, time.Hour, func() int { return 7 })
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 2 || samples[0].Value != 7 || samples[1].Value != 7 {
		t.Fatalf("got %v, want the first and the closing reading", samples)
	}
}

func TestRejectsBadArguments(t *testing.T) {
	ctx := context.Background()
	if _, err := sampler.Run(ctx, time.Millisecond, nil); err == nil || !strings.Contains(err.Error(), "probe") {
		t.Errorf("nil probe: err = %v, want one naming probe", err)
	}
	if _, err := sampler.Run(ctx, 0, func() int { return 0 }); err == nil || !strings.Contains(err.Error(), "interval") {
		t.Errorf("zero interval: err = %v, want one naming interval", err)
	}
	if _, err := sampler.Start(ctx, -time.Second, func() int { return 0 }); err == nil || !strings.Contains(err.Error(), "interval") {
		t.Errorf("negative interval: err = %v, want one naming interval", err)
	}
	if _, err := sampler.Start(ctx, time.Millisecond, nil); err == nil || !strings.Contains(err.Error(), "probe") {
		t.Errorf("Start nil probe: err = %v, want one naming probe", err)
	}
}

func TestStartTracksChannelDepth(t *testing.T) {
	ch := make(chan int, 10)
	r, err := sampler.Start(context.Background(), 200*time.Microsecond, sampler.Len(ch))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		ch <- i
	}
	// The closing reading is taken after Stop cancels, so it sees all ten.
	samples := r.Stop()
	if last := samples[len(samples)-1]; last.Value != 10 {
		t.Fatalf("last reading %d, want 10 buffered", last.Value)
	}
	peak, err := sampler.Peak(samples)
	if err != nil || peak.Value != 10 {
		t.Fatalf("Peak = %v, %v; want 10", peak, err)
	}
	again := r.Stop()
	if len(again) != len(samples) {
		t.Fatalf("second Stop returned %d samples, first %d", len(again), len(samples))
	}
}

func TestStartStopsWithParentContextAndConcurrentStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := sampler.Start(ctx, time.Millisecond, func() int { return 1 })
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if s := r.Stop(); len(s) < 2 {
				t.Errorf("Stop after parent cancel: %d samples, want >= 2", len(s))
			}
		})
	}
	wg.Wait()
	// goleak in TestMain proves the sampling goroutine is gone.
}

func TestLenAcceptsEveryDirection(t *testing.T) {
	ch := make(chan string, 3)
	ch <- "a"
	ch <- "b"
	var recv <-chan string = ch
	if got := sampler.Len(ch)(); got != 2 {
		t.Errorf("Len(bidirectional) = %d, want 2", got)
	}
	if got := sampler.Len(recv)(); got != 2 {
		t.Errorf("Len(receive-only) = %d, want 2", got)
	}
}

var retained [][]byte

func TestHeapBytesSeesRetainedAllocation(t *testing.T) {
	runtime.GC()
	before := sampler.HeapBytes()
	if before <= 0 {
		t.Fatalf("HeapBytes = %d, want > 0", before)
	}
	for range 64 {
		retained = append(retained, make([]byte, 1<<20))
	}
	after := sampler.HeapBytes()
	retained = nil
	if after-before < 32<<20 {
		t.Fatalf("HeapBytes grew by %d bytes after retaining 64 MiB, want >= 32 MiB", after-before)
	}
}

func TestPeakEmpty(t *testing.T) {
	if _, err := sampler.Peak(nil); err == nil {
		t.Fatal("Peak(nil) returned no error")
	}
}
