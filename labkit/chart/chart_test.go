package chart_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
	"github.com/go-concurrency-lab/lab/labkit/timeline"
)

func sampleBar() chart.Bar {
	return chart.Bar{Title: "Wall time", Unit: "ms", Categories: []string{"sequential", "concurrent"},
		Series: []chart.Series{{Name: "Go", Values: []float64{450, 121.5}}}}
}

func TestTablesCarryTheNumbers(t *testing.T) {
	tab, err := sampleBar().Table()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Wall time", "Go (ms)", "sequential", "450", "121.5"} {
		if !strings.Contains(tab, want) {
			t.Errorf("bar table lacks %q:\n%s", want, tab)
		}
	}
	line := chart.Line{Title: "Speedup", XName: "goroutines", YName: "x", X: []float64{1, 2, 4},
		Series: []chart.Series{{Name: "measured", Values: []float64{1, 1.9, 2.1}}}, Ideal: []float64{1, 2, 4}}
	tab, err = line.Table()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"goroutines", "measured", "ideal", "1.900", "2.100"} {
		if !strings.Contains(tab, want) {
			t.Errorf("line table lacks %q:\n%s", want, tab)
		}
	}
}

func TestInvalidChartsNameTheProblem(t *testing.T) {
	cases := []struct {
		c    chart.Chart
		want string
	}{
		{chart.Bar{Title: "x"}, "Categories is empty"},
		{chart.Bar{Categories: []string{"a"}}, "Series is empty"},
		{chart.Bar{Categories: []string{"a", "b"}, Series: []chart.Series{{Name: "s", Values: []float64{1}}}}, `"s" has 1 values`},
		{chart.Bar{Categories: []string{"a"}, Series: []chart.Series{{Values: []float64{1}}}}, "has no Name"},
		{chart.Bar{Categories: []string{"a"}, Series: []chart.Series{{Name: "s", Values: []float64{math.NaN()}}}}, "NaN"},
		{chart.Line{X: nil}, "X is empty"},
		{chart.Line{X: []float64{1}, Series: []chart.Series{{Name: "s", Values: []float64{1}}}, Ideal: []float64{1, 2}}, `"ideal" has 2 values`},
		{chart.Timeline{}, "no spans"},
		{chart.Timeline{Spans: []timeline.Span{{Lane: "P2", Label: "g1"}}, Lanes: []string{"P0", "P1"}}, `lane "P2", which is not in Lanes`},
	}
	for _, c := range cases {
		_, err := c.c.Table()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: Table err = %v, want %q", c.c, err, c.want)
		}
		if _, err := chart.HTML(c.c); err == nil {
			t.Errorf("%T: HTML accepted an invalid chart", c.c)
		}
		if msg := showPanic(c.c); !strings.Contains(msg, c.want) {
			t.Errorf("%T: Show panicked with %q, want a panic saying %q", c.c, msg, c.want)
		}
	}
	if msg := showPanic(nil); !strings.Contains(msg, "chart: Show: chart is nil") {
		t.Errorf("Show(nil) panicked with %q, want it to say the chart is nil", msg)
	}
}

// showPanic calls Show and returns what it panicked with ("" if it did not).
func showPanic(c chart.Chart) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	chart.Show(c)
	return ""
}

var idRE = regexp.MustCompile(`id="(labkit-chart-[0-9a-f]+)"`)

func TestHTMLIsSelfContainedAndUnique(t *testing.T) {
	t.Setenv("LABKIT_ECHARTS_URL", "assets/echarts.min.js")
	a, err := chart.HTML(sampleBar())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := chart.HTML(sampleBar())
	ida, idb := idRE.FindStringSubmatch(a), idRE.FindStringSubmatch(b)
	if ida == nil || idb == nil || ida[1] == idb[1] {
		t.Fatalf("showing a chart twice must give two element ids: %v %v", ida, idb)
	}
	for _, want := range []string{`"assets/echarts.min.js"`, "requirejs", "createElement(\"script\")", "setOption"} {
		if !strings.Contains(a, want) {
			t.Errorf("fragment lacks %q", want)
		}
	}
	// The go-echarts template declares top-level `let` variables, which break the second
	// display of a chart in one page; ours must not.
	if strings.Contains(a, "let goecharts_") {
		t.Error("fragment uses go-echarts' global script")
	}
}

func TestTimelineFunctionsAreCodeNotStrings(t *testing.T) {
	spans := []timeline.Span{{Lane: "a", Label: "x", End: time.Millisecond}, {Lane: "b", Label: "y", Start: time.Millisecond, End: 2 * time.Millisecond, Cut: true}}
	h, err := chart.HTML(chart.Timeline{Title: "t", Spans: spans})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, `"renderItem":function`) || strings.Contains(h, "__f__") {
		t.Errorf("renderItem must be emitted as a JavaScript function:\n%s", h)
	}
}

func TestShowOutsideNotebookWritesFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LABKIT_CHART_DIR", dir)
	chart.Show(sampleBar())
	files, _ := filepath.Glob(filepath.Join(dir, "wall-time-*.html"))
	if len(files) != 1 {
		t.Fatalf("want one HTML file in %s, got %v", dir, files)
	}
	page, _ := os.ReadFile(files[0])
	if !strings.Contains(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "labkit-chart") {
		t.Error("standalone page incomplete")
	}
}

func ExampleBar_Table() {
	tab, _ := chart.Bar{
		Title:      "Five 100 ms waits",
		Unit:       "ms",
		Categories: []string{"sequential", "goroutines"},
		Series:     []chart.Series{{Name: "wall", Values: []float64{502, 101}}},
	}.Table()
	fmt.Print(tab)
	// Output:
	// Five 100 ms waits
	//             wall (ms)
	// sequential        502
	// goroutines        101
}

func ExampleLine_Table() {
	tab, _ := chart.Line{
		Title: "CPU-bound speedup", XName: "goroutines", YName: "speedup",
		X:      []float64{1, 2, 4},
		Series: []chart.Series{{Name: "Go", Values: []float64{1, 1.96, 1.98}}},
		Ideal:  []float64{1, 2, 4},
	}.Table()
	fmt.Print(tab)
	// Output:
	// CPU-bound speedup — speedup
	// goroutines     Go  ideal
	// 1               1      1
	// 2           1.960      2
	// 4           1.980      4
}

func TestTimelineColorByLabelAndText(t *testing.T) {
	// One goroutine moving between two processors: by label it keeps one colour.
	spans := []timeline.Span{
		{Lane: "P0", Label: "g1", End: time.Millisecond},
		{Lane: "P1", Label: "g1", Start: time.Millisecond, End: 2 * time.Millisecond},
		{Lane: "P1", Label: "g2", Start: 2 * time.Millisecond, End: 3 * time.Millisecond},
	}
	colors := func(c chart.Timeline) []string {
		h, err := chart.HTML(c)
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`"color":"(#[0-9a-f]+)"`).FindAllString(h, -1)
	}
	byLane := colors(chart.Timeline{Title: "t", Spans: spans})
	byLabel := colors(chart.Timeline{Title: "t", Spans: spans, ColorByLabel: true})
	if len(byLane) != 3 || len(byLabel) != 3 {
		t.Fatalf("want one colour per span, got %v and %v", byLane, byLabel)
	}
	if byLane[0] == byLane[1] || byLane[1] != byLane[2] {
		t.Errorf("by lane: colours %v, want P0 differing from P1's two", byLane)
	}
	if byLabel[0] != byLabel[1] || byLabel[1] == byLabel[2] {
		t.Errorf("by label: colours %v, want g1 the same on both lanes and g2 different", byLabel)
	}
	// Lanes fixes the rows' order, whatever span comes first.
	h, err := chart.HTML(chart.Timeline{Title: "t", Spans: spans[1:], Lanes: []string{"P0", "P1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, `"data":["P0","P1"]`) {
		t.Errorf("rows are not P0, P1:\n%s", h)
	}
	tab, err := chart.Timeline{Title: "per lane", Spans: spans, Text: "P0 busy 1ms\nP1 busy 2ms\n"}.Table()
	if err != nil {
		t.Fatal(err)
	}
	if tab != "per lane\nP0 busy 1ms\nP1 busy 2ms\n" {
		t.Errorf("Table with Text = %q, want the title then the text", tab)
	}
}
