// Package schedtrace records what the Go scheduler did while a function ran and draws
// it: one lane per P, a bar for every stretch a goroutine ran there.
//
// The lab's other timelines ([timeline.Recorder]) are notes the program takes about
// itself. This one is the runtime's own record: [Record] runs a function under the
// execution tracer ([runtime/trace]) and writes the trace to a file; [Read] parses it with
// the maintained parser, [golang.org/x/exp/trace], into [timeline.Span] values for
// [chart.Timeline] and per-lane numbers. The same file opens in the full viewer with
// `go tool trace FILE` ([Trace.Command]).
//
// # Why one lane per P
//
// A P ("processor") is the scheduler's licence to run Go code, and there are exactly
// GOMAXPROCS of them: a goroutine runs only while it holds one. So lanes per P answer the
// questions the lab asks, "how many goroutines ran at once?" and "who ran where?",
// directly: with GOMAXPROCS=1 there is one lane, however many goroutines there are.
// Lanes per OS thread would add threads that hold no P (sysmon, threads parked in
// system calls, idle spares) and hide that limit.
//
// # What a lane shows
//
//   - a bar per running stretch of a goroutine, labelled with the innermost
//     [runtime/trace.WithRegion] region it ran in (so a cell can name its goroutines
//     "task 1", "ticker"), else "gN" and the function it started in; the colour follows
//     the label, so a goroutine that moves between Ps keeps its colour;
//   - "syscall" bars: a goroutine in a system call while it still held the P (the
//     runtime soon hands a P stuck in a syscall to other goroutines; the syscall then goes
//     on without one, off the chart);
//   - "GC worker" bars (the runtime's garbage-collection goroutines) and "stop-the-world"
//     bars across every lane while the world was stopped.
//
// A blocked goroutine holds no P, so blocking shows as its bar ending; the numbers count
// how each running stretch ended: preempted (the scheduler took the P away), blocked
// (channel, lock, sleep, I/O wait) or a system call.
package schedtrace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/trace"
	"slices"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/timeline"
	xtrace "golang.org/x/exp/trace"
)

// markCategory is the trace.Log category of the marks Record puts around fn, so Read can
// cut the trace to fn's run and leave out the tracer starting and stopping.
const markCategory = "schedtrace"

// Record runs fn under the execution tracer and writes the trace to a new file in dir
// (the system temporary directory if dir is ""). It returns the file's path, also when
// fn fails (a trace of a failure is worth reading), together with fn's error.
//
// fn runs on the calling goroutine with ctx; Record does not stop it early, so fn
// should honour ctx. If ctx is already done, or the file cannot be made, fn is not run. Only one execution trace can
// run at a time in a process: Record fails if another one (e.g. go test -trace) is on.
func Record(ctx context.Context, dir string, fn func(context.Context) error) (path string, err error) {
	if fn == nil {
		return "", errors.New("schedtrace: Record: fn is nil")
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("schedtrace: Record: %w", err)
	}
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "schedtrace-*.trace")
	if err != nil {
		return "", fmt.Errorf("schedtrace: Record: %w", err)
	}
	path = f.Name()
	if err := trace.Start(f); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("schedtrace: Record: cannot start the tracer: %w", err)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		trace.Stop()
		return f.Close()
	}
	defer stop() // also when fn panics, so the next Record can trace
	trace.Log(ctx, markCategory, "start")
	fnErr := fn(ctx)
	trace.Log(ctx, markCategory, "end")
	if err := stop(); err != nil {
		return path, fmt.Errorf("schedtrace: Record: writing %s: %w", path, err)
	}
	if fnErr != nil {
		return path, fmt.Errorf("schedtrace: Record: %w", fnErr)
	}
	return path, nil
}

// Run is [Record] followed by [Read]: fn's trace, parsed. The file stays at Trace.Path.
// If fn fails, Run returns its error and no Trace; [Record] returns the path even then.
func Run(ctx context.Context, dir string, fn func(context.Context) error) (*Trace, error) {
	path, err := Record(ctx, dir, fn)
	if err != nil {
		return nil, err
	}
	return Read(path)
}

// Trace is a parsed execution trace, cut to the run of the function Record traced (the
// whole trace if it has no Record marks).
type Trace struct {
	Path   string        // the trace file
	Window time.Duration // how long fn ran; span times are offsets from its start
	Lanes  []Lane        // one per P that ran anything, in P order
	// Spans are the bars: those named by a region first, by name, then the rest; each
	// group by start. (The chart colours labels in this order, so regions keep their
	// colours from one trace to the next.)
	Spans    []timeline.Span
	Labels   []Label // one per bar label: where it ran, in order of first appearance
	GCCycles int     // garbage collections that started while fn ran
	// StopTheWorld is the time the world was stopped (for the GC, or to change
	// GOMAXPROCS) while fn ran.
	StopTheWorld time.Duration
}

// Lane is what one P did while fn ran.
type Lane struct {
	Name string // "P0", "P1", ...
	// Busy is the time goroutines held the P (GC workers included). It is the scheduler's
	// view: it includes time the operating system paused the thread to run other programs.
	Busy       time.Duration
	GC         time.Duration // of which GC workers
	Syscall    time.Duration // goroutines in system calls while holding this P
	Goroutines int           // distinct goroutines that ran here
	Stretches  int           // times a goroutine started running here
	// How the stretches ended: Preempted (the scheduler took the P back), Blocked (the
	// goroutine waited: channel, lock, sleep, network) and Syscalls (it entered a
	// system call). The rest ended by the goroutine finishing, yielding, or the window's end.
	Preempted, Blocked, Syscalls int
}

// Label is the time one bar label (a region or a goroutine) ran on each lane.
type Label struct {
	Name   string
	OnLane map[string]time.Duration // lane name → running time there
}

// Read parses the trace file at path, as written by [Record] (or by runtime/trace or
// go test -trace; then the whole trace is used). The file must come from a Go version the
// parser knows: this module's golang.org/x/exp/trace reads traces up to Go 1.26's format.
func Read(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("schedtrace: %w", err)
	}
	defer f.Close()
	tr, err := parse(f)
	if err != nil {
		return nil, fmt.Errorf("schedtrace: %s: %w", path, err)
	}
	tr.Path = path
	return tr, nil
}

// Command is the shell command that opens the same trace in Go's full trace viewer.
func (t *Trace) Command() string { return "go tool trace " + t.Path }

// Busiest returns how many Ps ran goroutines at the same moment, at most: the
// parallelism the scheduler achieved.
func (t *Trace) Busiest() int {
	var running []timeline.Span
	for _, s := range t.Spans {
		if s.Label != syscallLabel && s.Label != stwLabel {
			running = append(running, s)
		}
	}
	return timeline.Summarize(running).MaxAlive
}

// Text is the trace's numbers: one row per lane, one per label, and the totals.
func (t *Trace) Text() string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
	var b strings.Builder
	rows := [][]string{{"lane", "busy", "of window", "goroutines", "stretches", "preempted", "blocked", "syscalls", "GC worker", "in syscall"}}
	for _, l := range t.Lanes {
		share := 0.0
		if t.Window > 0 {
			share = 100 * float64(l.Busy) / float64(t.Window)
		}
		rows = append(rows, []string{l.Name, ms(l.Busy), fmt.Sprintf("%.0f%%", share), fmt.Sprint(l.Goroutines),
			fmt.Sprint(l.Stretches), fmt.Sprint(l.Preempted), fmt.Sprint(l.Blocked), fmt.Sprint(l.Syscalls), ms(l.GC), ms(l.Syscall)})
	}
	writeRows(&b, rows)
	b.WriteString("\n")
	header := []string{"ran (label)"}
	for _, l := range t.Lanes {
		header = append(header, "on "+l.Name)
	}
	rows = [][]string{header}
	for _, lab := range t.Labels {
		row := []string{lab.Name}
		for _, l := range t.Lanes {
			row = append(row, ms(lab.OnLane[l.Name]))
		}
		rows = append(rows, row)
	}
	writeRows(&b, rows)
	fmt.Fprintf(&b, "\nwindow %s on %d lane(s), at most %d running at once; GC cycles %d, stop-the-world %s\n",
		ms(t.Window), len(t.Lanes), t.Busiest(), t.GCCycles, ms(t.StopTheWorld))
	return b.String()
}

// Chart is the trace as a [chart.Timeline]: lanes P0, P1, ..., bars coloured by label,
// and Text as its printed numbers.
func (t *Trace) Chart(title string) chart.Timeline {
	lanes := make([]string, len(t.Lanes))
	for i, l := range t.Lanes {
		lanes[i] = l.Name
	}
	return chart.Timeline{Title: title, Spans: t.Spans, Lanes: lanes, ColorByLabel: true, Text: t.Text()}
}

func writeRows(b *strings.Builder, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			if i == 0 {
				fmt.Fprintf(b, "%-*s", widths[i], c)
			} else {
				fmt.Fprintf(b, "  %*s", widths[i], c)
			}
		}
		b.WriteString("\n")
	}
}

const (
	syscallLabel = "syscall"
	gcLabel      = "GC worker"
	stwLabel     = "stop-the-world"
	tracerLabel  = "tracer"
)

// stretch is an open bar on a P: a goroutine running or in a syscall since start.
type stretch struct {
	g       xtrace.GoID
	start   xtrace.Time
	region  string // the innermost region it ran in, if any
	syscall bool
}

type bar struct {
	proc       xtrace.ProcID
	g          xtrace.GoID
	start, end xtrace.Time
	region     string
	syscall    bool
	ended      string // how it ended: "preempted", "blocked", "syscall", or ""
	joined     int    // stretches drawn as part of this bar (see coalesce)
}

// resumeGap is how soon a goroutine that yielded must run again on the same P for the two
// stretches to be drawn as one bar.
const resumeGap = 10 * time.Microsecond

// coalesce joins a stretch that ended by yielding (runtime.Gosched; the background sweeper
// does it thousands of times in one GC cycle) to the next stretch of the same goroutine
// on the same P when that follows at once: one bar instead of thousands of slivers.
// Preemptions are kept, so the chart shows every time the scheduler cut a goroutine off.
// bars must be sorted by P, then start.
func coalesce(bars []bar) []bar {
	var out []bar
	for _, b := range bars {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.proc == b.proc && last.g == b.g && last.region == b.region && !last.syscall && !b.syscall &&
				last.ended == "" && b.start.Sub(last.end) < resumeGap {
				last.end, last.ended = b.end, b.ended
				last.joined += 1 + b.joined
				continue
			}
		}
		out = append(out, b)
	}
	return out
}

// parser turns state transitions into bars. It reads the whole trace and cuts the bars
// to the window afterwards, because a trace reports goroutines by state changes and the
// state when the window opens is known only from what came before.
type parser struct {
	open     map[xtrace.ProcID]*stretch
	names    map[xtrace.GoID]string   // from the function each goroutine started in
	regions  map[xtrace.GoID][]string // the stack of regions each goroutine is in
	bars     []bar
	stw      [][2]xtrace.Time
	stwOpen  map[string]xtrace.Time
	gcStarts []xtrace.Time
	from, to xtrace.Time // the Record marks, or the first and last event
	marked   [2]bool
}

func parse(r io.Reader) (*Trace, error) {
	rd, err := xtrace.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a Go execution trace: %w", err)
	}
	p := &parser{
		open: map[xtrace.ProcID]*stretch{}, names: map[xtrace.GoID]string{}, regions: map[xtrace.GoID][]string{},
		stwOpen: map[string]xtrace.Time{},
	}
	first, last, events := xtrace.Time(0), xtrace.Time(0), 0
	for {
		ev, err := rd.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parsing the trace: %w", err)
		}
		if events == 0 {
			first = ev.Time()
		}
		events++
		last = ev.Time()
		p.event(ev)
	}
	if events == 0 {
		return nil, errors.New("the trace is empty")
	}
	if !p.marked[0] {
		p.from = first
	}
	if !p.marked[1] {
		p.to = last
	}
	for proc := range p.open {
		p.close(proc, last, "")
	}
	return p.result()
}

func (p *parser) event(ev xtrace.Event) {
	switch ev.Kind() {
	case xtrace.EventLog:
		if l := ev.Log(); l.Category == markCategory {
			switch l.Message {
			case "start":
				p.from, p.marked[0] = ev.Time(), true
			case "end":
				p.to, p.marked[1] = ev.Time(), true
			}
		}
	case xtrace.EventRegionBegin:
		g := ev.Goroutine()
		name := ev.Region().Type
		p.regions[g] = append(p.regions[g], name)
		// A region begun while the goroutine runs names the stretch it is in.
		if s := p.open[ev.Proc()]; s != nil && s.g == g && !s.syscall && s.region == "" {
			s.region = name
		}
	case xtrace.EventRegionEnd:
		g := ev.Goroutine()
		if rs := p.regions[g]; len(rs) > 0 {
			p.regions[g] = rs[:len(rs)-1]
		}
	case xtrace.EventRangeBegin, xtrace.EventRangeActive:
		name := ev.Range().Name
		if strings.HasPrefix(name, "stop-the-world") {
			p.stwOpen[name] = ev.Time()
		}
		if name == "GC concurrent mark phase" && ev.Kind() == xtrace.EventRangeBegin {
			p.gcStarts = append(p.gcStarts, ev.Time())
		}
	case xtrace.EventRangeEnd:
		name := ev.Range().Name
		if start, ok := p.stwOpen[name]; ok {
			p.stw = append(p.stw, [2]xtrace.Time{start, ev.Time()})
			delete(p.stwOpen, name)
		}
	case xtrace.EventStateTransition:
		st := ev.StateTransition()
		switch st.Resource.Kind {
		case xtrace.ResourceGoroutine:
			p.goroutine(ev, st)
		case xtrace.ResourceProc:
			proc := st.Resource.Proc()
			from, to := st.Proc()
			// A P leaving a goroutine in a syscall (taken by sysmon, or given up) ends
			// that syscall's bar; the syscall goes on without a P.
			if from.Executing() && !to.Executing() {
				p.close(proc, ev.Time(), "")
			}
		}
	}
}

func (p *parser) goroutine(ev xtrace.Event, st xtrace.StateTransition) {
	g := st.Resource.Goroutine()
	from, to := st.Goroutine()
	now := ev.Time()
	switch {
	case from == xtrace.GoNotExist && to != xtrace.GoNotExist:
		p.names[g] = startName(st.Stack, true)
	case p.names[g] == "" && st.Stack != xtrace.NoStack:
		// A goroutine that already ran when the trace began is named by the outermost
		// frame of its stack when it stops or is first described.
		p.names[g] = startName(st.Stack, false)
	}
	proc := ev.Proc()
	switch {
	case to == xtrace.GoRunning && from != xtrace.GoRunning:
		if proc == xtrace.NoProc {
			return
		}
		if s := p.open[proc]; from == xtrace.GoUndetermined && s != nil && s.g == g && !s.syscall {
			return // described again at a new generation of the trace: still the same stretch
		}
		p.close(proc, now, "")
		s := &stretch{g: g, start: now}
		if rs := p.regions[g]; len(rs) > 0 {
			s.region = rs[len(rs)-1]
		}
		p.open[proc] = s
	case from == xtrace.GoRunning && to != xtrace.GoRunning:
		ended := ""
		switch {
		case to == xtrace.GoRunnable && st.Reason == "preempted":
			ended = "preempted"
		case to == xtrace.GoWaiting:
			ended = "blocked"
		case to == xtrace.GoSyscall:
			ended = "syscall"
		}
		proc = p.procOf(g, proc)
		if proc == xtrace.NoProc {
			return
		}
		p.close(proc, now, ended)
		if to == xtrace.GoSyscall {
			p.open[proc] = &stretch{g: g, start: now, syscall: true}
		}
	case from == xtrace.GoSyscall && to != xtrace.GoSyscall:
		for proc, s := range p.open {
			if s.g == g && s.syscall {
				p.close(proc, now, "")
			}
		}
	}
}

// procOf finds the P on which g has an open stretch (the event's P, normally).
func (p *parser) procOf(g xtrace.GoID, proc xtrace.ProcID) xtrace.ProcID {
	if s := p.open[proc]; s != nil && s.g == g {
		return proc
	}
	for q, s := range p.open {
		if s.g == g && !s.syscall {
			return q
		}
	}
	return xtrace.NoProc
}

func (p *parser) close(proc xtrace.ProcID, now xtrace.Time, ended string) {
	s := p.open[proc]
	if s == nil {
		return
	}
	delete(p.open, proc)
	p.bars = append(p.bars, bar{proc: proc, g: s.g, start: s.start, end: now, region: s.region, syscall: s.syscall, ended: ended})
}

// label names a bar: its region, else its goroutine and the function that started in
// (known once the whole trace is read).
func (p *parser) label(b bar) string {
	switch {
	case b.syscall:
		return syscallLabel
	case b.region != "":
		return b.region
	}
	g := b.g
	name := p.names[g]
	switch {
	case name == "runtime.gcBgMarkWorker":
		return gcLabel
	case strings.HasPrefix(name, "runtime/trace.") || strings.HasPrefix(name, "runtime.trace") ||
		strings.HasPrefix(name, "runtime.(*trace"):
		return tracerLabel
	case name == "":
		return fmt.Sprintf("g%d", g)
	}
	return fmt.Sprintf("g%d %s", g, name)
}

// startName is the function a goroutine started in, without its package path: the first
// frame of a new goroutine's stack, or the outermost frame of one that already ran when
// the trace began.
func startName(stack xtrace.Stack, created bool) string {
	name := ""
	for f := range stack.Frames() {
		if f.Func == "runtime.goexit" {
			break
		}
		name = f.Func
		if created {
			break
		}
	}
	if name == "runtime.main" {
		return "main"
	}
	if i := strings.LastIndex(name, "/"); i >= 0 && !strings.HasPrefix(name, "runtime/") {
		name = name[i+1:]
	}
	return name
}

func (p *parser) result() (*Trace, error) {
	if p.to < p.from {
		return nil, errors.New("the trace's end mark comes before its start mark")
	}
	t := &Trace{Window: p.to.Sub(p.from)}
	tl := tally{p: p, t: t, lanes: map[xtrace.ProcID]*Lane{}, labels: map[string]*Label{},
		regions: map[string]bool{}, seen: map[xtrace.ProcID]map[xtrace.GoID]bool{}}
	slices.SortFunc(p.bars, func(a, b bar) int { return cmp.Or(cmp.Compare(a.proc, b.proc), cmp.Compare(a.start, b.start)) })
	for _, b := range coalesce(p.bars) {
		tl.add(b)
	}
	procs := slices.Sorted(maps.Keys(tl.lanes))
	for _, proc := range procs {
		t.Lanes = append(t.Lanes, *tl.lanes[proc])
	}
	// Stop-the-world pauses cover every lane: no goroutine runs anywhere meanwhile.
	for _, w := range p.stw {
		start, end := max(w[0], p.from), min(w[1], p.to)
		if end <= start {
			continue
		}
		t.StopTheWorld += end.Sub(start)
		for _, proc := range procs {
			t.Spans = append(t.Spans, timeline.Span{Lane: laneName(proc), Label: stwLabel, Start: start.Sub(p.from), End: end.Sub(p.from)})
		}
	}
	for _, g := range p.gcStarts {
		if g >= p.from && g <= p.to {
			t.GCCycles++
		}
	}
	if len(t.Spans) == 0 {
		return nil, errors.New("no goroutine ran on any P while the traced function ran")
	}
	tl.order()
	return t, nil
}

func laneName(proc xtrace.ProcID) string { return fmt.Sprintf("P%d", proc) }

// tally adds up the bars of a trace, lane by lane and label by label, into t.
type tally struct {
	p       *parser
	t       *Trace
	lanes   map[xtrace.ProcID]*Lane
	labels  map[string]*Label
	regions map[string]bool // labels that are trace regions
	seen    map[xtrace.ProcID]map[xtrace.GoID]bool
}

func (tl *tally) lane(proc xtrace.ProcID) *Lane {
	if l := tl.lanes[proc]; l != nil {
		return l
	}
	l := &Lane{Name: laneName(proc)}
	tl.lanes[proc] = l
	return l
}

// add counts b's part inside the window as a span, on its lane and under its label.
func (tl *tally) add(b bar) {
	p := tl.p
	start, end := max(b.start, p.from), min(b.end, p.to)
	if end < start || (end == start && b.start != b.end) {
		return // outside the window
	}
	d := end.Sub(start)
	l := tl.lane(b.proc)
	label := p.label(b)
	if b.region != "" {
		tl.regions[label] = true
	}
	tl.t.Spans = append(tl.t.Spans, timeline.Span{Lane: l.Name, Label: label, Start: start.Sub(p.from), End: end.Sub(p.from)})
	if b.syscall {
		l.Syscall += d
		return
	}
	l.Busy += d
	l.Stretches += 1 + b.joined
	if label == gcLabel {
		l.GC += d
	}
	if tl.seen[b.proc] == nil {
		tl.seen[b.proc] = map[xtrace.GoID]bool{}
	}
	if !tl.seen[b.proc][b.g] {
		tl.seen[b.proc][b.g] = true
		l.Goroutines++
	}
	if b.end <= p.to {
		switch b.ended {
		case "preempted":
			l.Preempted++
		case "blocked":
			l.Blocked++
		case "syscall":
			l.Syscalls++
		}
	}
	lab := tl.labels[label]
	if lab == nil {
		lab = &Label{Name: label, OnLane: map[string]time.Duration{}}
		tl.labels[label] = lab
	}
	lab.OnLane[l.Name] += d
}

// order sorts the spans by start, lists the labels in order of first appearance, and
// puts the regions' spans first, by name.
func (tl *tally) order() {
	t := tl.t
	slices.SortStableFunc(t.Spans, func(a, b timeline.Span) int { return cmp.Compare(a.Start, b.Start) })
	done := map[string]bool{}
	for _, s := range t.Spans {
		if lab := tl.labels[s.Label]; lab != nil && !done[s.Label] {
			done[s.Label] = true
			t.Labels = append(t.Labels, *lab)
		}
	}
	regions := tl.regions
	slices.SortStableFunc(t.Spans, func(a, b timeline.Span) int {
		if regions[a.Label] != regions[b.Label] {
			if regions[a.Label] {
				return -1
			}
			return 1
		}
		if regions[a.Label] {
			return strings.Compare(a.Label, b.Label)
		}
		return 0
	})
}
