//go:build unix && !linux

package proc

import (
	"os/exec"
	"syscall"
)

// configure puts the child in its own process group. There is no Pdeathsig outside
// Linux: children that must not outlive us watch their parent themselves.
func configure(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
