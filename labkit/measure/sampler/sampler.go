// Package sampler records a number over time — a channel's length, the heap's size — so a
// notebook can draw how it evolved while the code under study ran.
//
// A [Probe] is any func() int. [Run] polls it at a fixed interval until its context is
// done and returns the samples; [Start] does the same in the background and hands back a
// [Running] whose Stop returns them. Backpressure is a story about queues filling and memory growing,
// and a depth-over-time line tells it better than any final number.
package sampler

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"sync"
	"time"
)

// Probe reports the current value of the quantity being sampled. It is called from the
// sampler's goroutine, so it must be safe to call concurrently with the code under study
// (len of a channel and the probes in this package are).
type Probe func() int

// Sample is one reading: the probe's value At an offset from the start of sampling.
type Sample struct {
	At    time.Duration
	Value int
}

// MinInterval is the shortest interval Run accepts; finer polling would measure the
// sampler more than the code under study.
const MinInterval = 100 * time.Microsecond

func validate(fn string, interval time.Duration, probe Probe) error {
	if probe == nil {
		return fmt.Errorf("sampler: %s: probe is nil", fn)
	}
	if interval < MinInterval {
		return fmt.Errorf("sampler: %s: interval = %v, want >= %v", fn, interval, MinInterval)
	}
	return nil
}

// Run reads probe once immediately and then every interval until ctx is done, and
// returns the samples in time order. Cancellation is the normal way to stop, so Run
// returns a nil error then; it errs only on a nil probe or an interval below MinInterval.
// Every sample is kept (16 bytes each), so for runs of minutes pick a coarser interval.
func Run(ctx context.Context, interval time.Duration, probe Probe) ([]Sample, error) {
	if err := validate("Run", interval, probe); err != nil {
		return nil, err
	}
	return run(ctx, interval, probe), nil
}

func run(ctx context.Context, interval time.Duration, probe Probe) []Sample {
	start := time.Now()
	samples := []Sample{{At: 0, Value: probe()}}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// One last reading, so the series ends at the moment sampling stopped.
			return append(samples, Sample{At: time.Since(start), Value: probe()})
		case <-tick.C:
			samples = append(samples, Sample{At: time.Since(start), Value: probe()})
		}
	}
}

// Running is a sampler started by Start.
type Running struct {
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
	samples []Sample
}

// Start is [Run] in a background goroutine. Sampling stops when ctx is done or Stop is
// called, whichever comes first; Stop then returns the samples. The goroutine is gone
// once Stop returns, so call Stop (typically deferred) even after ctx is cancelled.
func Start(ctx context.Context, interval time.Duration, probe Probe) (*Running, error) {
	if err := validate("Start", interval, probe); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Running{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.samples = run(ctx, interval, probe)
	}()
	return r, nil
}

// Stop ends sampling, waits for the sampling goroutine to exit and returns the samples.
// It may be called more than once and from several goroutines; every call returns the
// same samples.
func (r *Running) Stop() []Sample {
	r.once.Do(r.cancel)
	<-r.done
	return r.samples
}

// Len returns a Probe reporting how many elements are buffered in ch — the depth of a
// queue. It works for any channel direction.
func Len[T any](ch <-chan T) Probe {
	return func() int { return len(ch) }
}

// heapObjects is the runtime metric behind HeapBytes. Unlike runtime.ReadMemStats it
// does not stop the world, so sampling it every millisecond barely perturbs the program.
const heapObjects = "/memory/classes/heap/objects:bytes"

// HeapBytes is a Probe reporting the bytes occupied by heap objects: live ones plus dead
// ones the garbage collector has not freed yet. It is the memory an unbounded buffer
// makes grow.
func HeapBytes() int {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0 // metric unsupported by this runtime; the lab pins go 1.26, which has it
	}
	return int(s[0].Value.Uint64())
}

// ErrNoSamples is returned when a summary is asked of an empty series.
var ErrNoSamples = errors.New("sampler: no samples")

// Peak returns the largest value in samples and when it was first reached.
func Peak(samples []Sample) (Sample, error) {
	if len(samples) == 0 {
		return Sample{}, ErrNoSamples
	}
	peak := samples[0]
	for _, s := range samples[1:] {
		if s.Value > peak.Value {
			peak = s
		}
	}
	return peak, nil
}
