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

// ProgressBar returns the lab's one progress hook, for a cell that runs more than a few
// seconds — the lab's answer to tqdm in a Python notebook. Call it with how many of total
// steps are done: the first call draws a bar (in a notebook; elsewhere it prints a line
// each time another tenth of the work is done), later calls update it in place, and the
// call that reaches total shows the final state, which is what an exported notebook keeps.
// A count lower than one already shown is ignored, so the goroutines doing the work may
// call it themselves, concurrently and out of order.
//
// Long measurements take it as their options' Progress field, e.g.
// contention.Options{Progress: nb.ProgressBar("measurements")}; a hand-written loop
// calls it itself: bar(i+1, n).
func ProgressBar(label string) func(done, total int) {
	var once sync.Once
	var p *progress
	return func(done, total int) {
		once.Do(func() {
			p = newProgress(label, total)
			if f := currentFrame(); f != nil { // a Live run: the bar takes the status line
				p.show = func(done int, final bool) { f.fe.update(f.statusID, statusDiv(f.running)+p.html(done), f.running) }
			} else if InNotebook() {
				p.show = func(done int, final bool) { gonbui.UpdateHTML(p.id, p.html(done)) }
			} else {
				p.show = p.textTo(os.Stdout)
			}
			p.show(0, false)
		})
		p.report(done)
	}
}

// progress is the state behind a ProgressBar.
type progress struct {
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

func newProgress(label string, total int) *progress {
	return &progress{label: label, total: max(total, 1), id: UniqueID("labkit-progress-"), lastPrinted: -1}
}

// report records that done steps are done, redraws the display if it is due, and shows
// the final state once done reaches the total; later reports do nothing.
func (p *progress) report(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || done <= p.done && done < p.total {
		return
	}
	p.done = max(p.done, min(done, p.total))
	if p.done == p.total {
		p.finished = true
		p.show(p.done, true)
		if InNotebook() {
			gonbui.Sync() // the last update must reach the front end before the cell's program exits
		}
		return
	}
	if now := time.Now(); now.Sub(p.lastShown) >= progressEvery {
		p.lastShown = now
		p.show(p.done, false)
	}
}

func (p *progress) html(done int) string {
	pct := 100 * done / p.total
	return fmt.Sprintf(`<div style="font-family:sans-serif;font-size:13px">%s `+
		`<progress max="%d" value="%d" style="vertical-align:middle;width:16em"></progress> %d/%d (%d%%)</div>`,
		html.EscapeString(p.label), p.total, done, done, p.total, pct)
}

// textTo prints a line for each tenth of the work crossed, and the final state.
func (p *progress) textTo(w io.Writer) func(done int, final bool) {
	return func(done int, final bool) {
		tenth := 10 * done / p.total
		if done != p.lastPrinted && (final || done == 0 || tenth > p.lastTenth) {
			p.lastTenth, p.lastPrinted = tenth, done
			fmt.Fprintf(w, "%s: %d/%d (%d%%)\n", p.label, done, p.total, 100*done/p.total)
		}
	}
}
