package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const hello = `package main

import "fmt"

func main() { fmt.Println("hello from the sandbox") }
`

func TestRunGoSuccess(t *testing.T) {
	res, err := RunGo(context.Background(), hello, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || res.TimedOut || res.BuildFailed {
		t.Fatalf("got %+v, want a clean exit", res)
	}
	if res.Output != "hello from the sandbox\n" {
		t.Fatalf("Output = %q", res.Output)
	}
}

func TestRunGoConcurrentMapWritesIsReportedNotFatal(t *testing.T) {
	src := `package main

import "sync"

func main() {
	m := map[int]int{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1_000_000 {
				m[i%1000] = g
			}
		}()
	}
	wg.Wait()
}
`
	res, err := RunGo(context.Background(), src, Options{Env: []string{"GOMAXPROCS=4"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 2 || !strings.Contains(res.Output, "concurrent map") {
		t.Fatalf("want exit 2 and a concurrent map fatal error, got %s:\n%s", res.Summary(), head(res.Output))
	}
}

func TestRunGoRaceDetector(t *testing.T) {
	src := `package main

import (
	"fmt"
	"sync"
)

func main() {
	n := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); n++ }()
	}
	wg.Wait()
	fmt.Println(n)
}
`
	res, err := RunGo(context.Background(), src, Options{Race: true, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !res.RaceDetected() || res.ExitCode != 66 {
		t.Fatalf("want a race report and exit 66, got %s:\n%s", res.Summary(), head(res.Output))
	}
	// Without -race the same program runs "fine": that is the point of the lesson.
	res, err = RunGo(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.RaceDetected() || res.ExitCode != 0 {
		t.Fatalf("without -race: got %s:\n%s", res.Summary(), head(res.Output))
	}
}

func TestRunGoDeadlockDetectedByRuntime(t *testing.T) {
	src := `package main

import "sync"

func main() {
	var mu sync.Mutex
	mu.Lock()
	mu.Lock()
}
`
	res, err := RunGo(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 2 || !strings.Contains(res.Output, "all goroutines are asleep - deadlock") {
		t.Fatalf("got %s:\n%s", res.Summary(), head(res.Output))
	}
}

// A hung program and everything it started must die at the time limit.
func TestRunGoTimeoutKillsProcessGroup(t *testing.T) {
	src := `package main

import (
	"fmt"
	"os"
	"os/exec"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		time.Sleep(time.Hour) // the grandchild: hang
	}
	child := exec.Command(os.Args[0], "child")
	if err := child.Start(); err != nil {
		panic(err)
	}
	fmt.Println("grandchild", child.Process.Pid)
	child.Wait()
}
`
	res, err := RunGo(context.Background(), src, Options{Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.ExitCode != -1 {
		t.Fatalf("got %s, want a timeout", res.Summary())
	}
	var pid int
	if _, err := fmt.Sscanf(res.Output, "grandchild %d", &pid); err != nil {
		t.Fatalf("no grandchild pid in %q: %v", res.Output, err)
	}
	waitGone(t, pid)
}

func TestRunGoCancelKillsAndReturnsCtxErr(t *testing.T) {
	src := `package main

import "time"

func main() { time.Sleep(time.Hour) }
`
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := RunGo(ctx, src, Options{Timeout: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRunGoBuildFailure(t *testing.T) {
	res, err := RunGo(context.Background(), "package main\n\nfunc main() { undefinedThing() }\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.BuildFailed || !strings.Contains(res.Output, "undefined: undefinedThing") {
		t.Fatalf("got %+v", res)
	}
	if strings.Contains(res.Output, os.TempDir()) {
		t.Errorf("temp paths leak into the output: %q", res.Output)
	}
}

func TestRunGoTruncatesOutput(t *testing.T) {
	src := `package main

import "strings"
import "fmt"

func main() { fmt.Print(strings.Repeat("x", 10000)) }
`
	res, err := RunGo(context.Background(), src, Options{MaxOutput: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Output) != 100 || res.ExitCode != 0 {
		t.Fatalf("Truncated=%v len=%d exit=%d", res.Truncated, len(res.Output), res.ExitCode)
	}
}

func TestRunGoRemovesTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, src := range []string{hello, "package main\n\nfunc main() { select {} }\n", "package main\nnope\n"} {
		if _, err := RunGo(context.Background(), src, Options{Timeout: 200 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "labkit-sandbox-*"))
	if len(left) != 0 {
		t.Fatalf("temporary directories left behind: %v", left)
	}
}

func TestRunGoBadInput(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		src  string
		opts Options
		want string
	}{
		{"", Options{}, "src is empty"},
		{hello, Options{Timeout: -1}, "Timeout"},
		{hello, Options{MaxOutput: -1}, "MaxOutput"},
		{hello, Options{Env: []string{"NOEQUALS"}}, "Env"},
		{hello, Options{BuildFlags: []string{"gcflags=-S"}}, "BuildFlags"},
		{hello, Options{BuildFlags: []string{"-o", "elsewhere"}}, "BuildFlags"},
	}
	for _, c := range cases {
		if _, err := RunGo(ctx, c.src, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RunGo(%q, %+v) error = %v, want it to mention %q", c.src, c.opts, err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := RunGo(cancelled, hello, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
}

func TestRunGoTimesBuildsOnceRunsEach(t *testing.T) {
	src := `package main

import (
	"fmt"
	"os"
)

func main() {
	exe, _ := os.Executable()
	fmt.Println(exe)
	if len(os.Getenv("FAIL")) > 0 {
		os.Exit(3)
	}
}
`
	results, err := RunGoTimes(context.Background(), src, 3, Options{Env: []string{"FAIL=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("got %d results, want 3", len(results))
	}
	for i, r := range results {
		if r.ExitCode != 3 || r.Output != results[0].Output {
			t.Errorf("run %d: %s, printed %q; want exit status 3 from the one binary %q", i, r.Summary(), r.Output, results[0].Output)
		}
	}
	if _, err := RunGoTimes(context.Background(), hello, 0, Options{}); err == nil || !strings.Contains(err.Error(), "at least 1") {
		t.Errorf("0 runs: err = %v, want it rejected", err)
	}
	failed, err := RunGoTimes(context.Background(), "package main\nnope\n", 3, Options{})
	if err != nil || len(failed) != 1 || !failed[0].BuildFailed {
		t.Errorf("a program that does not compile: got %+v, %v; want one Result with BuildFailed", failed, err)
	}
}

func TestRunGoBuildFlagsShowTheCompilersOutput(t *testing.T) {
	res, err := RunGo(context.Background(), hello, Options{BuildFlags: []string{"-gcflags=-S"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || !strings.Contains(res.BuildOutput, "main.main STEXT") {
		t.Fatalf("want a clean run and main.main's assembly in BuildOutput; got %s, build output:\n%s", res.Summary(), head(res.BuildOutput))
	}
}

func TestRaceReportsSplitsTheReports(t *testing.T) {
	r := Result{Output: `hello
==================
WARNING: DATA RACE
Write at 0x00c00009402f by goroutine 8:
  main.f.func1()
      main.go:6 +0x68

Previous read at 0x00c00009402f by main goroutine:
  main.f()
      main.go:7 +0x10e
  main.main()
      main.go:28 +0x2b

Goroutine 8 (running) created at:
  main.f()
      main.go:6 +0xf9
==================
==================
WARNING: DATA RACE
Read at 0x00c00009c020 by main goroutine:
  runtime.x()
      runtime/x.go:3
==================
Found 2 data race(s)
`}
	got := r.RaceReports()
	if len(got) != 2 {
		t.Fatalf("got %d reports, want 2: %+v", len(got), got)
	}
	if got[0].Lines != [2]int{6, 7} || !strings.HasPrefix(got[0].Text, "WARNING: DATA RACE\nWrite at") || !strings.HasSuffix(got[0].Text, "+0xf9") {
		t.Errorf("first report: %+v", got[0])
	}
	if got[1].Lines != [2]int{0, 0} {
		t.Errorf("second report (no main.go line): Lines = %v", got[1].Lines)
	}
	if got := (Result{Output: "fine\n"}).RaceReports(); len(got) != 0 {
		t.Fatalf("no race: RaceReports() = %+v", got)
	}
}

// waitGone polls until pid no longer exists (or is a zombie awaiting its reaper). It is a
// liveness wait, not a timing assertion: the limit only stops a broken kill from hanging.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d still running after its group was killed", pid)
}

func head(s string) string {
	lines := strings.SplitN(s, "\n", 15)
	return strings.Join(lines[:min(len(lines), 14)], "\n")
}
