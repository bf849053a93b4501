package nb

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"os"
	"strconv"
	"strings"
	"sync"
)

// A frame is one run's output in an interactive [Live] cell: what it printed and the HTML
// it showed, in the order it did so, redrawn as a whole in place of the previous run's.
type frame struct {
	fe       frontEnd
	statusID string // where a Progress of this run draws
	running  string // the status line while this run is in flight

	mu      sync.Mutex
	parts   []string        // HTML fragments in order; printed text is already escaped
	printed strings.Builder // the printed text alone, for text/plain
	pending map[int]string  // HTML shown, waiting for its marker in the captured stdout
	stdout  *os.File        // the pipe's write end while stdout is captured, else nil
	markers int             // HTML parts handed to the pipe so far
	err     error           // what run returned (or its panic)
}

// capturing is the frame of the run in flight; nil when no interactive run is.
var capturing struct {
	mu sync.Mutex
	f  *frame
}

func currentFrame() *frame {
	capturing.mu.Lock()
	defer capturing.mu.Unlock()
	return capturing.f
}

// capture calls run with its output redirected into a new frame.
func capture(ctx context.Context, fe frontEnd, statusID string, v Values, run func(context.Context, Values) error) *frame {
	f := &frame{fe: fe, statusID: statusID, running: runningLine(v), pending: map[int]string{}}
	restore, drained := f.captureStdout()
	capturing.mu.Lock()
	capturing.f = f
	capturing.mu.Unlock()

	err := callSafely(ctx, v, run)

	capturing.mu.Lock()
	capturing.f = nil
	capturing.mu.Unlock()
	restore()
	<-drained
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
	return f
}

// callSafely turns a panic in run into an error, so one bad position of a knob does not end
// the session.
func callSafely(ctx context.Context, v Values, run func(context.Context, Values) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return run(ctx, v)
}

// captureStdout points os.Stdout at a pipe read into f until restore is called; drained is
// closed when everything written has been read. HTML shown meanwhile writes a marker into
// the same pipe, which keeps it in its place among the printed lines.
func (f *frame) captureStdout() (restore func(), drained <-chan struct{}) {
	done := make(chan struct{})
	r, w, err := os.Pipe()
	if err != nil { // no pipe: printed text goes to the cell as usual, HTML still redraws
		close(done)
		return func() {}, done
	}
	saved := os.Stdout
	os.Stdout = w
	f.mu.Lock()
	f.stdout = w
	f.mu.Unlock()
	go func() {
		defer close(done)
		defer r.Close()
		f.read(bufio.NewReader(r))
	}()
	return func() {
		os.Stdout = saved
		f.mu.Lock()
		f.stdout = nil
		f.mu.Unlock()
		w.Close()
	}, done
}

// read splits the captured stream into text and the markers "\x00N\x00" of HTML part N.
func (f *frame) read(r *bufio.Reader) {
	for {
		text, err := r.ReadString(0)
		f.addText(strings.TrimSuffix(text, "\x00"))
		if err != nil {
			return
		}
		marker, err := r.ReadString(0)
		n, convErr := strconv.Atoi(strings.TrimSuffix(marker, "\x00"))
		f.mu.Lock()
		if h, ok := f.pending[n]; ok && convErr == nil {
			f.parts = append(f.parts, h)
			delete(f.pending, n)
		}
		f.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (f *frame) addText(text string) {
	if text == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.printed.WriteString(text)
	f.parts = append(f.parts, `<pre style="margin:0;white-space:pre-wrap">`+html.EscapeString(text)+`</pre>`)
}

// addHTML places h after the text printed so far.
func (f *frame) addHTML(h string) {
	f.mu.Lock()
	if f.stdout == nil {
		f.parts = append(f.parts, h)
		f.mu.Unlock()
		return
	}
	n := f.markers
	f.markers++
	f.pending[n] = h
	w := f.stdout
	f.mu.Unlock()
	fmt.Fprintf(w, "\x00%d\x00", n)
}

// html is the frame as one fragment: its parts, then run's error if any.
func (f *frame) html() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, p := range f.parts {
		b.WriteString(p)
	}
	for _, h := range f.pending { // shown without a marker read back; keep it rather than lose it
		b.WriteString(h)
	}
	if f.err != nil {
		b.WriteString(`<pre style="margin:0;color:#b00020">` + html.EscapeString(f.err.Error()) + `</pre>`)
	}
	return b.String()
}

// text is what run printed, then its error if any.
func (f *frame) text() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.printed.String() + f.err.Error() + "\n"
	}
	return f.printed.String()
}
