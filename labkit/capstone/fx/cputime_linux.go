//go:build linux

package fx

import (
	"syscall"
	"time"
)

const rusageThread = 1 // RUSAGE_THREAD: this OS thread only

// threadCPUTime returns the CPU time the calling OS thread has used, so calibration can
// time the pricing loop without counting time other processes took the core.
func threadCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
