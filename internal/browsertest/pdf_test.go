package browsertest

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestColourShareCountsColouredPixelsInTheBox(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for y := range 100 {
		for x := range 100 {
			img.Set(x, y, color.White)
			if x < 50 && y < 10 { // black text: ink, but not colour
				img.Set(x, y, color.Black)
			}
			if x >= 50 && y >= 50 && x < 75 { // a blue bar in the bottom right quarter
				img.Set(x, y, color.RGBA{0x1f, 0x77, 0xb4, 0xff})
			}
		}
	}
	if got := colourShare(img, 0.5, 0.5, 0.5, 0.5); got != 0.5 {
		t.Errorf("bottom right quarter: %.3f in colour, want 0.5", got)
	}
	if got := colourShare(img, 0, 0, 0.5, 0.5); got != 0 {
		t.Errorf("top left quarter (black text only): %.3f in colour, want 0", got)
	}
}

// printDeck is a small reveal.js deck (the npm copy make setup installs): three slides, the
// second with a chart (a canvas painted red when drawn is true).
func printDeck(t *testing.T, drawn bool) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	reveal := filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "reveal.js", "dist")
	if _, err := os.Stat(filepath.Join(reveal, "reveal.js")); err != nil {
		t.Skipf("SKIP: no reveal.js in node_modules (make setup): %v", err)
	}
	paint := ""
	if drawn {
		paint = `var x = cv.getContext("2d"); x.fillStyle = "#d62728"; x.fillRect(20, 40, 120, 140);`
	}
	deck := fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://%[1]s/reveal.css"><link rel="stylesheet" href="file://%[1]s/theme/white.css">
<script src="file://%[1]s/reveal.js"></script></head>
<body><div class="reveal"><div class="slides">
<section><h1>One</h1></section>
<section><section><h2>Two</h2><div class="labkit-chart" style="width:400px;height:200px"><canvas width="400" height="200"></canvas></div></section>
<section><h2>Three</h2></section></section>
</div></div>
<script>
var cv = document.querySelector("canvas"); %[2]s
Reveal.initialize({width: 1120, height: 700, slideNumber: "c/t", pdfSeparateFragments: false, pdfMaxPagesPerSlide: 1});
</script>
<style>html.print-pdf .reveal .slides .pdf-page:last-child { page-break-after: avoid; break-after: avoid; }</style>
</body></html>`, reveal, paint)
	path := filepath.Join(t.TempDir(), "deck.slides.html")
	if err := os.WriteFile(path, []byte(deck), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrintDeckOnePagePerSlideWithTheChartDrawn(t *testing.T) {
	b := startBrowser(t)
	old := ChartTimeout
	ChartTimeout = 2 * time.Second // the chart that is never drawn need not be waited for long
	defer func() { ChartTimeout = old }()
	for _, drawn := range []bool{true, false} {
		out := t.TempDir()
		r, err := b.PrintDeck(context.Background(), printDeck(t, drawn), filepath.Join(out, "deck.pdf"), out)
		if err == ErrNoPoppler {
			t.Skipf("SKIP: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Slides != 3 || r.Pages != 3 || r.ChartPage != 2 {
			t.Errorf("drawn %v: slides/pages/chart page = %d/%d/%d, want 3/3/2", drawn, r.Slides, r.Pages, r.ChartPage)
		}
		blank := strings.Contains(strings.Join(r.Problems, "\n"), "blank")
		if drawn && (len(r.Problems) > 0 || r.Ink < minInk) {
			t.Errorf("a drawn chart: ink %.4f, problems %q", r.Ink, r.Problems)
		}
		if !drawn && (!blank || r.Ink != 0) {
			t.Errorf("a chart never drawn: ink %.4f, problems %q; want it reported blank", r.Ink, r.Problems)
		}
	}
}
