package chart

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Line plots series against a numeric X axis, optionally with a dashed reference line
// (the ideal a measurement is judged against, e.g. linear speedup).
type Line struct {
	Title  string
	XName  string // e.g. "goroutines"
	YName  string // e.g. "speedup (x)"
	X      []float64
	Series []Series
	// Ideal, if it has values (one per X), is drawn dashed and named IdealName ("ideal" if empty).
	Ideal     []float64
	IdealName string
}

func (l Line) idealName() string {
	if l.IdealName == "" {
		return "ideal"
	}
	return l.IdealName
}

func (l Line) all() []Series {
	all := l.Series
	if len(l.Ideal) > 0 {
		all = append(all[:len(all):len(all)], Series{Name: l.idealName(), Values: l.Ideal})
	}
	return all
}

func (l Line) yValues() [][]float64 {
	var out [][]float64
	for _, s := range l.all() {
		out = append(out, s.Values)
	}
	return out
}

func (l Line) validate() error {
	if len(l.X) == 0 {
		return fmt.Errorf("chart: Line: X is empty: give at least one x value")
	}
	for i, x := range l.X {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("chart: Line: X[%d] is %v", i, x)
		}
	}
	return checkSeries("Line", len(l.X), "x value", l.all())
}

// Table implements Chart.
func (l Line) Table() (string, error) {
	if err := l.validate(); err != nil {
		return "", err
	}
	xName := l.XName
	if xName == "" {
		xName = "x"
	}
	header := []string{xName}
	for _, s := range l.all() {
		header = append(header, s.Name)
	}
	rows := make([][]string, len(l.X))
	for i, x := range l.X {
		rows[i] = []string{formatNumber(x)}
		for _, s := range l.all() {
			rows[i] = append(rows[i], formatNumber(s.Values[i]))
		}
	}
	title := l.Title
	if l.YName != "" {
		title += " — " + l.YName
	}
	return table(title, header, rows), nil
}

func (l Line) build() (string, echartsChart, error) {
	if err := l.validate(); err != nil {
		return "", nil, err
	}
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: l.Title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		// The legend sits under the plot so it never covers the value axis' name.
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Top: "70", Bottom: "80", Left: "12", Right: "24", ContainLabel: opts.Bool(true)}),
		// X values such as worker counts start at 1, not 0: let the axis start at the data.
		// Counts get whole-number ticks only.
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: l.XName, NameLocation: "middle", NameGap: 28,
			Min: "dataMin", Max: "dataMax", MinInterval: minInterval(l.X)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: l.YName, MinInterval: minInterval(l.yValues()...)}),
		charts.WithAnimation(false),
	)
	points := func(values []float64) []opts.LineData {
		data := make([]opts.LineData, len(values))
		for i, v := range values {
			data[i] = opts.LineData{Value: []float64{l.X[i], v}}
		}
		return data
	}
	names := make([]string, len(l.Series))
	for i, s := range l.Series {
		names[i] = s.Name
	}
	colors := colorsFor(names)
	for i, s := range l.Series {
		c.AddSeries(s.Name, points(s.Values),
			charts.WithLineStyleOpts(opts.LineStyle{Color: colors[i], Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[i]}))
	}
	if len(l.Ideal) > 0 {
		c.AddSeries(l.idealName(), points(l.Ideal),
			charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Color: "#888"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#888"}))
	}
	return l.Title, c, nil
}
