// Command browsertest runs the lab's browser tests in headless Chromium with the network
// blocked: every exported slide deck and HTML page (make slides html), and the live Jupyter front end
// running a notebook through its UI. It prints what it checked, every problem with the
// slide or cell it was on, and exits 1 if there was any. scripts/test-browser.sh runs it.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/internal/browsertest"
)

// options are the command's flags.
type options struct {
	decks, htmlDir, out, live, rise, python      string
	pdf, pdfPNG                                  string
	interrupt, knobs, requireBrowser, everySlide bool
	tabs, pdfJobs                                int
}

func main() {
	var o options
	flag.StringVar(&o.decks, "decks", "build/slides", "folder of exported decks (*.slides.html); empty: skip the deck checks")
	flag.StringVar(&o.out, "out", "build/browser", "folder for screenshots and logs")
	flag.StringVar(&o.live, "live", "notebooks/01_goroutines.ipynb,notebooks/05_worker_pools.ipynb,notebooks/09_fx_workload.ipynb",
		"comma-separated notebooks to run through the live front end's UI; empty: none")
	flag.StringVar(&o.python, "python", "", "Python whose Jupyter serves the live front end (default: build/jupyter-python)")
	flag.StringVar(&o.rise, "rise", "notebooks/01_goroutines.ipynb", "notebook to present as live RISE slides inside JupyterLab; empty: skip it")
	flag.BoolVar(&o.interrupt, "interrupt", true, "start a long cell in JupyterLab and press interrupt (the cells in interruptTargets)")
	flag.BoolVar(&o.knobs, "knobs", true, "interrupt a live cell (labkit/nb.Live) in JupyterLab during a run (the cells in knobTargets)")
	flag.BoolVar(&o.requireBrowser, "require-browser", os.Getenv("LAB_REQUIRE_BROWSER") == "1", "fail (instead of skipping) when no Chromium is installed")
	flag.StringVar(&o.htmlDir, "html", "", "folder of plain HTML exports (*.html but index.html) to check too")
	flag.BoolVar(&o.everySlide, "every-slide", false, "also save a screenshot of every slide (<deck>.sNN.png)")
	flag.IntVar(&o.tabs, "tabs", 2, "decks (and HTML pages) checked at a time, each in its own tab")
	flag.StringVar(&o.pdf, "pdf", "", "also print every deck to a PDF in this folder and check it, as make pdf does "+
		"(cmd/slidepdf), while the live front end runs (its kernels leave a core idle for much of the time); empty: no PDFs")
	flag.StringVar(&o.pdfPNG, "pdf-png", "build/browser", "with -pdf: folder for each deck's chart page rendered from its PDF")
	flag.IntVar(&o.pdfJobs, "pdf-jobs", 1, "with -pdf: decks printed at a time")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, o))
}

// runner runs the checks one after another and keeps the score.
type runner struct {
	ctx             context.Context
	b               *browsertest.Browser
	o               options
	failed, skipped int
	// decks' totals, for the summary line
	decks, slides, tooTall, charts, drawn int
}

// report prints a check's line (ok or FAIL, as problems says), then the lines of what it
// saw, then each problem and note prefixed with what, and counts a failure.
func (r *runner) report(line string, what string, problems, notes []string, seen ...string) {
	status := "ok  "
	if len(problems) > 0 {
		status = "FAIL"
		r.failed++
	}
	fmt.Printf("%s  %s\n", status, line)
	for _, s := range seen {
		fmt.Printf("        %s\n", s)
	}
	for _, p := range problems {
		fmt.Printf("        %s: %s\n", what, p)
	}
	for _, p := range notes {
		fmt.Printf("        %s (note, not a failure): %s\n", what, p)
	}
}

// fail prints a check that could not run and counts it.
func (r *runner) fail(format string, args ...any) {
	fmt.Printf("FAIL  "+format+"\n", args...)
	r.failed++
}

func run(ctx context.Context, o options) int {
	start := time.Now()
	b, err := browsertest.Start(ctx)
	if errors.Is(err, browsertest.ErrNoChromium) && !o.requireBrowser {
		fmt.Printf("SKIPPED browser tests: %v\n", err)
		return 0
	}
	if err != nil {
		fmt.Println("FAIL", err)
		return 1
	}
	defer b.Close()
	b.EverySlide = o.everySlide
	r := &runner{ctx: ctx, b: b, o: o}
	if o.decks != "" {
		r.checkDecks()
	}
	if o.htmlDir != "" {
		r.checkPages()
	}
	pdfs := r.startPDFs()
	for _, nb := range splitList(o.live) {
		r.checkLive(nb)
	}
	if o.interrupt {
		for _, t := range interruptTargets {
			t.Python, t.OutDir = o.python, o.out
			r.checkInterrupt(t)
		}
	}
	if o.knobs {
		for _, t := range knobTargets {
			t.Python, t.OutDir = o.python, o.out
			r.checkKnobs(t)
		}
	}
	if o.rise != "" {
		r.checkRISE(browsertest.LiveOptions{Notebook: o.rise, Python: o.python, OutDir: o.out})
	}
	pdfs()
	skippedNote := ""
	if r.skipped > 0 {
		skippedNote = fmt.Sprintf(", %d skipped (they need JupyterLab)", r.skipped)
	}
	fmt.Printf("browser tests: %d decks, %d slides (%d taller than the %dx%d screen), %d/%d charts drawn; %d failed%s; %.1fs\n",
		r.decks, r.slides, r.tooTall, browsertest.ViewportWidth, browsertest.ViewportHeight, r.drawn, r.charts, r.failed, skippedNote, time.Since(start).Seconds())
	if r.failed > 0 {
		return 1
	}
	return 0
}

// files returns the files in dir matching pattern, sorted, as file:// URLs with their
// names less suffix; skip names one to leave out.
func files(dir, pattern, suffix, skip string) (names, urls []string, err error) {
	paths, _ := filepath.Glob(filepath.Join(dir, pattern))
	sort.Strings(paths)
	for _, p := range paths {
		if filepath.Base(p) == skip {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, strings.TrimSuffix(filepath.Base(p), suffix))
		urls = append(urls, "file://"+abs)
	}
	return names, urls, nil
}

// checkDecks checks every exported deck, then the folder served over HTTP.
func (r *runner) checkDecks() {
	names, urls, err := files(r.o.decks, "*.slides.html", ".slides.html", "")
	if err != nil {
		r.fail("%v", err)
		return
	}
	if len(names) == 0 {
		r.fail("no decks in %s (run make slides)", r.o.decks)
		return
	}
	type checked struct {
		d    browsertest.DeckReport
		err  error
		took time.Duration
	}
	for i, c := range browsertest.InTabs(r.o.tabs, len(names), func(i int) checked {
		t0 := time.Now()
		d, err := r.b.CheckDeck(r.ctx, urls[i], names[i], r.o.out)
		return checked{d, err, time.Since(t0)}
	}) {
		name, d, err := names[i], c.d, c.err
		if err != nil {
			r.fail("deck %s: %v", name, err)
			continue
		}
		r.decks++
		r.charts += d.Charts
		r.drawn += d.Drawn
		r.slides += d.Slides
		r.tooTall += d.TooTall
		r.report(fmt.Sprintf("deck %-26s %3d slides, %2d taller than the screen, %2d with notes, %2d/%d charts drawn, %2d Go comments highlighted, %d requests  %5.1fs  %s",
			name, d.Slides, d.TooTall, d.Notes, d.Drawn, d.Charts, d.GoComments, d.Requests, c.took.Seconds(), strings.Join(d.Screenshots, " ")),
			name, d.Problems, nil)
	}
	if r.decks == 0 {
		return
	}
	t0 := time.Now()
	n, problems, err := checkServed(r.ctx, r.b, r.o.decks, r.o.out)
	if err != nil {
		problems = append(problems, err.Error())
	}
	r.report(fmt.Sprintf("served %s over http://127.0.0.1: index.html links %d decks, first deck checked again  %5.1fs",
		r.o.decks, n, time.Since(t0).Seconds()), "served", problems, nil)
}

// checkPages checks every plain HTML export.
func (r *runner) checkPages() {
	names, urls, err := files(r.o.htmlDir, "*.html", ".html", "index.html")
	if err != nil {
		r.fail("%v", err)
		return
	}
	type checked struct {
		pg   browsertest.PageReport
		err  error
		took time.Duration
	}
	for i, c := range browsertest.InTabs(r.o.tabs, len(names), func(i int) checked {
		t0 := time.Now()
		pg, err := r.b.CheckPage(r.ctx, urls[i], names[i], filepath.Join(r.o.out, "html"))
		return checked{pg, err, time.Since(t0)}
	}) {
		name, pg := names[i], c.pg
		if c.err != nil {
			r.fail("html %s: %v", name, c.err)
			continue
		}
		r.report(fmt.Sprintf("html %-22s %2d/%d charts drawn, %2d Go comments highlighted, %d requests  %5.1fs  %s",
			name, pg.Drawn, pg.Charts, pg.GoComments, pg.Requests, c.took.Seconds(), pg.Screenshot),
			name+".html", pg.Problems, nil)
	}
}

// startPDFs starts printing every deck to a PDF (-pdf) in tabs of their own, and returns
// the function that waits for them and prints their report (as make pdf prints it).
func (r *runner) startPDFs() (wait func()) {
	if r.o.pdf == "" || r.o.decks == "" {
		return func() {}
	}
	decks, _ := filepath.Glob(filepath.Join(r.o.decks, "*.slides.html"))
	sort.Strings(decks)
	// A browser of their own on idle CPU time only: the PDFs take what the live front end's
	// kernels leave idle, and do not slow them.
	b, err := browsertest.StartBackground(r.ctx)
	if err != nil {
		return func() { r.fail("slide PDFs: %v", err) }
	}
	var report bytes.Buffer
	failed := make(chan int, 1)
	go func() {
		n := b.PrintDecks(r.ctx, browsertest.PDFOptions{Decks: decks, Out: r.o.pdf, PNG: r.o.pdfPNG, Jobs: r.o.pdfJobs,
			RequirePoppler: r.o.requireBrowser}, &report)
		b.Close()
		failed <- n
	}()
	return func() {
		r.failed += <-failed
		fmt.Printf("--- slide PDFs (make pdf's checks), printed on idle CPU time while the live front end ran\n%s", report.String())
	}
}

// checkLive runs one notebook through the live front end.
func (r *runner) checkLive(nb string) {
	t0 := time.Now()
	name := filepath.Base(nb)
	l, err := r.b.CheckLive(r.ctx, browsertest.LiveOptions{Notebook: nb, Python: r.o.python, OutDir: r.o.out, Knob: liveKnobs[name]})
	if err != nil {
		r.fail("live %s: %v", nb, err)
		return
	}
	var seen []string
	for _, m := range l.KnobMoves {
		seen = append(seen, "knob moved in "+m)
	}
	r.report(fmt.Sprintf("live %s in %s: %d code cells run through the UI, %d/%d charts drawn in %d chart cells, %d exercise checks failing as they must, %d live cells ended with Done  %5.1fs  %s",
		name, l.FrontEnd, l.Cells, l.Drawn, l.Charts, l.ChartCells, l.Failed, len(l.LiveDone), time.Since(t0).Seconds(), strings.Join(l.Screenshots, " ")),
		"live "+name, l.Problems, l.Notes, seen...)
	for _, p := range l.Predicted {
		fmt.Printf("        live %s: clicked, then found in the progress view: %s\n", name, p)
	}
}

// skippedForLab reports a check that needs JupyterLab's UI as skipped, and says whether it was.
func (r *runner) skippedForLab(what string, err error) bool {
	if !errors.Is(err, browsertest.ErrNeedsJupyterLab) {
		return false
	}
	fmt.Printf("SKIPPED  %s: %v\n", what, err)
	r.skipped++
	return true
}

// checkInterrupt runs one interrupt check.
func (r *runner) checkInterrupt(o browsertest.InterruptOptions) {
	t0 := time.Now()
	name := filepath.Base(o.Notebook)
	i, err := r.b.CheckInterrupt(r.ctx, o)
	if r.skippedForLab("interrupt "+name, err) {
		return
	}
	if err != nil {
		r.fail("interrupt %s: %v", name, err)
		return
	}
	var seen []string
	for _, p := range i.Processes {
		seen = append(seen, "running at the interrupt: "+p)
	}
	for _, p := range i.Listeners {
		seen = append(seen, "listening at the interrupt: "+p)
	}
	if i.Output != "" {
		seen = append(seen, "the cell's last output: "+i.Output)
	}
	r.report(fmt.Sprintf("interrupt %s %s in %s: pressed after %.1fs, stopped %.1fs later; %d processes and %d listeners of the cell, %d left  %5.1fs  %s",
		name, i.Cell, i.FrontEnd, i.RanFor.Seconds(), i.StoppedIn.Seconds(), len(i.Processes), len(i.Listeners), len(i.Left),
		time.Since(t0).Seconds(), i.Screenshot), "interrupt "+name, i.Problems, i.Notes, seen...)
}

// checkKnobs runs one live-cell check (labkit/nb.Live).
func (r *runner) checkKnobs(o browsertest.KnobsOptions) {
	t0 := time.Now()
	name := filepath.Base(o.Notebook)
	k, err := r.b.CheckKnobs(r.ctx, o)
	if r.skippedForLab("knobs "+name, err) {
		return
	}
	if err != nil {
		r.fail("knobs %s: %v", name, err)
		return
	}
	what := "interrupted during its first run"
	seen := []string{fmt.Sprintf("kernel status in JupyterLab before any cell ran: %q", k.KernelAtOpen)}
	if !o.Interrupt {
		what = fmt.Sprintf("moved %s (%s -> %s), redrawn %.1fs later", o.Knob, k.Before, k.After, k.Redrew.Seconds())
		seen = append(seen, "printed before the move: "+k.BeforeText, "printed after the move:  "+k.AfterText)
	}
	for _, p := range k.Processes {
		seen = append(seen, "running while live: "+p)
	}
	for _, p := range k.Listeners {
		seen = append(seen, "listening while live: "+p)
	}
	r.report(fmt.Sprintf("knobs %s %s in %s: %s; %q; %d processes and %d listeners of the cell, %d left  %5.1fs  %s",
		name, k.Cell, k.FrontEnd, what, k.Ended, len(k.Processes), len(k.Listeners), len(k.Left), time.Since(t0).Seconds(), k.Screenshot),
		"knobs "+name, k.Problems, k.Notes, seen...)
}

// checkRISE runs the RISE check.
func (r *runner) checkRISE(o browsertest.LiveOptions) {
	t0 := time.Now()
	name := filepath.Base(o.Notebook)
	s, err := r.b.CheckRISE(r.ctx, o)
	if r.skippedForLab("RISE "+name, err) {
		return
	}
	if err != nil {
		r.fail("RISE %s: %v", name, err)
		return
	}
	r.report(fmt.Sprintf("RISE %s in %s: live deck %s, %d slides (%d taller than the screen), first slide %q  %5.1fs  %s",
		name, s.FrontEnd, s.URL, s.Slides, len(s.Overflowing), s.Title, time.Since(t0).Seconds(), s.Screenshot),
		"RISE "+name, s.Problems, s.Notes, s.Overflowing...)
}

var deckLink = regexp.MustCompile(`href="([^"]+\.slides\.html)"`)

// checkServed serves the decks folder from a static file server on 127.0.0.1, checks that
// index.html links every deck in the folder and each link answers 200, and checks the first
// deck again over HTTP (the other way of opening the decks with no network).
func checkServed(ctx context.Context, b *browsertest.Browser, dir, out string) (int, []string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/"

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + "index.html")
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, nil, err
	}
	var problems []string
	if resp.StatusCode != http.StatusOK {
		return 0, []string{fmt.Sprintf("index.html: HTTP %d", resp.StatusCode)}, nil
	}
	linked := map[string]bool{}
	var first string
	for _, m := range deckLink.FindAllStringSubmatch(string(body), -1) {
		linked[m[1]] = true
		if first == "" {
			first = m[1]
		}
		r, err := client.Get(base + m[1])
		if err != nil {
			problems = append(problems, "index.html link "+m[1]+": "+err.Error())
			continue
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			problems = append(problems, fmt.Sprintf("index.html link %s: HTTP %d", m[1], r.StatusCode))
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.slides.html"))
	for _, f := range files {
		if !linked[filepath.Base(f)] {
			problems = append(problems, "index.html does not link "+filepath.Base(f))
		}
	}
	if first == "" {
		return 0, append(problems, "index.html links no decks"), nil
	}
	r, err := b.CheckDeck(ctx, base+first, "served-"+strings.TrimSuffix(first, ".slides.html"), out)
	if err != nil {
		return len(linked), problems, err
	}
	for _, p := range r.Problems {
		problems = append(problems, first+": "+p)
	}
	return len(linked), problems, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// liveKnobs names, per notebook that -live runs, the slider of its live cell (labkit/nb.Live)
// to move before its Done button is pressed; other live cells are only ended with Done.
var liveKnobs = map[string]string{"01_goroutines.ipynb": "tasks", "05_worker_pools.ipynb": "jobs"}

// knobTargets are the live cells the browser interrupts during a run: a fixture whose every
// run starts a TCP server and a child process holding a listener, as notebook 10's live cell
// does (10's own first run takes a minute).
var knobTargets = []browsertest.KnobsOptions{
	{LiveOptions: browsertest.LiveOptions{Notebook: "internal/browsertest/testdata/knobs.ipynb"},
		Setup: []string{"go mod edit -require"}, Cell: "nb.Live(", Interrupt: true, Ready: "serving until interrupted"},
}

// interruptTargets are the cells the interrupt check starts and stops: notebook 06's
// CPU-bound experiment (worker processes of its own), and a fixture cell that runs until
// interrupted with what notebooks 06 and 10 start (a process pool, a TCP server, a child
// process holding a listener), because 10's cells finish in a few seconds.
var interruptTargets = []browsertest.InterruptOptions{
	{LiveOptions: browsertest.LiveOptions{Notebook: "internal/browsertest/testdata/interrupt.ipynb"},
		Cell: "running until interrupted", Ready: "running until interrupted"},
	{LiveOptions: browsertest.LiveOptions{Notebook: "notebooks/06_goroutines_vs_processes.ipynb"},
		Cell: "■ stops the experiment cleanly", Ready: "batch:"},
}
