package nb

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAnswerer plays the browser: once the buttons are shown it sends the scripted replies.
type fakeAnswerer struct {
	browser bool     // a Jupyter server started the kernel
	replies []string // what the buttons' script sends once shown

	mu      sync.Mutex
	deliver func(string)
	shown   []string // plain text of every update
}

func (f *fakeAnswerer) mayAnswer() bool { return f.browser }
func (f *fakeAnswerer) listen(_ string, deliver func(string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deliver = deliver
}
func (f *fakeAnswerer) update(_, html, plain string) {
	f.mu.Lock()
	f.shown = append(f.shown, plain)
	deliver, first := f.deliver, strings.Contains(html, "data-labkit-predict ")
	f.mu.Unlock()
	if first {
		for _, r := range f.replies {
			go deliver(r) // GoNB delivers on goroutines of its own
			time.Sleep(time.Millisecond)
		}
	}
}
func (f *fakeAnswerer) flush() {}

func stdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	defer func() { os.Stdout = old }()
	fn()
	w.Close()
	return <-done
}

var speedups = []Guess{About(1), About(2), {Label: "about 8× (NumCPU)", Value: 8}}

func TestPredictHeadlessRecordsNothing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LABKIT_DATA_DIR", dir)
	out := stdout(t, func() {
		predict(&fakeAnswerer{}, "01/speedup", speedups)
		measured(&fakeAnswerer{}, "01/speedup", 1.9, "1.9×")
	})
	if strings.TrimSpace(out) != HeadlessPredictLine {
		t.Errorf("headless output = %q, want the one line %q", out, HeadlessPredictLine)
	}
	if _, err := os.Stat(filepath.Join(dir, predictionsFile)); !os.IsNotExist(err) {
		t.Errorf("a headless run wrote %s (stat: %v)", predictionsFile, err)
	}
}

func TestPredictWithoutReplyDoesNotWait(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LABKIT_DATA_DIR", dir)
	defer func(d time.Duration) { predictWait = d }(predictWait)
	predictWait = 50 * time.Millisecond
	out := stdout(t, func() { predict(&fakeAnswerer{browser: true}, "01/speedup", speedups) })
	if strings.TrimSpace(out) != HeadlessPredictLine {
		t.Errorf("output = %q, want %q", out, HeadlessPredictLine)
	}
	if ps, _ := Predictions(); len(ps) != 0 {
		t.Errorf("recorded %v without a click", ps)
	}
}

func TestPredictClickThenMeasure(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LABKIT_DATA_DIR", dir)
	fe := &fakeAnswerer{browser: true, replies: []string{"hello", "pick about 2×"}}
	stdout(t, func() { predict(fe, "01/speedup", speedups) })
	if got := fe.shown[len(fe.shown)-1]; !strings.Contains(got, "You predicted about 2×") {
		t.Errorf("panel ends with %q, want the recorded answer", got)
	}
	out := stdout(t, func() { measured(fe, "01/speedup", 1.9, "1.9×") })
	if want := "You predicted about 2×, measured 1.9× — the nearest choice."; strings.TrimSpace(out) != want {
		t.Errorf("measuring cell printed %q, want %q", out, want)
	}
	ps, err := Predictions()
	if err != nil || len(ps) != 1 {
		t.Fatalf("Predictions() = %v, %v; want one", ps, err)
	}
	if p := ps[0]; p.Notebook() != "01" || !p.HasMeasured || p.Measured != 1.9 || !p.Right() {
		t.Errorf("recorded %+v", p)
	}

	// A re-run keeps the answer; a new answer replaces it and forgets the old measurement.
	fe = &fakeAnswerer{browser: true, replies: []string{"hello", "pick about 8× (NumCPU)"}}
	stdout(t, func() { predict(fe, "01/speedup", speedups) })
	ps, _ = Predictions()
	if len(ps) != 1 || ps[0].Answer.Label != "about 8× (NumCPU)" || ps[0].HasMeasured {
		t.Fatalf("after a new answer: %+v", ps)
	}
	out = stdout(t, func() { measured(fe, "01/speedup", 1.9, "1.9×") })
	if !strings.Contains(out, "nearest was about 2×") {
		t.Errorf("a wrong prediction printed %q", out)
	}
}

func TestPredictSkipAndUnknownPick(t *testing.T) {
	t.Setenv("LABKIT_DATA_DIR", t.TempDir())
	fe := &fakeAnswerer{browser: true, replies: []string{"hello", "pick about 3×", "skip"}}
	stdout(t, func() { predict(fe, "05/pool", speedups) })
	if ps, _ := Predictions(); len(ps) != 0 {
		t.Errorf("skip recorded %v", ps)
	}
	out := stdout(t, func() { measured(fe, "05/pool", 2, "2.0×") })
	if !strings.Contains(out, "No prediction recorded for 05/pool") {
		t.Errorf("measuring without a prediction printed %q", out)
	}
}

func TestPredictionsSkipsDamagedLines(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LABKIT_DATA_DIR", dir)
	if err := appendEvent(event{ID: "06/ideal", Kind: "predicted", Answer: &Guess{"about 1×", 1}, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, predictionsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{not json\n")
	f.Close()
	ps, err := Predictions()
	if err != nil || len(ps) != 1 || ps[0].ID != "06/ideal" {
		t.Errorf("Predictions() = %v, %v", ps, err)
	}
}

func TestPredictMisusePanics(t *testing.T) {
	for name, fn := range map[string]func(){
		"bad id":      func() { predict(&fakeAnswerer{}, "speedup", speedups) },
		"one guess":   func() { predict(&fakeAnswerer{}, "01/x", speedups[:1]) },
		"same labels": func() { predict(&fakeAnswerer{}, "01/x", []Guess{About(1), About(1)}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestDataDirFollowsXDG(t *testing.T) {
	t.Setenv("LABKIT_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/tmp/xdg")
	if d, _ := DataDir(); d != filepath.Join("/tmp/xdg", "go-concurrency-lab") {
		t.Errorf("DataDir() = %q with XDG_DATA_HOME=/tmp/xdg", d)
	}
}
