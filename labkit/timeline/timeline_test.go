package timeline_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timeline"
)

func TestConcurrentRecording(t *testing.T) {
	rec := timeline.New()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			end := rec.Begin(fmt.Sprintf("w%d", i%5), "job")
			time.Sleep(time.Millisecond)
			end()
		})
	}
	wg.Wait()
	spans := rec.Spans()
	if len(spans) != 50 {
		t.Fatalf("got %d spans, want 50", len(spans))
	}
	for i, s := range spans {
		if s.End < s.Start {
			t.Errorf("span %d ends before it starts", i)
		}
		if i > 0 && s.Start < spans[i-1].Start {
			t.Errorf("spans not ordered by start at %d", i)
		}
	}
	if got := len(timeline.Lanes(spans)); got != 5 {
		t.Errorf("lanes = %d, want 5", got)
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestSummarizeOverlap(t *testing.T) {
	spans := []timeline.Span{
		{Lane: "a", Start: 0, End: ms(10)},
		{Lane: "b", Start: ms(5), End: ms(15)},
		{Lane: "c", Start: ms(15), End: ms(20)}, // starts exactly when b ends: not overlapping
	}
	st := timeline.Summarize(spans)
	if st.Wall != ms(20) || st.Busy != ms(25) || st.MaxAlive != 2 || st.Lanes != 3 {
		t.Fatalf("got %+v", st)
	}
	if o := st.Overlap(); o != 1.25 {
		t.Errorf("overlap = %v, want 1.25", o)
	}
	if st := timeline.Summarize(nil); st != (timeline.Stats{}) {
		t.Errorf("Summarize(nil) = %+v, want the zero Stats", st)
	}
}

func TestAddRejectsBadSpans(t *testing.T) {
	var rec timeline.Recorder // zero value works
	if err := rec.Add(timeline.Span{Lane: "a", Start: ms(5), End: ms(1)}); err == nil || !strings.Contains(err.Error(), "before it starts") {
		t.Errorf("want end-before-start error, got %v", err)
	}
	if err := rec.Add(timeline.Span{Lane: "a", Start: -1, End: ms(1)}); err == nil {
		t.Error("want error for negative start")
	}
	if err := rec.Add(timeline.Span{Lane: "a", Start: 0, End: ms(1)}); err != nil {
		t.Error(err)
	}
	if len(rec.Spans()) != 1 {
		t.Error("valid span not recorded")
	}
}

func TestBeginCutMarksSpan(t *testing.T) {
	rec := timeline.New()
	rec.BeginCut("a", "cancelled")(true)
	rec.BeginCut("a", "finished")(false)
	spans := rec.Spans()
	cut := map[string]bool{}
	for _, s := range spans {
		cut[s.Label] = s.Cut
	}
	if !cut["cancelled"] || cut["finished"] {
		t.Fatalf("cut flags wrong: %v", cut)
	}
	if !strings.Contains(timeline.Table(spans), "cancelled (cut)") {
		t.Error("table does not mark the cut span")
	}
}

func ExampleSummarize() {
	spans := []timeline.Span{
		{Lane: "call 0", Label: "100ms", Start: 0, End: 100 * time.Millisecond},
		{Lane: "call 1", Label: "100ms", Start: 0, End: 100 * time.Millisecond},
	}
	st := timeline.Summarize(spans)
	fmt.Println(st)
	// Output: 2 spans on 2 lanes: wall 100ms, busy 200ms, overlap 2.00x, max 2 at once
}

func TestSummarizeCountsCutSpans(t *testing.T) {
	rec := timeline.New()
	rec.BeginCut("a", "finished")(false)
	rec.BeginCut("b", "cancelled")(true)
	rec.BeginCut("c", "cancelled")(true)
	rec.Begin("d", "plain")()
	st := timeline.Summarize(rec.Spans())
	if st.Cut != 2 || st.Spans != 4 {
		t.Errorf("Cut = %d of %d spans, want 2 of 4", st.Cut, st.Spans)
	}
}

func ExampleStats_cut() {
	spans := []timeline.Span{
		{Lane: "positions", Label: "failed", Start: 0, End: 40 * time.Millisecond},
		{Lane: "quotes", Label: "cancelled", Start: 0, End: 40 * time.Millisecond, Cut: true},
		{Lane: "news", Label: "cancelled", Start: 0, End: 41 * time.Millisecond, Cut: true},
	}
	st := timeline.Summarize(spans)
	fmt.Printf("%d of %d calls cut short\n", st.Cut, st.Spans)
	// Output: 2 of 3 calls cut short
}

func ExampleRecorder_Begin() {
	rec := timeline.New()
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			defer rec.Begin(fmt.Sprintf("worker %d", i), "job")()
			time.Sleep(20 * time.Millisecond)
		})
	}
	wg.Wait()
	st := timeline.Summarize(rec.Spans())
	fmt.Println(st.Spans, st.Lanes)
	// Output: 3 3
}
