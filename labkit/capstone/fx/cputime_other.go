//go:build !linux

package fx

import "time"

// threadCPUTime is unavailable here; calibration falls back to wall time.
func threadCPUTime() (time.Duration, bool) { return 0, false }
