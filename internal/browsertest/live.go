//go:build linux

package browsertest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// CheckLive starts Jupyter on 127.0.0.1 (random port, random token) in a scratch folder
// holding a copy of the notebook, opens it in the browser, runs all cells with the UI's
// own menu item (JupyterLab: Run ▸ Run All Cells; classic Notebook: Cell ▸ Run All),
// waits until nothing is queued or running, and checks: every code cell ran; no cell shows
// an error output or GoNB's "exit status N" line, except the exercise checks, which must
// fail on the stubs (and cells tagged raises-exception, which may); every chart fragment a
// cell output holds is drawn on a canvas of non-zero size; a cell that charts or prints with a numeric verb printed digits; every text in a cell's
// metadata.lab.expect is in its output. Then it shuts the kernel and Jupyter down and checks
// that no process they started is left.
func (b *Browser) CheckLive(ctx context.Context, o LiveOptions) (r LiveReport, err error) {
	l, err := b.openLabNotebook(ctx, o, false, &r.FrontEnd, &r.Problems)
	if l == nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	ui := l.front.ui
	if err := ui.runAll(l.tab); err != nil {
		return r, fmt.Errorf("browsertest: run all cells: %w", err)
	}
	// The front end queues the cells a moment after the click; done means nothing left after that.
	if !waitFor(l.tab, ui.busy, 30*time.Second) {
		r.Problems = append(r.Problems, "no cell started within 30s of Run All")
	}
	// While the cells run, answer every Predict prompt by clicking its first guess (a Predict
	// cell waits for a click in JupyterLab); the clicked labels are kept in the page.
	finished, done, moves, problems := waitStablePressingDone(l.tab, "("+clickPredictions+", "+ui.done+")", l.o.Timeout, o.Knob)
	r.LiveDone, r.KnobMoves, r.Problems = done, moves, append(r.Problems, problems...)
	if o.Knob != "" && len(moves) == 0 && len(problems) == 0 {
		r.Problems = append(r.Problems, "no live cell has a slider called "+o.Knob)
	}
	r.Predicted, r.Problems = l.checkPredictions(r.Problems)
	cells, err := l.readCells()
	if err != nil {
		return r, err
	}
	r.judgeCells(cells)
	if !finished {
		r.Problems = append(r.Problems, fmt.Sprintf("the kernel did not finish all cells within %s", l.o.Timeout))
	}
	perCell, err := l.readCharts()
	if err != nil {
		return r, err
	}
	if shotAt := r.checkCharts(cells, perCell); shotAt != "" {
		shot := filepath.Join(l.o.OutDir, "live-"+strings.TrimSuffix(filepath.Base(o.Notebook), ".ipynb")+".png")
		if err := l.screenshotAt(shot, fmt.Sprintf("document.getElementById(%s)", jsonString(shotAt))); err != nil {
			return r, err
		}
		r.Screenshots = append(r.Screenshots, shot)
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	return r, nil
}

// judgeCells counts the cells, their chart fragments and the exercise checks that failed
// (as they must, on the stubs), and adds every cell's problems.
func (r *LiveReport) judgeCells(cells []liveCell) {
	r.Cells = len(cells)
	for _, c := range cells {
		if c.Fragments > 0 {
			r.ChartCells++
			r.Charts += c.Fragments
		}
		failed, problems := c.judge()
		if failed && c.tagged("exercise-check") {
			r.Failed++
		}
		r.Problems = append(r.Problems, problems...)
	}
}

// checkCharts checks that every chart fragment became a drawn chart on the page, and
// returns the id of the chart worth a screenshot: the first timeline, else the first chart.
func (r *LiveReport) checkCharts(cells []liveCell, perCell [][]chartState) (shotAt string) {
	firstChart, firstTimeline := "", ""
	for _, c := range cells {
		var charts []chartState
		if c.Index < len(perCell) {
			charts = perCell[c.Index]
		}
		if len(charts) < c.Fragments {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %d chart fragments in the output but %d chart containers on the page", c.where(), c.Fragments, len(charts)))
		}
		for _, ch := range charts {
			if !drawn(ch) {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: chart %s %s", c.where(), ch.ID, ch.why()))
				continue
			}
			r.Drawn++
			firstChart = cmp.Or(firstChart, ch.ID)
			if ch.Series == "custom" {
				r.Timeline = true
				firstTimeline = cmp.Or(firstTimeline, ch.ID)
			}
		}
	}
	if r.Charts == 0 {
		r.Problems = append(r.Problems, "no cell output holds a chart")
	}
	return cmp.Or(firstTimeline, firstChart)
}

// liveLab is one Jupyter serving a scratch copy of a notebook, and a watched browser tab.
type liveLab struct {
	o       LiveOptions
	front   frontEnd
	srv     *jupyter
	tab     context.Context
	w       *watcher
	name    string // the notebook's file name
	data    string // LABKIT_DATA_DIR of the kernel: where clicked predictions are recorded
	cleanup []func()
}

// openLab resolves o's defaults, copies the notebook (bootstrap pointed at the repository)
// and the local ECharts into a scratch folder, starts Jupyter there and opens a tab. With
// needLab it returns ErrNeedsJupyterLab, before starting anything, where the front end is
// not JupyterLab.
func (b *Browser) openLab(ctx context.Context, o LiveOptions, needLab bool) (l *liveLab, err error) {
	if o.Notebook == "" {
		return nil, errors.New("browsertest: LiveOptions.Notebook is empty")
	}
	if err := o.fillDefaults(); err != nil {
		return nil, err
	}
	l = &liveLab{o: o, name: filepath.Base(o.Notebook)}
	if l.front, err = findFrontEnd(ctx, o.Python); err != nil {
		return nil, err
	}
	if needLab && !l.front.lab {
		return nil, ErrNeedsJupyterLab
	}
	scratch, err := os.MkdirTemp("", "labkit-live-")
	if err != nil {
		return nil, err
	}
	l.cleanup = append(l.cleanup, func() { os.RemoveAll(scratch) })
	l.data = filepath.Join(scratch, "data")
	defer func() {
		if err != nil {
			l.close()
		}
	}()
	if err := copyForLive(o.Notebook, filepath.Join(scratch, "nb", l.name), o.Root); err != nil {
		return l, err
	}
	echarts := filepath.Join(o.Root, "notebooks", "_assets", "echarts.min.js")
	if err := copyFile(echarts, filepath.Join(scratch, "nb", "_assets", "echarts.min.js")); err != nil {
		return l, fmt.Errorf("browsertest: the local ECharts copy is missing (run make setup): %w", err)
	}
	// jupyterlab-rise styles every deck in a folder with its rise.css (notebooks/rise.css).
	if err := copyFile(filepath.Join(o.Root, "notebooks", "rise.css"), filepath.Join(scratch, "nb", "rise.css")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return l, err
	}
	logName := "jupyter-" + strings.TrimSuffix(l.name, ".ipynb") + ".log"
	if l.srv, err = startJupyter(ctx, o, l.front, scratch, logName); err != nil {
		return l, err
	}
	tab, w, closeTab, err := b.openWatchedTab(ctx)
	if err != nil {
		return l, err
	}
	l.tab, l.w = tab, w
	l.cleanup = append(l.cleanup, closeTab)
	return l, nil
}

// openLabNotebook opens the lab (see openLab) and the notebook in it, and sets *frontEnd.
// Where the notebook does not open, it closes the lab, adds the problems to *problems and
// returns nil and a nil error; the caller closes a lab it gets.
func (b *Browser) openLabNotebook(ctx context.Context, o LiveOptions, needLab bool, frontEnd *string, problems *[]string) (*liveLab, error) {
	l, err := b.openLab(ctx, o, needLab)
	if err != nil {
		return nil, err
	}
	*frontEnd = l.front.name
	if p := l.openNotebook(); p != "" {
		*problems = append(*problems, p)
		*problems = append(*problems, l.close()...)
		return nil, nil
	}
	return l, nil
}

// fillDefaults sets o's empty fields to their defaults and makes its OutDir.
func (o *LiveOptions) fillDefaults() (err error) {
	if o.Root == "" {
		if o.Root, err = os.Getwd(); err != nil {
			return err
		}
	}
	if o.Python == "" {
		p, err := os.ReadFile(filepath.Join(o.Root, "build", "jupyter-python"))
		if err != nil {
			return fmt.Errorf("browsertest: no Jupyter Python (run make setup): %w", err)
		}
		o.Python = strings.TrimSpace(string(p))
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join(o.Root, "build", "browser")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	return os.MkdirAll(o.OutDir, 0o755)
}

// close closes the tab, stops Jupyter and removes the scratch folder; it returns what
// stopping found left behind.
func (l *liveLab) close() (problems []string) {
	for i := len(l.cleanup) - 1; i >= 0; i-- {
		if i == 0 && l.srv != nil { // the scratch folder goes last, after Jupyter
			for _, p := range l.srv.stop() {
				problems = append(problems, "after shutdown: "+p)
			}
		}
		l.cleanup[i]()
	}
	l.cleanup = nil
	return problems
}

// openNotebook navigates to the notebook and waits for a connected, idle kernel; it returns
// a problem if that does not happen.
func (l *liveLab) openNotebook() string {
	ui := l.front.ui
	if err := chromedp.Do(l.tab, chromedp.Navigate(l.srv.url(ui.open+l.name))); err != nil {
		return "open the notebook: " + err.Error()
	}
	if !waitFor(l.tab, ui.ready, 2*time.Minute) {
		state, _ := chromedp.Run(l.tab, chromedp.Evaluate[string](ui.state))
		_ = screenshot(l.tab, filepath.Join(l.o.OutDir, "live-"+strings.TrimSuffix(l.name, ".ipynb")+".not-ready.png"))
		return "the notebook did not open with a connected, idle gonb kernel within 2m (" + state + "; see " + l.srv.logPath + ")"
	}
	return ""
}

// readCells reads every code cell and counts the chart fragments in its outputs.
func (l *liveLab) readCells() ([]liveCell, error) {
	cells, err := chromedp.Run(l.tab, chromedp.Evaluate[[]liveCell](l.front.ui.cells))
	if err != nil {
		return nil, fmt.Errorf("read the cells: %w", err)
	}
	for i := range cells {
		cells[i].Fragments = cells[i].chartFragments()
	}
	return cells, nil
}

// readCharts waits for the charts on the page to settle (drawn, or stuck) and returns
// them per cell, indexed like the cells (markdown included).
func (l *liveLab) readCharts() ([][]chartState, error) {
	if _, err := settledCharts(l.tab, "document"); err != nil {
		return nil, err
	}
	js := fmt.Sprintf(`(%s).map(function (node) { return %s; })`, l.front.ui.nodes, fmt.Sprintf(jsCharts, "node"))
	perCell, err := chromedp.Run(l.tab, chromedp.Evaluate[[][]chartState](js))
	if err != nil {
		return nil, fmt.Errorf("read the charts: %w", err)
	}
	return perCell, nil
}

// screenshotAt scrolls the element the JavaScript expression names to the middle of the
// view and saves a screenshot.
func (l *liveLab) screenshotAt(path, element string) error {
	if _, err := chromedp.Run(l.tab, chromedp.Evaluate[chromedp.Void](element+`.scrollIntoView({block: "center"})`)); err != nil {
		return fmt.Errorf("scroll for %s: %w", path, err)
	}
	_ = sleep(l.tab, 500*time.Millisecond)
	return screenshot(l.tab, path)
}

// sortBrowserProblems adds what the tab recorded: a request that would leave the machine
// is a problem (the lab must work offline); other console noise is the front end's own
// (Debian's Notebook asks for a widgets extension it does not ship), so it is a note; a
// chart that failed is caught as not drawn.
func (l *liveLab) sortBrowserProblems(problems, notes []string) ([]string, []string) {
	for _, p := range collapse(l.w.take()) {
		if strings.HasPrefix(p, outsidePrefix) {
			problems = append(problems, "browser: "+p)
		} else {
			notes = append(notes, "browser: "+p)
		}
	}
	return problems, notes
}
