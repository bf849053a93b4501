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

	"github.com/chromedp/chromedp"
)

// CheckInterrupt opens the notebook in JupyterLab, runs the cells above the chosen one
// (Run ▸ Run All Above Selected Cell), runs the cell (Run ▸ Run Selected Cell and Do not
// Advance), waits for its Ready text, notes the processes the kernel's tree gained and
// their listening sockets, and presses the toolbar's interrupt button. It checks that the
// cell stops within o.Bound and that none of those processes or listeners is left, and
// reports how long stopping took. Jupyter is shut down at the end as in CheckLive.
func (b *Browser) CheckInterrupt(ctx context.Context, o InterruptOptions) (r InterruptReport, err error) {
	if o.Cell == "" || o.Ready == "" {
		return r, fmt.Errorf("browsertest: InterruptOptions needs Cell and Ready")
	}
	o.Bound = cmp.Or(max(o.Bound, 0), 20*time.Second)
	l, err := b.openLabNotebook(ctx, o.LiveOptions, true, &r.FrontEnd, &r.Problems)
	if l == nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	target, above, err := l.findCell(o.Cell)
	if err != nil {
		return r, err
	}
	r.Cell = target.where()
	if above {
		problems, finished, err := l.runAbove(target)
		r.Problems = append(r.Problems, problems...)
		if err != nil || !finished {
			return r, err
		}
	}
	kernel := kernelOf(l.srv.cmd.Process.Pid)
	if kernel == 0 {
		return r, fmt.Errorf("browsertest: no gonb kernel process under Jupyter")
	}
	before := descendants(kernel) // the kernel's own helpers (gopls) stay; they are not the cell's
	started, problem, err := l.runUntil(target, o.Ready)
	if err != nil {
		return r, err
	}
	if problem != "" {
		r.Problems = append(r.Problems, problem)
		return r, nil
	}
	cell := cellStarted(kernel, before)
	r.Processes, r.Listeners = cell.names()

	pressed, stopped, err := l.interrupt(target.Index, o.Bound)
	if err != nil {
		return r, err
	}
	r.RanFor, r.StoppedIn = pressed.Sub(started), time.Since(pressed)
	if !stopped {
		r.Problems = append(r.Problems, fmt.Sprintf("%s still running %s after the interrupt", r.Cell, o.Bound))
	}
	// What the cell started must go with it; give it a moment, then name (and kill) the rest.
	r.Left = cell.leftAfter(l.tab, LeftAfterInterrupt)
	for _, p := range r.Left {
		r.Problems = append(r.Problems, "left behind by the interrupted cell: "+p)
	}
	cell.kill()
	r.Output, r.Notes = l.interruptedOutput(target.Index, r.Notes)
	if r.Screenshot, err = l.screenshotOutput("live-interrupt-", target.Index); err != nil {
		return r, err
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	return r, nil
}

// screenshotOutput saves a screenshot of the output of the cell at index, named prefix and
// the notebook's name.
func (l *liveLab) screenshotOutput(prefix string, index int) (string, error) {
	path := filepath.Join(l.o.OutDir, prefix+strings.TrimSuffix(l.name, ".ipynb")+".png")
	output := fmt.Sprintf(`(function (n) { return n.querySelector(".jp-OutputArea") || n; })(%s.content.widgets[%d].node)`, jsLabNotebook, index)
	return path, l.screenshotAt(path, output)
}

// jsInterruptButton is JupyterLab's toolbar button that interrupts the kernel.
const jsInterruptButton = jsLabNotebook + `.toolbar.node.querySelector('[data-jp-item-name="interrupt"]')`

// interrupt presses the interrupt button and waits up to bound for the cell at index to
// stop; it returns when the button was pressed and whether the cell stopped.
func (l *liveLab) interrupt(index int, bound time.Duration) (pressed time.Time, stopped bool, err error) {
	if err := mouseClick(l.tab, jsInterruptButton); err != nil {
		return pressed, false, fmt.Errorf("browsertest: press the interrupt button: %w", err)
	}
	pressed = time.Now()
	return pressed, waitFor(l.tab, "!"+cellBusy(index), bound), nil
}

// findCell returns the first code cell whose source holds text, and whether code cells
// come before it.
func (l *liveLab) findCell(text string) (target liveCell, above bool, err error) {
	cells, err := l.readCells()
	if err != nil {
		return target, false, err
	}
	for _, c := range cells {
		if strings.Contains(c.Source, text) {
			return c, c.Index > 0 && cells[0].Index < c.Index, nil
		}
	}
	return target, false, fmt.Errorf("browsertest: no code cell of %s holds %q", l.name, text)
}

// runAbove runs the cells above target (Run ▸ Run All Above Selected Cell) and returns the
// problems of those cells, and whether they finished at all.
func (l *liveLab) runAbove(target liveCell) (problems []string, finished bool, err error) {
	if err := l.selectCell(target.Index); err != nil {
		return nil, false, err
	}
	if err := clickMenu(l.tab, "Run", "notebook:run-all-above"); err != nil {
		return nil, false, fmt.Errorf("browsertest: run the cells above: %w", err)
	}
	waitFor(l.tab, l.front.ui.busy, 30*time.Second)
	// A Predict cell above waits for a click, as in CheckLive: answer it with its first guess.
	if !waitStable(l.tab, "("+clickPredictions+", "+l.front.ui.done+")", l.o.Timeout) {
		return []string{fmt.Sprintf("the cells above %s did not finish within %s", target.where(), l.o.Timeout)}, false, nil
	}
	cells, err := l.readCells()
	if err != nil {
		return nil, false, err
	}
	for _, c := range cells {
		if c.Index < target.Index {
			_, p := c.judge()
			problems = append(problems, p...)
		}
	}
	return problems, true, nil
}

// cellBusy is the JavaScript condition that the cell at index is running.
func cellBusy(index int) string {
	return fmt.Sprintf(`(function (c) { return %s; })(%s.content.widgets[%d])`, jsLabBusy, jsLabNotebook, index)
}

// runUntil runs target (Run ▸ Run Selected Cell and Do not Advance) and waits until it
// prints ready while still running. It returns when it started, or the problem that kept
// it from getting there.
func (l *liveLab) runUntil(target liveCell, ready string) (started time.Time, problem string, err error) {
	if err := l.selectCell(target.Index); err != nil {
		return started, "", err
	}
	if err := clickMenu(l.tab, "Run", "notebook:run-cell"); err != nil {
		return started, "", fmt.Errorf("browsertest: run %s: %w", target.where(), err)
	}
	started = time.Now()
	printed := fmt.Sprintf(`(function (c) { return c.model.outputs.toJSON().some(function (o) {
	  return [].concat(o.text || []).join("").indexOf(%s) >= 0; }); })(%s.content.widgets[%d])`, jsonString(ready), jsLabNotebook, target.Index)
	if !waitFor(l.tab, printed, l.o.Timeout) {
		return started, fmt.Sprintf("%s never printed %q", target.where(), ready), nil
	}
	if running, _ := chromedp.Run(l.tab, chromedp.Evaluate[bool](cellBusy(target.Index))); !running {
		return started, fmt.Sprintf("%s finished before the interrupt: pick a longer cell", target.where()), nil
	}
	return started, "", nil
}

// cellProcesses are the processes a cell started (with their start times, so a reused pid
// is not mistaken for one of them) and the sockets they listen on, by inode.
type cellProcesses struct {
	started   map[int]string // pid -> its command line
	startTime map[int]string
	listeners map[string]string // inode -> address
}

// cellStarted returns the processes under kernel that were not there before.
func cellStarted(kernel int, before map[int]string) cellProcesses {
	c := cellProcesses{started: map[int]string{}, startTime: map[int]string{}}
	var pids []int
	for pid, cmd := range descendants(kernel) {
		if before[pid] != cmd {
			c.started[pid], c.startTime[pid] = cmd, startTime(pid)
			pids = append(pids, pid)
		}
	}
	c.listeners = listenersOf(pids)
	return c
}

// plus returns c with what is under kernel now and was not before added, and what of c has
// ended dropped: a live cell's later runs start processes of their own.
func (c cellProcesses) plus(kernel int, before map[int]string) cellProcesses {
	now := cellStarted(kernel, before)
	var pids []int
	for pid, cmd := range c.started {
		if _, ok := now.started[pid]; !ok && c.alive(pid) {
			now.started[pid], now.startTime[pid] = cmd, c.startTime[pid]
		}
	}
	for pid := range now.started {
		pids = append(pids, pid)
	}
	now.listeners = listenersOf(pids)
	return now
}

// names describes the processes and the addresses they listen on, sorted.
func (c cellProcesses) names() (procs, listeners []string) {
	for pid, cmd := range c.started {
		procs = append(procs, fmt.Sprintf("pid %d %s", pid, shorten(cmd)))
	}
	for _, addr := range c.listeners {
		listeners = append(listeners, addr)
	}
	sort.Strings(procs)
	sort.Strings(listeners)
	return procs, listeners
}

func (c cellProcesses) alive(pid int) bool { return running(pid) && startTime(pid) == c.startTime[pid] }

// leftAfter waits up to grace for the processes and listeners to go, and names those left.
func (c cellProcesses) leftAfter(tab context.Context, grace time.Duration) []string {
	deadline := time.Now().Add(grace)
	for {
		var left []string
		open := listening()
		for pid := range c.started {
			if c.alive(pid) {
				left = append(left, fmt.Sprintf("pid %d %s", pid, shorten(cmdline(pid))))
			}
		}
		for inode, addr := range c.listeners {
			if _, ok := open[inode]; ok {
				left = append(left, "listener "+addr)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			sort.Strings(left)
			return left
		}
		_ = sleep(tab, 200*time.Millisecond)
	}
}

// kill kills the processes still alive, so that a failed check leaves nothing behind.
func (c cellProcesses) kill() {
	for pid := range c.started {
		if c.alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// interruptedOutput returns the last lines the cell at index printed, and notes plus one if
// its program panicked on the interrupt (not judged: untidy, but the cell stopped and left
// nothing).
func (l *liveLab) interruptedOutput(index int, notes []string) (string, []string) {
	cells, err := l.readCells()
	if err != nil {
		return "", notes
	}
	for _, c := range cells {
		if c.Index != index {
			continue
		}
		stdout, stderr := c.text()
		if at := strings.Index(stderr, "panic: "); at >= 0 {
			first, _, _ := strings.Cut(stderr[at:], "\n")
			notes = append(notes, "the cell's program panicked on the interrupt instead of returning: "+shorten(first))
		}
		return lastLines(stdout+stderr, 3), notes
	}
	return "", notes
}

// selectCell clicks the cell's input prompt, which selects it in JupyterLab, and checks
// that it became the active cell.
func (l *liveLab) selectCell(index int) error {
	if err := mouseClick(l.tab, fmt.Sprintf(`%s.content.widgets[%d].node.querySelector(".jp-InputPrompt")`, jsLabNotebook, index)); err != nil {
		return fmt.Errorf("select cell %d: %w", index, err)
	}
	if !waitFor(l.tab, fmt.Sprintf("%s.content.activeCellIndex === %d", jsLabNotebook, index), 5*time.Second) {
		return fmt.Errorf("select cell %d: clicking its prompt did not make it the active cell", index)
	}
	return nil
}
