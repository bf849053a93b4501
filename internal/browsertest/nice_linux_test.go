package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// schedIdle is SCHED_IDLE, as /proc/PID/stat's policy field shows it.
const schedIdle = 5

// policyOf reads the scheduling policy of every thread of pid from /proc.
func policyOf(t *testing.T, pid int) map[int]int {
	t.Helper()
	out := map[int]int{}
	tasks, _ := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	for _, task := range tasks {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "task", task.Name(), "stat"))
		if err != nil {
			continue // the thread ended
		}
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		tid, _ := strconv.Atoi(task.Name())
		out[tid], _ = strconv.Atoi(f[38]) // field 41 of stat (policy), the 39th after the command name
	}
	return out
}

func TestStartBackgroundRunsEveryThreadOfTheBrowserAtIdlePriority(t *testing.T) {
	if _, err := exec.LookPath("chrt"); err != nil {
		t.Skipf("SKIP: no chrt (util-linux): %v", err)
	}
	b, err := StartBackground(context.Background())
	if errors.Is(err, ErrNoChromium) {
		t.Skipf("SKIP (browser test): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// A renderer started after the browser: a page that runs a script.
	tab, closeTab := b.newTab()
	defer closeTab()
	if err := chromedp.Do(tab, chromedp.Navigate("data:text/html,<p>hi")); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(tab, chromedp.Evaluate[int]("6 * 7")); err != nil || got != 42 {
		t.Fatalf("page: %d, %v", got, err)
	}
	root := chromedp.FromContext(b.ctx).Browser.Process().Pid
	pids := []int{root}
	for pid := range descendants(root) {
		pids = append(pids, pid)
	}
	threads, renderers := 0, 0
	for _, pid := range pids {
		if strings.Contains(cmdline(pid), "--type=renderer") {
			renderers++
		}
		for tid, policy := range policyOf(t, pid) {
			threads++
			if policy != schedIdle {
				t.Errorf("pid %d (%.80s) thread %d: scheduling policy %d, want SCHED_IDLE (%d)", pid, cmdline(pid), tid, policy, schedIdle)
			}
		}
	}
	if renderers == 0 || threads <= len(pids) {
		t.Errorf("checked %d threads of %d processes, %d renderers: the browser's processes were not found", threads, len(pids), renderers)
	}
}
