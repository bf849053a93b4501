//go:build linux

package workload

import (
	"syscall"
	"time"
)

const rusageThread = 1 // RUSAGE_THREAD: this OS thread only

// threadCPUTime returns the CPU time the calling OS thread has used, so that Calibrate
// does not count the time other programs held the core.
func threadCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
