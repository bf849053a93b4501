//go:build linux

package browsertest

import (
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
	if o.Bound <= 0 {
		o.Bound = 20 * time.Second
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
	cells, err := l.readCells()
	if err != nil {
		return r, err
	}
	var target *liveCell
	for i := range cells {
		if strings.Contains(cells[i].Source, o.Cell) {
			target = &cells[i]
			break
		}
	}
	if target == nil {
		return r, fmt.Errorf("browsertest: no code cell of %s holds %q", o.Notebook, o.Cell)
	}
	r.Cell = target.where()
	output := fmt.Sprintf(`(function (n) { return n.querySelector(".jp-OutputArea") || n; })(%s.content.widgets[%d].node)`, jsLabNotebook, target.Index)
	if err := l.selectCell(target.Index); err != nil {
		return r, err
	}
	if target.Index > 0 && cells[0].Index < target.Index {
		if err := clickMenu(l.tab, "Run", "notebook:run-all-above"); err != nil {
			return r, fmt.Errorf("browsertest: run the cells above: %w", err)
		}
		waitFor(l.tab, l.front.ui.busy, 30*time.Second)
		if !waitStable(l.tab, l.front.ui.done, l.o.Timeout) {
			r.Problems = append(r.Problems, fmt.Sprintf("the cells above %s did not finish within %s", r.Cell, l.o.Timeout))
			return r, nil
		}
		above, err := l.readCells()
		if err != nil {
			return r, err
		}
		for _, c := range above {
			if c.Index < target.Index {
				_, problems := c.judge()
				r.Problems = append(r.Problems, problems...)
			}
		}
	}

	kernel := kernelOf(l.srv.cmd.Process.Pid)
	if kernel == 0 {
		return r, fmt.Errorf("browsertest: no gonb kernel process under Jupyter")
	}
	before := descendants(kernel) // the kernel's own helpers (gopls) stay; they are not the cell's
	if err := l.selectCell(target.Index); err != nil {
		return r, err
	}
	if err := clickMenu(l.tab, "Run", "notebook:run-cell"); err != nil {
		return r, fmt.Errorf("browsertest: run %s: %w", r.Cell, err)
	}
	started := time.Now()
	printed := fmt.Sprintf(`(function (c) { return c.model.outputs.toJSON().some(function (o) {
	  return [].concat(o.text || []).join("").indexOf(%s) >= 0; }); })(%s.content.widgets[%d])`, jsonString(o.Ready), jsLabNotebook, target.Index)
	if !waitFor(l.tab, printed, l.o.Timeout) {
		r.Problems = append(r.Problems, fmt.Sprintf("%s never printed %q", r.Cell, o.Ready))
		return r, nil
	}
	busy := fmt.Sprintf(`(function (c) { return %s; })(%s.content.widgets[%d])`, jsLabBusy, jsLabNotebook, target.Index)
	if running, _ := chromedp.Run(l.tab, chromedp.Evaluate[bool](busy)); !running {
		r.Problems = append(r.Problems, fmt.Sprintf("%s finished before the interrupt: pick a longer cell", r.Cell))
		return r, nil
	}
	type process struct{ cmd, started string }
	cellProcs := map[int]process{}
	for pid, cmd := range descendants(kernel) {
		if before[pid] != cmd {
			cellProcs[pid] = process{cmd, startTime(pid)}
		}
	}
	alive := func(pid int) bool { return running(pid) && startTime(pid) == cellProcs[pid].started }
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

	if err := mouseClick(l.tab, jsLabNotebook+`.toolbar.node.querySelector('[data-jp-item-name="interrupt"]')`); err != nil {
		return r, fmt.Errorf("browsertest: press the interrupt button: %w", err)
	}
	pressed := time.Now()
	r.RanFor = pressed.Sub(started)
	stopped := waitFor(l.tab, "!"+busy, o.Bound)
	r.StoppedIn = time.Since(pressed)
	if !stopped {
		r.Problems = append(r.Problems, fmt.Sprintf("%s still running %s after the interrupt", r.Cell, o.Bound))
	}

	// What the cell started must go with it; give it a moment, then name (and kill) the rest.
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
		r.Problems = append(r.Problems, "left behind by the interrupted cell: "+p)
	}
	for pid := range cellProcs {
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}

	after, err := l.readCells()
	if err == nil {
		for _, c := range after {
			if c.Index == target.Index {
				stdout, stderr := c.text()
				r.Output = lastLines(stdout+stderr, 3)
				// Not judged: a panic on interrupt is untidy, but the cell stopped and left nothing.
				if at := strings.Index(stderr, "panic: "); at >= 0 {
					first, _, _ := strings.Cut(stderr[at:], "\n")
					r.Notes = append(r.Notes, "the cell's program panicked on the interrupt instead of returning: "+shorten(first))
				}
			}
		}
	}
	r.Screenshot = filepath.Join(l.o.OutDir, "live-interrupt-"+strings.TrimSuffix(l.name, ".ipynb")+".png")
	if err := l.screenshotAt(r.Screenshot, output); err != nil {
		return r, err
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	return r, nil
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
