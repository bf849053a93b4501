package nb

import (
	"context"
	"fmt"
	"html"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Live runs an experiment once per position of its knobs. In JupyterLab the cell shows the
// knobs and a Done button above the experiment's output; each time the reader moves a knob,
// run is called again with the new [Values] and its printed numbers and charts replace the
// previous ones in place. A move while a run is in flight cancels that run's ctx and waits
// for run to return before starting the next, so there is never more than one run: run must
// honour ctx. The session ends when the reader presses Done or interrupts the kernel (■), or
// after [IdleTimeout] without a move; Live then returns nil with nothing left running.
// Errors of single runs are shown in the cell.
//
// Where nobody can move a knob — an nbclient or nbconvert run, `make html`, VS Code, a plain
// `go run` — Live calls run once with the defaults, prints one line naming the knobs, and
// returns run's error. Live decides by asking the front end for a reply, which only
// JupyterLab (or Jupyter Notebook) with GoNB's widgets gives; setting LABKIT_KNOBS=off skips
// asking.
//
// While a run is captured, run's standard output and what it shows with [HTML], [Markdown] and
// [ProgressBar] go to the cell's updatable output instead of being appended to it.
func Live(ctx context.Context, knobs []Knob, run func(ctx context.Context, v Values) error) error {
	return live(ctx, gonbFrontEnd{}, knobs, run)
}

// IdleTimeout is how long an interactive [Live] session waits for the reader to move a knob
// before it ends by itself, so a forgotten tab does not keep a cell running.
const IdleTimeout = 5 * time.Minute

// frontEnd is what a live session needs from the notebook: gonbFrontEnd in a GoNB cell, a
// fake in the tests.
type frontEnd interface {
	// mayAnswer is false where no front end can answer (no Jupyter server started the
	// kernel), so the session need not wait for a reply that cannot come.
	mayAnswer() bool
	// listen delivers every message the front end sends to address; deliver must not block.
	listen(address string, deliver func(msg string))
	// update replaces the content of the output with the given display id (creating it
	// the first time) with html, and plain where HTML is not shown.
	update(displayID, html, plain string)
	// flush returns once everything sent so far has been handled by the kernel.
	flush()
}

// session is the state the front end's messages update; the loop in live reads it.
type session struct {
	knobs  []Knob
	ids    ids
	notify chan struct{} // a token when something changed; capacity 1, so sends never block

	mu     sync.Mutex
	hello  bool   // the panel's script is running: the front end answers
	done   bool   // the reader pressed Done
	seq    int    // highest "set" message applied; GoNB may deliver them out of order
	values Values // the knobs' latest positions
}

// receive handles one message of the panel's script: "hello", "done" or "set SEQ QUERY".
func (s *session) receive(msg string) {
	s.mu.Lock()
	switch verb, rest, _ := strings.Cut(msg, " "); verb {
	case "hello":
		s.hello = true
	case "done":
		s.done = true
	case "set":
		seqText, query, _ := strings.Cut(rest, " ")
		if seq, err := strconv.Atoi(seqText); err == nil && seq > s.seq {
			s.seq, s.values = seq, s.values.with(s.knobs, query)
		}
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default: // a token is already waiting; the loop reads the latest state anyway
	}
}

func (s *session) state() (hello, done bool, v Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hello, s.done, s.values
}

// handshakeWait is how long Live waits for the panel's first message once the kernel has
// handled the panel. In JupyterLab the reply takes milliseconds.
var handshakeWait = 2 * time.Second

// idleTimeout is IdleTimeout, shortened by the tests.
var idleTimeout = IdleTimeout

func live(ctx context.Context, fe frontEnd, knobs []Knob, run func(ctx context.Context, v Values) error) error {
	if err := checkKnobs(knobs); err != nil {
		return err
	}
	if run == nil {
		return fmt.Errorf("nb: Live needs a run function")
	}
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt) // ■ ends a run, and a live session
	defer stopSignals()
	s := &session{knobs: knobs, notify: make(chan struct{}, 1), values: defaults(knobs)}
	if !fe.mayAnswer() || !handshake(ctx, fe, s) {
		return runOnce(ctx, knobs, s.values, run)
	}
	return s.loop(ctx, fe, run)
}

// ids names the three outputs of an interactive cell.
type ids struct{ panel, status, result string }

var liveIDs = func() ids {
	return ids{UniqueID("labkit-knobs-"), UniqueID("labkit-status-"), UniqueID("labkit-result-")}
}

// handshakeTries is how many times handshake shows the panel. GoNB's browser side gives up
// on a connection whose acknowledgement takes more than half a second (a loaded machine);
// asking again on a fresh address makes the kernel notice and connect anew.
const handshakeTries = 2

// handshake shows the panel and reports whether its script answered.
func handshake(ctx context.Context, fe frontEnd, s *session) bool {
	s.ids = liveIDs()
	for try := range handshakeTries {
		address := fmt.Sprintf("/labkit/knobs/%s/%d", s.ids.panel, try)
		fe.listen(address, s.receive)
		fe.update(s.ids.panel, panelHTML(s.ids.panel, address, s.knobs), "")
		fe.flush() // the kernel has now tried to reach the browser (up to 3 s when it cannot)
		if s.awaitHello(ctx) {
			return true
		}
	}
	fe.update(s.ids.panel, "", "") // knobs nobody can move are not worth showing
	return false
}

// awaitHello waits up to handshakeWait for the panel's first message.
func (s *session) awaitHello(ctx context.Context) bool {
	timer := time.NewTimer(handshakeWait)
	defer timer.Stop()
	for {
		if hello, _, _ := s.state(); hello {
			return true
		}
		select {
		case <-s.notify:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// runOnce is the non-interactive path: the defaults, run's own output, and one line.
func runOnce(ctx context.Context, knobs []Knob, v Values, run func(ctx context.Context, v Values) error) error {
	err := run(ctx, v)
	names := make([]string, len(knobs))
	for i, k := range knobs {
		names[i] = k.name
	}
	fmt.Printf("\nRan once with %s; in JupyterLab, knobs (%s) re-run this cell live.\n",
		v.format(), strings.Join(names, ", "))
	return err
}

// loop is the interactive session: one run at a time, restarted whenever the knobs move.
func (s *session) loop(ctx context.Context, fe frontEnd, run func(ctx context.Context, v Values) error) error {
	idle := time.NewTimer(idleTimeout)
	defer idle.Stop()

	var (
		finished chan *frame        // receives the run's output; nil while no run is in flight
		cancel   context.CancelFunc // cancels the run in flight
		current  Values             // the values of the run in flight or last shown
	)
	start := func(v Values) {
		current = v
		var runCtx context.Context
		runCtx, cancel = context.WithCancel(ctx)
		finished = make(chan *frame, 1)
		showStatus(fe, s.ids.status, runningLine(v))
		go func() { finished <- capture(runCtx, fe, s.ids.status, v, run) }()
	}
	stop := func() {
		if finished != nil {
			cancel()
			<-finished // run honours ctx: wait, so runs never overlap
			finished = nil
		}
	}
	end := func(why string) error {
		stop()
		fe.update(s.ids.status, "", "")
		showStatus(fe, s.ids.panel, "Knobs: "+current.format()+" — "+why+"; run the cell again to explore.")
		fe.flush()
		return nil
	}
	_, _, v := s.state()
	start(v)
	for {
		select {
		case f := <-finished:
			finished = nil
			cancel()
			fe.update(s.ids.result, `<div data-labkit-result="`+html.EscapeString(current.format())+`">`+f.html()+`</div>`, f.text())
			showStatus(fe, s.ids.status, "showing "+current.format())
			idle.Reset(idleTimeout)
		case <-s.notify:
			_, done, v := s.state()
			if done {
				return end("ended by Done")
			}
			if !v.equal(current) {
				stop()
				start(v)
				idle.Reset(idleTimeout)
			}
		case <-idle.C:
			return end(fmt.Sprintf("ended after %v without a move", idleTimeout))
		case <-ctx.Done():
			return end("interrupted")
		}
	}
}

func runningLine(v Values) string { return "running with " + v.format() + " …" }

func showStatus(fe frontEnd, id, text string) {
	fe.update(id, statusDiv(text), text)
}

func statusDiv(text string) string {
	return `<div style="font-family:sans-serif;font-size:13px;color:#555">` + html.EscapeString(text) + `</div>`
}
