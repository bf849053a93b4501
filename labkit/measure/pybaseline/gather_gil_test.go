package pybaseline_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

type awaitWay struct {
	ReturnedMs   float64  `json:"returned_ms"`
	Outcome      string   `json:"outcome"`
	StillRunning []string `json:"still_running"`
	Ended        []string `json:"ended"`
}

// ended returns how the named call ended, e.g. "cancelled at 40.4 ms".
func (w awaitWay) ended(t *testing.T, call string) string {
	t.Helper()
	for _, e := range w.Ended {
		if how, ok := strings.CutPrefix(e, call+": "); ok {
			return how
		}
	}
	t.Fatalf("no line for %q in %q", call, w.Ended)
	return ""
}

// TestGatherFailure checks the three behaviours notebook 07 contrasts with errgroup. The
// calls are stretched (--scale 3: 360, 120 and 600 ms) so that a slow machine cannot
// reorder them; nothing here depends on how long anything took.
func TestGatherFailure(t *testing.T) {
	needPython(t)
	var got struct {
		Python string              `json:"python"`
		Ways   map[string]awaitWay `json:"ways"`
	}
	if err := pybaseline.Run(context.Background(), "gather_failure.py", &got, "--scale", "3"); err != nil {
		t.Fatal(err)
	}

	gather := got.Ways["gather"]
	if !strings.HasPrefix(gather.Outcome, "raised Upstream") {
		t.Errorf("gather: outcome %q, want the upstream error raised", gather.Outcome)
	}
	if !slices.Contains(gather.StillRunning, "news") {
		t.Errorf("gather raised with %v still running, want news among them: it must not wait", gather.StillRunning)
	}
	for _, call := range []string{"quotes", "news"} {
		if how := gather.ended(t, call); !strings.HasPrefix(how, "finished") {
			t.Errorf("gather: %s %s, want finished: gather must not cancel the others", call, how)
		}
	}

	all := got.Ways["gather_return_exceptions"]
	if len(all.StillRunning) != 0 || !strings.Contains(all.Outcome, "'quotes'") || !strings.Contains(all.Outcome, "Upstream(") {
		t.Errorf("gather(return_exceptions=True): outcome %q with %v running, want every result and error after all ended", all.Outcome, all.StillRunning)
	}

	group, ok := got.Ways["taskgroup"]
	if !ok {
		t.Skipf("SKIP (visible): Python %s has no asyncio.TaskGroup (3.11+)", got.Python)
	}
	if !strings.HasPrefix(group.Outcome, "raised ExceptionGroup") || len(group.StillRunning) != 0 {
		t.Errorf("TaskGroup: outcome %q with %v running, want an ExceptionGroup after every task ended", group.Outcome, group.StillRunning)
	}
	for _, call := range []string{"quotes", "news"} {
		if how := group.ended(t, call); !strings.HasPrefix(how, "cancelled") {
			t.Errorf("TaskGroup: %s %s, want cancelled by the failure", call, how)
		}
	}
}

func TestGilCounterReportsTheGIL(t *testing.T) {
	needPython(t)
	var got struct {
		Python            string `json:"python"`
		GIL               *bool  `json:"gil_enabled"`
		FreeThreadedBuild *bool  `json:"free_threaded_build"`
		PlainWant         int    `json:"plain_want"`
		PlainGot          int    `json:"plain_got"`
		YieldWant         int    `json:"yield_want"`
		YieldGot          int    `json:"yield_got"`
	}
	if err := pybaseline.Run(context.Background(), "gil_counter.py", &got, "--threads", "2", "--n", "1000", "--n-yield", "100"); err != nil {
		t.Fatal(err)
	}
	if got.GIL == nil || got.FreeThreadedBuild == nil || got.Python == "" {
		t.Fatalf("got %+v, want python, gil_enabled and free_threaded_build reported", got)
	}
	if !*got.FreeThreadedBuild && !*got.GIL {
		t.Errorf("Python %s: a build without free threading reported the GIL off", got.Python)
	}
	if got.PlainWant != 2000 || got.YieldWant != 200 || got.PlainGot > got.PlainWant || got.YieldGot > got.YieldWant || got.YieldGot < 1 {
		t.Errorf("got %+v, want totals between 1 and 2×1000 / 2×100", got)
	}
}
