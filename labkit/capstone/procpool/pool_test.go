package procpool

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/proc"
)

func TestThreePatterns(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()

	// 1. A simple blocking call.
	got, err := square.Call(ctx, p, 12)
	if err != nil || got != 144 {
		t.Fatalf("Call(12) = %d, %v; want 144", got, err)
	}

	// 2. An ordered map.
	ins := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	outs, err := square.Map(ctx, p, ins)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		if outs[i] != in*in {
			t.Fatalf("Map result %d = %d, want %d (results out of order?)", i, outs[i], in*in)
		}
	}

	// 3. Submit, then take results as they complete.
	futures := map[*Future[int]]int{}
	var list []*Future[int]
	for _, in := range ins {
		f := square.Submit(ctx, p, in)
		futures[f] = in
		list = append(list, f)
	}
	seen := map[uint64]bool{}
	for f := range asCompleted(list) {
		v, err := f.Result()
		if err != nil {
			t.Fatal(err)
		}
		if in := futures[f]; v != in*in {
			t.Fatalf("task %d: got %d for %d", f.ID(), v, in)
		}
		if seen[f.ID()] {
			t.Fatalf("task %d yielded twice", f.ID())
		}
		seen[f.ID()] = true
	}
	if len(seen) != len(ins) {
		t.Fatalf("asCompleted yielded %d futures, want %d", len(seen), len(ins))
	}
}

func TestAsCompletedYieldsInCompletionOrderAndStopsEarly(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	slow := sleeper.Submit(ctx, p, sleepArg{For: 300 * time.Millisecond})
	fast := square.Submit(ctx, p, 3)
	for f := range asCompleted([]*Future[int]{slow, fast}) {
		if f != fast {
			t.Fatalf("first completed = task %d, want the fast task %d", f.ID(), fast.ID())
		}
		break // must not leak the goroutines watching the slow one
	}
	if _, err := slow.Result(); err != nil {
		t.Fatal(err)
	}
}

func TestWorkersAreOtherProcesses(t *testing.T) {
	p := newPool(t, 2)
	pids := p.PIDs()
	if len(pids) != 2 || pids[0] == pids[1] {
		t.Fatalf("PIDs = %v, want two distinct", pids)
	}
	got, err := pidOf.Call(context.Background(), p, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if got == os.Getpid() || !slices.Contains(pids, got) {
		t.Fatalf("task ran in pid %d; parent %d, workers %v", got, os.Getpid(), pids)
	}
}

func TestGlobalsAreNotShared(t *testing.T) {
	p := newPool(t, 1)
	ctx := context.Background()
	for want := 1; want <= 3; want++ {
		got, err := bump.Call(ctx, p, 1)
		if err != nil || got != want {
			t.Fatalf("bump in worker = %d, %v; want %d", got, err, want)
		}
	}
	if counted != 0 {
		t.Fatalf("parent's counter = %d; the worker's increments leaked into the parent", counted)
	}
}

func TestFunctionErrorsAndPanicsFailOnlyTheirTask(t *testing.T) {
	p := newPool(t, 1)
	ctx := context.Background()
	before := p.PIDs()
	_, err := failing.Call(ctx, p, "disk full")
	var te *TaskError
	if !errors.As(err, &te) || te.Func != "fail" || te.TaskID == 0 {
		t.Fatalf("err = %#v, want a *TaskError naming the task", err)
	}
	contains(t, err, "(fail)", "disk full")
	_, err = panicky.Call(ctx, p, "boom")
	contains(t, err, "(panic)", "panic: boom")
	if v, err := square.Call(ctx, p, 5); err != nil || v != 25 {
		t.Fatalf("after errors: %d, %v", v, err)
	}
	if after := p.PIDs(); !slices.Equal(before, after) {
		t.Fatalf("worker replaced after an ordinary error: %v → %v", before, after)
	}
}

func TestPrintingTaskDoesNotBreakTheProtocol(t *testing.T) {
	p := newPool(t, 1)
	for i := range 3 {
		if v, err := chatty.Call(context.Background(), p, i); err != nil || v != i+1 {
			t.Fatalf("chatty(%d) = %d, %v", i, v, err)
		}
	}
}

// waitForFile polls (bounded) until path exists and returns its content.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && len(b) > 0 {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKilledWorkerFailsItsTaskAndIsReplaced(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	pidFile := filepath.Join(t.TempDir(), "pid")
	victim := sleeper.Submit(ctx, p, sleepArg{PIDFile: pidFile, For: time.Minute})
	pid, err := strconv.Atoi(waitForFile(t, pidFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := killPID(pid); err != nil {
		t.Fatal(err)
	}
	_, err = victim.Result()
	var te *TaskError
	var exit *WorkerExitError
	if !errors.As(err, &te) || te.TaskID != victim.ID() || !errors.As(err, &exit) {
		t.Fatalf("err = %v, want a TaskError for task %d wrapping a WorkerExitError", err, victim.ID())
	}
	if exit.PID != pid || exit.Signal() != syscall.SIGKILL {
		t.Fatalf("exit = %+v (signal %v), want pid %d killed by SIGKILL", exit, exit.Signal(), pid)
	}
	contains(t, err, "task "+strconv.FormatUint(victim.ID(), 10)+" (sleep)", "pid "+strconv.Itoa(pid), "signal: killed")

	// The pool keeps serving, on two workers, neither of them the dead one.
	pidsAtError := p.PIDs()
	outs, err := square.Map(ctx, p, []int{1, 2, 3, 4, 5, 6})
	if err != nil || !slices.Equal(outs, []int{1, 4, 9, 16, 25, 36}) {
		t.Fatalf("after the crash: %v, %v", outs, err)
	}
	// The replacement was started before the error was delivered.
	pids := pidsAtError
	if slices.Contains(pids, pid) || slices.Contains(pids, 0) || len(pids) != 2 {
		t.Fatalf("PIDs after replacement = %v (dead worker was %d)", pids, pid)
	}
}

func TestWorkerExitStatusIsReported(t *testing.T) {
	p := newPool(t, 1)
	_, err := exiting.Call(context.Background(), p, 7)
	var exit *WorkerExitError
	if !errors.As(err, &exit) || exit.State.ExitCode() != 7 || exit.Signal() != 0 {
		t.Fatalf("err = %v, want a worker exit with status 7", err)
	}
	contains(t, err, "(exit)", "exit status 7")
	if v, err := square.Call(context.Background(), p, 9); err != nil || v != 81 {
		t.Fatalf("after the exit: %d, %v", v, err)
	}
}

func TestCancelRunningTaskKillsItsWorkerOnly(t *testing.T) {
	p := newPool(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	pidFile := filepath.Join(t.TempDir(), "pid")
	f := sleeper.Submit(ctx, p, sleepArg{PIDFile: pidFile, For: time.Minute})
	queued := square.Submit(ctx, p, 4) // waits behind the sleeper, then is cancelled too
	pid, _ := strconv.Atoi(waitForFile(t, pidFile))
	cancel()
	for _, err := range []error{errOf(f), errOf(queued)} {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	if v, err := square.Call(context.Background(), p, 6); err != nil || v != 36 {
		t.Fatalf("after cancel: %d, %v", v, err)
	}
	if slices.Contains(p.PIDs(), pid) {
		t.Fatalf("worker %d running the cancelled task was not replaced", pid)
	}
	waitGone(t, pid)
}

func errOf[T any](f *Future[T]) error {
	_, err := f.Result()
	return err
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for proc.Alive(pid) {
		if time.Now().After(deadline) {
			_ = killPID(pid)
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCloseFailsUnfinishedTasksAndStopsEveryWorker(t *testing.T) {
	p, err := New(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var fs []*Future[int]
	for range 5 { // two run, three wait in the queue
		fs = append(fs, sleeper.Submit(context.Background(), p, sleepArg{For: time.Minute}))
	}
	pids := p.PIDs()
	p.Close()
	p.Close() // idempotent
	for _, f := range fs {
		if err := errOf(f); !errors.Is(err, ErrClosed) {
			t.Fatalf("task %d: err = %v, want ErrClosed", f.ID(), err)
		}
	}
	requireNoChildren(t)
	for _, pid := range pids {
		if proc.Alive(pid) {
			t.Fatalf("worker %d alive after Close", pid)
		}
	}
	if _, err := square.Call(context.Background(), p, 2); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call after Close: %v, want ErrClosed", err)
	}
	if got := p.PIDs(); !slices.Equal(got, []int{0, 0}) {
		t.Fatalf("PIDs after Close = %v", got)
	}
}

func TestPoolContextCancelClosesThePool(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, err := New(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	running := sleeper.Submit(context.Background(), p, sleepArg{For: time.Minute})
	cancel()
	if err := errOf(running); !errors.Is(err, ErrClosed) {
		t.Fatalf("running task: %v, want ErrClosed", err)
	}
	p.Close() // waits for the shutdown the cancel started
	requireNoChildren(t)
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := New(ctx, 0); err == nil {
		t.Fatal("New(0) succeeded")
	} else {
		contains(t, err, "workers = 0")
	}
	//lint:ignore SA1012 testing the nil check
	if _, err := New(nil, 1); err == nil {
		t.Fatal("New(nil ctx) succeeded")
	}
	var nilFunc *Func[int, int]
	p := newPool(t, 1)
	_, err := nilFunc.Call(ctx, p, 1)
	contains(t, err, "Func is nil")
	_, err = square.Call(ctx, nil, 1)
	contains(t, err, "square", "pool is nil")
	_, err = Register[int, int]("nothing", nil).Call(ctx, p, 1)
	contains(t, err, `"nothing"`, "fn is nil")
	_, err = Register("", func(int) (int, error) { return 0, nil }).Call(ctx, p, 1)
	contains(t, err, "name is empty")
	_, err = Register("square", func(int) (int, error) { return 0, nil }).Call(ctx, p, 1)
	contains(t, err, `"square"`, "already registered")
	late := "late-" + strconv.FormatInt(time.Now().UnixNano(), 10) // registered only here, in the parent
	_, err = Register(late, func(int) (int, error) { return 0, nil }).Call(ctx, p, 1)
	contains(t, err, "("+late+")", `unknown function "`+late+`"`, "package-level")

	_, err = p.CallRaw(ctx, "square", json.RawMessage(`{"oops`))
	contains(t, err, "square", "not valid JSON")
	_, err = p.CallRaw(ctx, "square", json.RawMessage(`"seven"`))
	contains(t, err, "(square)", "cannot decode argument", `"seven"`, "int")
	_, err = p.CallRaw(ctx, "", json.RawMessage(`1`))
	contains(t, err, "name is empty")
	//lint:ignore SA1012 testing the nil check
	_, err = square.Call(nil, p, 1)
	contains(t, err, "ctx is nil")
	_, err = unencodable.Call(ctx, p, 1)
	contains(t, err, "cannot encode result")
	_, err = Register("badarg-"+late, func(chan int) (int, error) { return 0, nil }).Call(ctx, p, make(chan int))
	contains(t, err, "badarg", "cannot encode argument")

	// The worker survived every one of those.
	if v, err := square.Call(ctx, p, 3); err != nil || v != 9 {
		t.Fatalf("after bad input: %d, %v", v, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := square.Call(cancelled, p, 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("call with a cancelled ctx: %v", err)
	}
}

func TestNewWithADoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("New with a cancelled ctx: err = %v", err)
	}
	requireNoChildren(t)
}

func TestNewInsideAWorkerIsRefused(t *testing.T) {
	t.Setenv(proc.RoleEnv, WorkerRole)
	_, err := New(context.Background(), 1)
	contains(t, err, "ServeIfWorker")
}

func TestProgramThatForgetsServeIfWorker(t *testing.T) {
	t.Setenv("PROCPOOL_TEST_FORGET_SERVE", "1")
	_, err := New(context.Background(), 1)
	contains(t, err, "sent no hello", "ServeIfWorker")
	requireNoChildren(t)
}

// TestSIGINTLeavesNoOrphans interrupts a program (as GoNB interrupts a cell: SIGINT to
// the cell's process only) while its pool is busy, and checks that the workers die too.
func TestSIGINTLeavesNoOrphans(t *testing.T) {
	for _, role := range []string{"sigint-default", "sigint-notify"} {
		t.Run(role, func(t *testing.T) {
			cmd, err := proc.Self(context.Background(), role)
			if err != nil {
				t.Fatal(err)
			}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer proc.KillGroup(cmd)
			lines := bufio.NewScanner(out)
			var workers []int
			for lines.Scan() { // skip anything else the program prints
				if json.Unmarshal(lines.Bytes(), &workers) == nil {
					break
				}
			}
			if len(workers) != 2 {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("scenario did not report its workers (%v)", lines.Err())
			}
			time.Sleep(100 * time.Millisecond) // let the workers pick up their tasks
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			var rest strings.Builder
			for lines.Scan() {
				rest.WriteString(lines.Text() + "\n")
			}
			err = cmd.Wait()
			if role == "sigint-notify" {
				if err != nil || !strings.Contains(rest.String(), "children after Close: 0 <nil>") {
					t.Fatalf("graceful interrupt: %v, output %q", err, rest.String())
				}
			} else {
				var exit *exec.ExitError
				if !errors.As(err, &exit) {
					t.Fatalf("scenario exit = %v, want killed by SIGINT", err)
				}
			}
			for _, pid := range workers {
				waitGone(t, pid)
			}
		})
	}
}

// killPID sends SIGKILL (TerminateProcess on Windows) to the process pid.
func killPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
