package sampler

import (
	"fmt"
	"math"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/chart"
)

// Series is a named run of samples, one line on a Plot.
type Series struct {
	Name    string
	Samples []Sample
}

// Plot turns one or more sampled series into a [chart.Line] with time (ms) across.
// Series sampled separately have different timestamps, so Chart puts them on a shared
// grid, holding each series' last reading until its next one (values are levels, not
// rates). The grid ends where the shortest series ends, so no line is extrapolated.
type Plot struct {
	YName string // e.g. "items buffered" or "heap (MiB)"
	// Step is the grid spacing. Zero picks about 100 points across the shortest series.
	Step time.Duration
	// Scale divides every value, e.g. 1<<20 to plot bytes as MiB. Zero means 1.
	Scale  float64
	Series []Series
}

// maxPoints bounds the grid so a tiny Step cannot produce a chart too big to draw.
const maxPoints = 5000

// Chart builds the chart under title. It panics, naming the field, on no series, an
// unnamed or empty series, a negative Step or Scale, or a Step that would need more than
// 5000 points: a plot a cell writes is right or a bug to fix, as with [chart.Show].
func (p Plot) Chart(title string) chart.Line {
	l, err := p.line(title)
	if err != nil {
		panic(err)
	}
	return l
}

func (p Plot) line(title string) (chart.Line, error) {
	if len(p.Series) == 0 {
		return chart.Line{}, fmt.Errorf("sampler: Plot: Series is empty: add at least one series")
	}
	if p.Step < 0 {
		return chart.Line{}, fmt.Errorf("sampler: Plot: Step = %v, want >= 0", p.Step)
	}
	if p.Scale < 0 || math.IsNaN(p.Scale) || math.IsInf(p.Scale, 0) {
		return chart.Line{}, fmt.Errorf("sampler: Plot: Scale = %v, want > 0 (or 0 for 1)", p.Scale)
	}
	scale := p.Scale
	if scale == 0 {
		scale = 1
	}
	end := time.Duration(math.MaxInt64)
	for i, s := range p.Series {
		if s.Name == "" {
			return chart.Line{}, fmt.Errorf("sampler: Plot: Series[%d] has no Name", i)
		}
		if len(s.Samples) == 0 {
			return chart.Line{}, fmt.Errorf("sampler: Plot: Series %q: %w", s.Name, ErrNoSamples)
		}
		end = min(end, s.Samples[len(s.Samples)-1].At)
	}
	step := p.Step
	if step == 0 {
		step = max(end/100, time.Microsecond)
	}
	points := int(end/step) + 1
	if points > maxPoints {
		return chart.Line{}, fmt.Errorf("sampler: Plot: Step = %v gives %d points over %v, want <= %d: use a larger Step", step, points, end, maxPoints)
	}
	x := make([]float64, points)
	for i := range x {
		x[i] = float64(time.Duration(i)*step) / float64(time.Millisecond)
	}
	out := chart.Line{Title: title, XName: "ms", YName: p.YName, X: x}
	for _, s := range p.Series {
		values := make([]float64, points)
		j := 0
		for i := range values {
			t := time.Duration(i) * step
			for j+1 < len(s.Samples) && s.Samples[j+1].At <= t {
				j++
			}
			values[i] = float64(s.Samples[j].Value) / scale
		}
		out.Series = append(out.Series, chart.Series{Name: s.Name, Values: values})
	}
	return out, nil
}
