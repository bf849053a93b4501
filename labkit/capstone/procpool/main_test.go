package procpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/proc"
	"go.uber.org/goleak"
)

// Functions the tests run in workers. They are package-level variables, so the worker
// copies of this test binary register them too before ServeIfWorker runs.
type sleepArg struct {
	PIDFile string        `json:"pid_file"` // written when the task starts, if set
	For     time.Duration `json:"for"`
}

var (
	square  = Register("square", func(n int) (int, error) { return n * n, nil })
	pidOf   = Register("pid", func(struct{}) (int, error) { return os.Getpid(), nil })
	failing = Register("fail", func(msg string) (int, error) { return 0, errors.New(msg) })
	panicky = Register("panic", func(msg string) (int, error) { panic(msg) })
	exiting = Register("exit", func(code int) (int, error) { os.Exit(code); return 0, nil })
	chatty  = Register("chatty", func(n int) (int, error) {
		fmt.Println("procpool test: a worker task printed this to stdout on purpose (protocol uses fds 3/4)")
		fmt.Fprintln(os.Stderr, "procpool test: and this to stderr, also on purpose")
		return n + 1, nil
	})
	sleeper = Register("sleep", func(a sleepArg) (int, error) {
		if a.PIDFile != "" {
			if err := os.WriteFile(a.PIDFile, []byte(fmt.Sprint(os.Getpid())), 0o644); err != nil {
				return 0, err
			}
		}
		time.Sleep(a.For)
		return os.Getpid(), nil
	})
	unencodable = Register("unencodable", func(int) (chan int, error) { return nil, nil })
	counted     = 0 // a global: each process has its own copy
	bump        = Register("bump", func(by int) (int, error) { counted += by; return counted, nil })
)

func TestMain(m *testing.M) {
	if isWorker() && os.Getenv("PROCPOOL_TEST_FORGET_SERVE") == "1" {
		// Simulates a program that forgot ServeIfWorker: the copy runs "main" instead.
		fmt.Println("procpool test: a copy without ServeIfWorker ran main instead (expected)")
		os.Exit(0)
	}
	ServeIfWorker()
	if os.Getenv("GORACE") == "" {
		// Race-enabled workers otherwise sleep 1 s at exit (GORACE atexit_sleep_ms).
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	switch proc.Role() {
	case "sigint-default", "sigint-notify":
		runSIGINTScenario(proc.Role())
		return
	}
	goleak.VerifyTestMain(m)
}

// runSIGINTScenario is a stand-in for a notebook cell: it starts a pool, prints the
// workers' pids, keeps them busy, and waits for SIGINT (GoNB's interrupt).
func runSIGINTScenario(role string) {
	ctx := context.Background()
	if role == "sigint-notify" {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	p, err := New(ctx, 2)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	pids, _ := json.Marshal(p.PIDs())
	for range 2 {
		sleeper.Submit(ctx, p, sleepArg{For: time.Minute})
	}
	fmt.Println(string(pids))
	<-ctx.Done() // with the default handler, SIGINT kills us before this returns
	p.Close()
	kids, err := proc.Children()
	fmt.Printf("children after Close: %d %v\n", len(kids), err)
	os.Exit(0)
}

// newPool starts a pool and registers a cleanup that closes it and checks that no child
// process is left.
func newPool(t *testing.T, workers int) *Pool {
	t.Helper()
	p, err := New(context.Background(), workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		requireNoChildren(t)
	})
	return p
}

func requireNoChildren(t *testing.T) {
	t.Helper()
	kids, err := proc.Children()
	if errors.Is(err, proc.ErrUnsupported) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(kids) != 0 {
		t.Fatalf("child processes left behind: %v", kids)
	}
}

func contains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("err = %q, want it to contain %q", err, p)
		}
	}
}
