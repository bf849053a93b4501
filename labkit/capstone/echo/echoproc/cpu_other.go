//go:build !linux

package echoproc

import (
	"errors"
	"fmt"
	"time"
)

func processCPU(pid int) (time.Duration, error) {
	return 0, fmt.Errorf("echoproc: CPU time of another process needs Linux's /proc: %w", errors.ErrUnsupported)
}

func selfCPU() (time.Duration, error) {
	return 0, fmt.Errorf("echoproc: CPU time needs Linux: %w", errors.ErrUnsupported)
}

func machineCPU() (time.Duration, error) {
	return 0, fmt.Errorf("echoproc: machine CPU time needs Linux's /proc: %w", errors.ErrUnsupported)
}
