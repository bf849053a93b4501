//go:build unix

package proc

import (
	"errors"
	"os/exec"
	"syscall"
)

// KillGroup sends SIGKILL to the process group led by cmd's process (started by Command
// or Self), which takes any grandchildren with it. Killing a group that has already
// gone is not an error.
func KillGroup(cmd *exec.Cmd) error {
	if cmd == nil || cmd.Process == nil {
		return errors.New("proc: KillGroup: process not started")
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
