package browsertest

import (
	"context"
	"fmt"

	"github.com/chromedp/chromedp"
)

// ChartOptions is what one drawn chart's ECharts option says about its legibility, read
// back from the page (the options ECharts actually holds, after merging defaults).
type ChartOptions struct {
	Type           string            // the first series' type: bar, line, custom (a timeline)
	ContainLabel   bool              // grid.containLabel: the plot shrinks to fit its axis labels
	XMinInterval   float64           // xAxis.minInterval (1: whole-number ticks)
	YMinInterval   float64           // yAxis.minInterval
	XLabelRotate   float64           // xAxis.axisLabel.rotate, degrees
	XLabels        int               // category labels ECharts drew
	XLabelsClipped int               // of those, labels drawn outside the chart's box
	LabelledBars   []string          // "series/category" of bars whose value is written on them
	Colors         map[string]string // series name (or, for one bar series, category) -> colour
	Drawn          bool              // a canvas with pixels painted
	Width, Height  int               // the canvas' size
	Title          string
}

// jsChartOptions reads every .labkit-chart in the page. Category labels are checked against
// the chart's own box with ECharts' label elements (getZr's displayed text).
const jsChartOptions = `(function () {
  var ec = window.echarts;
  return Array.prototype.map.call(document.querySelectorAll(".labkit-chart"), function (el) {
    var inst = ec && ec.getInstanceByDom(el), r = {Colors: {}, LabelledBars: [], XLabels: 0, XLabelsClipped: 0};
    if (!inst) { return r; }
    var o = inst.getOption(), s0 = o.series[0] || {}, x = (o.xAxis || [])[0] || {}, y = (o.yAxis || [])[0] || {};
    r.Type = s0.type || ""; r.Title = ((o.title || [])[0] || {}).text || "";
    r.ContainLabel = !!((o.grid || [])[0] || {}).containLabel;
    r.XMinInterval = x.minInterval || 0; r.YMinInterval = y.minInterval || 0;
    r.XLabelRotate = (x.axisLabel || {}).rotate || 0;
    var cats = x.data || [];
    o.series.forEach(function (s) {
      var style = (s.itemStyle || {}).color;
      if (style) { r.Colors[s.name] = style; }
      (s.data || []).forEach(function (d, i) {
        if (d && d.itemStyle && d.itemStyle.color && o.series.length === 1) { r.Colors[cats[i]] = d.itemStyle.color; }
        if (d && d.label && d.label.show) { r.LabelledBars.push(s.name + "/" + cats[i]); }
      });
    });
    var w = inst.getWidth(), h = inst.getHeight();
    inst.getZr().storage.getDisplayList(true).forEach(function (e) {
      if ((e.type !== "text" && e.type !== "tspan") || !e.style || !cats.some(function (c) { return c === e.style.text; })) { return; }
      r.XLabels++;
      var b = e.getBoundingRect().clone(); if (e.transform) { b.applyTransform(e.transform); }
      if (b.x < -1 || b.y < -1 || b.x + b.width > w + 1 || b.y + b.height > h + 1) { r.XLabelsClipped++; }
    });
    var cv = el.querySelector("canvas");
    if (cv) {
      r.Width = cv.width; r.Height = cv.height;
      var d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
      for (var i = 3; i < d.length; i += 64) { if (d[i]) { r.Drawn = true; break; } }
    }
    return r;
  });
})()`

// ReadCharts opens the page at url (a chart file chart.Show wrote, or any page with labkit
// charts), waits until its charts are drawn, saves a screenshot to shot (if not empty) and
// returns what each chart's options say.
func (b *Browser) ReadCharts(ctx context.Context, url, shot string) ([]ChartOptions, []string, error) {
	tab, w, closeTab, err := b.openWatchedTab(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer closeTab()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1000, 460), chromedp.Navigate(url)); err != nil {
		return nil, nil, fmt.Errorf("browsertest: open %s: %w", url, err)
	}
	if _, err := settledCharts(tab, "document"); err != nil {
		return nil, nil, err
	}
	opts, err := chromedp.Run(tab, chromedp.Evaluate[[]ChartOptions](jsChartOptions))
	if err != nil {
		return nil, nil, fmt.Errorf("browsertest: read chart options: %w", err)
	}
	if shot != "" {
		if err := screenshot(tab, shot); err != nil {
			return nil, nil, err
		}
	}
	return opts, w.take(), nil
}
