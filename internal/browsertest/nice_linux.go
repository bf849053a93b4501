package browsertest

import (
	"context"
	"os/exec"
	"syscall"
)

// StartBackground starts a browser as Start does, but every thread of it runs only on CPU
// time nothing else wants (Linux's SCHED_IDLE, set with chrt from util-linux, which every
// process and thread it starts inherits; Chromium's own thread priorities are nice values,
// which do not lift a thread out of SCHED_IDLE). It is for work done beside other work that
// must not be slowed: printing PDFs while the live front end's kernels run. Without chrt,
// and elsewhere than Linux, it is Start.
func StartBackground(ctx context.Context) (*Browser, error) {
	chrt, err := exec.LookPath("chrt")
	if err != nil {
		return Start(ctx)
	}
	return start(ctx, func(cmd *exec.Cmd) {
		cmd.Args = append([]string{chrt, "--idle", "0"}, cmd.Args...)
		cmd.Path = chrt
		// What chromedp does when no ModifyCmdFunc replaces it: the browser dies with us.
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	})
}
