//go:build !linux

package workload

import "time"

// threadCPUTime is unavailable here (no per-thread CPU clock in the syscall package);
// Calibrate falls back to wall time.
func threadCPUTime() (time.Duration, bool) { return 0, false }
