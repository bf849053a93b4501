package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/timeline"
)

// shotDir is build/browser in the repository when it exists (so a person can look at the
// charts), else a temporary folder.
func shotDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "build", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil || !strings.Contains(dir, "build") {
		return t.TempDir()
	}
	return dir
}

// drawChart writes c with chart.Show (as a cell outside a notebook does) and returns the file.
func drawChart(t *testing.T, c chart.Chart) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	echarts := filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "echarts", "dist", "echarts.min.js")
	if _, err := os.Stat(echarts); err != nil {
		t.Skipf("SKIP: no ECharts in node_modules (make setup): %v", err)
	}
	dir := t.TempDir()
	t.Setenv("LABKIT_CHART_DIR", dir)
	t.Setenv("LABKIT_ECHARTS_URL", "file://"+echarts)
	chart.Show(c)
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(files) != 1 {
		t.Fatalf("chart.Show wrote %v, want one file", files)
	}
	return files[0]
}

// hue tells a Go blue from a Python orange: blue is the strongest channel of one, red of the other.
func hue(t *testing.T, hex string) string {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	r, b := v>>16, v&0xff
	switch {
	case b > r:
		return "blue"
	case r > b:
		return "orange"
	}
	return "grey"
}

// The properties issue #21 asks of every chart, read back from ECharts in a real browser:
// counts on whole-number ticks, tiny bars labelled, no category label cut off, Go in blues
// and Python in oranges even where the names do not say "Go".
func TestChartsAreLegibleInTheBrowser(t *testing.T) {
	b := startBrowser(t)
	shots := shotDir(t)
	fx := []string{"sequential", "goroutine-per-order", "pool", "pipeline", "python-asyncio", "python-threads"}
	cases := []struct {
		name  string
		c     chart.Chart
		check func(t *testing.T, o ChartOptions)
	}{
		{"bar", chart.Bar{Title: "Orders per second (09)", Unit: "orders/s", Categories: fx,
			Series: []chart.Series{{Name: "throughput", Values: []float64{900, 20500, 21000, 19800, 950, 700}}}},
			func(t *testing.T, o ChartOptions) {
				for _, name := range fx {
					want := "blue"
					if strings.HasPrefix(name, "python") {
						want = "orange"
					}
					if got := hue(t, o.Colors[name]); got != want {
						t.Errorf("%s drawn %s (%s), want %s", name, o.Colors[name], got, want)
					}
				}
				if o.XLabels != len(fx) {
					t.Errorf("%d category labels drawn, want all %d", o.XLabels, len(fx))
				}
				if o.XLabelsClipped > 0 || !o.ContainLabel {
					t.Errorf("%d category labels cut off (containLabel %v)", o.XLabelsClipped, o.ContainLabel)
				}
			}},
		{"bar-tiny", chart.Bar{Title: "Most frequent run orders (01)", Unit: "runs", Categories: []string{"A B C", "A C B", "B A C", "C B A"},
			Series: []chart.Series{{Name: "runs", Values: []float64{9950, 30, 15, 5}}}},
			func(t *testing.T, o ChartOptions) {
				want := []string{"runs/A C B", "runs/B A C", "runs/C B A"}
				if !slices.Equal(o.LabelledBars, want) {
					t.Errorf("labelled bars %v, want the three tiny ones %v", o.LabelledBars, want)
				}
				if o.YMinInterval != 1 {
					t.Errorf("run counts: y minInterval %v, want 1", o.YMinInterval)
				}
			}},
		{"line", chart.Line{Title: "Speedup (06)", XName: "workers", YName: "speedup (x)", X: []float64{1, 2},
			Series: []chart.Series{{Name: "Go goroutines", Values: []float64{1, 1.7}}, {Name: "Python processes", Values: []float64{1, 1.6}}},
			Ideal:  []float64{1, 2}},
			func(t *testing.T, o ChartOptions) {
				if o.XMinInterval != 1 {
					t.Errorf("workers axis: minInterval %v, want 1 (ticks 1, 2, not 1.2, 1.4)", o.XMinInterval)
				}
				if hue(t, o.Colors["Go goroutines"]) != "blue" || hue(t, o.Colors["Python processes"]) != "orange" {
					t.Errorf("colours %v: want Go blue, Python orange", o.Colors)
				}
			}},
		{"timeline", chart.Timeline{Title: "Timeline", Spans: []timeline.Span{
			{Lane: "goroutine-per-order worker 1", Label: "a", Start: 0, End: 3 * time.Millisecond},
			{Lane: "w2", Label: "b", Start: time.Millisecond, End: 4 * time.Millisecond}}},
			func(t *testing.T, o ChartOptions) {
				if !o.ContainLabel {
					t.Error("a long lane name may be cut off: grid.containLabel is off")
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shot := filepath.Join(shots, "chart-"+c.name+".png")
			opts, problems, err := b.ReadCharts(context.Background(), "file://"+drawChart(t, c.c), shot)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) > 0 {
				t.Errorf("page problems: %q", problems)
			}
			if len(opts) != 1 || !opts[0].Drawn {
				t.Fatalf("want one drawn chart, got %+v", opts)
			}
			c.check(t, opts[0])
		})
	}
}
