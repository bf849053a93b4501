package sim_test

import (
	"bufio"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx/sim"

	"github.com/go-concurrency-lab/lab/labkit/capstone/fx"
	"go.uber.org/goleak"
)

// small is quick under every strategy: about 60 orders of sub-millisecond work.
func small() fx.Config {
	return fx.Config{Seed: 42, Pairs: 3, Orders: 60, Latency: fx.UniformLatency(100*time.Microsecond, time.Millisecond),
		CPU: 20 * time.Microsecond, Workers: 4}
}

var strategies = []struct {
	name string
	s    sim.Strategy
}{{"sequential", sequential}, {"goroutine-per-order", goroutinePerOrder}, {"pool", pool}, {"pipeline", pipeline}}

func needPython(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found on PATH: skipping the Python baseline")
	}
}

func TestEveryStrategyDecidesEveryOrderTheSame(t *testing.T) {
	cfg := small()
	orders, _ := fx.Generate(cfg)
	want := make([]fx.Decision, len(orders))
	for i, o := range orders {
		want[i] = fx.Decide(o)
	}
	var checksum uint64
	for _, st := range strategies {
		t.Run(st.name, func(t *testing.T) {
			r, err := sim.Run(context.Background(), cfg, st.name, st.s)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name != st.name || r.Orders != cfg.Orders || r.Decided() != cfg.Orders || len(r.Latencies) != cfg.Orders {
				t.Fatalf("orders in %d, arrived %d, decided %d, latencies %d", cfg.Orders, r.Orders, r.Decided(), len(r.Latencies))
			}
			if !slices.Equal(r.Decisions, want) {
				t.Fatalf("decisions differ from Decide over Generate")
			}
			if checksum == 0 {
				checksum = r.Checksum
			} else if r.Checksum != checksum {
				t.Fatalf("checksum %d, other strategies %d", r.Checksum, checksum)
			}
			for i, l := range r.Latencies {
				if l < 0 || (want[i].Outcome == fx.Filled && l < orders[i].Latency) {
					t.Fatalf("order %d decided after %v, its gateway round trip takes %v", i, l, orders[i].Latency)
				}
			}
			if !(r.P50 <= r.P95 && r.P95 <= r.P99 && r.P99 <= r.Max && r.P50 > 0) {
				t.Errorf("percentiles out of order: %v", r)
			}
			if r.Throughput <= 0 || r.Elapsed <= 0 {
				t.Errorf("throughput %v over %v", r.Throughput, r.Elapsed)
			}
			limit := map[string]int{"sequential": 1, "pool": cfg.Workers}[st.name]
			if limit == 0 {
				limit = cfg.Orders
			}
			if r.MaxInFlight < 1 || r.MaxInFlight > limit {
				t.Errorf("max in flight %d, want 1..%d", r.MaxInFlight, limit)
			}
		})
	}
}

func TestSameSeedSameDecisionsAcrossRuns(t *testing.T) {
	cfg := small()
	cfg.Interval = 50 * time.Microsecond
	a, err := sim.Run(context.Background(), cfg, "pipeline", pipeline)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sim.Run(context.Background(), cfg, "per-order", goroutinePerOrder)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Decisions, b.Decisions) || a.Checksum != b.Checksum {
		t.Fatal("same seed, different decisions")
	}
	cfg.Seed++
	c, err := sim.Run(context.Background(), cfg, "pipeline", pipeline)
	if err != nil {
		t.Fatal(err)
	}
	if c.Checksum == a.Checksum {
		t.Fatal("different seeds gave the same checksum")
	}
}

func TestPacedArrivals(t *testing.T) {
	cfg := small()
	cfg.Orders = 20
	cfg.Interval = 200 * time.Microsecond
	orders, _ := fx.Generate(cfg)
	for i := 1; i < len(orders); i++ {
		if orders[i].Quote.Offset < orders[i-1].Quote.Offset {
			t.Fatalf("offsets go backwards at %d", i)
		}
	}
	if orders[len(orders)-1].Quote.Offset == 0 {
		t.Fatal("paced quotes all arrive at once")
	}
	r, err := sim.Run(context.Background(), cfg, "pool", pool)
	if err != nil {
		t.Fatal(err)
	}
	// Quotes cannot be handled before they arrive.
	if last := orders[len(orders)-1].Quote.Offset; r.Elapsed < last {
		t.Errorf("run took %v, but the last quote arrives at %v", r.Elapsed, last)
	}
}

func TestCancelStopsEveryStrategy(t *testing.T) {
	slow := fx.Config{Seed: 1, Pairs: 2, Orders: 1000, Latency: fx.FixedLatency(5 * time.Second), Workers: 2}
	paced := slow
	paced.Interval = time.Second
	for _, cfg := range []fx.Config{slow, paced} {
		for _, st := range strategies {
			t.Run(st.name, func(t *testing.T) {
				defer goleak.VerifyNone(t)
				ctx, cancel := context.WithCancel(context.Background())
				stop := time.AfterFunc(30*time.Millisecond, cancel)
				defer stop.Stop()
				r, err := sim.Run(ctx, cfg, st.name, st.s)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
				// Every strategy needs at least 5 s for a full run (each fill waits 5 s at
				// the gateway), so being here with orders left proves the run stopped early.
				if r.Decided() >= cfg.Orders || r.Decided() > r.Orders {
					t.Fatalf("decided %d of %d (arrived %d) after cancel", r.Decided(), cfg.Orders, r.Orders)
				}
			})
		}
	}
}

func TestAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, st := range strategies {
		r, err := sim.Run(ctx, small(), st.name, st.s)
		if !errors.Is(err, context.Canceled) || r.Decided() != 0 {
			t.Errorf("%s: decided %d, err %v; want nothing and context.Canceled", st.name, r.Decided(), err)
		}
	}
}

// Python draws the same orders and decides them the same; given the same iteration
// count it does the same pricing arithmetic too (equal PriceChecksum).
func TestPythonDoesTheSameWork(t *testing.T) {
	needPython(t)
	sameWork := fx.SameWork()
	sameWork.Orders, sameWork.CPUIters = 30, 2000
	for _, cfg := range []fx.Config{
		small(),
		{Seed: 1<<63 + 12345, Pairs: len(fx.AllPairs()), Orders: 300, Latency: fx.ExpLatency(0, 200*time.Microsecond), Workers: 8},
		{Seed: 0, Pairs: 1, Orders: 40, Interval: 100 * time.Microsecond, Latency: fx.FixedLatency(50 * time.Microsecond), CPU: 50 * time.Microsecond, Workers: 1},
		sameWork,
	} {
		goRun, err := sim.Run(context.Background(), cfg, "sequential", sequential)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"sequential", "asyncio", "threads"} {
			r, err := sim.RunPython(context.Background(), cfg, mode)
			if err != nil {
				t.Fatalf("%s seed %d: %v", mode, cfg.Seed, err)
			}
			if r.Name != "python-"+mode || r.Orders != cfg.Orders || r.Decided() != cfg.Orders {
				t.Fatalf("%s: name %q, %d orders in, %d decided; want %d", mode, r.Name, r.Orders, r.Decided(), cfg.Orders)
			}
			if !slices.Equal(r.Decisions, goRun.Decisions) || r.Checksum != goRun.Checksum {
				t.Fatalf("%s seed %d: decisions differ from Go's", mode, cfg.Seed)
			}
			if cfg.CPU == 0 && (r.PriceChecksum != goRun.PriceChecksum || r.PriceIters != goRun.PriceIters) {
				t.Fatalf("%s seed %d: pricing %x over %d iterations, Go %x over %d", mode, cfg.Seed,
					r.PriceChecksum, r.PriceIters, goRun.PriceChecksum, goRun.PriceIters)
			}
			if r.MaxInFlight < 1 || r.MaxInFlight > cfg.Workers || r.P99 <= 0 || r.Throughput <= 0 {
				t.Errorf("%s: implausible metrics %v", mode, r)
			}
		}
	}
}

func TestMeasure(t *testing.T) {
	cfg := small()
	one := sim.Go("one worker pool", pool)
	one.Workers = 1
	t.Setenv("PATH", t.TempDir()) // no python3: the Python contender is skipped, not fatal
	var calls int
	var last [2]int
	progress := func(done, total int) { calls, last = calls+1, [2]int{done, total} }
	rs, err := sim.Measure(context.Background(), cfg, sim.Options{Rounds: 2, Progress: progress}, sim.Go("pool", pool), one, sim.Python("threads"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "pool" || rs[1].Name != "one worker pool" {
		t.Fatalf("reports %v, want pool and one worker pool", rs)
	}
	if calls != 6 || last != [2]int{6, 6} {
		t.Errorf("Progress called %d times, last with %v; want 6 (2 rounds of 3 contenders, the skipped one too), the last (6, 6)", calls, last)
	}
	if rs[1].MaxInFlight != 1 {
		t.Errorf("Workers = 1 ran %d orders at once", rs[1].MaxInFlight)
	}
	if s := rs.Speedup("pool", "one worker pool"); !(s > 0) {
		t.Errorf("Speedup = %v", s)
	}
	if s := rs.Speedup("pool", "python-threads"); !math.IsNaN(s) {
		t.Errorf("Speedup over a missing report = %v, want NaN", s)
	}
	if _, err := sim.Measure(context.Background(), cfg, sim.Options{Rounds: -1}, one); err == nil {
		t.Error("-1 rounds accepted")
	}
	if _, err := sim.Measure(context.Background(), cfg, sim.Options{}, sim.Contender{Name: "empty"}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("a zero Contender: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sim.Measure(ctx, cfg, sim.Options{}, one); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestStrategiesMatchTheNotebook keeps the copies in strategies_test.go equal to the
// cells of notebook 09 they stand for: same functions, token for token, comments aside.
func TestStrategiesMatchTheNotebook(t *testing.T) {
	cells := notebookFuncs(t, filepath.Join("..", "..", "..", "..", "notebooks", "09_fx_workload.md"))
	copies := fileFuncs(t, "strategies_test.go")
	if len(copies) < 4 {
		t.Fatalf("only %d functions in strategies_test.go", len(copies))
	}
	for name, body := range copies {
		cell, ok := cells[name]
		if !ok {
			t.Errorf("notebook 09 has no cell defining %s", name)
			continue
		}
		if cell != body {
			t.Errorf("%s differs from notebook 09's cell:\ncell:\n%s\ncopy:\n%s", name, cell, body)
		}
	}
}

// notebookFuncs returns every function declared in the notebook's Go cells that contain
// declarations only, printed without comments.
func notebookFuncs(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	funcs := map[string]string{}
	var cell strings.Builder
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.HasPrefix(line, "```go"):
			in = true
			cell.Reset()
		case in && line == "```":
			in = false
			src := cell.String()
			if strings.Contains(src, "\n%") || strings.HasPrefix(src, "%") || strings.HasPrefix(src, "!") {
				continue // a cell with a main body or a command: not a declarations cell
			}
			for name, body := range parseFuncs(t, src) {
				funcs[name] = body
			}
		case in:
			cell.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return funcs
}

func fileFuncs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseFuncs(t, string(b))
}

// parseFuncs prints every top-level function of src (a file, or a cell without its
// package clause) without comments.
func parseFuncs(t *testing.T, src string) map[string]string {
	t.Helper()
	if !strings.HasPrefix(strings.TrimSpace(src), "package ") {
		src = "package main\n" + src
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "", src, 0) // no comments
	if err != nil {
		return nil // not Go declarations (a stub cell with %test, say)
	}
	out := map[string]string{}
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		var b strings.Builder
		if err := printer.Fprint(&b, fset, fn); err != nil {
			t.Fatal(err)
		}
		out[fn.Name.Name] = b.String()
	}
	return out
}

// BenchmarkFXStrategies compares the notebook's strategies on both mixes, each reported
// as orders/s, p99 and throughput relative to sequential, all measured in one run.
func BenchmarkFXStrategies(b *testing.B) {
	for _, mix := range []struct {
		name string
		cfg  fx.Config
	}{{"io-heavy", fx.IOHeavy()}, {"cpu-heavy", fx.CPUHeavy()}} {
		b.Run(mix.name, func(b *testing.B) {
			var cs []sim.Contender
			for _, st := range strategies {
				cs = append(cs, sim.Go(st.name, st.s))
			}
			var rs sim.Reports
			for b.Loop() {
				var err error
				if rs, err = sim.Measure(context.Background(), mix.cfg, sim.Options{}, cs...); err != nil {
					b.Fatal(err)
				}
			}
			for _, r := range rs {
				b.ReportMetric(r.Throughput, r.Name+"-orders/s")
				b.ReportMetric(float64(r.P99.Microseconds())/1000, r.Name+"-p99-ms")
				b.ReportMetric(rs.Speedup(r.Name, "sequential"), r.Name+"/sequential")
			}
		})
	}
}

// BenchmarkFXSameWork runs the same pricing arithmetic on the same orders one at a time in
// Go and in Python, and reports the time per loop iteration in each and their ratio.
func BenchmarkFXSameWork(b *testing.B) {
	needPython(b)
	py := sim.Python("sequential")
	var rs sim.Reports
	for b.Loop() {
		var err error
		if rs, err = sim.Measure(context.Background(), fx.SameWork(), sim.Options{}, sim.Go("go", sequential), py); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(rs[0].NsPerIter(), "go-ns/iter")
	b.ReportMetric(rs[1].NsPerIter(), "python-ns/iter")
	b.ReportMetric(rs[1].NsPerIter()/rs[0].NsPerIter(), "python/go")
}
