//go:build unix

package sandbox

import (
	"os/exec"
	"syscall"
)

func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	// A negative pid signals the whole group the child leads.
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
