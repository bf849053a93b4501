//go:build linux

package browsertest

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// CheckKnobs opens the notebook in JupyterLab, runs the Setup cells and the live cell,
// waits for its knob panel and first result, moves the knob with the mouse (a real click on
// the slider), checks that the result is redrawn with the new value and different numbers,
// and presses the panel's Done button. With Interrupt it instead presses the toolbar's
// interrupt while the first run is in flight. Either way it checks that the cell stops, says
// how it ended, and leaves no process or listening socket it had.
func (b *Browser) CheckKnobs(ctx context.Context, o KnobsOptions) (r KnobsReport, err error) {
	if o.Cell == "" || o.Knob == "" && !o.Interrupt {
		return r, fmt.Errorf("browsertest: KnobsOptions needs Cell, and Knob unless Interrupt")
	}
	l, err := b.openLabNotebook(ctx, o.LiveOptions, true, &r.FrontEnd, &r.Problems)
	if l == nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	r.KernelAtOpen, _ = chromedp.Run(l.tab, chromedp.Evaluate[string](jsLabNotebook+`.sessionContext.session.kernel.status`))
	target, problem, err := l.runSetup(o.Setup, o.Cell)
	if err != nil || problem != "" {
		r.Problems = appendProblem(r.Problems, problem)
		return r, err
	}
	r.Cell = target.where()
	kernel := kernelOf(l.srv.cmd.Process.Pid)
	if kernel == 0 {
		return r, fmt.Errorf("browsertest: no gonb kernel process under Jupyter")
	}
	before := descendants(kernel)
	k := l.knobCell(target)
	if problem, err := k.start(o); err != nil || problem != "" {
		r.Problems = appendProblem(r.Problems, problem)
		return r, err
	}
	if o.Interrupt && k.hasResult() {
		r.Problems = append(r.Problems, "the first run finished before the interrupt: pick a longer cell")
	}
	r.Before, r.BeforeText = k.shown()
	// What the live cell runs: its program and anything that started (servers, pools).
	cell := cellStarted(kernel, before)
	if !o.Interrupt {
		if problem, err := k.move(o.Knob, &r); err != nil || problem != "" {
			r.Problems = appendProblem(r.Problems, problem)
			return r, err
		}
	}
	cell = cell.plus(kernel, before)
	r.Processes, r.Listeners = cell.names()
	if len(cell.started) == 0 {
		r.Problems = append(r.Problems, "the live cell had no process of its own (did it end before Done?)")
	}
	ended, problems, err := k.end(o.Interrupt)
	r.Ended, r.Problems = ended, append(r.Problems, problems...)
	if err != nil {
		return r, err
	}
	r.Left = cell.leftAfter(l.tab, LeftAfterInterrupt)
	for _, p := range r.Left {
		r.Problems = append(r.Problems, "left behind by the live cell: "+p)
	}
	cell.kill()
	r.Screenshot = filepath.Join(l.o.OutDir, "knobs-"+strings.TrimSuffix(l.name, ".ipynb")+".png")
	if err := l.screenshotAt(r.Screenshot, k.cell+".node"); err != nil {
		return r, err
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	return r, nil
}

// appendProblem appends problem to problems unless it is empty.
func appendProblem(problems []string, problem string) []string {
	if problem == "" {
		return problems
	}
	return append(problems, problem)
}

// runSetup runs the first code cell holding each text of setup, in order, and returns the
// first code cell holding target; or the problem of the setup cell that failed.
func (l *liveLab) runSetup(setup []string, target string) (c liveCell, problem string, err error) {
	for _, text := range setup {
		if c, _, err = l.findCell(text); err != nil {
			return c, "", err
		}
		if p := l.runCell(&c); p != "" {
			return c, p, nil
		}
	}
	c, _, err = l.findCell(target)
	return c, "", err
}

// knobCell is a live cell (labkit/nb.Live) on the page: JavaScript expressions for the
// cell, its knob panel and its latest result.
type knobCell struct {
	l                         *liveLab
	where                     string
	index                     int
	cell, busy, panel, result string
}

func (l *liveLab) knobCell(c liveCell) knobCell {
	cell := fmt.Sprintf("%s.content.widgets[%d]", jsLabNotebook, c.Index)
	return knobCell{l: l, where: c.where(), index: c.Index, cell: cell, busy: cellBusy(c.Index),
		panel:  cell + `.node.querySelector("[data-labkit-knobs]")`,
		result: cell + `.node.querySelector("[data-labkit-result]")`}
}

// shown is the knob values of the result on screen and the last lines it printed.
func (k knobCell) shown() (values, text string) {
	v, _ := chromedp.Run(k.l.tab, chromedp.Evaluate[[]string](`(function (e) { return e ? [e.dataset.labkitResult, e.innerText] : ["", ""]; })(`+k.result+`)`))
	if len(v) == 2 {
		return v[0], lastLines(v[1], 3)
	}
	return "", ""
}

func (k knobCell) hasResult() bool {
	shown, _ := chromedp.Run(k.l.tab, chromedp.Evaluate[bool](`!!`+k.result))
	return shown
}

// start runs the cell and waits for its knob panel and first result or, with o.Interrupt,
// for its panel and o.Ready in its output while it runs; it returns the problem if that
// does not come.
func (k knobCell) start(o KnobsOptions) (problem string, err error) {
	l := k.l
	if err := l.selectCell(k.index); err != nil {
		return "", err
	}
	if err := clickMenu(l.tab, "Run", "notebook:run-cell"); err != nil {
		return "", fmt.Errorf("browsertest: run %s: %w", k.where, err)
	}
	waitFor(l.tab, k.busy, 5*time.Second) // queued, then running: until then "not busy" means "not started"
	want, shows, then := "result", k.panel+` && `+k.result, k.panel+` && `+k.result
	if o.Interrupt {
		want, then = "running run", k.panel
		shows = k.panel + ` && ` + k.cell + `.node.innerText.indexOf(` + jsonString(cmp.Or(o.Ready, "running with")) + `) >= 0`
	}
	if !waitFor(l.tab, `!(`+k.busy+`) || `+shows, l.o.Timeout) || !waitFor(l.tab, then, time.Second) {
		stdout, stderr := l.cellText(k.index)
		return fmt.Sprintf("%s showed no live knobs and %s (output: %s)", k.where, want, lastLines(stdout+stderr, 4)), nil
	}
	return "", nil
}

// move clicks the knob near its slider's right end and waits for the redrawn result,
// recording it in r; it returns the problem if none comes.
func (k knobCell) move(knob string, r *KnobsReport) (problem string, err error) {
	slider := fmt.Sprintf(`%s.querySelector('input[type=range][data-knob=%s]')`, k.panel, jsonString(knob))
	moved := time.Now()
	if err := clickAt(k.l.tab, slider, 0.95); err != nil {
		return "", fmt.Errorf("browsertest: move knob %q: %w", knob, err)
	}
	if !waitFor(k.l.tab, k.result+` && `+k.result+`.dataset.labkitResult !== `+jsonString(r.Before), k.l.o.Timeout) {
		return "the result was not redrawn after the knob moved", nil
	}
	r.Redrew = time.Since(moved)
	r.After, r.AfterText = k.shown()
	if r.AfterText == r.BeforeText {
		r.Problems = append(r.Problems, fmt.Sprintf("the redrawn result prints the same numbers: %q", r.AfterText))
	}
	if !strings.Contains(r.After, knob+"=") || r.After == r.Before {
		r.Problems = append(r.Problems, fmt.Sprintf("the redrawn result is for %q, not a moved %s", r.After, knob))
	}
	return "", nil
}

// end presses the panel's Done button, or with interrupt the toolbar's interrupt, waits
// for the cell to stop and returns the panel's last "Knobs: " line.
func (k knobCell) end(interrupt bool) (ended string, problems []string, err error) {
	l := k.l
	button, by, want := k.panel+`.querySelector("[data-knob-done]")`, "Done", "ended by Done"
	if interrupt {
		button, by, want = jsInterruptButton, "the interrupt", "interrupted"
	}
	if err := mouseClick(l.tab, button); err != nil {
		return "", nil, fmt.Errorf("browsertest: end the live cell: %w", err)
	}
	if !waitFor(l.tab, "!"+k.busy, 30*time.Second) {
		problems = append(problems, k.where+" still running 30s after "+by)
	}
	out, _ := chromedp.Run(l.tab, chromedp.Evaluate[string](`(function (c) { var e = c.node.querySelector(".jp-OutputArea"); return e ? e.innerText : ""; })(`+k.cell+`)`))
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "Knobs: ") {
			ended = strings.TrimSpace(line)
		}
	}
	if !strings.Contains(ended, want) {
		problems = append(problems, fmt.Sprintf("the knob panel does not say %q once the cell stopped: %q", want, ended))
	}
	return ended, problems, nil
}

// runCell runs one cell through the Run menu and waits until it finished; it returns a
// problem if it did not, or failed.
func (l *liveLab) runCell(c *liveCell) string {
	if err := l.selectCell(c.Index); err != nil {
		return err.Error()
	}
	if err := clickMenu(l.tab, "Run", "notebook:run-cell"); err != nil {
		return fmt.Sprintf("run %s: %v", c.where(), err)
	}
	busy := cellBusy(c.Index)
	waitFor(l.tab, busy, 5*time.Second)
	if !waitStable(l.tab, "!"+busy, l.o.Timeout) {
		return fmt.Sprintf("%s did not finish within %s", c.where(), l.o.Timeout)
	}
	cells, err := l.readCells()
	if err != nil {
		return err.Error()
	}
	for _, after := range cells {
		if after.Index == c.Index {
			if failed, _ := after.judge(); failed {
				stdout, stderr := after.text()
				return fmt.Sprintf("%s failed: %s", c.where(), lastLines(stdout+stderr, 4))
			}
		}
	}
	return ""
}

// cellText is the text of the cell's outputs as the front end holds them.
func (l *liveLab) cellText(index int) (stdout, stderr string) {
	cells, err := l.readCells()
	if err != nil {
		return "", err.Error()
	}
	for _, c := range cells {
		if c.Index == index {
			return c.text()
		}
	}
	return "", ""
}

// waitStablePressingDone is waitStable for Run All: as each live cell (labkit/nb.Live) shows its
// first result, it moves the slider called knob if the cell has one (clicking near its right
// end) and checks the redraw, then presses the cell's Done button and checks that the cell
// stops. It reports what it did and what went wrong.
func waitStablePressingDone(tab context.Context, cond string, timeout time.Duration, knob string) (ok bool, done, moves, problems []string) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		d, m, p := pressLiveDone(tab, knob, time.Until(deadline))
		done, moves, problems = append(done, d...), append(moves, m...), append(problems, p...)
		if waitStable(tab, cond, min(5*time.Second, time.Until(deadline))) {
			d, m, p := pressLiveDone(tab, knob, time.Until(deadline))
			done, moves, problems = append(done, d...), append(moves, m...), append(problems, p...)
			if len(d) == 0 {
				return true, done, moves, problems
			}
		}
	}
	return false, done, moves, problems
}

// pressLiveDone ends, with the mouse, each live cell on the page that shows its first result
// and whose Done button is still enabled; see waitStablePressingDone.
func pressLiveDone(tab context.Context, knob string, timeout time.Duration) (done, moves, problems []string) {
	// Only once the cell shows its first result: Done before that would cancel the run.
	const next = `Array.prototype.filter.call(document.querySelectorAll("[data-knob-done]"), function (b) {
	  var cell = b.closest(".jp-Cell, .cell"); return !b.disabled && cell && cell.querySelector("[data-labkit-result]"); })[0]`
	for i := range 20 {
		// Tag the cell, so that it stays the one meant after its Done button is disabled.
		tag := fmt.Sprintf("k%d-%d", time.Now().UnixNano(), i)
		if ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(function (b) { if (!b) { return false; }
		  b.closest(".jp-Cell, .cell").setAttribute("data-knobs-check", `+jsonString(tag)+`); return true; })(`+next+`)`)); err != nil || !ok {
			return
		}
		cell := `document.querySelector('[data-knobs-check="` + tag + `"]')`
		result := cell + `.querySelector("[data-labkit-result]")`
		shown := func() (values, text string) {
			v, _ := chromedp.Run(tab, chromedp.Evaluate[[]string](`(function (e) { return [e.dataset.labkitResult, e.innerText]; })(`+result+`)`))
			if len(v) == 2 {
				return v[0], v[1]
			}
			return "", ""
		}
		index, _ := chromedp.Run(tab, chromedp.Evaluate[int](`Array.prototype.indexOf.call(document.querySelectorAll(".jp-Notebook .jp-Cell, #notebook .cell"), `+cell+`)`))
		where := fmt.Sprintf("cell %d", index)
		slider := fmt.Sprintf(`%s.querySelector('input[type=range][data-knob=%s]')`, cell, jsonString(knob))
		if has, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`!!(`+slider+`)`)); knob != "" && has {
			before, beforeText := shown()
			if err := clickAt(tab, slider, 0.95); err != nil {
				problems = append(problems, fmt.Sprintf("%s: move knob %s: %v", where, knob, err))
			} else if !waitFor(tab, result+`.dataset.labkitResult !== `+jsonString(before), timeout) {
				problems = append(problems, fmt.Sprintf("%s: the result was not redrawn after %s moved", where, knob))
			} else if after, afterText := shown(); afterText == beforeText {
				problems = append(problems, fmt.Sprintf("%s: the redrawn result (%s) prints what the first did", where, after))
			} else {
				moves = append(moves, fmt.Sprintf("%s: %s -> %s, printed %q -> %q", where, before, after,
					lastLines(beforeText, 1), lastLines(afterText, 1)))
			}
		}
		// JupyterLab's cell model, or the classic Notebook's "In [*]" prompt (Debian's fallback).
		busy := `(function (n) { if (!window.jupyterapp) { return /\*/.test((n.querySelector(".input_prompt") || {}).textContent || ""); }
		  var c = ` + jsLabNotebook + `.content.widgets.find(function (w) { return w.node === n; });
		  return !!c && ` + jsLabBusy + `; })(` + cell + `)`
		if err := mouseClick(tab, cell+`.querySelector("[data-knob-done]")`); err != nil {
			problems = append(problems, fmt.Sprintf("%s: press Done: %v", where, err))
			return
		}
		if !waitFor(tab, `!(`+busy+`)`, 30*time.Second) {
			problems = append(problems, where+": still running 30s after Done")
		}
		done = append(done, where)
	}
	return
}
