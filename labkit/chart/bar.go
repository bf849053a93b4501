package chart

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Bar is a grouped bar chart: one group per category, one bar per series.
type Bar struct {
	Title      string
	Unit       string // what the values measure, e.g. "ms" or "ops/s"; labels the value axis
	Categories []string
	Series     []Series
}

// Table implements Chart.
func (b Bar) Table() (string, error) {
	if err := b.validate(); err != nil {
		return "", err
	}
	header := []string{""}
	for _, s := range b.Series {
		header = append(header, s.Name+unitSuffix(b.Unit))
	}
	rows := make([][]string, len(b.Categories))
	for i, c := range b.Categories {
		rows[i] = []string{c}
		for _, s := range b.Series {
			rows[i] = append(rows[i], formatNumber(s.Values[i]))
		}
	}
	return table(b.Title, header, rows), nil
}

func (b Bar) validate() error {
	if len(b.Categories) == 0 {
		return fmt.Errorf("chart: Bar: Categories is empty: name at least one category")
	}
	return checkSeries("Bar", len(b.Categories), "category", b.Series)
}

func (b Bar) build() (string, echartsChart, error) {
	if err := b.validate(); err != nil {
		return "", nil, err
	}
	c := charts.NewBar()
	c.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: b.Title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(b.Series) > 1), Bottom: "0"}),
		// containLabel: the plot shrinks to fit the labels instead of clipping a long one.
		charts.WithGridOpts(opts.Grid{Top: "70", Bottom: "45", Left: "12", Right: "24", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Name: b.Unit, MinInterval: minInterval(b.values()...)}),
		// Every category is labelled (ECharts would otherwise skip some when crowded),
		// turned when they would overlap.
		charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: categoryTilt(b.Categories)}}),
		charts.WithAnimation(false),
	)
	c.SetXAxis(b.Categories)
	// One series over Go and Python categories: each bar in its language's colour.
	byCategory := len(b.Series) == 1 && comparesLanguages(b.Categories)
	barColors := colorsFor(b.Categories)
	names := make([]string, len(b.Series))
	for i, s := range b.Series {
		names[i] = s.Name
	}
	seriesColors := colorsFor(names)
	tiny := tinyBars(b.Series)
	for k, s := range b.Series {
		data := make([]opts.BarData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.BarData{Value: v}
			if byCategory {
				data[i].ItemStyle = &opts.ItemStyle{Color: barColors[i]}
			}
			// A bar a few pixels high says nothing: its number, written above it, does.
			if tiny[k][i] {
				data[i].Label = &opts.Label{Show: opts.Bool(true), Position: "top", Formatter: formatNumber(v), Color: "#333"}
			}
		}
		c.AddSeries(s.Name, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColors[k]}))
	}
	return b.Title, c, nil
}

func (b Bar) values() [][]float64 {
	out := make([][]float64, len(b.Series))
	for i, s := range b.Series {
		out[i] = s.Values
	}
	return out
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " (" + unit + ")"
}
