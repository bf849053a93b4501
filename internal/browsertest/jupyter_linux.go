//go:build linux

package browsertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

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
	if err := writeLabSettings(filepath.Join(scratch, "lab-settings")); err != nil {
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
	if err := j.waitReady(ctx); err != nil {
		j.stop()
		return nil, err
	}
	return j, nil
}

// labSettings are the JupyterLab settings a live check runs with, by file under the
// settings folder: every cell rendered (no windowing), so charts below the fold get drawn
// too, and no "get notified about Jupyter news?" toast over the screenshots (nor a fetch).
var labSettings = map[string]string{
	"@jupyterlab/notebook-extension/tracker.jupyterlab-settings":      `{"windowingMode": "none"}`,
	"@jupyterlab/apputils-extension/notification.jupyterlab-settings": `{"fetchNews": "false"}`,
}

func writeLabSettings(dir string) error {
	for file, settings := range labSettings {
		path := filepath.Join(dir, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(settings), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// waitReady waits (at most 90 s) until Jupyter answers its status API.
func (j *jupyter) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(90 * time.Second)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(j.url("/api/status"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-j.done:
			return fmt.Errorf("browsertest: Jupyter exited at start (see %s)", j.logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("browsertest: Jupyter did not answer on %s within 90s (see %s)", j.base, j.logPath)
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
