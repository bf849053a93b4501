package browsertest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestProbe(t *testing.T) {
	url := os.Getenv("PROBE_URL")
	if url == "" {
		t.Skip()
	}
	b := startBrowser(t)
	tab, cancel := b.newTab()
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	waitFor(tab, `document.body.getAttribute("data-labkit-deck") === "ready"`, 20e9)
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](os.Getenv("PROBE_JS")))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(s)
	_ = context.Background
}
