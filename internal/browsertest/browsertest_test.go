package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestIsLocal(t *testing.T) {
	for u, want := range map[string]bool{
		"file:///work/build/slides/assets/reveal.js/dist/reveal.js":      true,
		"data:image/png;base64,AAAA":                                     true,
		"blob:file:///3f2a":                                              true,
		"about:blank":                                                    true,
		"http://127.0.0.1:8888/files/_assets/echarts.min.js":             true,
		"ws://127.0.0.1:8888/api/kernels/1/channels":                     true,
		"http://localhost:8000/index.html":                               true,
		"https://cdn.jsdelivr.net/npm/echarts@5.6.0/dist/echarts.min.js": false,
		"https://fonts.googleapis.com/css?family=Lato":                   false,
		"http://127.0.0.1.nip.io/x":                                      false,
		"http://10.0.0.1/x":                                              false,
		"ftp://127.0.0.1/x":                                              false,
		"::not a url":                                                    false,
	} {
		if got := IsLocal(u); got != want {
			t.Errorf("IsLocal(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestCopyForLivePointsBootstrapAtRoot(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.ipynb")
	nb := `{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# T"]},
	  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
	   "source": ["!*go mod edit -replace \"github.com/go-concurrency-lab/lab=${GONB_DIR}/..\""]}],
	  "metadata": {"kernelspec": {"name": "gonb"}}, "nbformat": 4, "nbformat_minor": 5}`
	if err := os.WriteFile(src, []byte(nb), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out", "copy.ipynb")
	if err := copyForLive(src, dst, "/abs/repo"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Cells []struct{ Source any } `json:"cells"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if s := joinText(got.Cells[1].Source); !strings.Contains(s, "lab=/abs/repo\"") || strings.Contains(s, "GONB_DIR") {
		t.Errorf("bootstrap not pointed at the root: %q", s)
	}

	noBoot := filepath.Join(dir, "noboot.ipynb")
	_ = os.WriteFile(noBoot, []byte(`{"cells": [{"cell_type": "code", "source": "fmt.Println(1)"}]}`), 0o644)
	if err := copyForLive(noBoot, filepath.Join(dir, "x.ipynb"), "/r"); err == nil || !strings.Contains(err.Error(), "bootstrap") {
		t.Errorf("copyForLive without a bootstrap cell: err = %v, want one naming the bootstrap cell", err)
	}
}

// startBrowser skips the test, visibly, where no Chromium is installed.
func startBrowser(t *testing.T) *Browser {
	t.Helper()
	b, err := Start(context.Background())
	if errors.Is(err, ErrNoChromium) {
		t.Skipf("SKIP (browser test): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func fileURL(t *testing.T, name string) string {
	abs, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + abs
}

func TestCheckDeckPassesACleanDeck(t *testing.T) {
	b := startBrowser(t)
	shots := t.TempDir()
	r, err := b.CheckDeck(context.Background(), fileURL(t, "good.slides.html"), "good", shots)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("problems on a clean deck:\n%s", strings.Join(r.Problems, "\n"))
	}
	if r.Slides != 3 || r.Charts != 1 || r.Drawn != 1 || r.GoComments != 1 {
		t.Errorf("slides/charts/drawn/Go comments = %d/%d/%d/%d, want 3/1/1/1", r.Slides, r.Charts, r.Drawn, r.GoComments)
	}
	want := []string{filepath.Join(shots, "good.png"), filepath.Join(shots, "good.first-chart.png")}
	if strings.Join(r.Screenshots, ",") != strings.Join(want, ",") {
		t.Errorf("screenshots %v, want %v", r.Screenshots, want)
	}
	for _, s := range want {
		if data, err := os.ReadFile(s); err != nil || len(data) < 8 || string(data[1:4]) != "PNG" {
			t.Errorf("%s is not a PNG (err %v)", s, err)
		}
	}
}

func TestCheckDeckReportsEachProblemOnItsSlide(t *testing.T) {
	b := startBrowser(t)
	old := ChartTimeout
	ChartTimeout = 2 * time.Second
	defer func() { ChartTimeout = old }()
	r, err := b.CheckDeck(context.Background(), fileURL(t, "bad.slides.html"), "bad", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(r.Problems, "\n")
	for _, want := range []string{
		`code: Go comment "// highlighted as Python" is highlighted as a "o" token, not a comment`,
		`slide 2/6 "Needs the network": request outside this machine (blocked): https://cdn.example.com/logo.png`,
		`slide 3/6 "Chart never drawn": chart never has no canvas or svg`,
		`slide 4/6 "Console error": console error: boom on slide four`,
		`slide 5/6 "Missing file": failed request file://`,
		`slide 6/6 "Loader gave up": chart failed shows an error: Chart not drawn: could not load ECharts`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in:\n%s", want, all)
		}
	}
	if r.Drawn != 0 || r.Charts != 2 {
		t.Errorf("drawn %d of %d charts, want 0 of 2", r.Drawn, r.Charts)
	}
}

func TestCheckPageReportsGoCodeHighlightedAsPython(t *testing.T) {
	b := startBrowser(t)
	r, err := b.CheckPage(context.Background(), fileURL(t, "python-lexer.html"), "python-lexer", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := `Go comment "// then one wrong" is highlighted as a "o" token, not a comment`
	if r.GoComments != 1 || len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0], want) {
		t.Errorf("Go comments %d, problems %q; want 1 and one problem starting %q", r.GoComments, r.Problems, want)
	}
}

func TestCheckDeckReportsADeckThatNeverStarts(t *testing.T) {
	b := startBrowser(t)
	old := DeckReadyTimeout
	DeckReadyTimeout = time.Second
	defer func() { DeckReadyTimeout = old }()
	r, err := b.CheckDeck(context.Background(), fileURL(t, "never-ready.slides.html"), "never", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) == 0 || !strings.Contains(r.Problems[0], "reveal.js did not start") {
		t.Errorf("problems = %q, want reveal.js did not start", r.Problems)
	}
}

// TestScriptsCompile parses every JavaScript snippet the checks send, in the browser, so a
// typo in a front end's driver (the JupyterLab one runs only where JupyterLab is installed)
// fails here rather than in CI's live check.
func TestScriptsCompile(t *testing.T) {
	scripts := map[string]string{
		"jsSlides": jsSlides, "jsOverflow": fmt.Sprintf(jsOverflow, 0, 0), "jsShowFirstChart": jsShowFirstChart, "jsCharts": fmt.Sprintf(jsCharts, "document"),
	}
	for name, ui := range map[string]frontEndUI{"classic": classicUI, "lab": labUI} {
		scripts[name+".ready"], scripts[name+".nodes"], scripts[name+".done"], scripts[name+".cells"] = ui.ready, ui.nodes, ui.done, ui.cells
	}
	scriptsParse(t, scripts)
}

// scriptsParse parses each JavaScript expression of scripts (by name) in the browser,
// without running it, and fails t for each that does not parse.
func scriptsParse(t *testing.T, scripts map[string]string) {
	t.Helper()
	b := startBrowser(t)
	tab, cancel := b.newTab()
	defer cancel()
	for name, src := range scripts {
		msg, err := chromedp.Run(tab, chromedp.Evaluate[string](
			`(function (src) { try { new Function("return (" + src + ");"); return ""; } catch (e) { return String(e); } })(`+jsonString(src)+`)`))
		if err != nil {
			t.Fatal(err)
		}
		if msg != "" {
			t.Errorf("%s does not parse: %s", name, msg)
		}
	}
}

func TestCheckDeckCountsSlidesTallerThanTheScreen(t *testing.T) {
	b := startBrowser(t)
	r, err := b.CheckDeck(context.Background(), fileURL(t, "overflow.slides.html"), "overflow", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(r.Problems, "\n")
	for _, want := range []string{
		`slide 2/4 "Two screens": (#/0/1) taller than the screen:`,
		`slide 3/4 "Grows with its fragment": (#/1/0) taller than the screen:`,
		`with fragment 0 shown`,
		`slide 4/4 "Scrolls inside": (#/2/0) does not fit the screen: pre scrolls (900px of content in 300px)`,
		`slide_layout.py`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, `"Fits"`) {
		t.Errorf("a slide that fits was reported:\n%s", all)
	}
	if r.TooTall != 3 || r.Slides != 4 || r.Notes != 1 {
		t.Errorf("too tall %d of %d slides, %d with notes; want 3 of 4, 1", r.TooTall, r.Slides, r.Notes)
	}
	if last := r.Screenshots[len(r.Screenshots)-1]; filepath.Base(last) != "overflow.notes.png" {
		t.Errorf("last screenshot %s, want overflow.notes.png", last)
	}
}

// TestExitLineOnTheSharedSamples holds exitLine to the samples tests/test_nblab.py holds
// nblab.EXIT_RE to, so the browser tests and the notebook tests agree on when GoNB says a
// cell's program failed.
func TestExitLineOnTheSharedSamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "gonb_exit_samples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var samples []struct {
		Why, Stderr string
		Failed      bool
	}
	if err := json.Unmarshal(data, &samples); err != nil {
		t.Fatal(err)
	}
	if len(samples) < 5 {
		t.Fatalf("only %d samples", len(samples))
	}
	for _, s := range samples {
		if got := exitLine.MatchString(s.Stderr); got != s.Failed {
			t.Errorf("%s: exitLine matches %q = %v, want %v", s.Why, s.Stderr, got, s.Failed)
		}
	}
}
