//go:build linux

package browsertest

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStopReportsAndKillsLeftovers stands a shell in for Jupyter: it starts a child and then
// becomes a process that SIGTERM ends, so the child outlives it, as a kernel that ignored
// its shutdown would. stop must name the child as left behind, and kill it.
func TestStopReportsAndKillsLeftovers(t *testing.T) {
	log, err := os.Create(filepath.Join(t.TempDir(), "jupyter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "sleep 300 & exec sleep 301")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	j := &jupyter{cmd: cmd, done: make(chan struct{}), base: "http://127.0.0.1:1", token: "t",
		logFile: log, seen: map[int]string{}}
	go func() { _ = cmd.Wait(); close(j.done) }()

	var child int
	for deadline := time.Now().Add(5 * time.Second); child == 0; {
		for pid, c := range descendants(cmd.Process.Pid) {
			if c == "sleep 300" {
				child = pid
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the stand-in's child never appeared")
		}
		time.Sleep(20 * time.Millisecond)
	}

	old := LeftoverGrace
	LeftoverGrace = time.Second
	defer func() { LeftoverGrace = old }()
	problems := j.stop()
	if len(problems) != 1 || !strings.Contains(problems[0], "left behind") || !strings.Contains(problems[0], "sleep 300") {
		t.Errorf("stop() = %q, want one problem naming the left-behind sleep 300", problems)
	}
	time.Sleep(100 * time.Millisecond)
	if running(child) && cmdline(child) == "sleep 300" {
		_ = syscall.Kill(child, syscall.SIGKILL)
		t.Errorf("stop left pid %d running", child)
	}
}

// TestStopIsQuietWhenEverythingEnds: a stand-in whose child ends with it leaves no problem.
func TestStopIsQuietWhenEverythingEnds(t *testing.T) {
	log, err := os.Create(filepath.Join(t.TempDir(), "jupyter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	j := &jupyter{cmd: cmd, done: make(chan struct{}), base: "http://127.0.0.1:1", token: "t",
		logFile: log, seen: map[int]string{}}
	go func() { _ = cmd.Wait(); close(j.done) }()
	if problems := j.stop(); len(problems) != 0 {
		t.Errorf("stop() = %q, want none", problems)
	}
}

func TestHexAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:A0B2":                         "127.0.0.1:41138",
		"00000000:0050":                         "0.0.0.0:80",
		"00000000000000000000000001000000:1F90": "[00000000000000000000000001000000]:8080",
		"garbage":                               "garbage",
	} {
		if got := hexAddr(in); got != want {
			t.Errorf("hexAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestListenersOfFindsOwnSockets: the test's own TCP and Unix listeners are found through
// its file descriptors, and are gone from the listening table once closed.
func TestListenersOfFindsOwnSockets(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "l.sock")
	unix, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	found := listenersOf([]int{os.Getpid()})
	wantTCP, wantUnix := "tcp "+tcp.Addr().String(), "unix "+sock
	var tcpInode, unixInode string
	for inode, addr := range found {
		switch {
		case strings.HasPrefix(addr, wantTCP+" "):
			tcpInode = inode
		case strings.HasPrefix(addr, wantUnix+" "):
			unixInode = inode
		}
	}
	if tcpInode == "" || unixInode == "" {
		t.Fatalf("listenersOf(self) = %v, want %s and %s", found, wantTCP, wantUnix)
	}
	tcp.Close()
	unix.Close()
	open := listening()
	if _, ok := open[tcpInode]; ok {
		t.Errorf("closed TCP listener %s still listed", wantTCP)
	}
	if _, ok := open[unixInode]; ok {
		t.Errorf("closed Unix listener %s still listed", wantUnix)
	}
}

// TestStartTimeNamesOneProcess: a live process has a start time that does not change; a
// reaped one has none.
func TestStartTimeNamesOneProcess(t *testing.T) {
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := startTime(cmd.Process.Pid)
	if first == "" || startTime(cmd.Process.Pid) != first {
		t.Errorf("startTime(live) = %q then %q, want the same non-empty value", first, startTime(cmd.Process.Pid))
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if got := startTime(cmd.Process.Pid); got != "" && got == first {
		t.Errorf("startTime(reaped) = %q, want it gone", got)
	}
}

// TestKernelOfFindsGoNB: a child whose program is named gonb and that was given --kernel
// is the kernel; without one there is none.
func TestKernelOfFindsGoNB(t *testing.T) {
	if kernelOf(os.Getpid()) != 0 {
		t.Skip("a gonb kernel already runs under this test")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	gonb := filepath.Join(t.TempDir(), "gonb")
	if err := os.Symlink(sh, gonb); err != nil {
		t.Fatal(err)
	}
	// sh -c CMD NAME: NAME (here --kernel) becomes $0; "; :" keeps sh from exec'ing sleep.
	cmd := exec.Command(gonb, "-c", "sleep 300; :", "--kernel")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for kernelOf(os.Getpid()) != cmd.Process.Pid {
		if time.Now().After(deadline) {
			t.Fatalf("kernelOf(self) = %d, want the stand-in gonb %d", kernelOf(os.Getpid()), cmd.Process.Pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func cellWith(tags []string, source string, outputs ...map[string]any) liveCell {
	c := liveCell{Index: 4, Prompt: float64(1), Tags: tags, Head: "head", Source: source}
	data, _ := json.Marshal(outputs)
	if err := json.Unmarshal(data, &c.Outputs); err != nil {
		panic(err)
	}
	c.Fragments = c.chartFragments()
	return c
}

func stdout(s string) map[string]any {
	return map[string]any{"output_type": "stream", "name": "stdout", "text": s}
}
func stderr(s string) map[string]any {
	return map[string]any{"output_type": "stream", "name": "stderr", "text": s}
}
func html(s string) map[string]any {
	return map[string]any{"output_type": "display_data", "data": map[string]any{"text/html": s}}
}

// TestJudge: what a live run counts as a failure, an allowed failure or a missing number.
func TestJudge(t *testing.T) {
	chart := `<div class="labkit-chart" id="labkit-chart-1"></div><script>…</script>`
	for _, tc := range []struct {
		name       string
		cell       liveCell
		wantFailed bool
		wantIn     string // "" means no problem
	}{
		{"clean print", cellWith(nil, "%%\nfmt.Printf(\"%d\\n\", n)", stdout("42\n")), false, ""},
		{"not run", liveCell{Index: 2, Prompt: nil, Head: "x"}, false, "did not run"},
		{"error output", cellWith(nil, "%%\nx()", map[string]any{"output_type": "error", "ename": "E", "evalue": "boom"}), true, "error output E: boom"},
		{"exit line", cellWith(nil, "%%\nx()", stderr("panic: no\nexit status 2\n")), true, "the cell's program failed"},
		{"exercise check fails on the stub", cellWith([]string{"exercise-check", "raises-exception"}, "%test", stderr("FAIL\nexit status 1\n")), true, ""},
		{"exercise check passes on the stub", cellWith([]string{"exercise-check"}, "%test", stdout("PASS\n")), false, "passed on the stub"},
		{"raises-exception may fail", cellWith([]string{"raises-exception"}, "%%\nx()", stderr("exit status 66\n")), true, ""},
		{"chart without numbers", cellWith(nil, "%%\nchart.Show(c)", html(chart), stdout("done\n")), false, "prints no numbers"},
		{"chart with numbers", cellWith(nil, "%%\nchart.Show(c)", html(chart), stdout("k=4: 3.2x\n")), false, ""},
		{"numeric Printf without digits", cellWith(nil, "func f() {}\n%%\nfmt.Printf(\"%5.1f ms\\n\", d)", stdout("NaN ms\n")), false, "prints no numbers"},
		{"Printf in a declaration only", cellWith(nil, "func f() { fmt.Printf(\"%d\", 1) }"), false, ""},
		{"expected text missing", func() liveCell {
			c := cellWith(nil, "%%\nfmt.Println(\"hi\")", stdout("hi\n"))
			c.Expect = []string{"WARNING: DATA RACE"}
			return c
		}(), false, `lacks the expected "WARNING: DATA RACE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failed, problems := tc.cell.judge()
			if failed != tc.wantFailed {
				t.Errorf("failed = %v, want %v", failed, tc.wantFailed)
			}
			switch {
			case tc.wantIn == "" && len(problems) > 0:
				t.Errorf("problems = %q, want none", problems)
			case tc.wantIn != "" && (len(problems) != 1 || !strings.Contains(problems[0], tc.wantIn)):
				t.Errorf("problems = %q, want one containing %q", problems, tc.wantIn)
			}
		})
	}
}

func TestChartFragments(t *testing.T) {
	c := cellWith(nil, "%%", html(`<div class="labkit-chart" id="a"></div>`), html(`<div class="labkit-chart" id="b"></div><p class="labkit-chart-error">`), stdout(`class="labkit-chart"`))
	if c.Fragments != 2 {
		t.Errorf("chartFragments() = %d, want 2 (HTML outputs only)", c.Fragments)
	}
}

// TestMouseClickPicksMenuItem: a Lumino-like menu item acts on mouse-up only after a mouse
// move made it active, as JupyterLab's menus do; mouseClick must trigger it.
func TestMouseClickPicksMenuItem(t *testing.T) {
	b := startBrowser(t)
	tab, cancel := b.newTab()
	defer cancel()
	page := `<ul><li id="item" style="margin:40px;width:200px;height:30px">Run All Cells</li></ul><p id="out"></p>
<script>
var item = document.getElementById("item"), active = false;
item.addEventListener("mousemove", function () { active = true; });
item.addEventListener("mouseup", function () { if (active) { document.getElementById("out").textContent = "ran"; } });
</script>`
	if err := chromedp.Do(tab, chromedp.Navigate("data:text/html,"+url.PathEscape(page))); err != nil {
		t.Fatal(err)
	}
	if err := clickAll(tab, "li", "Run All Cells"); err != nil {
		t.Fatal(err)
	}
	if !waitFor(tab, `document.getElementById("out").textContent === "ran"`, 5*time.Second) {
		t.Error("the menu item did not act on the click")
	}
	short, stop := context.WithTimeout(tab, time.Second)
	defer stop()
	if err := mouseClick(short, `document.getElementById("missing")`); err == nil {
		t.Error("mouseClick on a missing element succeeded, want an error after its timeout")
	}
}

// TestLiveScriptsCompile parses the live checks' JavaScript in the browser (the
// JupyterLab parts run only where JupyterLab is installed).
func TestLiveScriptsCompile(t *testing.T) {
	scripts := map[string]string{"jsRISEDeck": jsRISEDeck, "jsRISEOverflow": jsRISEOverflow, "jsInterruptButton": jsInterruptButton, "jsLabBusy": "(function (c) { return " + jsLabBusy + "; })"}
	for name, ui := range map[string]frontEndUI{"classic": classicUI, "lab": labUI} {
		scripts[name+".busy"], scripts[name+".state"] = ui.busy, ui.state
	}
	scriptsParse(t, scripts)
}

func TestCollapse(t *testing.T) {
	got := collapse([]string{"a", "b", "a", "a", "c"})
	want := []string{"a (3 times)", "b", "c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("collapse = %q, want %q", got, want)
	}
	if collapse(nil) != nil {
		t.Error("collapse(nil) != nil")
	}
}
