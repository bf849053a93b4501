// Package workload provides the two kinds of work every experiment in the lab is made of:
// CPU-bound units that keep a core busy, and IO-like waits that keep none busy.
//
// CPU units are calibrated on first use so that one unit takes about one millisecond on
// the reader's machine; the work feeds a result the compiler cannot discard. Waits honour
// context.Context so that cancelled experiments stop at once. These replace the seeds'
// common/workload.py and common/timing.py.
package workload

import (
	"context"
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// UnitTarget is the wall time one CPU unit aims for once calibrated.
const UnitTarget = time.Millisecond

var (
	calibrateOnce sync.Once
	itersPerUnit  atomic.Int64
	sink          atomic.Uint64 // results land here so the work is observable
)

// mix is a small xorshift-multiply step: cheap, branch-free, and impossible to fold
// at compile time because each step depends on the last.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 29
	return bits.RotateLeft64(x, 17) + 0x9e3779b97f4a7c15
}

func spin(iters int64, seed uint64) uint64 {
	x := seed | 1
	for i := int64(0); i < iters; i++ {
		x = mix(x)
	}
	return x
}

// Calibrate measures how many iterations make one unit on this machine and returns the
// result. It runs once per process (about 50 ms); later calls return the cached value.
// It keeps the fastest of several timings, because interference from other programs only
// ever makes a run slower, never faster.
func Calibrate() int64 {
	calibrateOnce.Do(func() {
		// Grow a batch until it is long enough to time reliably.
		iters := int64(1 << 12)
		for timeSpin(iters) < 5*time.Millisecond {
			iters *= 2
		}
		best := timeSpin(iters)
		for range 4 {
			best = min(best, timeSpin(iters))
		}
		itersPerUnit.Store(max(iters*int64(UnitTarget)/int64(best), 1))
	})
	return itersPerUnit.Load()
}

func timeSpin(iters int64) time.Duration {
	start := time.Now()
	sink.Add(spin(iters, uint64(iters)))
	return max(time.Since(start), time.Nanosecond)
}

// Spin does units of CPU-bound work (about 1 ms each after calibration) and returns a
// checksum of it. units must be >= 0. It never yields voluntarily: it is the lab's
// stand-in for "pure Python number crunching".
func Spin(units int) (uint64, error) {
	if units < 0 {
		return 0, fmt.Errorf("workload.Spin: units = %d, want >= 0", units)
	}
	per := Calibrate()
	x := spin(per*int64(units), uint64(units)+1)
	sink.Add(x)
	return x, nil
}

// MustSpin is Spin for notebook cells: it panics on a negative count.
func MustSpin(units int) uint64 {
	x, err := Spin(units)
	if err != nil {
		panic(err)
	}
	return x
}

// SpinContext is Spin that checks ctx between units, returning ctx.Err() if it is
// cancelled part-way. It returns the number of units completed.
func SpinContext(ctx context.Context, units int) (done int, err error) {
	if units < 0 {
		return 0, fmt.Errorf("workload.SpinContext: units = %d, want >= 0", units)
	}
	per := Calibrate()
	for done = 0; done < units; done++ {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		sink.Add(spin(per, uint64(done)+1))
	}
	return done, nil
}

// Wait is the IO-bound stand-in (a network call): it parks on a timer for d without
// using a CPU, or until ctx is done, in which case it returns ctx.Err().
// A negative d is an error; zero returns at once.
func Wait(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("workload.Wait: duration = %v, want >= 0", d)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if d == 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
