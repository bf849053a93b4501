package nb

import (
	"fmt"
	"html"
	"io"
	"os"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// Progress shows how far a long-running cell has got, updated in place — the lab's
// answer to tqdm in a Python notebook — and ends with its final state, which is what an
// exported notebook shows. In a notebook it draws a bar with a count; anywhere else it
// prints a line each time another tenth of the work is done. Its methods are safe for
// concurrent use, so the goroutines doing the work can report it themselves.
type Progress struct {
	label string
	total int
	id    string
	// show renders the current state; final is set for the last call.
	show func(done int, final bool)

	mu          sync.Mutex
	done        int
	lastShown   time.Time
	lastTenth   int
	lastPrinted int // text mode: the count last printed, -1 before the first line
	finished    bool
}

// progressEvery bounds how often the bar is redrawn: each update is a message to the
// front end, and a cell may report thousands of steps.
const progressEvery = 100 * time.Millisecond

// NewProgress starts a progress display for total steps of work described by label.
// A total below 1 is treated as 1.
func NewProgress(label string, total int) *Progress {
	p := newProgress(label, total)
	if f := currentFrame(); f != nil { // a Live run: the bar takes the status line
		p.show = func(done int, final bool) { f.fe.update(f.statusID, statusDiv(f.running)+p.html(done), f.running) }
	} else if InNotebook() {
		p.show = func(done int, final bool) { gonbui.UpdateHTML(p.id, p.html(done)) }
	} else {
		p.show = p.textTo(os.Stdout)
	}
	p.show(0, false)
	return p
}

func newProgress(label string, total int) *Progress {
	return &Progress{label: label, total: max(total, 1), id: UniqueID("labkit-progress-"), lastPrinted: -1}
}

// Add records n more steps done and redraws the display if it is due.
func (p *Progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.done = min(p.done+n, p.total)
	if now := time.Now(); now.Sub(p.lastShown) >= progressEvery || p.done == p.total {
		p.lastShown = now
		p.show(p.done, false)
	}
}

// Done shows the final state: the steps recorded so far out of the total. Later calls to
// Add and Done do nothing.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	p.show(p.done, true)
	if InNotebook() {
		gonbui.Sync() // the last update must reach the front end before the cell's program exits
	}
}

func (p *Progress) html(done int) string {
	pct := 100 * done / p.total
	return fmt.Sprintf(`<div style="font-family:sans-serif;font-size:13px">%s `+
		`<progress max="%d" value="%d" style="vertical-align:middle;width:16em"></progress> %d/%d (%d%%)</div>`,
		html.EscapeString(p.label), p.total, done, done, p.total, pct)
}

// textTo prints a line for each tenth of the work crossed, and the final state.
func (p *Progress) textTo(w io.Writer) func(done int, final bool) {
	return func(done int, final bool) {
		tenth := 10 * done / p.total
		if done != p.lastPrinted && (final || done == 0 || tenth > p.lastTenth) {
			p.lastTenth, p.lastPrinted = tenth, done
			fmt.Fprintf(w, "%s: %d/%d (%d%%)\n", p.label, done, p.total, 100*done/p.total)
		}
	}
}
