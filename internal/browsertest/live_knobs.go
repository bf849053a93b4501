//go:build linux

package browsertest

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/input"
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
	l, err := b.openLab(ctx, o.LiveOptions, true)
	if err != nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	r.FrontEnd = l.front.name
	if p := l.openNotebook(); p != "" {
		r.Problems = append(r.Problems, p)
		return r, nil
	}
	r.KernelAtOpen, _ = chromedp.Run(l.tab, chromedp.Evaluate[string](jsLabNotebook+`.sessionContext.session.kernel.status`))
	cells, err := l.readCells()
	if err != nil {
		return r, err
	}
	find := func(text string) (*liveCell, error) {
		for i := range cells {
			if strings.Contains(cells[i].Source, text) {
				return &cells[i], nil
			}
		}
		return nil, fmt.Errorf("browsertest: no code cell of %s holds %q", o.Notebook, text)
	}
	for _, text := range o.Setup {
		c, err := find(text)
		if err != nil {
			return r, err
		}
		if p := l.runCell(c); p != "" {
			r.Problems = append(r.Problems, p)
			return r, nil
		}
	}
	target, err := find(o.Cell)
	if err != nil {
		return r, err
	}
	r.Cell = target.where()
	cell := fmt.Sprintf("%s.content.widgets[%d]", jsLabNotebook, target.Index)
	busy := fmt.Sprintf(`(function (c) { return %s; })(%s)`, jsLabBusy, cell)
	panel := cell + `.node.querySelector("[data-labkit-knobs]")`
	result := cell + `.node.querySelector("[data-labkit-result]")`
	shown := func() (values, text string) {
		v, _ := chromedp.Run(l.tab, chromedp.Evaluate[[]string](`(function (e) { return e ? [e.dataset.labkitResult, e.innerText] : ["", ""]; })(`+result+`)`))
		if len(v) == 2 {
			return v[0], lastLines(v[1], 3)
		}
		return "", ""
	}

	kernel := kernelOf(l.srv.cmd.Process.Pid)
	if kernel == 0 {
		return r, fmt.Errorf("browsertest: no gonb kernel process under Jupyter")
	}
	before := descendants(kernel)
	if err := l.selectCell(target.Index); err != nil {
		return r, err
	}
	if err := clickMenu(l.tab, "Run", "notebook:run-cell"); err != nil {
		return r, fmt.Errorf("browsertest: run %s: %w", r.Cell, err)
	}
	waitFor(l.tab, busy, 5*time.Second) // queued, then running: until then "not busy" means "not started"
	if o.Interrupt {
		ready := cmp.Or(o.Ready, "running with")
		if !waitFor(l.tab, `!(`+busy+`) || `+panel+` && `+cell+`.node.innerText.indexOf(`+jsonString(ready)+`) >= 0`, l.o.Timeout) ||
			!waitFor(l.tab, panel, time.Second) {
			stdout, stderr := l.cellText(target.Index)
			r.Problems = append(r.Problems, fmt.Sprintf("%s showed no live knobs and running run (output: %s)", r.Cell, lastLines(stdout+stderr, 4)))
			return r, nil
		}
		if shown, _ := chromedp.Run(l.tab, chromedp.Evaluate[bool](`!!`+result)); shown {
			r.Problems = append(r.Problems, "the first run finished before the interrupt: pick a longer cell")
		}
	} else if !waitFor(l.tab, `!(`+busy+`) || `+panel+` && `+result, l.o.Timeout) || !waitFor(l.tab, panel+` && `+result, time.Second) {
		stdout, stderr := l.cellText(target.Index)
		r.Problems = append(r.Problems, fmt.Sprintf("%s showed no live knobs and result (output: %s)", r.Cell, lastLines(stdout+stderr, 4)))
		return r, nil
	}
	r.Before, r.BeforeText = shown()

	// What the live cell runs: its program and anything that started (servers, pools).
	type process struct{ cmd, started string }
	cellProcs := map[int]process{}
	for pid, cmd := range descendants(kernel) {
		if before[pid] != cmd {
			cellProcs[pid] = process{cmd, startTime(pid)}
		}
	}
	if !o.Interrupt {
		slider := fmt.Sprintf(`%s.querySelector('input[type=range][data-knob=%s]')`, panel, jsonString(o.Knob))
		moved := time.Now()
		if err := clickAt(l.tab, slider, 0.95); err != nil {
			return r, fmt.Errorf("browsertest: move knob %q: %w", o.Knob, err)
		}
		if !waitFor(l.tab, result+` && `+result+`.dataset.labkitResult !== `+jsonString(r.Before), l.o.Timeout) {
			r.Problems = append(r.Problems, "the result was not redrawn after the knob moved")
			return r, nil
		}
		r.Redrew = time.Since(moved)
		r.After, r.AfterText = shown()
		if r.AfterText == r.BeforeText {
			r.Problems = append(r.Problems, fmt.Sprintf("the redrawn result prints the same numbers: %q", r.AfterText))
		}
		if !strings.Contains(r.After, o.Knob+"=") || r.After == r.Before {
			r.Problems = append(r.Problems, fmt.Sprintf("the redrawn result is for %q, not a moved %s", r.After, o.Knob))
		}
	}
	for pid, p := range cellProcs {
		if !running(pid) || startTime(pid) != p.started {
			delete(cellProcs, pid)
		}
	}
	for pid, cmd := range descendants(kernel) {
		if before[pid] != cmd {
			cellProcs[pid] = process{cmd, startTime(pid)}
		}
	}
	var pids []int
	for pid, p := range cellProcs {
		pids = append(pids, pid)
		r.Processes = append(r.Processes, fmt.Sprintf("pid %d %s", pid, shorten(p.cmd)))
	}
	sort.Strings(r.Processes)
	listeners := listenersOf(pids)
	for _, addr := range listeners {
		r.Listeners = append(r.Listeners, addr)
	}
	sort.Strings(r.Listeners)
	if len(pids) == 0 {
		r.Problems = append(r.Problems, "the live cell had no process of its own (did it end before Done?)")
	}

	end := panel + `.querySelector("[data-knob-done]")`
	if o.Interrupt {
		end = jsLabNotebook + `.toolbar.node.querySelector('[data-jp-item-name="interrupt"]')`
	}
	if err := mouseClick(l.tab, end); err != nil {
		return r, fmt.Errorf("browsertest: end the live cell: %w", err)
	}
	if !waitFor(l.tab, "!"+busy, 30*time.Second) {
		r.Problems = append(r.Problems, r.Cell+" still running 30s after "+map[bool]string{true: "the interrupt", false: "Done"}[o.Interrupt])
	}
	out, _ := chromedp.Run(l.tab, chromedp.Evaluate[string](`(function (c) { var e = c.node.querySelector(".jp-OutputArea"); return e ? e.innerText : ""; })(`+cell+`)`))
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "Knobs: ") {
			r.Ended = strings.TrimSpace(line)
		}
	}
	if want := map[bool]string{true: "interrupted", false: "ended by Done"}[o.Interrupt]; !strings.Contains(r.Ended, want) {
		r.Problems = append(r.Problems, fmt.Sprintf("the knob panel does not say %q once the cell stopped: %q", want, r.Ended))
	}
	alive := func(pid int) bool { return running(pid) && startTime(pid) == cellProcs[pid].started }
	deadline := time.Now().Add(LeftAfterInterrupt)
	for {
		var left []string
		open := listening()
		for pid := range cellProcs {
			if alive(pid) {
				left = append(left, fmt.Sprintf("pid %d %s", pid, shorten(cmdline(pid))))
			}
		}
		for inode, addr := range listeners {
			if _, ok := open[inode]; ok {
				left = append(left, "listener "+addr)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			sort.Strings(left)
			r.Left = left
			break
		}
		_ = sleep(l.tab, 200*time.Millisecond)
	}
	for _, p := range r.Left {
		r.Problems = append(r.Problems, "left behind by the live cell: "+p)
	}
	for pid := range cellProcs {
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	r.Screenshot = filepath.Join(l.o.OutDir, "knobs-"+strings.TrimSuffix(l.name, ".ipynb")+".png")
	if err := l.screenshotAt(r.Screenshot, cell+".node"); err != nil {
		return r, err
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	return r, nil
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
	busy := fmt.Sprintf(`(function (c) { return %s; })(%s.content.widgets[%d])`, jsLabBusy, jsLabNotebook, c.Index)
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

// clickAt clicks with the mouse at the given fraction of the width of the element the
// JavaScript expression names, halfway down: on a range input, the value there.
func clickAt(tab context.Context, element string, fraction float64) error {
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	type point struct{ X, Y float64 }
	js := fmt.Sprintf(`(function (e) { if (!e) { return null; } e.scrollIntoView({block: "center"}); var r = e.getBoundingClientRect();
	  return r.width && r.height ? {X: r.left + r.width * %g, Y: r.top + r.height / 2} : null; })(%s)`, fraction, element)
	for {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[*point](js))
		if err != nil {
			return err
		}
		if p != nil {
			return chromedp.Do(ctx,
				chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, p.X, p.Y),
				chromedp.MouseClickXY(p.X, p.Y))
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return fmt.Errorf("%s never showed: %w", element, err)
		}
	}
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
