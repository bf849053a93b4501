// Package workload provides the two kinds of work every experiment in the lab is made of:
// CPU-bound work that keeps a core busy, and IO-like waits that keep none busy.
//
// All CPU work in the lab is one loop: a chain of multiply-and-shift steps, each needing
// the last, so the compiler can neither fold it away nor run two steps at once. [SpinIters]
// runs it for an exact number of iterations (worker processes and the Python baseline
// repeat it bit for bit); [Spin] and [SpinContext] run it in units of about a millisecond
// ([UnitTarget]), and [Burn] for a given CPU time, all through one per-process
// [Calibrate]. Waits ([Wait]) honour [context.Context], so cancelled experiments stop at
// once. These replace the seeds' common/workload.py and common/timing.py.
package workload

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// UnitTarget is the CPU time one unit of [Spin] aims for once calibrated.
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

// iterate is the loop itself: n steps of mix from x.
func iterate(n int64, x uint64) uint64 {
	for range n {
		x = mix(x)
	}
	return x
}

// Calibrate measures how many iterations of the loop make one unit ([UnitTarget]) on this
// machine and returns the result. It runs once per process (about 50 ms of CPU time, so
// longer on a busy machine); later calls return the cached value. Call it before starting a clock, so the measurement is not
// part of what is timed.
//
// Where the OS has a per-thread CPU clock (Linux: getrusage(RUSAGE_THREAD)) the loop is
// timed on it, so other programs taking the core during calibration do not make the loop
// look slow and every later unit short. Elsewhere it uses the wall clock. Either way it
// keeps the fastest of several timings, because interference only ever makes a timing
// longer.
func Calibrate() int64 {
	calibrateOnce.Do(func() {
		runtime.LockOSThread() // the CPU clock is per thread: stay on one
		defer runtime.UnlockOSThread()
		// Grow a batch until it is long enough to time reliably.
		iters := int64(1 << 12)
		for timeLoop(iters) < 5*time.Millisecond {
			iters *= 2
		}
		best := timeLoop(iters)
		for range 4 {
			best = min(best, timeLoop(iters))
		}
		itersPerUnit.Store(max(iters*int64(UnitTarget)/int64(best), 1))
	})
	return itersPerUnit.Load()
}

// timeLoop times iters iterations on the thread's CPU clock if it has one, else on the
// wall clock. The caller has locked the goroutine to its thread.
func timeLoop(iters int64) time.Duration {
	cpu0, cpuOK := threadCPUTime()
	start := time.Now()
	sink.Add(iterate(iters, uint64(iters)|1))
	wall := time.Since(start)
	if cpu1, ok := threadCPUTime(); cpuOK && ok && cpu1 > cpu0 {
		return cpu1 - cpu0
	}
	return max(wall, time.Nanosecond)
}

// spinChunk is how many iterations SpinIters runs between looks at its context: well
// under a millisecond on any machine, and rare enough to cost nothing.
const spinChunk = 1 << 16

// SpinIters runs the loop for exactly iters iterations starting from seed and returns
// the checksum. The same iters and seed give the same checksum in any process, which is
// how a program hands worker processes exactly the work it calibrated (and how
// baselines/python/cpu_bound.py is checked against Go). It looks at ctx every few
// hundred microseconds and returns ctx.Err() if it is done. iters must be >= 0.
//
// [Spin](n) is SpinIters(ctx, n*[Calibrate](), n+1).
func SpinIters(ctx context.Context, iters int64, seed uint64) (uint64, error) {
	if iters < 0 {
		return 0, fmt.Errorf("workload: SpinIters: iters = %d, want >= 0", iters)
	}
	x := seed | 1
	for iters > 0 {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n := min(iters, spinChunk)
		x = iterate(n, x)
		iters -= n
	}
	sink.Add(x)
	return x, nil
}

// Spin does units of CPU-bound work (about 1 ms each after calibration) and returns a
// checksum of it. units must be >= 0. It never yields voluntarily: it is the lab's
// stand-in for "pure Python number crunching".
func Spin(units int) (uint64, error) {
	if units < 0 {
		return 0, fmt.Errorf("workload: Spin: units = %d, want >= 0", units)
	}
	x := iterate(Calibrate()*int64(units), uint64(units+1)|1)
	sink.Add(x)
	return x, nil
}

// MustSpin is [Spin] for notebook cells: it panics on a negative count.
func MustSpin(units int) uint64 {
	x, err := Spin(units)
	if err != nil {
		panic(err)
	}
	return x
}

// SpinContext is [Spin] that checks ctx between units, returning ctx.Err() if it is
// cancelled part-way. It returns the number of units completed.
func SpinContext(ctx context.Context, units int) (done int, err error) {
	if units < 0 {
		return 0, fmt.Errorf("workload: SpinContext: units = %d, want >= 0", units)
	}
	per := Calibrate()
	for done = 0; done < units; done++ {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		sink.Add(iterate(per, uint64(done+1)|1))
	}
	return done, nil
}

// Burn keeps the calling goroutine busy for about d of CPU time (d / [UnitTarget] units
// of the calibrated loop), for work finer than a unit: a pricing step of 20 µs, say. Like
// [Spin] it never yields voluntarily. A negative d is an error; zero returns at once.
func Burn(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("workload: Burn: duration = %v, want >= 0", d)
	}
	if d == 0 {
		return nil
	}
	iters := float64(Calibrate()) * float64(d) / float64(UnitTarget)
	sink.Add(iterate(max(int64(iters), 1), uint64(d)|1))
	return nil
}

// Wait is the IO-bound stand-in (a network call): it parks on a timer for d without
// using a CPU, or until ctx is done, in which case it returns ctx.Err().
// A negative d is an error; zero returns at once.
func Wait(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("workload: Wait: duration = %v, want >= 0", d)
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
