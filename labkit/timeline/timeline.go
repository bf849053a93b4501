// Package timeline records what ran when, from many goroutines at once.
//
// A [Recorder] collects spans (a lane such as "worker 3", a label, a start and an end)
// relative to the moment it was created. It is safe for concurrent use, so the code under
// study can record from every goroutine. [Summarize] says how much the spans overlapped
// and [Table] prints them; drawing them is the job of
// [github.com/go-concurrency-lab/lab/labkit/chart.Timeline], which turns them into
// the lab's signature picture: a Gantt chart in which overlap (or its absence) is visible
// at a glance. This package depends on nothing else in labkit.
package timeline

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Span is one interval of activity on a lane. Start and End are offsets from the
// recorder's origin.
type Span struct {
	Lane  string
	Label string
	Start time.Duration
	End   time.Duration
	// Cut marks a span that ended early (cancelled, timed out); the chart draws it faded.
	Cut bool
}

// Duration is End - Start.
func (s Span) Duration() time.Duration { return s.End - s.Start }

// Recorder collects spans. The zero value is usable: its origin is the first call to
// any method. Use New to fix the origin explicitly.
type Recorder struct {
	mu     sync.Mutex
	origin time.Time
	spans  []Span
}

// New returns a Recorder whose origin is now.
func New() *Recorder { return &Recorder{origin: time.Now()} }

func (r *Recorder) originLocked() time.Time {
	if r.origin.IsZero() {
		r.origin = time.Now()
	}
	return r.origin
}

// Since returns the offset of now from the recorder's origin.
func (r *Recorder) Since() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Since(r.originLocked())
}

// Begin opens a span on lane now and returns the function that closes it. Typical use:
//
//	defer rec.Begin("worker 1", "job 7")()
func (r *Recorder) Begin(lane, label string) (end func()) {
	start := r.Since()
	return func() { r.add(Span{Lane: lane, Label: label, Start: start, End: r.Since()}) }
}

// BeginCut is Begin for work that may be cut short: the returned function takes whether
// the work was cut (e.g. err != nil after a cancellation).
func (r *Recorder) BeginCut(lane, label string) (end func(cut bool)) {
	start := r.Since()
	return func(cut bool) {
		r.add(Span{Lane: lane, Label: label, Start: start, End: r.Since(), Cut: cut})
	}
}

// Add records a span measured elsewhere. End must not be before Start.
func (r *Recorder) Add(s Span) error {
	if s.End < s.Start {
		return fmt.Errorf("timeline: Add: span %q on lane %q ends (%v) before it starts (%v)", s.Label, s.Lane, s.End, s.Start)
	}
	if s.Start < 0 {
		return fmt.Errorf("timeline: Add: span %q on lane %q starts at %v, before the origin", s.Label, s.Lane, s.Start)
	}
	r.add(s)
	return nil
}

func (r *Recorder) add(s Span) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.originLocked()
	r.spans = append(r.spans, s)
}

// Spans returns a copy of the recorded spans ordered by start time.
func (r *Recorder) Spans() []Span {
	r.mu.Lock()
	out := slices.Clone(r.spans)
	r.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Span) int { return int(a.Start - b.Start) })
	return out
}

// Lanes returns the lane names in order of first appearance (by start time).
func Lanes(spans []Span) []string {
	var lanes []string
	seen := map[string]bool{}
	for _, s := range spans {
		if !seen[s.Lane] {
			seen[s.Lane] = true
			lanes = append(lanes, s.Lane)
		}
	}
	return lanes
}

// Stats describes a set of spans: how long it all took, how much work there was, and how
// much of it overlapped.
type Stats struct {
	Spans    int
	Lanes    int
	Wall     time.Duration // first start to last end
	Busy     time.Duration // sum of span durations
	MaxAlive int           // the most spans open at one instant
	Cut      int           // spans that ended early (Span.Cut): the work a cancellation stopped
}

// Overlap is Busy / Wall: 1 means one thing at a time, N means N at a time on average.
func (s Stats) Overlap() float64 {
	if s.Wall <= 0 {
		return 0
	}
	return float64(s.Busy) / float64(s.Wall)
}

func (s Stats) String() string {
	return fmt.Sprintf("%d spans on %d lanes: wall %v, busy %v, overlap %.2fx, max %d at once",
		s.Spans, s.Lanes, s.Wall.Round(time.Microsecond*10), s.Busy.Round(time.Microsecond*10), s.Overlap(), s.MaxAlive)
}

// Summarize computes Stats for spans; for no spans, it is the zero Stats.
func Summarize(spans []Span) Stats {
	if len(spans) == 0 {
		return Stats{}
	}
	st := Stats{Spans: len(spans), Lanes: len(Lanes(spans))}
	first, last := spans[0].Start, spans[0].End
	type edge struct {
		at    time.Duration
		delta int
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		first = min(first, s.Start)
		last = max(last, s.End)
		st.Busy += s.Duration()
		if s.Cut {
			st.Cut++
		}
		edges = append(edges, edge{s.Start, +1}, edge{s.End, -1})
	}
	// Ends sort before starts at the same instant, so back-to-back spans do not count as overlapping.
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta
	})
	alive := 0
	for _, e := range edges {
		alive += e.delta
		st.MaxAlive = max(st.MaxAlive, alive)
	}
	st.Wall = last - first
	return st
}

// Table renders spans as aligned text, one row per span, for readers without JavaScript
// and for tests.
func Table(spans []Span) string {
	var b strings.Builder
	w := len("lane")
	for _, s := range spans {
		w = max(w, len(s.Lane))
	}
	fmt.Fprintf(&b, "%-*s  %-12s %10s %10s %10s\n", w, "lane", "label", "start", "end", "took")
	for _, s := range spans {
		label := s.Label
		if s.Cut {
			label += " (cut)"
		}
		fmt.Fprintf(&b, "%-*s  %-12s %10v %10v %10v\n", w, s.Lane, label,
			s.Start.Round(10*time.Microsecond), s.End.Round(10*time.Microsecond), s.Duration().Round(10*time.Microsecond))
	}
	return b.String()
}
