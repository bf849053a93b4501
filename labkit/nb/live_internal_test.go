package nb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeFrontEnd plays JupyterLab: it answers the panel's hello when answers is set, records
// every update, and lets the test send what the panel's script would.
type fakeFrontEnd struct {
	answers bool
	lost    int // panels shown whose hello is lost (GoNB's browser side gave up on the connection)

	mu      sync.Mutex
	deliver func(string)
	shown   map[string]string // display id -> latest HTML
	history []string          // every HTML shown, in order
	changed chan struct{}     // closed and replaced on every update
	async   sync.WaitGroup    // deliveries in flight, as GoNB makes them
}

func newFake(answers bool) *fakeFrontEnd {
	return &fakeFrontEnd{answers: answers, shown: map[string]string{}, changed: make(chan struct{})}
}

func (f *fakeFrontEnd) mayAnswer() bool { return true }

func (f *fakeFrontEnd) listen(_ string, deliver func(string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deliver = deliver
}

func (f *fakeFrontEnd) update(id, html, _ string) {
	f.mu.Lock()
	panel := strings.Contains(html, "data-labkit-knobs")
	lost := panel && f.lost > 0
	if lost {
		f.lost--
	}
	f.shown[id] = html
	f.history = append(f.history, html)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	if panel && f.answers && !lost {
		f.send("hello")
	}
}

func (f *fakeFrontEnd) flush() {}

// send delivers msg on a goroutine of its own, as GoNB does.
func (f *fakeFrontEnd) send(msg string) {
	f.mu.Lock()
	deliver := f.deliver
	f.mu.Unlock()
	f.async.Go(func() { deliver(msg) })
}

// await returns the first HTML ever shown that satisfies ok, waiting for updates; it
// fails the test if none does within a minute (a hang, not a timing check).
func (f *fakeFrontEnd) await(t *testing.T, what string, ok func(html string) bool) string {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		f.mu.Lock()
		for _, h := range f.history {
			if ok(h) {
				f.mu.Unlock()
				return h
			}
		}
		changed := f.changed
		f.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no output shows %s; have %q", what, f.shown)
		}
	}
}

func has(s string) func(string) bool { return func(h string) bool { return strings.Contains(h, s) } }

func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	f := &frame{pending: map[int]string{}}
	restore, drained := f.captureStdout()
	fn()
	restore()
	<-drained
	return f.html()
}

func TestLiveWithoutAnswerRunsOnceWithDefaults(t *testing.T) {
	defer func(d time.Duration) { handshakeWait = d }(handshakeWait)
	handshakeWait = time.Millisecond
	for _, fe := range []frontEnd{gonbFrontEnd{}, newFake(false)} {
		var runs []string
		var err error
		out := captureStdout(t, func() {
			err = live(context.Background(), fe, []Knob{Range("n", 1, 9, 3), Choice("mix", "b", "a", "b")},
				func(_ context.Context, v Values) error {
					runs = append(runs, v.format())
					return errors.New("boom")
				})
		})
		if len(runs) != 1 || runs[0] != "n=3, mix=b" {
			t.Errorf("%T: runs %q, want one with the defaults", fe, runs)
		}
		if err == nil || err.Error() != "boom" {
			t.Errorf("%T: err %v, want run's", fe, err)
		}
		if !strings.Contains(out, "Ran once with n=3, mix=b; in JupyterLab, knobs (n, mix) re-run this cell live.") {
			t.Errorf("%T: printed %q", fe, out)
		}
		if fake, ok := fe.(*fakeFrontEnd); ok {
			for id, h := range fake.shown {
				if h != "" {
					t.Errorf("unanswered panel left on screen: %s=%q", id, h)
				}
			}
		}
	}
}

func TestLiveRestartsOneRunAtATimeAndEndsOnDone(t *testing.T) {
	fe := newFake(true)
	var inFlight, most atomic.Int32
	cancelled := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- live(context.Background(), fe, []Knob{Steps("n", 2, 1, 2, 4, 8)}, func(ctx context.Context, v Values) error {
			now := inFlight.Add(1)
			defer inFlight.Add(-1)
			if now > most.Load() {
				most.Store(now)
			}
			fmt.Printf("n is %d\n", v.Int("n"))
			if v.Int("n") == 4 { // a slow run: only a move ends it
				<-ctx.Done()
				cancelled <- v.format()
				return ctx.Err()
			}
			HTML(fmt.Sprintf("<i>chart of %d</i>", v.Int("n")))
			return nil
		})
	}()
	fe.await(t, "the first run", has("n is 2\n</pre><i>chart of 2</i>"))
	fe.send("set 1 n=4")
	fe.await(t, "the slow run", has("running with n=4"))
	fe.send("set 3 n=8")
	fe.send("set 2 n=1") // older than 3, delivered late: ignored
	fe.await(t, "the run after the move", has("chart of 8"))
	if got := <-cancelled; got != "n=4" {
		t.Errorf("cancelled %q, want the n=4 run", got)
	}
	fe.send("done")
	if err := <-done; err != nil {
		t.Fatalf("Live: %v", err)
	}
	fe.async.Wait()
	fe.await(t, "the final knobs", has("Knobs: n=8 — ended by Done"))
	if most.Load() != 1 {
		t.Errorf("%d runs overlapped", most.Load())
	}
}

func TestLiveShowsAFailedRunAndEndsWhenIdleOrInterrupted(t *testing.T) {
	defer func(d time.Duration) { idleTimeout = d }(idleTimeout)
	idleTimeout = 50 * time.Millisecond
	fe := newFake(true)
	err := live(context.Background(), fe, []Knob{Choice("mode", "panic", "panic", "ok")}, func(context.Context, Values) error {
		panic("bad mode")
	})
	if err != nil {
		t.Fatal(err)
	}
	fe.await(t, "the panic as an error", has("panic: bad mode"))
	fe.await(t, "the idle end", has("ended after 50ms without a move"))
	fe.async.Wait()

	idleTimeout = time.Hour
	fe = newFake(true)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		fe.await(t, "a run in flight", has("running with mode=ok"))
		cancel() // what ■ does through os.Interrupt
	}()
	err = live(ctx, fe, []Knob{Choice("mode", "ok", "ok")}, func(ctx context.Context, _ Values) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	fe.await(t, "the interrupted end", has("interrupted"))
	fe.async.Wait()
}

func TestLiveRejectsBadKnobs(t *testing.T) {
	run := func(context.Context, Values) error { t.Error("ran with bad knobs"); return nil }
	for _, tc := range []struct {
		knobs []Knob
		want  string
	}{
		{nil, "nb: Live needs at least one knob"},
		{[]Knob{Range("", 1, 2, 1)}, "nb: a knob has no name"},
		{[]Knob{Range("n", 1, 2, 1), Choice("n", "a", "a")}, `nb: two knobs are named "n"`},
		{[]Knob{Range("n", 3, 2, 1)}, `nb: knob "n": range 3..2 is empty`},
		{[]Knob{Range("n", 1, 3, 7)}, `nb: knob "n": default "7" is not one of ["1" "2" "3"]`},
		{[]Knob{Steps("n", 1, 1, 4, 2)}, `nb: knob "n": steps [1 4 2] are not strictly increasing`},
		{[]Knob{Choice("s", "a")}, `nb: knob "s": no choices`},
		{[]Knob{Choice("s", "a", "a", "a")}, `nb: knob "s": choices ["a" "a"] repeat a value`},
		{[]Knob{{}}, "nb: a knob has no name"},
	} {
		err := live(context.Background(), newFake(true), tc.knobs, run)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v: got %v, want %s", tc.knobs, err, tc.want)
		}
	}
}

func TestValuesWithKeepsWhatTheKnobsDoNotOffer(t *testing.T) {
	knobs := []Knob{Range("n", 1, 4, 2), Choice("s", "x", "x", "y z")}
	v := defaults(knobs).with(knobs, "n=9&s=y+z&other=1&%zz")
	if v.format() != "n=2, s=y z" {
		t.Errorf("got %s", v.format())
	}
	defer func() {
		if recover() == nil {
			t.Error("Int of a missing knob did not panic")
		}
	}()
	v.Int("missing")
}

func TestPanelScriptCannotEndEarly(t *testing.T) {
	h := panelHTML("p1", "/a", []Knob{Choice("</script>", "</b>", "</b>")})
	if strings.Count(h, "</script>") != 1 || !strings.HasSuffix(h, "</script>") {
		t.Errorf("panel HTML ends its script early: %s", h)
	}
}

func TestLiveRunShowsProgressOnTheStatusLineAndMarkdownAsText(t *testing.T) {
	fe := newFake(true)
	done := make(chan error, 1)
	go func() {
		done <- live(context.Background(), fe, []Knob{Range("n", 1, 3, 2)}, func(ctx context.Context, v Values) error {
			bar := ProgressBar("rounds")
			bar(1, 2)
			bar(2, 2)
			Markdown("**numbers** 42")
			return nil
		})
	}()
	fe.await(t, "the progress on the status line", has(`running with n=2 …</div><div style="font-family:sans-serif;font-size:13px">rounds <progress max="2" value="2"`))
	fe.await(t, "the Markdown as text in the result", has("**numbers** 42\n</pre>"))
	fe.send("done")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	fe.async.Wait()
}

func TestLiveAsksAgainWhenTheFirstHelloIsLost(t *testing.T) {
	defer func(d time.Duration) { handshakeWait = d }(handshakeWait)
	handshakeWait = 10 * time.Millisecond
	fe := newFake(true)
	fe.lost = 1
	done := make(chan error, 1)
	go func() {
		done <- live(context.Background(), fe, []Knob{Range("n", 1, 2, 1)}, func(context.Context, Values) error {
			fmt.Println("ran")
			return nil
		})
	}()
	fe.await(t, "the run, live", has("ran\n</pre>"))
	fe.send("done")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	fe.async.Wait()
	var panels int
	for _, h := range fe.history {
		if strings.Contains(h, `"address":"/labkit/knobs/`) {
			panels++
		}
	}
	if panels != 2 {
		t.Errorf("the panel was shown %d times, want 2 (a second address after the lost hello)", panels)
	}
}
