package sim

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"

	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
	"go.uber.org/goleak"
)

func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found on PATH: skipping the Python baseline")
	}
}

// The Python loop calibrated for a time-based config is measured once and kept.
func TestPythonCalibrationIsCached(t *testing.T) {
	needPython(t)
	cfg := small() // CPU: 20 µs per order
	for range 2 {
		if _, err := RunPython(context.Background(), cfg, "threads"); err != nil {
			t.Fatal(err)
		}
	}
	pythonCalMu.Lock()
	perMs := pythonItersPer
	pythonCalMu.Unlock()
	if perMs <= 0 {
		t.Errorf("python calibration not cached: %v iterations per ms", perMs)
	}
}

func TestRunPythonWithoutPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := RunPython(context.Background(), small(), "asyncio")
	if !errors.Is(err, pybaseline.ErrNoPython) || !strings.Contains(err.Error(), "python3 not found") {
		t.Fatalf("err = %v, want ErrNoPython saying python3 not found", err)
	}
}

func TestRunPythonRejectsBadInput(t *testing.T) {
	if _, err := RunPython(context.Background(), small(), "pool"); err == nil || !strings.Contains(err.Error(), "pool") {
		t.Errorf("unknown mode accepted by RunPython: %v", err)
	}
	bad := small()
	bad.Workers = 0
	if _, err := RunPython(context.Background(), bad, "threads"); !errors.Is(err, fx.ErrConfig) {
		t.Errorf("bad config: %v, want fx.ErrConfig", err)
	}
}

func TestPythonScriptValidatesItsFlags(t *testing.T) {
	needPython(t)
	dir, err := pybaseline.Dir()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, PythonScript)
	for flag, bad := range map[string]string{"--workers": "0", "--pairs": "9", "--orders": "0", "--latency-min-ns": "-1", "--cpu-iters": "-5"} {
		args := append(pythonArgs(small(), "threads"), "--cpu-iters", "10")
		i := slices.Index(args, flag)
		args[i+1] = bad
		out, err := exec.Command("python3", append([]string{script}, args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), flag) {
			t.Errorf("script accepted %s %s (err %v): %s", flag, bad, err, out)
		}
	}
}

func TestRunPythonCancel(t *testing.T) {
	needPython(t)
	defer goleak.VerifyNone(t)
	cfg := small()
	cfg.Latency = fx.FixedLatency(5 * time.Second) // a full run would take minutes
	ctx, cancel := context.WithCancel(context.Background())
	stop := time.AfterFunc(300*time.Millisecond, cancel)
	defer stop.Stop()
	if _, err := RunPython(ctx, cfg, "asyncio"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestParsePythonChecksCounts(t *testing.T) {
	cfg := small()
	cfg.Orders = 2
	good := `{"strategy":"python-threads","orders":2,"elapsed_ns":1000,"max_in_flight":1,"decisions":[[0,5],[1,0]],"latencies_ns":[10,20],"checksum":%d,"price_iters":7,"price_checksum":99}`
	sum := fx.Checksum([]fx.Decision{{OrderID: 0, Outcome: fx.Filled, Price: 5}, {OrderID: 1, Outcome: fx.RejectedSize}})
	if r, err := parsePython("python-threads", cfg, []byte(strings.Replace(good, "%d", itoa(sum), 1))); err != nil || r.Filled != 1 || r.Rejected != 1 || r.PriceChecksum != 99 {
		t.Fatalf("good output: %v, %v", r, err)
	}
	for name, out := range map[string]string{
		"checksum":  strings.Replace(good, "%d", itoa(sum+1), 1),
		"iters":     strings.Replace(strings.Replace(good, "%d", itoa(sum), 1), `"price_iters":7`, `"price_iters":8`, 1),
		"lost":      `{"strategy":"python-threads","orders":2,"decisions":[[0,5]],"latencies_ns":[10],"checksum":0}`,
		"strategy":  `{"strategy":"python-asyncio","orders":2,"decisions":[[0,5],[1,0]],"latencies_ns":[10,20],"checksum":0}`,
		"not json":  `Traceback (most recent call last):`,
		"truncated": `{"strategy":"python-thr`,
	} {
		if _, err := parsePython("python-threads", cfg, []byte(out)); err == nil {
			t.Errorf("%s: accepted %s", name, out)
		}
	}
}

// parsePython decodes out as the script's JSON, as pybaseline.Run does, then checks it.
func parsePython(name string, cfg fx.Config, out []byte) (Report, error) {
	var res pythonResult
	if err := json.Unmarshal(out, &res); err != nil {
		return Report{}, err
	}
	return fromPython(name, cfg, 7, res)
}

func itoa(u uint64) string { return strconv.FormatUint(u, 10) }
