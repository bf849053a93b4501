package schedtrace_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/schedtrace"
)

// spinners runs n goroutines that each compute for d, each in a region "spin i", and
// waits for them.
func spinners(n int, d time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				trace.WithRegion(ctx, fmt.Sprintf("spin %d", i), func() {
					x := 0
					for start := time.Now(); time.Since(start) < d && ctx.Err() == nil; {
						x++
					}
					_ = x
				})
			})
		}
		wg.Wait()
		return nil
	}
}

// withGOMAXPROCS runs f with GOMAXPROCS set to n.
func withGOMAXPROCS(n int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// lanesOf returns the lanes on which label ran.
func lanesOf(tr *schedtrace.Trace, label string) []string {
	var lanes []string
	for _, l := range tr.Labels {
		if l.Name == label {
			for _, lane := range tr.Lanes {
				if l.OnLane[lane.Name] > 0 {
					lanes = append(lanes, lane.Name)
				}
			}
		}
	}
	return lanes
}

func TestTwoSpinnersOnTwoPsUseTwoLanes(t *testing.T) {
	// The OS may keep the second P's thread off the CPU for a while on a loaded machine,
	// so the scheduler's parallelism is asked for up to three times.
	var tr *schedtrace.Trace
	for range 3 {
		withGOMAXPROCS(2, func() {
			var err error
			tr, err = schedtrace.Run(context.Background(), t.TempDir(), spinners(2, 100*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
		})
		if tr.Busiest() == 2 {
			break
		}
	}
	t.Log("\n" + tr.Text())
	if len(tr.Lanes) != 2 || tr.Lanes[0].Name != "P0" || tr.Lanes[1].Name != "P1" {
		t.Fatalf("lanes %v, want P0 and P1", tr.Lanes)
	}
	if got := tr.Busiest(); got != 2 {
		t.Errorf("at most %d running at once, want 2 with two spinners on two Ps", got)
	}
	ran := map[string]bool{}
	for _, label := range []string{"spin 0", "spin 1"} {
		lanes := lanesOf(tr, label)
		if len(lanes) == 0 {
			t.Errorf("%q ran on no lane; labels %v", label, tr.Labels)
		}
		for _, l := range lanes {
			ran[l] = true
		}
	}
	if len(ran) != 2 {
		t.Errorf("the spinners ran on lanes %v, want both", ran)
	}
	busy := tr.Lanes[0].Busy + tr.Lanes[1].Busy
	if busy > 2*tr.Window {
		t.Errorf("busy %v on two lanes in a window of %v: more than the lanes can hold", busy, tr.Window)
	}
	if tr.Window < 100*time.Millisecond {
		t.Errorf("window %v is shorter than the spinners' 100 ms", tr.Window)
	}
}

func TestOneP(t *testing.T) {
	var tr *schedtrace.Trace
	withGOMAXPROCS(1, func() {
		var err error
		tr, err = schedtrace.Run(context.Background(), "", spinners(2, 50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
	})
	defer os.Remove(tr.Path)
	t.Log("\n" + tr.Text())
	if len(tr.Lanes) != 1 || tr.Lanes[0].Name != "P0" {
		t.Fatalf("lanes %v, want P0 alone with GOMAXPROCS=1", tr.Lanes)
	}
	if got := tr.Busiest(); got != 1 {
		t.Errorf("at most %d running at once, want 1", got)
	}
	// Two 50 ms spinners sharing one P: the scheduler preempts (about every 10 ms) to
	// let the other run, and together they fill the lane.
	if tr.Lanes[0].Preempted == 0 {
		t.Errorf("no preemption on the one P:\n%s", tr.Text())
	}
	// Regions' bars come first, by name, so their colours do not depend on the runtime's
	// goroutines.
	if tr.Spans[0].Label != "spin 0" {
		t.Errorf("first span %+v, want one of spin 0", tr.Spans[0])
	}
	for _, label := range []string{"spin 0", "spin 1"} {
		if got := lanesOf(tr, label); len(got) != 1 {
			t.Errorf("%q ran on %v, want P0", label, got)
		}
	}
	if filepath.Dir(tr.Path) != filepath.Clean(os.TempDir()) {
		t.Errorf("dir \"\" wrote %s, want it in %s", tr.Path, os.TempDir())
	}
	if !strings.HasPrefix(tr.Command(), "go tool trace ") || !strings.HasSuffix(tr.Command(), tr.Path) {
		t.Errorf("Command() = %q", tr.Command())
	}
}

func TestBlockingAndSyscallsAreCounted(t *testing.T) {
	dir := t.TempDir()
	tr, err := schedtrace.Run(context.Background(), dir, func(ctx context.Context) error {
		done := make(chan struct{})
		go func() {
			trace.WithRegion(ctx, "sleeper", func() { time.Sleep(5 * time.Millisecond) })
			close(done)
		}()
		<-done // blocks the caller
		// A write to a file is a system call.
		return os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + tr.Text())
	var blocked, syscalls int
	for _, l := range tr.Lanes {
		blocked += l.Blocked
		syscalls += l.Syscalls
	}
	if blocked < 2 { // the caller on <-done, the sleeper in time.Sleep
		t.Errorf("%d blocked stretches, want at least 2", blocked)
	}
	if syscalls == 0 {
		t.Errorf("no syscall counted, though the function wrote a file")
	}
	if lanesOf(tr, "sleeper") == nil {
		t.Errorf("the region's label is missing: %v", tr.Labels)
	}
	c := tr.Chart("blocking")
	tab, err := c.Table()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tab, "blocking\nlane ") || !strings.Contains(tab, "sleeper") {
		t.Errorf("chart table:\n%s", tab)
	}
	if !c.ColorByLabel || len(c.Spans) != len(tr.Spans) {
		t.Errorf("Chart() = %+v", c)
	}
}

func TestRecordKeepsTheTraceOfAFailure(t *testing.T) {
	boom := errors.New("boom")
	path, err := schedtrace.Record(context.Background(), t.TempDir(), func(context.Context) error { return boom })
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "schedtrace: ") {
		t.Fatalf("err = %v, want boom, prefixed", err)
	}
	if _, err := schedtrace.Read(path); err != nil {
		t.Errorf("the failed run's trace does not read: %v", err)
	}
}

func TestRecordAfterPanicCanTraceAgain(t *testing.T) {
	dir := t.TempDir()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		_, _ = schedtrace.Record(context.Background(), dir, func(context.Context) error { panic("boom") })
	}()
	if trace.IsEnabled() {
		t.Fatal("tracing still on after fn panicked")
	}
	if _, err := schedtrace.Run(context.Background(), dir, spinners(1, time.Millisecond)); err != nil {
		t.Errorf("second Record: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	fn := func(context.Context) error { ran = true; return nil }
	notTrace := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notTrace, []byte("not a trace"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.trace")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"nil fn", func() error { _, err := schedtrace.Record(ctx, "", nil); return err }, "fn is nil"},
		{"cancelled", func() error { _, err := schedtrace.Record(cancelled, "", fn); return err }, "context canceled"},
		{"no dir", func() error {
			_, err := schedtrace.Record(ctx, filepath.Join(t.TempDir(), "missing"), fn)
			return err
		}, "no such file"},
		{"missing file", func() error { _, err := schedtrace.Read(filepath.Join(t.TempDir(), "x.trace")); return err }, "no such file"},
		{"not a trace", func() error { _, err := schedtrace.Read(notTrace); return err }, "not a Go execution trace"},
		{"empty file", func() error { _, err := schedtrace.Read(empty); return err }, "not a Go execution trace"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.HasPrefix(err.Error(), "schedtrace: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want schedtrace: ... %s", c.name, err, c.want)
		}
	}
	if ran {
		t.Error("fn ran although the context was already cancelled or the file could not be made")
	}
}

func TestOnlyOneTraceAtATime(t *testing.T) {
	if err := trace.Start(new(strings.Builder)); err != nil {
		t.Skipf("tracing already on (go test -trace?): %v", err)
	}
	defer trace.Stop()
	dir := t.TempDir()
	_, err := schedtrace.Record(context.Background(), dir, func(context.Context) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "cannot start the tracer") {
		t.Errorf("err = %v, want the tracer refusing", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the failed Record left %d file(s) behind", len(left))
	}
}

func TestGCIsMarked(t *testing.T) {
	tr, err := schedtrace.Run(context.Background(), t.TempDir(), func(context.Context) error {
		runtime.GC() // a whole cycle, with its stop-the-world pauses and mark workers
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + tr.Text())
	if tr.GCCycles < 1 || tr.StopTheWorld <= 0 {
		t.Errorf("GC cycles %d, stop-the-world %v: want the forced collection", tr.GCCycles, tr.StopTheWorld)
	}
	var gc time.Duration
	for _, l := range tr.Lanes {
		gc += l.GC
	}
	labels := map[string]bool{}
	for _, s := range tr.Spans {
		labels[s.Label] = true
	}
	if gc <= 0 || !labels["GC worker"] || !labels["stop-the-world"] {
		t.Errorf("GC worker time %v, labels %v: want GC worker and stop-the-world bars", gc, labels)
	}
	// The background sweeper yields thousands of times per cycle; those stretches are
	// counted, but drawn as a few bars.
	stretches := 0
	for _, l := range tr.Lanes {
		stretches += l.Stretches
	}
	if len(tr.Spans) > 200 {
		t.Errorf("%d bars for %d stretches: yields that resume at once should share a bar", len(tr.Spans), stretches)
	}
}
