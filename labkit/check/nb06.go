package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

// runCommandsFunc is the signature of notebook 06's exercise.
type runCommandsFunc = func(ctx context.Context, limit int, cmds [][]string) ([]string, error)

// RunCommands checks notebook 06's exercise: fn must run the commands concurrently but
// never more than limit at once, return their outputs in the order of cmds, return the
// first failure (with its exit status) and stop the other commands then, and kill its
// commands when ctx is cancelled. The commands are small sh scripts that wait for the
// check's go-ahead, so it sees which run at once and chooses the order they end in. Real
// processes cannot run in a synctest bubble: this check waits on real time, with grace.
func RunCommands(t *testing.T, fn func(ctx context.Context, limit int, cmds [][]string) ([]string, error)) {
	t.Helper()
	if err := checkRunCommands(t, fn); err != nil {
		t.Fatal(err)
	}
}

func checkRunCommands(_ *testing.T, fn runCommandsFunc) error {
	if fn == nil {
		return errors.New("RunCommands is nil")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		return fmt.Errorf("the check runs sh scripts, and sh was not found: %v", err)
	}
	return inTurn(fn, runCommandsBoundedInOrder, runCommandsFirstFailure, runCommandsCancelled)()
}

// overLimitWindow is how long the check watches for more than limit commands at once
// after limit have started. A correct answer never gets there, however long the watch; an
// unbounded one starts all its commands within milliseconds.
const overLimitWindow = grace / 10

// runCommandsBoundedInOrder runs 6 held commands with limit 2 and ends them newest first,
// so they finish in another order than they were given.
func runCommandsBoundedInOrder(fn runCommandsFunc) error {
	const n, limit = 6, 2
	jobs, err := newHeldJobs(n)
	if err != nil {
		return err
	}
	call := jobs.start(context.Background(), fn, limit, jobs.cmds())
	defer jobs.end(call, nil)

	most := 0
	for released := range n {
		want := min(limit, n-released)
		running := jobs.waitRunning(want, grace, call)
		if released == 0 && len(running) >= want {
			running = jobs.watchMost(overLimitWindow)
		}
		most = max(most, len(running))
		switch {
		case call.returned():
			r := call.result()
			return fmt.Errorf("RunCommands returned (%q, %v) while %d of its %d commands had not finished: wait for all of them (g.Wait)", r.v, r.err, n-released, n)
		case most > limit:
			return fmt.Errorf("%d commands ran at once with limit = %d: bound them (errgroup's SetLimit(limit))", most, limit)
		case len(running) < want:
			return fmt.Errorf("only %d command(s) ran at once with limit = %d and %d still to run: run them concurrently, up to limit at once (errgroup with SetLimit)", len(running), limit, n-released)
		}
		if err := jobs.finish(slices.Max(running)); err != nil {
			return err
		}
	}
	r, ok := call.wait(grace)
	switch {
	case !ok:
		return fmt.Errorf("RunCommands did not return within %v after all %d commands finished", grace, n)
	case r.err != nil:
		return fmt.Errorf("RunCommands returned an error although every command succeeded: %w", r.err)
	case len(r.v) != n:
		return fmt.Errorf("RunCommands returned %d outputs for %d commands", len(r.v), n)
	}
	for i, out := range r.v {
		if want := heldJobOutput(i); out != want {
			return fmt.Errorf("output %d is %q, want %q (the output of command %d): the commands finished in another order than given; store each output at its command's index", i, out, want, i)
		}
	}
	return nil
}

// runCommandsFirstFailure runs 4 commands with limit 2; the second exits with status 3
// at once, and the others would wait for ever. RunCommands must return that failure and
// kill the others.
func runCommandsFirstFailure(fn runCommandsFunc) error {
	const n, limit, failing = 4, 2, 1
	jobs, err := newHeldJobs(n)
	if err != nil {
		return err
	}
	cmds := jobs.cmds()
	cmds[failing] = []string{"sh", "-c", "exit 3"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	call := jobs.start(ctx, fn, limit, cmds)
	defer jobs.end(call, cancel)

	r, ok := call.wait(2 * grace)
	if !ok {
		return fmt.Errorf("RunCommands did not return within %v after %q exited with status 3 while the other commands waited: "+
			"return the error from g.Go, so errgroup.WithContext cancels its ctx, and start each command with exec.CommandContext(ctx, ...), so that kills it", 2*grace, cmds[failing])
	}
	var exit *exec.ExitError
	switch {
	case r.err == nil:
		return fmt.Errorf("RunCommands returned no error although %q exited with status 3: return the error from g.Go", cmds[failing])
	case errors.As(r.err, &exit) && exit.ExitCode() != 3:
		return fmt.Errorf("RunCommands returned %v: want the failure of %q, exit status 3", r.err, cmds[failing])
	case exit == nil && !strings.Contains(r.err.Error(), "exit status 3"):
		return fmt.Errorf("RunCommands returned %q, which does not say which command failed or how: wrap the command's error with %%w", r.err)
	}
	return jobs.noneAlive("after RunCommands returned the first failure")
}

// runCommandsCancelled cancels ctx while two held commands run.
func runCommandsCancelled(fn runCommandsFunc) error {
	const n, limit = 4, 2
	jobs, err := newHeldJobs(n)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	call := jobs.start(ctx, fn, limit, jobs.cmds())
	defer jobs.end(call, cancel)

	if running := jobs.waitRunning(limit, grace, call); len(running) < limit {
		return fmt.Errorf("only %d command(s) ran at once with limit = %d", len(running), limit)
	}
	cancel()
	r, ok := call.wait(grace)
	switch {
	case !ok:
		return fmt.Errorf("RunCommands did not return within %v after its ctx was cancelled: start each command with exec.CommandContext(ctx, ...), which kills it when ctx ends", grace)
	case r.err == nil:
		return errors.New("RunCommands returned no error after its ctx was cancelled while commands ran: report the failure (g.Wait returns it)")
	}
	return jobs.noneAlive("after RunCommands returned from a cancelled ctx")
}

// heldJobs are sh commands that each record their pid in a file run.<i> in dir, then
// wait until the check creates go.<i>, remove run.<i> and print heldJobOutput(i). A job
// gives up after a minute, or as soon as dir is gone, so none can outlive the check by
// much whatever the code under test does.
type heldJobs struct {
	dir  string
	n    int
	pids map[int]int // job -> pid, for every job seen running
}

const heldJobScript = `echo $$ > "$1/pid.$2" && mv "$1/pid.$2" "$1/run.$2" || exit 9
i=0
while [ -d "$1" ] && [ ! -e "$1/go.$2" ] && [ $i -lt 6000 ]; do sleep 0.01; i=$((i+1)); done
[ -e "$1/go.$2" ] || exit 9
rm -f "$1/run.$2"
echo "job $2"`

func heldJobOutput(i int) string { return fmt.Sprintf("job %d\n", i) }

func newHeldJobs(n int) (*heldJobs, error) {
	dir, err := os.MkdirTemp("", "check-nb06-")
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	return &heldJobs{dir: dir, n: n, pids: map[int]int{}}, nil
}

func (h *heldJobs) cmds() [][]string {
	cmds := make([][]string, h.n)
	for i := range cmds {
		cmds[i] = []string{"sh", "-c", heldJobScript, "sh", h.dir, strconv.Itoa(i)}
	}
	return cmds
}

// runCall is a call of the code under test running in its own goroutine.
type runCall struct {
	done <-chan outcome[[]string]
	got  *outcome[[]string]
}

func (h *heldJobs) start(ctx context.Context, fn runCommandsFunc, limit int, cmds [][]string) *runCall {
	return &runCall{done: goCall(func() outcome[[]string] {
		out, err := fn(ctx, limit, cmds)
		return outcome[[]string]{out, err}
	})}
}

// returned reports, without waiting, whether the call has returned.
func (c *runCall) returned() bool {
	_, ok := c.wait(0)
	return ok
}

func (c *runCall) wait(d time.Duration) (outcome[[]string], bool) {
	if c.got == nil {
		var r outcome[[]string]
		var ok bool
		if d == 0 {
			select {
			case r, ok = <-c.done:
			default:
			}
		} else {
			r, ok = await(c.done, d)
		}
		if !ok {
			return r, false
		}
		c.got = &r
	}
	return *c.got, true
}

func (c *runCall) result() outcome[[]string] { r, _ := c.wait(0); return r }

// running returns the jobs running now, recording their pids.
func (h *heldJobs) running() []int {
	var jobs []int
	for i := range h.n {
		b, err := os.ReadFile(filepath.Join(h.dir, "run."+strconv.Itoa(i)))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			h.pids[i] = pid
			jobs = append(jobs, i)
		}
	}
	return jobs
}

// waitRunning polls until at least want jobs run, the call returns, or d passes, and
// returns the jobs running then.
func (h *heldJobs) waitRunning(want int, d time.Duration, call *runCall) []int {
	deadline := time.Now().Add(d)
	for {
		jobs := h.running()
		if len(jobs) >= want || call.returned() || time.Now().After(deadline) {
			return jobs
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// watchMost polls for d and returns the largest set of jobs seen running at once.
func (h *heldJobs) watchMost(d time.Duration) []int {
	var most []int
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if jobs := h.running(); len(jobs) > len(most) {
			most = jobs
		}
	}
	return most
}

// finish lets job i end and waits up to d until its process is gone and reaped (the
// code under test has waited for it), so the next job ends after it returns.
func (h *heldJobs) finish(i int) error {
	if err := os.WriteFile(filepath.Join(h.dir, "go."+strconv.Itoa(i)), nil, 0o600); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	for deadline := time.Now().Add(grace); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if !proc.Alive(h.pids[i]) {
			break
		}
	}
	return nil
}

// noneAlive reports an error if a job seen running is still alive.
func (h *heldJobs) noneAlive(when string) error {
	h.running()
	for i, pid := range h.pids {
		if proc.Alive(pid) {
			return fmt.Errorf("command %d (pid %d) was still running %s: start each command with exec.CommandContext(ctx, ...) and wait for it (Output does), so cancelling ctx kills it", i, pid, when)
		}
	}
	return nil
}

// end cleans up after a scenario whatever its verdict: it cancels the call's context (if
// cancel is set), lets every job end, gives the call grace to return, and removes the
// directory, which ends any job still waiting.
func (h *heldJobs) end(call *runCall, cancel context.CancelFunc) {
	if cancel != nil {
		cancel()
	}
	for i := range h.n {
		os.WriteFile(filepath.Join(h.dir, "go."+strconv.Itoa(i)), nil, 0o600)
	}
	call.wait(2 * grace)
	os.RemoveAll(h.dir)
}
