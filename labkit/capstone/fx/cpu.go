package fx

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The pricing step needs CPU work finer than workload.Spin's 1 ms unit, so it has its own
// loop, calibrated the same way: grow a batch until it takes long enough to time, then scale.
// It is timed on the thread's CPU clock where available (see timeLoop).

var (
	cpuOnce      sync.Once
	itersPerMsec float64
	cpuSink      atomic.Uint64 // results land here so the compiler keeps the work
)

// Calibrate measures the pricing loop, once per process (about 40 ms; later calls return
// at once). Run calls it before starting its clock, but a caller that gives the first Run
// a deadline should call it first, or the calibration spends part of that deadline.
func Calibrate() { calibrateCPU() }

func calibrateCPU() float64 {
	cpuOnce.Do(func() {
		iters := int64(1 << 12)
		for {
			took := timeLoop(iters)
			if took >= 10*time.Millisecond {
				// Keep the fastest of three batches: on a shared machine a slow batch means
				// we were preempted, not that the loop is slow.
				took = min(took, timeLoop(iters), timeLoop(iters))
				itersPerMsec = float64(iters) * float64(time.Millisecond) / float64(took)
				return
			}
			iters *= 2
		}
	})
	return itersPerMsec
}

// timeLoop times iters steps of the loop. It uses the thread's CPU time where the OS
// offers it, so that a busy machine (other processes taking the core) does not make the
// loop look slow and every later "1 ms" of pricing shorter; wall time elsewhere.
func timeLoop(iters int64) time.Duration {
	runtime.LockOSThread() // the CPU clock is per thread: stay on one
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPUTime()
	start := time.Now()
	cpuSink.Add(priceLoop(iters, uint64(iters)))
	wall := time.Since(start)
	if cpu1, ok := threadCPUTime(); cpuOK && ok && cpu1 > cpu0 {
		return cpu1 - cpu0
	}
	return wall
}

// priceLoop is the simulated pricing model: each step depends on the last, so it can be
// neither folded at compile time nor run in parallel with itself.
func priceLoop(iters int64, seed uint64) uint64 {
	x := seed | 1
	for i := int64(0); i < iters; i++ {
		x = fmix(x + 0x9e3779b97f4a7c15)
	}
	return x
}

// burn keeps one goroutine busy for about d of CPU time (it never sleeps or yields).
func burn(d time.Duration, seed uint64) {
	if d <= 0 {
		return
	}
	iters := int64(calibrateCPU() * float64(d) / float64(time.Millisecond))
	cpuSink.Add(priceLoop(max(iters, 1), seed))
}
