package chart

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/timeline"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Timeline is a Gantt chart of spans: one row per lane, time in milliseconds across.
// Spans that were cut short (cancelled) are drawn faded with a dashed border.
type Timeline struct {
	Title string
	Spans []timeline.Span
	// Lanes, if not empty, are the rows top to bottom, and every span's lane must be one
	// of them; else the rows are the lanes in order of first appearance in Spans.
	Lanes []string
	// ColorByLabel gives each distinct label its own colour (in order of first appearance
	// in Spans) instead of each lane, and writes the label inside every bar wide enough to
	// hold it: for lanes that are places (a processor) and labels that are the things
	// moving between them (goroutines), so one thing keeps its colour on every lane.
	ColorByLabel bool
	// Text, if not empty, is what Table prints under the title instead of the summary
	// line and one row per span: for timelines with too many spans to list one by one,
	// whose numbers are better given per lane (e.g. a runtime trace).
	Text string
}

// Table implements Chart: the summary line, then one row per span (or Text, if set).
func (t Timeline) Table() (string, error) {
	if _, err := t.lanes(); err != nil {
		return "", err
	}
	st := timeline.Summarize(t.Spans)
	if t.Text != "" {
		return t.Title + "\n" + strings.TrimRight(t.Text, "\n") + "\n", nil
	}
	return fmt.Sprintf("%s\n%s\n%s", t.Title, st, timeline.Table(t.Spans)), nil
}

var palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

// renderItem draws each span as a bar on its lane's row (at least 3 px wide, without a
// border, so a very short span stays visible), with its label written inside when value 5
// asks for it and the bar is wide enough; it uses only the api object, not the echarts
// global, which RequireJS pages do not define. Single quotes only: see funcMarkers.
const renderItem = `function (params, api) {
  var lane = api.value(0);
  var a = api.coord([api.value(1), lane]), b = api.coord([api.value(2), lane]);
  var h = api.size([0, 1])[1] * 0.6, w = b[0] - a[0], tiny = w < 4;
  var cut = api.value(4) === 1, label = String(api.value(3));
  var bar = { type: 'rect',
    shape: { x: a[0], y: a[1] - h / 2, width: tiny ? 3 : w, height: h },
    style: { fill: api.visual('color'), opacity: cut ? 0.45 : 0.9,
             stroke: tiny ? null : (cut ? '#333' : '#fff'), lineWidth: 1, lineDash: cut ? [4, 3] : null } };
  if (api.value(5) !== 1 || w < label.length * 6 + 8) { return bar; }
  return { type: 'group', children: [bar, { type: 'text',
    style: { x: a[0] + 4, y: a[1], text: label, fill: '#222', font: '11px sans-serif', verticalAlign: 'middle' } }] };
}`

const tooltip = `function (p) {
  var v = p.value;
  return p.name + '<br/>' + v[1].toFixed(2) + ' → ' + v[2].toFixed(2) + ' ms (' + (v[2] - v[1]).toFixed(2) + ' ms)' + (v[4] === 1 ? ' — cut short' : '');
}`

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// lanes validates t and returns its rows, top to bottom.
func (t Timeline) lanes() ([]string, error) {
	if len(t.Spans) == 0 {
		return nil, errors.New("chart: Timeline: no spans recorded")
	}
	lanes := t.Lanes
	if len(lanes) == 0 {
		lanes = timeline.Lanes(t.Spans)
	}
	known := make(map[string]bool, len(lanes))
	for _, l := range lanes {
		known[l] = true
	}
	for _, s := range t.Spans {
		if s.End < s.Start {
			return nil, fmt.Errorf("chart: Timeline: span %q on lane %q ends before it starts", s.Label, s.Lane)
		}
		if !known[s.Lane] {
			return nil, fmt.Errorf("chart: Timeline: span %q is on lane %q, which is not in Lanes %q", s.Label, s.Lane, lanes)
		}
	}
	return lanes, nil
}

func (t Timeline) build() (string, echartsChart, error) {
	lanes, err := t.lanes()
	if err != nil {
		return "", nil, err
	}
	index := make(map[string]int, len(lanes))
	for i, l := range lanes {
		index[l] = i
	}
	// Bars coloured by label name their label: the lane no longer says what they are.
	colorIndex, showLabel := func(s timeline.Span) int { return index[s.Lane] }, 0
	if t.ColorByLabel {
		showLabel = 1
		labels := map[string]int{}
		for _, s := range t.Spans {
			if _, ok := labels[s.Label]; !ok {
				labels[s.Label] = len(labels)
			}
		}
		colorIndex = func(s timeline.Span) int { return labels[s.Label] }
	}
	data := make([]opts.CustomData, len(t.Spans))
	for i, s := range t.Spans {
		cut := 0
		if s.Cut {
			cut = 1
		}
		data[i] = opts.CustomData{
			Name:      s.Lane + ": " + s.Label,
			Value:     []any{index[s.Lane], ms(s.Start), ms(s.End), s.Label, cut, showLabel},
			ItemStyle: &opts.ItemStyle{Color: palette[colorIndex(s)%len(palette)]},
		}
	}
	c := charts.NewCustom()
	c.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Title: t.Title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Formatter: opts.FuncOpts(tooltip)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "ms", Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: lanes, Inverse: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		// Long lane names push the plot right instead of being cut at the chart's edge.
		charts.WithGridOpts(opts.Grid{Top: "60", Bottom: "40", Left: "12", Right: "48", ContainLabel: opts.Bool(true)}),
		charts.WithAnimation(false),
	)
	// encode tells ECharts which values are x (start, end) and y (lane); without it the axes
	// are sized from the first two values, lane and start, and the x axis spans the lanes.
	c.AddSeries("spans", data, charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(renderItem)}),
		charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}))
	return t.Title, c, nil
}
