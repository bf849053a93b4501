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

	"github.com/chromedp/chromedp"
)

// LiveOptions says which notebook CheckLive runs and with which Jupyter.
type LiveOptions struct {
	Notebook string        // path of the .ipynb, e.g. notebooks/01_goroutines.ipynb (required)
	Root     string        // the lab's repository root; default: the current directory
	Python   string        // Python whose Jupyter to start; default: the one in build/jupyter-python
	OutDir   string        // screenshots and jupyter.log; default build/browser
	Timeout  time.Duration // for running every cell; default 10 minutes
}

// LiveReport is what CheckLive saw.
type LiveReport struct {
	FrontEnd    string   // e.g. "classic Notebook 6.4.12"
	Cells       int      // code cells run
	Charts      int      // .labkit-chart containers in the outputs
	Drawn       int      // of those, drawn (canvas with non-zero size and painted pixels)
	Timeline    bool     // a chart.Timeline (ECharts custom series) was among the drawn charts
	Screenshots []string // the first timeline chart
	Problems    []string // each names the cell; empty means the check passed
	Notes       []string // console errors and failed requests of the front end itself (not judged)
}

// LeftoverGrace is how long processes Jupyter started may take to exit after it did,
// before they count as left behind.
var LeftoverGrace = 10 * time.Second

// exitLine is how GoNB reports a cell program that failed (panic, log.Fatal, a failing
// %test): a last stderr line, with an "ok" reply. scripts/run_notebooks.py uses the same rule.
var exitLine = regexp.MustCompile(`(?:^|\n)(?:\^C\n)?(exit status \d+|signal: [a-z ]+)\n?$`)

// CheckLive starts Jupyter's classic Notebook on 127.0.0.1 (random port, random token) in
// a scratch folder holding a copy of the notebook, opens it in the browser, runs all cells
// with the Cell ▸ Run All menu item, waits for the kernel to go idle, and checks: every code
// cell ran; no cell (except those tagged raises-exception) shows an error output or GoNB's
// "exit status N" line; every chart is drawn, and a timeline chart is among them. Then it
// shuts the kernel and Jupyter down and checks that no process they started is left.
//
// The copy's bootstrap cell points at the repository root by absolute path (the original
// says ${GONB_DIR}/.., which only holds inside notebooks/), and the copy keeps the run's
// outputs away from the committed notebook.
func (b *Browser) CheckLive(ctx context.Context, o LiveOptions) (r LiveReport, err error) {
	if o.Notebook == "" {
		return r, errors.New("browsertest: LiveOptions.Notebook is empty")
	}
	if o.Root == "" {
		if o.Root, err = os.Getwd(); err != nil {
			return r, err
		}
	}
	if o.Python == "" {
		p, err := os.ReadFile(filepath.Join(o.Root, "build", "jupyter-python"))
		if err != nil {
			return r, fmt.Errorf("browsertest: no Jupyter Python (run make setup): %w", err)
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
		return r, err
	}
	front, err := findFrontEnd(ctx, o.Python)
	if err != nil {
		return r, err
	}
	r.FrontEnd = front.name

	scratch, err := os.MkdirTemp("", "labkit-live-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(scratch)
	name := filepath.Base(o.Notebook)
	if err := copyForLive(o.Notebook, filepath.Join(scratch, "nb", name), o.Root); err != nil {
		return r, err
	}
	echarts := filepath.Join(o.Root, "notebooks", "_assets", "echarts.min.js")
	if err := copyFile(echarts, filepath.Join(scratch, "nb", "_assets", "echarts.min.js")); err != nil {
		return r, fmt.Errorf("browsertest: the local ECharts copy is missing (run make setup): %w", err)
	}

	srv, err := startJupyter(ctx, o, front, scratch)
	if err != nil {
		return r, err
	}
	defer func() {
		for _, p := range srv.stop() {
			r.Problems = append(r.Problems, "after shutdown: "+p)
		}
	}()

	tab, w, closeTab, err := b.openWatchedTab(ctx)
	if err != nil {
		return r, err
	}
	defer closeTab()

	ui := front.ui
	if err := chromedp.Do(tab, chromedp.Navigate(srv.url(ui.open+name))); err != nil {
		return r, fmt.Errorf("open the notebook: %w", err)
	}
	if !waitFor(tab, ui.ready, 2*time.Minute) {
		r.Problems = append(r.Problems, "the notebook did not open with a connected, idle gonb kernel within 2m (see "+srv.logPath+")")
		r.Problems = append(r.Problems, w.take()...)
		return r, nil
	}
	if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](ui.runAll)); err != nil {
		return r, fmt.Errorf("run all cells: %w", err)
	}
	finished := waitStable(tab, ui.done, o.Timeout)

	type cellState struct {
		Index   int
		Prompt  any
		Tags    []string
		Head    string
		Outputs []struct {
			OutputType string `json:"output_type"`
			Name       string `json:"name"`
			Text       any    `json:"text"`
			Ename      string `json:"ename"`
			Evalue     string `json:"evalue"`
		}
	}
	cells, err := chromedp.Run(tab, chromedp.Evaluate[[]cellState](ui.cells))
	if err != nil {
		return r, fmt.Errorf("read the cells: %w", err)
	}
	r.Cells = len(cells)
	for _, c := range cells {
		where := fmt.Sprintf("cell %d (%s)", c.Index, shorten(c.Head))
		if _, ok := c.Prompt.(float64); !ok {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: did not run (prompt %v)", where, c.Prompt))
			continue
		}
		allowed := false
		for _, t := range c.Tags {
			allowed = allowed || t == "raises-exception"
		}
		if allowed {
			continue
		}
		stderr := ""
		for _, out := range c.Outputs {
			switch {
			case out.OutputType == "error":
				r.Problems = append(r.Problems, fmt.Sprintf("%s: error output %s: %s", where, out.Ename, shorten(out.Evalue)))
			case out.OutputType == "stream" && out.Name == "stderr":
				stderr += joinText(out.Text)
			}
		}
		if exitLine.MatchString(stderr) {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: the cell's program failed: %s", where, shorten(lastLines(stderr, 6))))
		}
	}
	if !finished {
		r.Problems = append(r.Problems, fmt.Sprintf("the kernel did not finish all cells within %s", o.Timeout))
	}

	type liveChart struct {
		chartState
		Cell int
	}
	charts, err := chromedp.Run(tab, chromedp.Evaluate[[]liveChart](fmt.Sprintf(`(function () {
	  var all = Array.prototype.slice.call(document.querySelectorAll(%[1]q));
	  return %[2]s.map(function (s) { s.Cell = all.indexOf(document.getElementById(s.ID).closest(%[1]q)); return s; });
	})()`, ui.cellSelector, fmt.Sprintf(jsCharts, "document"))))
	if err != nil {
		return r, fmt.Errorf("read the charts: %w", err)
	}
	r.Charts = len(charts)
	firstTimeline := ""
	for _, c := range charts {
		if !drawn(c.chartState) {
			r.Problems = append(r.Problems, fmt.Sprintf("cell %d: chart %s %s", c.Cell, c.ID, c.why()))
			continue
		}
		r.Drawn++
		if c.Series == "custom" {
			r.Timeline = true
			if firstTimeline == "" {
				firstTimeline = c.ID
			}
		}
	}
	if !r.Timeline {
		r.Problems = append(r.Problems, "no timeline chart (chart.Timeline, an ECharts custom series) was drawn")
	}
	if firstTimeline != "" {
		shot := filepath.Join(o.OutDir, "live-"+strings.TrimSuffix(name, ".ipynb")+".timeline.png")
		if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](
			fmt.Sprintf(`document.getElementById(%s).scrollIntoView({block: "center"})`, jsonString(firstTimeline)))); err == nil {
			_ = sleep(tab, 300*time.Millisecond)
			if err := screenshot(tab, shot); err != nil {
				return r, err
			}
			r.Screenshots = append(r.Screenshots, shot)
		}
	}
	// Requests leaving the machine fail the check (the lab must work offline). Other console
	// noise is the front end's own (Debian's Notebook asks for a widgets extension it does not
	// ship), so it is reported, not judged; a chart that failed is caught above as not drawn.
	for _, p := range w.take() {
		if strings.HasPrefix(p, outsidePrefix) {
			r.Problems = append(r.Problems, "browser: "+p)
		} else {
			r.Notes = append(r.Notes, "browser: "+p)
		}
	}
	return r, nil
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
	args []string // after python -m
	ui   frontEndUI
}

// frontEndUI is how to drive one Jupyter front end's page, in JavaScript.
type frontEndUI struct {
	open         string // URL path of a notebook, before its name
	ready        string // notebook open, kernel connected and idle
	runAll       string // the UI's own "run all cells" action
	done         string // nothing queued or running, kernel idle
	cells        string // every code cell: {Index, Prompt, Tags, Head, Outputs}
	cellSelector string // the element of one cell (index = position among them)
}

// jsHead names a cell in messages: its first line of code after "%%" (GoNB's main body),
// or else its first line that is not a comment.
const jsHead = `function head(t) {
  var lines = t.split("\n"), at = lines.indexOf("%%"), pick = function (ls) {
    return ls.filter(function (l) { return l.trim() && !/^\s*\/\//.test(l); })[0]; };
  return (at >= 0 && pick(lines.slice(at + 1))) || pick(lines) || "";
}`

// classicUI drives the classic Notebook (notebook < 7, nbclassic): the Cell menu's Run All.
var classicUI = frontEndUI{
	open: "/notebooks/",
	ready: `window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel &&
	        Jupyter.notebook.kernel.is_connected() && document.querySelector("#kernel_indicator_icon.kernel_idle_icon")`,
	runAll: `document.querySelector("#run_all_cells > a").click()`,
	// Run All marks every cell "*" at once; a cell the kernel skipped after an error loses it too.
	done: `!Jupyter.notebook.get_cells().some(function (c) { return c.cell_type === "code" && c.input_prompt_number === "*"; }) &&
	       document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null`,
	cells: `(function () {
	  ` + jsHead + `
	  return Jupyter.notebook.get_cells().map(function (c, i) {
	    return {Index: i, Type: c.cell_type, Prompt: c.input_prompt_number === undefined ? null : c.input_prompt_number,
	            Tags: (c.metadata.tags || []), Head: head(c.get_text()),
	            Outputs: c.cell_type === "code" ? c.output_area.outputs : []};
	  }).filter(function (c) { return c.Type === "code"; });
	})()`,
	cellSelector: "#notebook-container > .cell",
}

// labUI drives JupyterLab 4 through the application object it exposes with
// --LabApp.expose_app_in_browser: the command that Run ▸ Run All Cells runs.
// NOT YET RUN against a real JupyterLab (the development machine has none); see the report.
var labUI = frontEndUI{
	open: "/lab/tree/",
	ready: `(function () {
	  var app = window.jupyterapp, w = app && app.shell.currentWidget;
	  var k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
	  return !!(w && w.content && w.content.model && k && k.connectionStatus === "connected" && k.status === "idle");
	})()`,
	runAll: `jupyterapp.commands.execute("notebook:run-all-cells")`,
	done: `(function () {
	  var w = jupyterapp.shell.currentWidget, k = w.sessionContext.session.kernel;
	  var busy = w.content.widgets.some(function (c) { return c.model.type === "code" && /\*/.test(c.promptNode ? c.promptNode.textContent : ""); });
	  return !busy && k.status === "idle";
	})()`,
	cells: `(function () {
	  ` + jsHead + `
	  var w = jupyterapp.shell.currentWidget;
	  return w.content.widgets.map(function (c, i) {
	    var m = c.model, meta = m.getMetadata ? m.getMetadata("tags") : m.metadata.get("tags");
	    var src = m.sharedModel ? m.sharedModel.getSource() : m.value.text;
	    return {Index: i, Type: m.type, Prompt: m.type === "code" ? m.executionCount : null, Tags: meta || [],
	            Head: head(src), Outputs: m.type === "code" ? m.outputs.toJSON() : []};
	  }).filter(function (c) { return c.Type === "code"; });
	})()`,
	cellSelector: ".jp-Notebook .jp-Cell",
}

// findFrontEnd picks the front end setup installed: the classic Notebook (notebook < 7),
// else JupyterLab, else nbclassic.
func findFrontEnd(ctx context.Context, python string) (frontEnd, error) {
	out, err := exec.CommandContext(ctx, python, "-c", `
def version(m):
    try:
        return __import__(m).__version__
    except ImportError:
        return ""
nb, lab, nbc = version("notebook"), version("jupyterlab"), version("nbclassic")
if nb and int(nb.split(".")[0]) < 7:
    print("notebook", nb)
elif lab:
    print("jupyterlab", lab)
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
	case "notebook":
		return frontEnd{name: "classic Notebook " + f[1], ui: classicUI,
			args: []string{"notebook", "--NotebookApp.token=%[1]s", "--NotebookApp.notebook_dir=%[2]s"}}, nil
	case "jupyterlab":
		return frontEnd{name: "JupyterLab " + f[1], ui: labUI,
			args: []string{"jupyterlab", "--ServerApp.token=%[1]s", "--ServerApp.root_dir=%[2]s",
				"--LabApp.expose_app_in_browser=True"}}, nil
	default:
		return frontEnd{name: "nbclassic " + f[1], ui: classicUI,
			args: []string{"nbclassic", "--ServerApp.token=%[1]s", "--ServerApp.root_dir=%[2]s"}}, nil
	}
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

func startJupyter(ctx context.Context, o LiveOptions, f frontEnd, scratch string) (*jupyter, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	_, _ = rand.Read(tok)
	j := &jupyter{
		base:    fmt.Sprintf("http://127.0.0.1:%d", port),
		token:   hex.EncodeToString(tok),
		logPath: filepath.Join(o.OutDir, "jupyter.log"),
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
