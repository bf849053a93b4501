// Package proc starts child processes that cannot outlive the program that started them,
// including copies of the running program itself (the re-exec-self pattern).
//
// Python's multiprocessing "spawn" starts a fresh interpreter that imports your module and
// runs one function; the Go analogue is to start [os.Executable] again with a role in its
// environment and have main (or TestMain, or a GoNB init_ function) check [Role] first.
// Every child runs in its own process group, which is killed as a whole on cancel, and on
// Linux it is also killed by the kernel if its parent dies (Pdeathsig), so an interrupted
// notebook cell leaves no orphans behind.
package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// RoleEnv is the environment variable that carries a re-executed child's role.
const RoleEnv = "LABKIT_ROLE"

// ErrUnsupported is returned by Children where there is no Linux /proc to read.
var ErrUnsupported = errors.New("proc: not supported on this platform (needs Linux /proc)")

// WaitDelay bounds how long Wait keeps copying a child's output after the child has
// exited (a grandchild can hold the pipe open); see [exec.Cmd.WaitDelay].
const WaitDelay = 2 * time.Second

// Role returns the role this process was started with by Self, or "" for a program
// started normally.
func Role() string { return os.Getenv(RoleEnv) }

// Command is [exec.CommandContext] with two guarantees: the child leads a new process
// group, and when ctx is done the whole group is killed (SIGKILL), not only the child.
// On Linux the child is also killed when the thread that started it exits (Pdeathsig).
// The Go runtime ends a thread only when a goroutine exits while locked to it
// ([runtime.LockOSThread] without an unlock), so call Start from an ordinary goroutine
// and this means: when this process dies. The caller still calls Start and Wait as usual.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	configure(cmd)
	cmd.Cancel = func() error { return KillGroup(cmd) }
	cmd.WaitDelay = WaitDelay
	return cmd
}

// Self returns a Command that runs this program's executable again with RoleEnv=role
// added to its environment, so that the copy can call Role to learn what to do.
// role must be non-empty. Variables that connect this process to a GoNB kernel's display
// pipes are removed: only the notebook cell itself may talk to the kernel.
func Self(ctx context.Context, role string, args ...string) (*exec.Cmd, error) {
	if role == "" {
		return nil, errors.New("proc: Self: role is empty: give the child something to do")
	}
	if strings.ContainsRune(role, 0) {
		return nil, fmt.Errorf("proc: Self: role %q contains a NUL byte", role)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("proc: Self: cannot find this program's executable: %w", err)
	}
	cmd := Command(ctx, exe, args...)
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, RoleEnv+"=") || strings.HasPrefix(kv, "GONB_PIPE") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, RoleEnv+"="+role)
	return cmd, nil
}
