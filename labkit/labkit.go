// Package labkit is the Go Concurrency Lab's toolkit: what the notebooks call so that each
// cell shows one idea instead of plumbing.
//
// Its packages come in three tiers, and the directory layout shows which is which:
//
//   - The core every notebook uses, directly under labkit/: timing, workload (CPU work and
//     IO-like waits), timeline (what ran when), chart (draw it, print it), nb (talk to the
//     notebook) and proc (child processes that die with their cell).
//   - Measurement tools, under labkit/measure/: speedup, contention (cost per operation, and
//     where goroutines waited, from the mutex and block profiles), sampler (a value over
//     time), goroutines (leaks, memory per goroutine), sandbox (a Go snippet in a killable
//     subprocess), pybaseline (the same experiment in Python) and schedtrace (what the
//     scheduler did, from a runtime/trace).
//   - The machinery of the later notebooks, under labkit/capstone/: frame and procpool
//     (worker processes), cpubound (one CPU-bound batch run every way notebook 06
//     compares), fx (a quote/order simulator) and echo (a TCP echo server, its load
//     client, and echoproc, which runs any echo server in its own process and measures its
//     CPU time per message) and httpcost (the same for HTTP servers: CPU per request, p50/p99).
//
// A tier imports only itself and the tiers above it in this list; tiers_test.go fails when
// one does not. The exercises are judged by check, which may import any tier and which
// nothing imports. This root package only describes the machine the
// measurements come from, because every number in the lab depends on it.
package labkit

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// MachineInfo describes where the lab runs.
type MachineInfo struct {
	GoVersion  string
	OS, Arch   string
	NumCPU     int // logical CPUs the OS reports
	GOMAXPROCS int // OS threads that may run Go code at once
}

// Machine reports the current process's MachineInfo.
func Machine() MachineInfo {
	return MachineInfo{
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

func (m MachineInfo) String() string {
	return fmt.Sprintf("%s on %s/%s: NumCPU=%d GOMAXPROCS=%d", m.GoVersion, m.OS, m.Arch, m.NumCPU, m.GOMAXPROCS)
}

// LoadAverage describes how busy the machine is: the 1-minute load average (runnable
// threads, averaged) against the number of CPUs, e.g. "3.52 (NumCPU 2: busy, other programs
// compete for the cores)". Speedups measured while it exceeds NumCPU come out low. It reads
// /proc/loadavg, so elsewhere than Linux it says the load is unknown.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	fields := strings.Fields(string(b))
	if err != nil || len(fields) == 0 {
		return "unknown (read from /proc/loadavg on Linux only)"
	}
	return describeLoad(fields[0], runtime.NumCPU())
}

func describeLoad(load string, cpus int) string {
	var l float64
	if _, err := fmt.Sscan(load, &l); err != nil {
		return fmt.Sprintf("unknown (/proc/loadavg says %q)", load)
	}
	if l > float64(cpus) {
		return fmt.Sprintf("%s (NumCPU %d: busy, other programs compete for the cores)", load, cpus)
	}
	return fmt.Sprintf("%s (NumCPU %d)", load, cpus)
}

// Must panics if err is not nil. Notebook cells use it to stop at the first failure with
// the error's own message, e.g. labkit.Must(g.Wait()); library code returns errors.
func Must(err error) {
	if err != nil {
		panic(err)
	}
}

// MustGet returns v, or panics if err is not nil: the one-line form of
// `v, err := f(); labkit.Must(err)` for a notebook cell, e.g.
// res := labkit.MustGet(sandbox.RunGo(ctx, src, opts)).
func MustGet[T any](v T, err error) T {
	Must(err)
	return v
}
