// Command browsertest runs the lab's browser tests in headless Chromium with the network
// blocked: every exported slide deck and HTML page (make slides html), and the live Jupyter front end
// running a notebook through its UI. It prints what it checked, every problem with the
// slide or cell it was on, and exits 1 if there was any. scripts/test-browser.sh runs it.
package main

import (
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

func main() {
	decks := flag.String("decks", "build/slides", "folder of exported decks (*.slides.html); empty: skip the deck checks")
	out := flag.String("out", "build/browser", "folder for screenshots and logs")
	live := flag.String("live", "notebooks/01_goroutines.ipynb,notebooks/05_worker_pools.ipynb,notebooks/09_fx_workload.ipynb",
		"comma-separated notebooks to run through the live front end's UI; empty: none")
	python := flag.String("python", "", "Python whose Jupyter serves the live front end (default: build/jupyter-python)")
	rise := flag.String("rise", "notebooks/01_goroutines.ipynb", "notebook to present as live RISE slides inside JupyterLab; empty: skip it")
	interrupt := flag.Bool("interrupt", true, "start a long cell in JupyterLab and press interrupt (the cells in interruptTargets)")
	knobs := flag.Bool("knobs", true, "interrupt a live cell (labkit/nb.Live) in JupyterLab during a run (the cells in knobTargets)")
	requireBrowser := flag.Bool("require-browser", os.Getenv("LAB_REQUIRE_BROWSER") == "1", "fail (instead of skipping) when no Chromium is installed")
	htmlDir := flag.String("html", "", "folder of plain HTML exports (*.html but index.html) to check too")
	everySlide := flag.Bool("every-slide", false, "also save a screenshot of every slide (<deck>.sNN.png)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, *decks, *htmlDir, *out, *live, *rise, *python, *interrupt, *knobs, *requireBrowser, *everySlide))
}

func run(ctx context.Context, decks, htmlDir, out, live, rise, python string, interrupt, knobs, requireBrowser, everySlide bool) int {
	start := time.Now()
	b, err := browsertest.Start(ctx)
	if errors.Is(err, browsertest.ErrNoChromium) && !requireBrowser {
		fmt.Printf("SKIPPED browser tests: %v\n", err)
		return 0
	}
	if err != nil {
		fmt.Println("FAIL", err)
		return 1
	}
	defer b.Close()
	b.EverySlide = everySlide

	failed, skipped := 0, 0
	nDecks, nCharts, nDrawn, nSlides, nTooTall := 0, 0, 0, 0, 0
	if decks != "" {
		paths, _ := filepath.Glob(filepath.Join(decks, "*.slides.html"))
		sort.Strings(paths)
		if len(paths) == 0 {
			fmt.Printf("FAIL  no decks in %s (run make slides)\n", decks)
			failed++
		}
		for _, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				fmt.Println("FAIL", err)
				return 1
			}
			name := strings.TrimSuffix(filepath.Base(p), ".slides.html")
			t0 := time.Now()
			r, err := b.CheckDeck(ctx, "file://"+abs, name, out)
			if err != nil {
				fmt.Printf("FAIL  deck %s: %v\n", name, err)
				failed++
				continue
			}
			nDecks++
			nCharts += r.Charts
			nDrawn += r.Drawn
			status := "ok  "
			if len(r.Problems) > 0 {
				status = "FAIL"
				failed++
			}
			nSlides += r.Slides
			nTooTall += r.TooTall
			fmt.Printf("%s  deck %-26s %3d slides, %2d taller than the screen, %2d with notes, %2d/%d charts drawn, %2d Go comments highlighted, %d requests  %5.1fs  %s\n",
				status, name, r.Slides, r.TooTall, r.Notes, r.Drawn, r.Charts, r.GoComments, r.Requests, time.Since(t0).Seconds(), strings.Join(r.Screenshots, " "))
			for _, p := range r.Problems {
				fmt.Printf("        %s: %s\n", name, p)
			}
		}
	}
	if decks != "" && nDecks > 0 {
		t0 := time.Now()
		n, problems, err := checkServed(ctx, b, decks, out)
		if err != nil {
			problems = append(problems, err.Error())
		}
		status := "ok  "
		if len(problems) > 0 {
			status = "FAIL"
			failed++
		}
		fmt.Printf("%s  served %s over http://127.0.0.1: index.html links %d decks, first deck checked again  %5.1fs\n",
			status, decks, n, time.Since(t0).Seconds())
		for _, p := range problems {
			fmt.Printf("        served: %s\n", p)
		}
	}
	if htmlDir != "" {
		paths, _ := filepath.Glob(filepath.Join(htmlDir, "*.html"))
		sort.Strings(paths)
		for _, p := range paths {
			if filepath.Base(p) == "index.html" {
				continue
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				fmt.Println("FAIL", err)
				return 1
			}
			name := strings.TrimSuffix(filepath.Base(p), ".html")
			t0 := time.Now()
			r, err := b.CheckPage(ctx, "file://"+abs, name, filepath.Join(out, "html"))
			if err != nil {
				fmt.Printf("FAIL  html %s: %v\n", name, err)
				failed++
				continue
			}
			status := "ok  "
			if len(r.Problems) > 0 {
				status = "FAIL"
				failed++
			}
			fmt.Printf("%s  html %-22s %2d/%d charts drawn, %2d Go comments highlighted, %d requests  %5.1fs  %s\n",
				status, name, r.Drawn, r.Charts, r.GoComments, r.Requests, time.Since(t0).Seconds(), r.Screenshot)
			for _, p := range r.Problems {
				fmt.Printf("        %s.html: %s\n", name, p)
			}
		}
	}
	for _, nb := range splitList(live) {
		t0 := time.Now()
		r, err := b.CheckLive(ctx, browsertest.LiveOptions{Notebook: nb, Python: python, OutDir: out, Knob: liveKnobs[filepath.Base(nb)]})
		if err != nil {
			fmt.Printf("FAIL  live %s: %v\n", nb, err)
			failed++
			continue
		}
		status := "ok  "
		if len(r.Problems) > 0 {
			status = "FAIL"
			failed++
		}
		fmt.Printf("%s  live %s in %s: %d code cells run through the UI, %d/%d charts drawn in %d chart cells, %d exercise checks failing as they must, %d live cells ended with Done  %5.1fs  %s\n",
			status, filepath.Base(nb), r.FrontEnd, r.Cells, r.Drawn, r.Charts, r.ChartCells, r.Failed, len(r.LiveDone), time.Since(t0).Seconds(), strings.Join(r.Screenshots, " "))
		for _, m := range r.KnobMoves {
			fmt.Printf("        knob moved in %s %s\n", filepath.Base(nb), m)
		}
		for _, p := range r.Problems {
			fmt.Printf("        live %s: %s\n", filepath.Base(nb), p)
		}
		for _, p := range r.Notes {
			fmt.Printf("        live %s (note, not a failure): %s\n", filepath.Base(nb), p)
		}
	}
	if interrupt {
		for _, t := range interruptTargets {
			t.Python, t.OutDir = python, out
			tally(checkInterrupt(ctx, b, t), &failed, &skipped)
		}
	}
	if knobs {
		for _, t := range knobTargets {
			t.Python, t.OutDir = python, out
			tally(checkKnobs(ctx, b, t), &failed, &skipped)
		}
	}
	if rise != "" {
		tally(checkRISE(ctx, b, browsertest.LiveOptions{Notebook: rise, Python: python, OutDir: out}), &failed, &skipped)
	}
	skippedNote := ""
	if skipped > 0 {
		skippedNote = fmt.Sprintf(", %d skipped (they need JupyterLab)", skipped)
	}
	fmt.Printf("browser tests: %d decks, %d slides (%d taller than the %dx%d screen), %d/%d charts drawn; %d failed%s; %.1fs\n",
		nDecks, nSlides, nTooTall, browsertest.ViewportWidth, browsertest.ViewportHeight, nDrawn, nCharts, failed, skippedNote, time.Since(start).Seconds())
	if failed > 0 {
		return 1
	}
	return 0
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

// checkKnobs runs one knob check and prints its lines.
func checkKnobs(ctx context.Context, b *browsertest.Browser, o browsertest.KnobsOptions) outcome {
	t0 := time.Now()
	name := filepath.Base(o.Notebook)
	r, err := b.CheckKnobs(ctx, o)
	switch {
	case errors.Is(err, browsertest.ErrNeedsJupyterLab):
		fmt.Printf("SKIPPED  knobs %s: %v\n", name, err)
		return skippedCheck
	case err != nil:
		fmt.Printf("FAIL  knobs %s: %v\n", name, err)
		return failedCheck
	}
	status, result := "ok  ", passed
	if len(r.Problems) > 0 {
		status, result = "FAIL", failedCheck
	}
	what := "interrupted during its first run"
	if !o.Interrupt {
		what = fmt.Sprintf("moved %s (%s -> %s), redrawn %.1fs later", o.Knob, r.Before, r.After, r.Redrew.Seconds())
	}
	fmt.Printf("%s  knobs %s %s in %s: %s; %q; %d processes and %d listeners of the cell, %d left  %5.1fs  %s\n",
		status, name, r.Cell, r.FrontEnd, what, r.Ended, len(r.Processes), len(r.Listeners), len(r.Left), time.Since(t0).Seconds(), r.Screenshot)
	fmt.Printf("        kernel status in JupyterLab before any cell ran: %q\n", r.KernelAtOpen)
	if !o.Interrupt {
		fmt.Printf("        printed before the move: %s\n        printed after the move:  %s\n", r.BeforeText, r.AfterText)
	}
	for _, p := range r.Processes {
		fmt.Printf("        running while live: %s\n", p)
	}
	for _, p := range r.Listeners {
		fmt.Printf("        listening while live: %s\n", p)
	}
	for _, p := range r.Problems {
		fmt.Printf("        knobs %s: %s\n", name, p)
	}
	for _, p := range r.Notes {
		fmt.Printf("        knobs %s (note, not a failure): %s\n", name, p)
	}
	return result
}

// outcome is how one check ended.
type outcome int

const (
	passed outcome = iota
	failedCheck
	skippedCheck
)

// tally counts o into failed or skipped.
func tally(o outcome, failed, skipped *int) {
	switch o {
	case failedCheck:
		*failed++
	case skippedCheck:
		*skipped++
	}
}

// checkInterrupt runs one interrupt check and prints its line.
func checkInterrupt(ctx context.Context, b *browsertest.Browser, o browsertest.InterruptOptions) outcome {
	t0 := time.Now()
	name := filepath.Base(o.Notebook)
	r, err := b.CheckInterrupt(ctx, o)
	switch {
	case errors.Is(err, browsertest.ErrNeedsJupyterLab):
		fmt.Printf("SKIPPED  interrupt %s: %v\n", name, err)
		return skippedCheck
	case err != nil:
		fmt.Printf("FAIL  interrupt %s: %v\n", name, err)
		return failedCheck
	}
	status := "ok  "
	if len(r.Problems) > 0 {
		status = "FAIL"
	}
	fmt.Printf("%s  interrupt %s %s in %s: pressed after %.1fs, stopped %.1fs later; %d processes and %d listeners of the cell, %d left  %5.1fs  %s\n",
		status, name, r.Cell, r.FrontEnd, r.RanFor.Seconds(), r.StoppedIn.Seconds(), len(r.Processes), len(r.Listeners), len(r.Left),
		time.Since(t0).Seconds(), r.Screenshot)
	for _, p := range r.Processes {
		fmt.Printf("        running at the interrupt: %s\n", p)
	}
	for _, p := range r.Listeners {
		fmt.Printf("        listening at the interrupt: %s\n", p)
	}
	if r.Output != "" {
		fmt.Printf("        the cell's last output: %s\n", r.Output)
	}
	for _, p := range r.Problems {
		fmt.Printf("        interrupt %s: %s\n", name, p)
	}
	for _, p := range r.Notes {
		fmt.Printf("        interrupt %s (note, not a failure): %s\n", name, p)
	}
	if status == "FAIL" {
		return failedCheck
	}
	return 0
}

// checkRISE runs the RISE check and prints its line.
func checkRISE(ctx context.Context, b *browsertest.Browser, o browsertest.LiveOptions) outcome {
	t0 := time.Now()
	name := filepath.Base(o.Notebook)
	r, err := b.CheckRISE(ctx, o)
	switch {
	case errors.Is(err, browsertest.ErrNeedsJupyterLab):
		fmt.Printf("SKIPPED  RISE %s: %v\n", name, err)
		return skippedCheck
	case err != nil:
		fmt.Printf("FAIL  RISE %s: %v\n", name, err)
		return failedCheck
	}
	status := "ok  "
	if len(r.Problems) > 0 {
		status = "FAIL"
	}
	fmt.Printf("%s  RISE %s in %s: live deck %s, %d slides, first slide %q  %5.1fs  %s\n",
		status, name, r.FrontEnd, r.URL, r.Slides, r.Title, time.Since(t0).Seconds(), r.Screenshot)
	for _, p := range r.Problems {
		fmt.Printf("        RISE %s: %s\n", name, p)
	}
	for _, p := range r.Notes {
		fmt.Printf("        RISE %s (note, not a failure): %s\n", name, p)
	}
	if status == "FAIL" {
		return failedCheck
	}
	return 0
}
