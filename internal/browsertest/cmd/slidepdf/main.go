// Command slidepdf prints every exported slide deck (make slides) to a PDF with the system
// Chromium, one page per slide, and checks each: as many pages as slides, and the first
// chart's page rendered to a PNG (pdftoppm) with the chart drawn on it. `make pdf` runs it;
// so does the browser step of `make test`. It never downloads a browser: without Chromium it
// says SKIPPED and exits 77, unless -require-browser (CI sets LAB_REQUIRE_BROWSER=1).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/go-concurrency-lab/lab/internal/browsertest"
)

func main() {
	decks := flag.String("decks", "build/slides", "folder of exported decks (*.slides.html)")
	out := flag.String("out", "build/pdf", "folder for the PDFs (NN_topic.pdf)")
	shots := flag.String("png", "build/browser", "folder for each deck's chart page rendered from its PDF; empty: do not render")
	only := flag.String("only", "", "space-separated deck names (NN_topic) to print; empty: every deck")
	jobs := flag.Int("jobs", 2, "decks printed at a time (tabs of one browser)")
	requireBrowser := flag.Bool("require-browser", os.Getenv("LAB_REQUIRE_BROWSER") == "1", "fail (instead of skipping) when no Chromium is installed")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, *decks, *out, *shots, strings.Fields(*only), max(1, *jobs), *requireBrowser))
}

func run(ctx context.Context, decks, out, shots string, only []string, jobs int, requireBrowser bool) int {
	paths, _ := filepath.Glob(filepath.Join(decks, "*.slides.html"))
	if len(only) > 0 {
		paths = slices.DeleteFunc(paths, func(p string) bool {
			return !slices.Contains(only, strings.TrimSuffix(filepath.Base(p), ".slides.html"))
		})
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		fmt.Printf("FAIL  no decks in %s (run make slides)\n", decks)
		return 1
	}
	b, err := browsertest.Start(ctx)
	if errors.Is(err, browsertest.ErrNoChromium) && !requireBrowser {
		fmt.Printf("SKIPPED slide PDFs: %v\n", err)
		return 77
	}
	if err != nil {
		fmt.Println("FAIL", err)
		return 1
	}
	defer b.Close()

	failed := b.PrintDecks(ctx, browsertest.PDFOptions{Decks: paths, Out: out, PNG: shots, Jobs: jobs, RequirePoppler: requireBrowser}, os.Stdout)
	if failed > 0 {
		return 1
	}
	return 0
}
