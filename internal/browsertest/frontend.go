package browsertest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

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
func mouseClick(tab context.Context, element string) error { return clickAt(tab, element, 0.5) }

// clickAt is mouseClick at the given fraction of the element's width, halfway down: on a
// range input, the value there.
func clickAt(tab context.Context, element string, fraction float64) error {
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	type point struct{ X, Y float64 }
	js := fmt.Sprintf(`(function (e) { if (!e) { return null; } var r = e.getBoundingClientRect();
	  if (r.top < 0 || r.bottom > window.innerHeight) { e.scrollIntoView({block: "center"}); r = e.getBoundingClientRect(); }
	  return r.width && r.height ? {X: r.left + r.width * %g, Y: r.top + r.height / 2} : null; })(%s)`, fraction, element)
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
