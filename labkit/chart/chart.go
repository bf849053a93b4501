// Package chart draws the lab's bar, line and timeline charts with go-echarts and prints
// the same numbers as a text table.
//
// [Show] displays a chart inline when the code runs in a GoNB cell and writes a standalone
// HTML file anywhere else. Every chart is also printed as text, so a reader without
// JavaScript, an exported deck and a test all see the numbers. The browser loads ECharts
// itself, from [nb.EChartsURL], through RequireJS where the page has it (classic Notebook,
// nbconvert HTML and slides) and through a script tag where it does not (JupyterLab).
package chart

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-concurrency-lab/lab/labkit/nb"
)

// Chart is anything Show can draw: the types in this package.
type Chart interface {
	// Table returns the chart's numbers as aligned text (the chart's title first).
	Table() (string, error)
	// build validates the chart and returns the go-echarts chart behind it.
	build() (title string, c echartsChart, err error)
}

// Series is a named list of values, one per category (Bar) or per X value (Line).
type Series struct {
	Name   string
	Values []float64
}

// Height is the height of every chart in the page, in pixels.
const Height = 380

// Show prints c's numbers as a table and draws it: inline in a notebook, or, outside one,
// in an HTML file under OutputDir() whose path it prints.
//
// Show panics if c is nil or invalid (no series, a series without a name, lengths that
// disagree, a value that is not a number): like [regexp.MustCompile] with a constant
// pattern, a chart a cell builds is either right or a bug to fix, so a notebook calls
// Show without checking an error. Outside a notebook, a chart file that cannot be written
// is reported on stderr; the table has been printed already.
func Show(c Chart) {
	page, title, err := render(c)
	if err != nil {
		panic(err)
	}
	table, _ := c.Table() // render checked it
	fmt.Print(table)
	if nb.HTML(page) {
		return
	}
	path, err := writeStandalone(title, page)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Printf("chart written to %s\n", path)
}

// render validates c and returns the fragment Show displays in a notebook: a container and
// the script that loads ECharts and draws into it. Each call yields a fresh element id, so
// the same chart can be shown many times in one page.
func render(c Chart) (page, title string, err error) {
	if c == nil {
		return "", "", errors.New("chart: Show: chart is nil")
	}
	if _, err := c.Table(); err != nil {
		return "", "", err
	}
	return renderHTML(c)
}

// echartsChart is the part of every go-echarts chart that yields its option object.
type echartsChart interface {
	Validate()
	JSONNotEscaped() template.HTML
}

// funcMarkers wrap JavaScript functions (opts.FuncOpts) inside the option JSON; removing
// them with their quotes turns the strings back into code. go-echarts' own RenderSnippet
// (v2.6.7) HTML-escapes before stripping them, leaving functions as strings, so labkit
// takes the JSON directly. Functions must therefore use single quotes only.
var funcMarkers = regexp.MustCompile(`"__f__|__f__"|__f__`)

func optionJSON(c echartsChart) string {
	c.Validate()
	return strings.TrimSpace(funcMarkers.ReplaceAllString(string(c.JSONNotEscaped()), ""))
}

func renderHTML(c Chart) (page, title string, err error) {
	title, ec, err := c.build()
	if err != nil {
		return "", "", err
	}
	option := optionJSON(ec)
	id := nb.UniqueID("labkit-chart-")
	return fragment(id, option, nb.EChartsURL()), title, nil
}

// fragment is the HTML drawn for one chart. The script is self-contained (no globals but
// a shared loading promise) because notebooks re-run cells and show charts repeatedly.
func fragment(id, optionJSON, url string) string {
	// "</" inside the inline script would end it early; "<\/" means the same to JavaScript.
	safeOption := strings.ReplaceAll(optionJSON, "</", `<\/`)
	return fmt.Sprintf(`<div class="labkit-chart" id="%[1]s" style="width:100%%;max-width:960px;height:%[4]dpx;"></div>
<script type="text/javascript">
(function () {
  var id = %[2]q, url = %[3]q;
  var el = document.getElementById(id) ||
      (document.currentScript && document.currentScript.parentNode.querySelector("#" + id));
  var option = %[5]s;
  if (!el) { console.warn("labkit: chart container " + id + " not found"); return; }
  function fail(why) {
    el.style.height = "auto";
    el.innerHTML = '<p class="labkit-chart-error" style="color:#a33;font-family:sans-serif">Chart not drawn: ' +
      why + ' (ECharts from ' + url + '). Its numbers are printed as text beside it; ' +
      'set LABKIT_ECHARTS_URL to a reachable copy of echarts.min.js.</p>';
  }
  function draw(echarts) {
    try {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      if (window.ResizeObserver) { new ResizeObserver(function () { chart.resize(); }).observe(el); }
    } catch (e) { fail(String(e)); }
  }
  if (window.echarts && window.echarts.init) { draw(window.echarts); return; }
  if (typeof window.requirejs === "function" && typeof window.define === "function" && window.define.amd) {
    window.requirejs.config({ paths: { "labkit-echarts": url.replace(/\.js$/, "") } });
    window.requirejs(["labkit-echarts"], draw, function (err) { fail("could not load ECharts: " + err); });
    return;
  }
  if (!window.labkitEChartsLoading) {
    window.labkitEChartsLoading = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = url;
      s.onload = function () {
        if (window.echarts) { resolve(window.echarts); } else { reject(new Error("window.echarts missing")); }
      };
      s.onerror = function () { window.labkitEChartsLoading = null; reject(new Error("network error")); };
      document.head.appendChild(s);
    });
  }
  window.labkitEChartsLoading.then(draw, function (e) { fail("could not load ECharts: " + e.message); });
})();
</script>
`, id, id, url, Height, safeOption)
}

// OutputDir is where Show writes charts outside a notebook: LABKIT_CHART_DIR if set,
// else a labkit-charts folder in the system temporary directory.
func OutputDir() string {
	if d := os.Getenv("LABKIT_CHART_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "labkit-charts")
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9]+`)

func writeStandalone(title, fragment string) (string, error) {
	dir := OutputDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("chart: Show: %w", err)
	}
	slug := strings.Trim(strings.ToLower(unsafeName.ReplaceAllString(title, "-")), "-")
	if slug == "" {
		slug = "chart"
	}
	if len(slug) > 60 {
		slug = slug[:60]
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.html", slug, time.Now().Format("150405.000000")))
	page := fmt.Sprintf("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body>\n%s</body></html>\n",
		html.EscapeString(title), fragment)
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		return "", fmt.Errorf("chart: Show: %w", err)
	}
	return path, nil
}

// formatNumber prints v with about four significant digits and no exponent for the
// magnitudes the lab produces.
func formatNumber(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Sprint(v)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 1000:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.1f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.2f", v)
	case math.Abs(v) >= 0.01:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// table lays out rows under a header with columns right-aligned (the first left-aligned).
func table(title string, header []string, rows [][]string) string {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len(h)
	}
	for _, r := range rows {
		for i, cell := range r {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	if title != "" {
		b.WriteString(title + "\n")
	}
	line := func(cells []string) {
		for i, cell := range cells {
			if i == 0 {
				fmt.Fprintf(&b, "%-*s", widths[i], cell)
			} else {
				fmt.Fprintf(&b, "  %*s", widths[i], cell)
			}
		}
		b.WriteString("\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

func checkSeries(kind string, n int, what string, series []Series) error {
	if len(series) == 0 {
		return fmt.Errorf("chart: %s: Series is empty: add at least one series", kind)
	}
	for i, s := range series {
		if s.Name == "" {
			return fmt.Errorf("chart: %s: Series[%d] has no Name", kind, i)
		}
		if len(s.Values) != n {
			return fmt.Errorf("chart: %s: Series %q has %d values, want one per %s (%d)", kind, s.Name, len(s.Values), what, n)
		}
		for j, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("chart: %s: Series %q value %d is %v", kind, s.Name, j, v)
			}
		}
	}
	return nil
}
