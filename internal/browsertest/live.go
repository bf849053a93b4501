//go:build linux

package browsertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// LiveOptions says which notebook a live check runs and with which Jupyter.
type LiveOptions struct {
	Notebook string        // path of the .ipynb, e.g. notebooks/01_goroutines.ipynb (required)
	Root     string        // the lab's repository root; default: the current directory
	Python   string        // Python whose Jupyter to start; default: the one in build/jupyter-python
	OutDir   string        // screenshots and jupyter.log; default build/browser
	Timeout  time.Duration // for running the cells; default 10 minutes
	Knob     string        // CheckLive: the slider of a live cell to move before pressing its Done button
}

// LiveReport is what CheckLive saw.
type LiveReport struct {
	FrontEnd    string   // e.g. "JupyterLab 4.6.6"
	Cells       int      // code cells run
	ChartCells  int      // cells whose output holds labkit's chart fragment (.labkit-chart)
	Charts      int      // chart fragments in those outputs (expected charts)
	Drawn       int      // of those, drawn: a canvas of non-zero size with painted pixels
	Timeline    bool     // a chart.Timeline (ECharts custom series) was among the drawn charts
	Failed      int      // exercise checks that failed, as they must on the stubs
	LiveDone    []string // live cells (labkit/nb.Live) ended with their Done button, the cell stopping
	KnobMoves   []string // live cells whose Knob was moved and redrawn with other numbers
	Screenshots []string // the notebook scrolled to its first chart (a timeline if there is one)
	Problems    []string // each names the cell; empty means the check passed
	Notes       []string // console errors and failed requests of the front end itself (not judged)
}

// ErrNeedsJupyterLab is returned by the checks that only JupyterLab's UI offers (interrupt
// through the toolbar, RISE slides) when setup installed the classic Notebook instead.
var ErrNeedsJupyterLab = errors.New("browsertest: this check needs JupyterLab (setup installed the classic Notebook: no PyPI)")

// LeftoverGrace is how long processes Jupyter started may take to exit after it did,
// before they count as left behind.
var LeftoverGrace = 10 * time.Second

// exitLine is how GoNB reports a cell program that failed (panic, log.Fatal, a failing
// %test): a last stderr line, with an "ok" reply. scripts/run_notebooks.py uses the same rule.
var exitLine = regexp.MustCompile(`(?:^|\n)(?:\^C\n)?(exit status \d+|signal: [a-z ]+)\n?$`)

// numberVerb finds a Printf-style call with a numeric verb: a cell whose main body has one
// promises printed numbers, so its output must hold digits.
var numberVerb = regexp.MustCompile(`(?:Printf|Fprintf|Sprintf)\((?:[^()]|\([^()]*\))*%[-+# 0-9.*]*[dfge]`)

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
	l, err := b.openLab(ctx, o, false)
	if err != nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	r.FrontEnd = l.front.name
	if p := l.openNotebook(); p != "" {
		r.Problems = append(r.Problems, p)
		return r, nil
	}
	ui := l.front.ui
	if err := ui.runAll(l.tab); err != nil {
		return r, fmt.Errorf("run all cells: %w", err)
	}
	// The front end queues the cells a moment after the click; done means nothing left after that.
	if !waitFor(l.tab, ui.busy, 30*time.Second) {
		r.Problems = append(r.Problems, "no cell started within 30s of Run All")
	}
	finished, done, moves, problems := waitStablePressingDone(l.tab, ui.done, l.o.Timeout, o.Knob)
	r.LiveDone, r.KnobMoves, r.Problems = done, moves, append(r.Problems, problems...)
	if o.Knob != "" && len(moves) == 0 && len(problems) == 0 {
		r.Problems = append(r.Problems, "no live cell has a slider called "+o.Knob)
	}

	cells, err := l.readCells()
	if err != nil {
		return r, err
	}
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
	if !finished {
		r.Problems = append(r.Problems, fmt.Sprintf("the kernel did not finish all cells within %s", l.o.Timeout))
	}

	perCell, err := l.readCharts()
	if err != nil {
		return r, err
	}
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
			if firstChart == "" {
				firstChart = ch.ID
			}
			if ch.Series == "custom" {
				r.Timeline = true
				if firstTimeline == "" {
					firstTimeline = ch.ID
				}
			}
		}
	}
	if r.Charts == 0 {
		r.Problems = append(r.Problems, "no cell output holds a chart")
	}
	shotAt := firstTimeline
	if shotAt == "" {
		shotAt = firstChart
	}
	if shotAt != "" {
		shot := filepath.Join(l.o.OutDir, "live-"+strings.TrimSuffix(filepath.Base(o.Notebook), ".ipynb")+".png")
		if err := l.screenshotAt(shot, fmt.Sprintf("document.getElementById(%s)", jsonString(shotAt))); err != nil {
			return r, err
		}
		r.Screenshots = append(r.Screenshots, shot)
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	return r, nil
}

// collapse keeps the first of each repeated message, counting the repeats: a front end
// that logs one error per slide or cell says so once.
func collapse(msgs []string) []string {
	count := map[string]int{}
	var out []string
	for _, m := range msgs {
		if count[m] == 0 {
			out = append(out, m)
		}
		count[m]++
	}
	for i, m := range out {
		if n := count[m]; n > 1 {
			out[i] = fmt.Sprintf("%s (%d times)", m, n)
		}
	}
	return out
}

// liveCell is one code cell as the front end holds it after a run.
type liveCell struct {
	Index   int // among all cells, markdown included
	Prompt  any // execution count (a number) once it ran
	Tags    []string
	Expect  []string // metadata.lab.expect
	Head    string
	Source  string
	Outputs []struct {
		OutputType string         `json:"output_type"`
		Name       string         `json:"name"`
		Text       any            `json:"text"`
		Data       map[string]any `json:"data"`
		Ename      string         `json:"ename"`
		Evalue     string         `json:"evalue"`
	}
	Fragments int // labkit chart fragments in the HTML outputs (set by readCells)
}

func (c liveCell) where() string { return fmt.Sprintf("cell %d (%s)", c.Index, shorten(c.Head)) }

func (c liveCell) tagged(tag string) bool {
	for _, t := range c.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// text is what the cell showed as text: stdout, and the plain and Markdown forms of displays.
func (c liveCell) text() (stdout, stderr string) {
	for _, out := range c.Outputs {
		switch {
		case out.OutputType == "stream" && out.Name == "stderr":
			stderr += joinText(out.Text)
		case out.OutputType == "stream":
			stdout += joinText(out.Text)
		default:
			stdout += joinText(out.Data["text/plain"]) + joinText(out.Data["text/markdown"])
		}
	}
	return stdout, stderr
}

// chartFragments counts labkit's chart containers in the cell's HTML outputs.
func (c liveCell) chartFragments() int {
	n := 0
	for _, out := range c.Outputs {
		n += strings.Count(joinText(out.Data["text/html"]), `class="labkit-chart"`)
	}
	return n
}

// judge says whether the cell failed (an error output or GoNB's exit line) and what is wrong
// with it: a cell that did not run, a failure where none is allowed, an exercise check that
// passed on its stub, a chart or numeric print without digits, a missing expected text.
func (c liveCell) judge() (failed bool, problems []string) {
	if _, ok := c.Prompt.(float64); !ok {
		return false, []string{fmt.Sprintf("%s: did not run (prompt %v)", c.where(), c.Prompt)}
	}
	stdout, stderr := c.text()
	var errs []string
	for _, out := range c.Outputs {
		if out.OutputType == "error" {
			errs = append(errs, fmt.Sprintf("error output %s: %s", out.Ename, shorten(out.Evalue)))
		}
	}
	if exitLine.MatchString(stderr) {
		errs = append(errs, "the cell's program failed: "+shorten(lastLines(stderr, 6)))
	}
	failed = len(errs) > 0
	switch {
	case c.tagged("exercise-check"):
		if !failed {
			problems = append(problems, c.where()+": the exercise check passed on the stub (it must fail until the exercise is solved)")
		}
		return failed, problems
	case c.tagged("raises-exception"):
	default:
		for _, e := range errs {
			problems = append(problems, c.where()+": "+e)
		}
	}
	body := c.Source
	if i := strings.Index(body, "\n%%\n"); i >= 0 {
		body = body[i+4:]
	} else if !strings.HasPrefix(body, "%%\n") {
		body = "" // declarations only: nothing of it runs
	}
	if (c.Fragments > 0 || numberVerb.MatchString(body)) && !strings.ContainsAny(stdout, "0123456789") {
		problems = append(problems, c.where()+": prints no numbers (a chart or a numeric Printf must print its values)")
	}
	for _, want := range c.Expect {
		if !strings.Contains(stdout+stderr, want) {
			problems = append(problems, fmt.Sprintf("%s: output lacks the expected %q", c.where(), want))
		}
	}
	return failed, problems
}

// waitStable is waitFor that needs the condition true on two polls a second apart, so a
// gap between one cell finishing and the next starting does not count as done.
func waitStable(tab context.Context, cond string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 || !waitFor(tab, cond, left) {
			return false
		}
		if sleep(tab, time.Second) != nil {
			return false
		}
		if ok, err := chromedp.Run(tab, chromedp.Evaluate[bool]("!!("+cond+")")); err == nil && ok {
			return true
		}
	}
}

func joinText(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		var sb strings.Builder
		for _, s := range v {
			fmt.Fprint(&sb, s)
		}
		return sb.String()
	}
	return ""
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func lastLines(s string, n int) string {
	s = ansi.ReplaceAllString(s, "")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

type frontEnd struct {
	name string
	lab  bool     // JupyterLab (else a classic Notebook page)
	args []string // after python -m
	ui   frontEndUI
}

// frontEndUI is how to drive one Jupyter front end's page.
type frontEndUI struct {
	open   string                          // URL path of a notebook, before its name
	ready  string                          // JS: notebook open, kernel connected and idle
	runAll func(tab context.Context) error // the UI's own "run all cells" menu item
	busy   string                          // JS: a code cell is queued or running
	done   string                          // JS: nothing queued or running, kernel idle
	cells  string                          // JS: every code cell as a liveCell
	nodes  string                          // JS: the element of every cell (markdown too), in order
	state  string                          // JS: a line on the page's state, for failure messages
}

// jsHead names a cell in messages: its first line of code after "%%" (GoNB's main body),
// or else its first line that is not a comment.
const jsHead = `function head(t) {
  var lines = t.split("\n"), at = lines.indexOf("%%"), pick = function (ls) {
    return ls.filter(function (l) { return l.trim() && !/^\s*\/\//.test(l); })[0]; };
  return (at >= 0 && pick(lines.slice(at + 1))) || pick(lines) || "";
}`

// classicUI drives the classic Notebook (notebook < 7, nbclassic): the Cell menu's Run All.
// It is the Debian fallback (no PyPI, no JupyterLab); only CheckLive supports it.
var classicUI = frontEndUI{
	open: "/notebooks/",
	ready: `window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel &&
	        Jupyter.notebook.kernel.is_connected() && document.querySelector("#kernel_indicator_icon.kernel_idle_icon")`,
	runAll: func(tab context.Context) error { // the menu item's own click handler, as before
		_, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`document.querySelector("#run_all_cells > a").click()`))
		return err
	},
	busy: `Jupyter.notebook.get_cells().some(function (c) { return c.cell_type === "code" && c.input_prompt_number === "*"; })`,
	// Run All marks every cell "*" at once; a cell the kernel skipped after an error loses it too.
	done: `!Jupyter.notebook.get_cells().some(function (c) { return c.cell_type === "code" && c.input_prompt_number === "*"; }) &&
	       document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null`,
	cells: `(function () {
	  ` + jsHead + `
	  return Jupyter.notebook.get_cells().map(function (c, i) {
	    return {Index: i, Type: c.cell_type, Prompt: c.input_prompt_number === undefined ? null : c.input_prompt_number,
	            Tags: (c.metadata.tags || []), Expect: ((c.metadata.lab || {}).expect || []), Head: head(c.get_text()),
	            Source: c.get_text(), Outputs: c.cell_type === "code" ? c.output_area.outputs : []};
	  }).filter(function (c) { return c.Type === "code"; });
	})()`,
	nodes: `Jupyter.notebook.get_cells().map(function (c) { return c.element[0]; })`,
	state: `(function () { try { var k = Jupyter.notebook.kernel; return "kernel " + (k ? k.name + " connected=" + k.is_connected() : "none") +
	          ", indicator " + document.querySelector("#kernel_indicator_icon").className; } catch (e) { return "page: " + e; } })()`,
}

// jsLabNotebook is the notebook panel JupyterLab shows (exposed by --LabApp.expose_app_in_browser).
const jsLabNotebook = `jupyterapp.shell.currentWidget`

// labUI drives JupyterLab 4 with real mouse clicks on its menus and toolbar; the page's
// application object (--LabApp.expose_app_in_browser) is only read, to see the cells.
var labUI = frontEndUI{
	open: "/lab/tree/",
	ready: `(function () {
	  var app = window.jupyterapp, w = app && app.shell.currentWidget;
	  var k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
	  // GoNB publishes no status until it runs something, so JupyterLab says "unknown" at first.
	  return !!(w && w.content && w.content.model && w.content.widgets.length && k &&
	            k.connectionStatus === "connected" && (k.status === "idle" || k.status === "unknown"));
	})()`,
	runAll: func(tab context.Context) error { return clickMenu(tab, "Run", "runmenu:run-all") },
	busy:   jsLabNotebook + `.content.widgets.some(function (c) { return c.model.type === "code" && ` + jsLabBusy + `; })`,
	// Run All queues every cell at once and each shows "[*]" until the kernel replied.
	done: `(function () {
	  var w = ` + jsLabNotebook + `, k = w.sessionContext.session.kernel;
	  return (k.status === "idle" || k.status === "unknown") && !w.content.widgets.some(function (c) { return c.model.type === "code" && ` + jsLabBusy + `; });
	})()`,
	cells: `(function () {
	  ` + jsHead + `
	  return ` + jsLabNotebook + `.content.widgets.map(function (c, i) {
	    var m = c.model, src = m.sharedModel.getSource();
	    return {Index: i, Type: m.type, Prompt: m.type === "code" ? m.executionCount : null,
	            Tags: m.getMetadata("tags") || [], Expect: (m.getMetadata("lab") || {}).expect || [],
	            Head: head(src), Source: src, Outputs: m.type === "code" ? m.outputs.toJSON() : []};
	  }).filter(function (c) { return c.Type === "code"; });
	})()`,
	nodes: jsLabNotebook + `.content.widgets.map(function (c) { return c.node; })`,
	state: `(function () { try { var w = jupyterapp.shell.currentWidget, s = w && w.sessionContext;
	          var k = s && s.session && s.session.kernel;
	          return "current widget " + (w ? w.constructor.name + " " + w.title.label : "none") + ", cells " + (w && w.content && w.content.widgets ? w.content.widgets.length : "?") +
	                 ", kernel " + (k ? k.name + " " + k.connectionStatus + " " + k.status : "none");
	        } catch (e) { return "page: " + e; } })()`,
}

// jsLabBusy is true for a JupyterLab code cell c that is queued or running.
const jsLabBusy = `(c.model.executionState === "running" || /\*/.test((c.node.querySelector(".jp-InputArea-prompt") || {}).textContent || ""))`

// clickMenu opens a JupyterLab main-menu (e.g. "Run") with the mouse and clicks the item
// that runs command, as a person would.
func clickMenu(tab context.Context, menu, command string) error {
	return clickAll(tab, ".lm-MenuBar-item", menu, fmt.Sprintf(`.lm-Menu-item[data-command=%q]:not(.lm-mod-disabled)`, command))
}

// clickAll clicks, with the mouse, the first element matching sel whose text is label, and
// then each element matching the further selectors.
func clickAll(ctx context.Context, sel, label string, then ...string) error {
	first := fmt.Sprintf(`Array.prototype.find.call(document.querySelectorAll(%s), function (e) { return e.textContent.trim() === %s; })`,
		jsonString(sel), jsonString(label))
	if err := mouseClick(ctx, first); err != nil {
		return fmt.Errorf("click %q: %w", label, err)
	}
	for _, s := range then {
		if err := mouseClick(ctx, fmt.Sprintf("document.querySelector(%s)", jsonString(s))); err != nil {
			shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.prototype.map.call(document.querySelectorAll(".lm-Menu-item"), function (e) { return (e.dataset.command || "-") + (e.classList.contains("lm-mod-disabled") ? "(disabled)" : ""); }).join(" ")`))
			return fmt.Errorf("click %s: %w (menu items shown: %s)", s, err, shorten(shown))
		}
	}
	return nil
}

// mouseClick moves the mouse onto the middle of the element the JavaScript expression
// names (waiting up to 15 s until it exists and has a size), then presses and releases the
// left button there, as a person would: Lumino's menus pick the item under the pointer on
// mouse moves, so a click without a move selects nothing.
func mouseClick(tab context.Context, element string) error {
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	type point struct{ X, Y float64 }
	js := `(function (e) { if (!e) { return null; } var r = e.getBoundingClientRect();
	  if (r.top < 0 || r.bottom > window.innerHeight) { e.scrollIntoView({block: "center"}); r = e.getBoundingClientRect(); }
	  return r.width && r.height ? {X: r.left + r.width / 2, Y: r.top + r.height / 2} : null; })(` + element + `)`
	for {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[*point](js))
		if err != nil {
			return err
		}
		if p != nil {
			return chromedp.Do(ctx,
				chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, p.X-3, p.Y),
				chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, p.X, p.Y),
				chromedp.MouseClickXY(p.X, p.Y))
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return fmt.Errorf("%s never showed: %w", element, err)
		}
	}
}

// findFrontEnd picks the front end setup installed: JupyterLab, else the classic Notebook
// (notebook < 7, Debian's fallback), else nbclassic.
func findFrontEnd(ctx context.Context, python string) (frontEnd, error) {
	out, err := exec.CommandContext(ctx, python, "-c", `
def version(m):
    try:
        return __import__(m).__version__
    except ImportError:
        return ""
nb, lab, nbc = version("notebook"), version("jupyterlab"), version("nbclassic")
if lab:
    print("jupyterlab", lab)
elif nb and int(nb.split(".")[0]) < 7:
    print("notebook", nb)
elif nbc:
    print("nbclassic", nbc)
else:
    print("none")
`).Output()
	if err != nil {
		return frontEnd{}, fmt.Errorf("browsertest: ask %s for its Jupyter: %w", python, err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return frontEnd{}, fmt.Errorf("browsertest: %s has no Jupyter front end (run make setup)", python)
	}
	switch f[0] {
	case "jupyterlab":
		return frontEnd{name: "JupyterLab " + f[1], lab: true, ui: labUI,
			args: []string{"jupyterlab", "--ServerApp.token=%[1]s", "--ServerApp.root_dir=%[2]s",
				"--LabApp.expose_app_in_browser=True"}}, nil
	case "notebook":
		return frontEnd{name: "classic Notebook " + f[1], ui: classicUI,
			args: []string{"notebook", "--NotebookApp.token=%[1]s", "--NotebookApp.notebook_dir=%[2]s"}}, nil
	default:
		return frontEnd{name: "nbclassic " + f[1], ui: classicUI,
			args: []string{"nbclassic", "--ServerApp.token=%[1]s", "--ServerApp.root_dir=%[2]s"}}, nil
	}
}

// liveLab is one Jupyter serving a scratch copy of a notebook, and a watched browser tab.
type liveLab struct {
	o       LiveOptions
	front   frontEnd
	srv     *jupyter
	tab     context.Context
	w       *watcher
	name    string // the notebook's file name
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
	if o.Root == "" {
		if o.Root, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	if o.Python == "" {
		p, err := os.ReadFile(filepath.Join(o.Root, "build", "jupyter-python"))
		if err != nil {
			return nil, fmt.Errorf("browsertest: no Jupyter Python (run make setup): %w", err)
		}
		o.Python = strings.TrimSpace(string(p))
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join(o.Root, "build", "browser")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
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

// copyForLive copies the notebook with its bootstrap cell pointed at root by absolute path.
func copyForLive(src, dst, root string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		return fmt.Errorf("browsertest: %s: %w", src, err)
	}
	cells, _ := nb["cells"].([]any)
	found := false
	for _, c := range cells {
		cell, _ := c.(map[string]any)
		src := joinText(cell["source"])
		if cell["cell_type"] == "code" && strings.Contains(src, "${GONB_DIR}/..") {
			cell["source"] = strings.ReplaceAll(src, "${GONB_DIR}/..", root)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("browsertest: %s has no bootstrap cell with ${GONB_DIR}/.. to point at the repository", src)
	}
	out, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, out, 0o644)
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// jupyter is a running Jupyter server and what it started.
type jupyter struct {
	cmd     *exec.Cmd
	done    chan struct{}
	base    string
	token   string
	logPath string
	logFile *os.File
	seen    map[int]string // every descendant seen while it ran: pid -> command line
}

func (j *jupyter) url(path string) string { return j.base + path + "?token=" + j.token }

func startJupyter(ctx context.Context, o LiveOptions, f frontEnd, scratch, logName string) (*jupyter, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	j := &jupyter{
		base:    fmt.Sprintf("http://127.0.0.1:%d", port),
		token:   hex.EncodeToString(tok),
		logPath: filepath.Join(o.OutDir, logName),
		done:    make(chan struct{}),
		seen:    map[int]string{},
	}
	if j.logFile, err = os.Create(j.logPath); err != nil {
		return nil, err
	}
	args := []string{"-m"}
	for _, a := range f.args {
		if strings.Contains(a, "%[") {
			a = fmt.Sprintf(a, j.token, filepath.Join(scratch, "nb"))
		}
		args = append(args, a)
	}
	args = append(args, "--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port), "--port-retries=0")
	j.cmd = exec.Command(o.Python, args...)
	if os.Geteuid() == 0 { // CI containers run as root; Jupyter refuses without this
		j.cmd.Args = append(j.cmd.Args, "--allow-root")
	}
	j.cmd.Env = append(os.Environ(),
		"LABKIT_ECHARTS_URL=/files/_assets/echarts.min.js", // as scripts/lab.sh sets it
		"JUPYTER_RUNTIME_DIR="+filepath.Join(scratch, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(scratch, "config"), // no user config changes the UI
		// JupyterLab: render every cell (no windowing), so charts below the fold get drawn too.
		"JUPYTERLAB_SETTINGS_DIR="+filepath.Join(scratch, "lab-settings"),
	)
	tracker := filepath.Join(scratch, "lab-settings", "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings")
	if err := os.MkdirAll(filepath.Dir(tracker), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tracker, []byte(`{"windowingMode": "none"}`), 0o644); err != nil {
		return nil, err
	}
	// No "get notified about Jupyter news?" toast over the screenshots (and no news fetch).
	news := filepath.Join(scratch, "lab-settings", "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings")
	if err := os.MkdirAll(filepath.Dir(news), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(news, []byte(`{"fetchNews": "false"}`), 0o644); err != nil {
		return nil, err
	}
	j.cmd.Dir = scratch
	j.cmd.Stdout, j.cmd.Stderr = j.logFile, j.logFile
	j.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := j.cmd.Start(); err != nil {
		j.logFile.Close()
		return nil, fmt.Errorf("browsertest: start Jupyter: %w", err)
	}
	go func() { _ = j.cmd.Wait(); close(j.done) }()

	deadline := time.Now().Add(90 * time.Second)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(j.url("/api/status"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return j, nil
			}
		}
		select {
		case <-j.done:
			j.stop()
			return nil, fmt.Errorf("browsertest: Jupyter exited at start (see %s)", j.logPath)
		case <-ctx.Done():
			j.stop()
			return nil, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			j.stop()
			return nil, fmt.Errorf("browsertest: Jupyter did not answer on %s within 90s (see %s)", j.base, j.logPath)
		}
	}
}

// stop shuts every kernel down through the REST API, then Jupyter with SIGTERM (SIGKILL
// after 20 s), and returns the processes it started that are still alive afterwards
// (after killing them, so nothing is left either way).
func (j *jupyter) stop() []string {
	var problems []string
	j.remember()
	client := &http.Client{Timeout: 10 * time.Second}
	if resp, err := client.Get(j.url("/api/kernels")); err == nil {
		var kernels []struct{ ID string }
		_ = json.NewDecoder(resp.Body).Decode(&kernels)
		resp.Body.Close()
		for _, k := range kernels {
			req, _ := http.NewRequest(http.MethodDelete, j.url("/api/kernels/"+k.ID), nil)
			if resp, err := client.Do(req); err != nil {
				problems = append(problems, "shut down kernel "+k.ID+": "+err.Error())
			} else {
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					problems = append(problems, fmt.Sprintf("shut down kernel %s: HTTP %d", k.ID, resp.StatusCode))
				}
			}
		}
	}
	j.remember()
	_ = j.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-j.done:
	case <-time.After(20 * time.Second):
		problems = append(problems, "Jupyter did not exit within 20s of SIGTERM; killed")
		_ = syscall.Kill(-j.cmd.Process.Pid, syscall.SIGKILL)
		<-j.done
	}
	j.logFile.Close()
	// Kernels shut down asynchronously; give stragglers a few seconds before calling them leftovers.
	deadline := time.Now().Add(LeftoverGrace)
	for {
		var alive []int
		for pid, cmd := range j.seen {
			if running(pid) && cmdline(pid) == cmd { // same command line: not a reused pid
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			return problems
		}
		if time.Now().After(deadline) {
			for _, pid := range alive {
				problems = append(problems, fmt.Sprintf("left behind: pid %d %s (killed now)", pid, j.seen[pid]))
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			return problems
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// remember records every live descendant of Jupyter (kernels run in their own session, so
// a process group would miss them; parenthood does not).
func (j *jupyter) remember() {
	for pid, cmd := range descendants(j.cmd.Process.Pid) {
		j.seen[pid] = cmd
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
