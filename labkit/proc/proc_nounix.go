//go:build !unix

package proc

import (
	"errors"
	"os/exec"
)

func configure(cmd *exec.Cmd) {}

// KillGroup kills cmd's process; without Unix process groups, grandchildren survive.
func KillGroup(cmd *exec.Cmd) error {
	if cmd == nil || cmd.Process == nil {
		return errors.New("proc: KillGroup: process not started")
	}
	return cmd.Process.Kill()
}
