package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// PDFReport is what PrintDeck made of one deck.
type PDFReport struct {
	Name      string
	PDF       string
	Slides    int     // slides in the deck, as reveal.js counts them
	Pages     int     // pages in the PDF (pdfinfo)
	ChartPage int     // the page with the deck's first chart, counted from 1; 0: the deck has none
	Ink       float64 // share of that chart's area painted in colour on the page rendered from the PDF
	PNG       string  // that page, rendered by pdftoppm
	Problems  []string
}

// minInk is the least share of a chart's area a drawn chart paints in colour: its bars or
// lines. A chart printed before ECharts drew it is white with at most a grey frame.
const minInk = 0.002

// jsPrintLayout reads a deck opened with ?print-pdf once reveal.js has laid it out as pages:
// the slide count, the page count, and where the first chart sits on its page (as shares
// of the page, so they hold at any resolution the PDF is rendered at).
const jsPrintLayout = `(function () {
  var pages = document.querySelectorAll(".pdf-page");
  if (!window.Reveal || !Reveal.isReady() || !pages.length) { return null; }
  var r = {Slides: Reveal.getTotalSlides(), Pages: pages.length, ChartPage: 0, X: 0, Y: 0, W: 0, H: 0};
  for (var i = 0; i < pages.length; i++) {
    var c = pages[i].querySelector(".labkit-chart");
    if (!c) { continue; }
    var p = pages[i].getBoundingClientRect(), b = c.getBoundingClientRect();
    r.ChartPage = i + 1;
    r.X = (b.left - p.left) / p.width; r.Y = (b.top - p.top) / p.height;
    r.W = b.width / p.width; r.H = b.height / p.height;
    break;
  }
  return r;
})()`

type printLayout struct {
	Slides, Pages, ChartPage int
	X, Y, W, H               float64
}

// PrintDeck opens the deck at deckPath in reveal.js's print mode (?print-pdf: one page per
// slide), waits until every chart is drawn, prints it to pdfPath with Chromium's own PDF
// printer, and checks the file: as many pages as slides (pdfinfo), and, when pngDir is not
// empty, the first chart's page rendered to a PNG there (pdftoppm) with the chart painted in
// colour. The error is for a browser or tool that could not be driven; a PDF that is wrong is
// reported in PDFReport.Problems.
func (b *Browser) PrintDeck(ctx context.Context, deckPath, pdfPath, pngDir string) (PDFReport, error) {
	name := deckName(deckPath)
	r := PDFReport{Name: name, PDF: pdfPath}
	abs, err := filepath.Abs(deckPath)
	if err != nil {
		return r, err
	}
	tab, w, closeTab, err := b.openWatchedTab(ctx)
	if err != nil {
		return r, err
	}
	defer closeTab()
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+abs+"?print-pdf")); err != nil {
		return r, fmt.Errorf("browsertest: open %s: %w", deckPath, err)
	}
	var layout *printLayout
	var p poll
	for deadline := time.Now().Add(DeckReadyTimeout); layout == nil; {
		if layout, err = chromedp.Run(tab, chromedp.Evaluate[*printLayout](jsPrintLayout)); err != nil {
			return r, fmt.Errorf("browsertest: read the print layout: %w", err)
		}
		if layout == nil && (time.Now().After(deadline) || p.next(tab) != nil) {
			r.Problems = append(r.Problems, "reveal.js did not lay the deck out as pages within "+DeckReadyTimeout.String())
			r.Problems = append(r.Problems, w.take()...)
			return r, nil
		}
	}
	charts, err := settledCharts(tab, "document")
	if err != nil {
		return r, err
	}
	for _, c := range charts {
		if !drawn(c) {
			r.Problems = append(r.Problems, fmt.Sprintf("chart %s %s", c.ID, c.why()))
		}
	}
	// The charts follow their containers' new size (a ResizeObserver): let them repaint.
	if err := sleep(tab, 300*time.Millisecond); err != nil {
		return r, err
	}
	r.Problems = append(r.Problems, w.take()...)
	data, err := chromedp.Run(tab, printToPDF)
	if err != nil {
		return r, fmt.Errorf("browsertest: print %s: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(pdfPath), 0o755); err != nil {
		return r, err
	}
	if err := os.WriteFile(pdfPath, data, 0o644); err != nil {
		return r, err
	}
	r.Slides, r.ChartPage = layout.Slides, layout.ChartPage
	if r.Pages, err = PDFPages(pdfPath); err != nil {
		return r, err
	}
	if r.Pages != r.Slides {
		r.Problems = append(r.Problems, fmt.Sprintf("%d pages for %d slides, want one page per slide", r.Pages, r.Slides))
	}
	if pngDir == "" || r.ChartPage == 0 {
		return r, nil
	}
	r.PNG = filepath.Join(pngDir, name+".pdf-chart.png")
	if r.Ink, err = pageInk(pdfPath, r.ChartPage, r.PNG, *layout); err != nil {
		return r, err
	}
	if r.Ink < minInk {
		r.Problems = append(r.Problems, fmt.Sprintf("page %d: the chart's area is blank in the PDF (%.2f%% painted in colour, want ≥ %.1f%%); see %s",
			r.ChartPage, 100*r.Ink, 100*minInk, r.PNG))
	}
	return r, nil
}

// printToPDF prints the page at the size reveal.js's print stylesheet sets (one slide a
// page), backgrounds included.
func printToPDF(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	yes := true
	res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &yes, PreferCSSPageSize: &yes})
	return res.Data, err
}

func deckName(path string) string {
	base := filepath.Base(path)
	for _, suffix := range []string{".slides.html", ".html"} {
		if n := len(base) - len(suffix); n > 0 && base[n:] == suffix {
			return base[:n]
		}
	}
	return base
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// ErrNoPoppler is returned where pdfinfo or pdftoppm (Debian: poppler-utils) is missing.
var ErrNoPoppler = errors.New("browsertest: pdfinfo/pdftoppm not found (Debian: apt-get install poppler-utils)")

// PDFPages is the page count of a PDF file, as pdfinfo reads it.
func PDFPages(path string) (int, error) {
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		return 0, ErrNoPoppler
	}
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("browsertest: pdfinfo %s: %w: %s", path, err, bytes.TrimSpace(out))
	}
	m := pagesLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("browsertest: pdfinfo %s printed no page count:\n%s", path, out)
	}
	return strconv.Atoi(string(m[1]))
}

// pageInk renders one page of the PDF to pngPath with pdftoppm and returns the share of the
// chart's box (from the print layout) painted in colour: pixels whose channels differ, as
// ECharts' series colours do and black text and grey axes do not.
func pageInk(pdfPath string, pageNo int, pngPath string, l printLayout) (float64, error) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return 0, ErrNoPoppler
	}
	if err := os.MkdirAll(filepath.Dir(pngPath), 0o755); err != nil {
		return 0, err
	}
	n := strconv.Itoa(pageNo)
	prefix := pngPath[:len(pngPath)-len(".png")]
	if out, err := exec.Command("pdftoppm", "-f", n, "-l", n, "-r", "48", "-png", "-singlefile", pdfPath, prefix).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("browsertest: pdftoppm %s page %d: %w: %s", pdfPath, pageNo, err, bytes.TrimSpace(out))
	}
	f, err := os.Open(pngPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("browsertest: %s: %w", pngPath, err)
	}
	return colourShare(img, l.X, l.Y, l.W, l.H), nil
}

// colourShare is the share of the box (x, y, w, h as shares of the image) whose pixels are
// coloured.
func colourShare(img image.Image, x, y, w, h float64) float64 {
	bd := img.Bounds()
	fx := func(s float64) int { return bd.Min.X + int(s*float64(bd.Dx())) }
	fy := func(s float64) int { return bd.Min.Y + int(s*float64(bd.Dy())) }
	box := image.Rect(fx(x), fy(y), fx(x+w), fy(y+h)).Intersect(bd)
	if box.Empty() {
		return 0
	}
	coloured := 0
	for py := box.Min.Y; py < box.Max.Y; py++ {
		for px := box.Min.X; px < box.Max.X; px++ {
			r, g, b, _ := img.At(px, py).RGBA()
			hi, lo := max(r, g, b), min(r, g, b)
			if hi-lo > 40<<8 {
				coloured++
			}
		}
	}
	return float64(coloured) / float64(box.Dx()*box.Dy())
}

// PDFOptions says which decks PrintDecks prints, where, and how many at a time.
type PDFOptions struct {
	Decks []string // deck files (NN_topic.slides.html)
	Out   string   // folder for the PDFs (NN_topic.pdf)
	PNG   string   // folder for each deck's chart page rendered from its PDF; "": not rendered
	Jobs  int      // decks printed at a time, each in its own tab (0: one)
	// RequirePoppler makes a missing pdfinfo/pdftoppm a failure; else each PDF is written
	// and a note says its pages were not checked.
	RequirePoppler bool
}

// PrintDecks prints every deck with PrintDeck and writes to w a line for each, in deck order
// (ok or FAIL, slides, pages, the chart page's ink, time), its problems, and a summary line.
// It returns how many decks failed.
func (b *Browser) PrintDecks(ctx context.Context, o PDFOptions, w io.Writer) (failed int) {
	start := time.Now()
	type printed struct {
		r    PDFReport
		err  error
		took time.Duration
	}
	pages := 0
	for i, res := range InTabs(o.Jobs, len(o.Decks), func(i int) printed {
		t0 := time.Now()
		pdf := filepath.Join(o.Out, deckName(o.Decks[i])+".pdf")
		r, err := b.PrintDeck(ctx, o.Decks[i], pdf, o.PNG)
		return printed{r, err, time.Since(t0)}
	}) {
		r := res.r
		if errors.Is(res.err, ErrNoPoppler) && !o.RequirePoppler {
			fmt.Fprintf(w, "NOTE  %s written, pages not checked: %v\n", r.PDF, res.err)
			continue
		}
		if res.err != nil {
			fmt.Fprintf(w, "FAIL  %s: %v\n", deckName(o.Decks[i]), res.err)
			failed++
			continue
		}
		status := "ok  "
		if len(r.Problems) > 0 {
			status = "FAIL"
			failed++
		}
		chart := "no chart"
		if r.ChartPage > 0 && r.PNG != "" {
			chart = fmt.Sprintf("chart on page %d drawn (%.1f%% of its area in colour)", r.ChartPage, 100*r.Ink)
		}
		fmt.Fprintf(w, "%s  %-34s %3d slides, %3d pages; %s  %4.1fs\n", status, r.PDF, r.Slides, r.Pages, chart, res.took.Seconds())
		for _, p := range r.Problems {
			fmt.Fprintf(w, "        %s\n", p)
		}
		pages += r.Pages
	}
	fmt.Fprintf(w, "slide PDFs: %d decks, %d pages in %s/; %d failed; %.1fs\n", len(o.Decks), pages, o.Out, failed, time.Since(start).Seconds())
	return failed
}

// InTabs runs check(0) … check(n-1), up to tabs of them at a time (each check opens its own
// tab of one Browser), and yields each result in index order as soon as it and those before
// it are done, so a report reads as if they ran one after another. A page renders on one
// thread, so a second tab keeps a second core busy.
func InTabs[T any](tabs, n int, check func(int) T) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		done := make([]chan T, n)
		for i := range done {
			done[i] = make(chan T, 1)
		}
		next := make(chan int)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range max(1, min(tabs, n)) {
			wg.Go(func() {
				for i := range next {
					done[i] <- check(i)
				}
			})
		}
		go func() {
			defer close(next)
			for i := range n {
				select {
				case next <- i:
				case <-stop: // the caller stopped reading: hand out no more
					return
				}
			}
		}()
		defer wg.Wait()
		defer close(stop)
		for i := range n {
			if !yield(i, <-done[i]) {
				return
			}
		}
	}
}
