package sim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"github.com/go-concurrency-lab/lab/labkit/measure/pybaseline"
)

// PythonScript is the baseline's file name in baselines/python (see [pybaseline.Dir]).
const PythonScript = "fx_workload.py"

// pythonArgs returns the command-line flags that make the baseline script run cfg in
// mode (one of pythonModes).
func pythonArgs(cfg fx.Config, mode string) []string {
	ns := func(d time.Duration) string { return strconv.FormatInt(int64(d), 10) }
	return []string{
		"--mode", mode,
		"--seed", strconv.FormatUint(cfg.Seed, 10),
		"--pairs", strconv.Itoa(cfg.Pairs),
		"--orders", strconv.Itoa(cfg.Orders),
		"--interval-ns", ns(cfg.Interval),
		"--latency", cfg.Latency.Dist.String(),
		"--latency-min-ns", ns(cfg.Latency.Min),
		"--latency-max-ns", ns(cfg.Latency.Max),
		"--latency-mean-ns", ns(cfg.Latency.Mean),
		"--cpu-ns", ns(cfg.CPU),
		"--workers", strconv.Itoa(cfg.Workers),
	}
}

// pythonModes are the baseline's ways of running the orders: a plain loop, one order at a
// time (Workers is ignored); asyncio tasks bounded by an asyncio.Semaphore(Workers); and a
// ThreadPoolExecutor(max_workers=Workers).
var pythonModes = []string{"sequential", "asyncio", "threads"}

// RunPython runs cfg through the Python baseline baselines/python/fx_workload.py (via
// [pybaseline]) in mode "sequential", "asyncio" or "threads" and returns its [Report], named
// "python-"+mode. The script draws the same orders and reaches the same decisions as [Run]
// (same Checksum); with Config.CPUIters it also does the same pricing arithmetic (same
// PriceChecksum). Its timings are its own, measured inside Python, so interpreter start-up
// is not counted. With Config.CPU the Python pricing loop is calibrated once per process
// (the first such RunPython pays for it), so every Python run in a process does the same
// work per order.
//
// It returns an error wrapping [pybaseline.ErrNoPython] when python3 is not on PATH. Cancelling ctx
// kills the interpreter.
func RunPython(ctx context.Context, cfg fx.Config, mode string) (Report, error) {
	if !slices.Contains(pythonModes, mode) {
		return Report{}, fmt.Errorf("sim: RunPython: mode %q unknown, want one of %q", mode, pythonModes)
	}
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	args := pythonArgs(cfg, mode)
	iters := cfg.CPUIters
	if cfg.CPU > 0 {
		perMs, err := pythonCalibration(ctx)
		if err != nil {
			return Report{}, err
		}
		iters = max(int64(perMs*float64(cfg.CPU)/float64(time.Millisecond)), 1)
	}
	args = append(args, "--cpu-iters", strconv.FormatInt(iters, 10))
	var res pythonResult
	if err := pybaseline.Run(ctx, PythonScript, &res, args...); err != nil {
		if ctx.Err() != nil {
			return Report{}, ctx.Err()
		}
		return Report{}, fmt.Errorf("sim: RunPython(%s): %w", mode, err)
	}
	return fromPython("python-"+mode, cfg, iters, res)
}

var (
	pythonCalMu    sync.Mutex
	pythonItersPer float64 // pricing loop iterations per ms in Python; 0 until measured
)

// pythonCalibration measures the Python pricing loop once per process (as
// workload.Calibrate does for Go) so that every Python run in the process does the same
// work per order: calibrating in each run would let the machine's load at that moment
// change the work itself.
func pythonCalibration(ctx context.Context) (float64, error) {
	pythonCalMu.Lock()
	defer pythonCalMu.Unlock()
	if pythonItersPer > 0 {
		return pythonItersPer, nil
	}
	var res struct {
		ItersPerMs float64 `json:"iters_per_ms"`
	}
	if err := pybaseline.Run(ctx, PythonScript, &res, "--calibrate"); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("sim: RunPython: calibrating: %w", err)
	}
	if !(res.ItersPerMs > 0) {
		return 0, fmt.Errorf("sim: RunPython: calibration reported %v iterations per ms", res.ItersPerMs)
	}
	pythonItersPer = res.ItersPerMs
	return pythonItersPer, nil
}

type pythonResult struct {
	Strategy    string     `json:"strategy"`
	Orders      int        `json:"orders"`
	ElapsedNS   int64      `json:"elapsed_ns"`
	MaxInFlight int        `json:"max_in_flight"`
	Decisions   [][2]int64 `json:"decisions"` // [outcome, price] by order ID
	LatenciesNS []int64    `json:"latencies_ns"`
	Checksum    uint64     `json:"checksum"`
	PriceIters  int64      `json:"price_iters"`
	PriceSum    uint64     `json:"price_checksum"`
}

// fromPython turns the script's output into a Report, refusing one that lost orders or
// whose checksum does not match its decisions.
func fromPython(name string, cfg fx.Config, iters int64, res pythonResult) (Report, error) {
	if res.Strategy != name || res.PriceIters != iters || res.Orders != cfg.Orders || len(res.Decisions) != cfg.Orders || len(res.LatenciesNS) != cfg.Orders {
		return Report{}, fmt.Errorf("sim: RunPython(%s): script reported strategy %q, %d pricing iterations, %d orders, %d decisions, %d latencies; want %s, %d, and %d of each",
			name, res.Strategy, res.PriceIters, res.Orders, len(res.Decisions), len(res.LatenciesNS), name, iters, cfg.Orders)
	}
	r := Report{Name: name, Orders: res.Orders, Elapsed: time.Duration(res.ElapsedNS), MaxInFlight: res.MaxInFlight,
		PriceIters: iters, PriceChecksum: res.PriceSum}
	for i, d := range res.Decisions {
		r.Decisions = append(r.Decisions, fx.Decision{OrderID: i, Outcome: fx.Outcome(d[0]), Price: d[1]})
		r.Latencies = append(r.Latencies, time.Duration(res.LatenciesNS[i]))
	}
	r.summarize()
	if r.Checksum != res.Checksum {
		return r, fmt.Errorf("sim: RunPython(%s): checksum %d from the script, %d from its decisions", name, res.Checksum, r.Checksum)
	}
	return r, nil
}
