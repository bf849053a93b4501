//go:build !linux

package proc

import (
	"os"
	"syscall"
)

// Children is only implemented on Linux; elsewhere it returns ErrUnsupported.
func Children() ([]int, error) { return nil, ErrUnsupported }

// Alive reports whether pid names a running process, using signal 0.
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}
