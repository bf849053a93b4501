package procpool

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrClosed is the error of tasks submitted to, or still unfinished in, a closed Pool.
var ErrClosed = errors.New("procpool: pool is closed")

// TaskError is the error of a task that produced no result. Err says why: the function's
// own error (as text: errors do not cross processes), a *WorkerExitError if the worker
// died while running it, a context error, or ErrClosed.
type TaskError struct {
	TaskID uint64
	Func   string
	Err    error
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("procpool: task %d (%s): %v", e.TaskID, e.Func, e.Err)
}

func (e *TaskError) Unwrap() error { return e.Err }

// WorkerExitError reports a worker process that exited while it was running a task,
// for example because it crashed or was killed.
type WorkerExitError struct {
	PID   int
	State *os.ProcessState // how it ended: exit status or signal
}

func (e *WorkerExitError) Error() string {
	return fmt.Sprintf("worker pid %d died mid-task: %v", e.PID, e.State)
}

// Signal returns the signal that killed the worker, or 0 if it exited by itself.
func (e *WorkerExitError) Signal() syscall.Signal {
	if e.State == nil {
		return 0
	}
	if ws, ok := e.State.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return 0
}
