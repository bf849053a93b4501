package sampler_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/measure/sampler"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPlotHoldsLevelsOnSharedGrid(t *testing.T) {
	p := sampler.Plot{
		Step: ms(1),
		Series: []sampler.Series{
			{Name: "a", Samples: []sampler.Sample{{0, 0}, {ms(1), 5}, {ms(3), 9}, {ms(4), 9}}},
			// b is sampled off-grid and ends later: the grid stops at a's end (4 ms).
			{Name: "b", Samples: []sampler.Sample{{0, 1}, {ms(2) + 300*time.Microsecond, 2}, {ms(9), 3}}},
		},
	}
	l := p.Chart("depth")
	if want := []float64{0, 1, 2, 3, 4}; !slices.Equal(l.X, want) {
		t.Fatalf("X = %v, want %v", l.X, want)
	}
	if want := []float64{0, 5, 5, 9, 9}; !slices.Equal(l.Series[0].Values, want) {
		t.Errorf("a = %v, want %v", l.Series[0].Values, want)
	}
	if want := []float64{1, 1, 1, 2, 2}; !slices.Equal(l.Series[1].Values, want) {
		t.Errorf("b = %v, want %v", l.Series[1].Values, want)
	}
}

func TestPlotScaleAndDefaultStep(t *testing.T) {
	p := sampler.Plot{Scale: 1 << 20, Series: []sampler.Series{
		{Name: "heap", Samples: []sampler.Sample{{0, 1 << 20}, {ms(200), 3 << 20}}},
	}}
	l := p.Chart("depth")
	if len(l.X) != 101 {
		t.Errorf("default step gave %d points, want 101", len(l.X))
	}
	if l.Series[0].Values[0] != 1 || l.Series[0].Values[100] != 3 {
		t.Errorf("scaled values %v..%v, want 1..3", l.Series[0].Values[0], l.Series[0].Values[100])
	}
}

func TestPlotRejectsBadInput(t *testing.T) {
	ok := []sampler.Sample{{0, 1}, {ms(10), 2}}
	cases := map[string]sampler.Plot{
		"Series is empty": {},
		"no Name":         {Series: []sampler.Series{{Samples: ok}}},
		"no samples":      {Series: []sampler.Series{{Name: "x"}}},
		"Step":            {Step: -1, Series: []sampler.Series{{Name: "x", Samples: ok}}},
		"Scale":           {Scale: -2, Series: []sampler.Series{{Name: "x", Samples: ok}}},
		"larger Step":     {Step: time.Nanosecond, Series: []sampler.Series{{Name: "x", Samples: ok}}},
	}
	for want, p := range cases {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
					t.Errorf("%s: Chart panicked with %v, want a panic naming %q", want, r, want)
				}
			}()
			p.Chart("t")
		}()
	}
}

func ExamplePlot() {
	p := sampler.Plot{
		YName: "items",
		Step:  10 * time.Millisecond,
		Series: []sampler.Series{
			{Name: "bounded", Samples: []sampler.Sample{{0, 0}, {10 * time.Millisecond, 4}, {20 * time.Millisecond, 4}}},
			{Name: "unbounded", Samples: []sampler.Sample{{0, 0}, {10 * time.Millisecond, 9}, {20 * time.Millisecond, 18}}},
		},
	}
	table, _ := p.Chart("queue depth").Table()
	fmt.Print(table)
	// Output:
	// queue depth — items
	// ms  bounded  unbounded
	// 0         0          0
	// 10        4          9
	// 20        4         18
}
