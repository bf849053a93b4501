//go:build linux

package browsertest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// jsRISEDeck reads the deck in jupyterlab-rise's preview frame: nil until the frame's
// reveal.js is ready, then the slide count and the first slide's heading if it is on screen.
const jsRISEDeck = `(function () {
  var f = document.querySelector('iframe[src*="/rise/"]'), d = f && f.contentDocument;
  var deck = d && d.querySelector(".reveal.ready");
  if (!deck) { return null; }
  var leaves = Array.prototype.filter.call(deck.querySelectorAll(".slides section"), function (s) { return !s.querySelector("section"); });
  var first = leaves[0], h = first && first.querySelector("h1, h2, h3"), title = "", shown = false;
  if (h) {
    var r = h.getBoundingClientRect(), st = f.contentWindow.getComputedStyle(h);
    title = h.textContent.replace(/\s*¶\s*$/, "").trim();
    shown = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < f.contentWindow.innerHeight &&
            st.visibility !== "hidden" && st.display !== "none" && first.classList.contains("present");
  }
  var blank = leaves.filter(function (s) { return !s.textContent.trim() && !s.querySelector("img, canvas, svg"); }).length;
  return {URL: f.src.replace(/token=[^&]*/, "token=…"), Slides: leaves.length, Blank: blank, Title: title, Shown: shown};
})()`

// CheckRISE opens the notebook in JupyterLab, presses jupyterlab-rise's toolbar button
// ("Render as Reveal Slideshow", which opens the live deck in a panel beside the
// notebook), and checks that reveal.js starts in that panel with at least one slide, that
// the first slide's heading is on screen and that it is the notebook's first heading, and
// that no slide is blank. It
// saves a screenshot. Jupyter is shut down at the end as in CheckLive.
func (b *Browser) CheckRISE(ctx context.Context, o LiveOptions) (r SlidesReport, err error) {
	l, err := b.openLab(ctx, o, true)
	if err != nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	r.FrontEnd = l.front.name
	if p := l.openNotebook(); p != "" {
		r.Problems = append(r.Problems, p)
		return r, nil
	}
	want, err := chromedp.Run(l.tab, chromedp.Evaluate[string](jsLabNotebook+`.content.widgets.map(function (c) {
	  var h = c.model.type === "markdown" && c.model.sharedModel.getSource().match(/^#{1,3} +(.+)$/m); return h ? h[1].trim() : "";
	}).filter(Boolean)[0] || ""`))
	if err != nil {
		return r, fmt.Errorf("browsertest: read the notebook's first heading: %w", err)
	}
	button := jsLabNotebook + `.toolbar.node.querySelector('[data-jp-item-name="RISE-button"]')`
	if err := mouseClick(l.tab, button); err != nil {
		return r, fmt.Errorf("browsertest: press jupyterlab-rise's toolbar button (is jupyterlab-rise installed?): %w", err)
	}
	type deck struct {
		URL    string
		Slides int
		Blank  int
		Title  string
		Shown  bool
	}
	var d *deck
	for deadline := time.Now().Add(DeckReadyTimeout * 2); d == nil || !d.Shown; {
		if d, err = chromedp.Run(l.tab, chromedp.Evaluate[*deck](jsRISEDeck)); err != nil {
			return r, fmt.Errorf("browsertest: read the RISE deck: %w", err)
		}
		if time.Now().After(deadline) || sleep(l.tab, 300*time.Millisecond) != nil {
			break
		}
	}
	switch {
	case d == nil:
		r.Problems = append(r.Problems, fmt.Sprintf("no RISE deck with reveal.js ready within %s of pressing the RISE button", DeckReadyTimeout*2))
	default:
		r.URL, r.Slides, r.Title = d.URL, d.Slides, d.Title
		if d.Slides == 0 {
			r.Problems = append(r.Problems, "the RISE deck has no slides")
		}
		if d.Blank > 0 { // jupyterlab-rise has had releases that left markdown cells out of the deck
			r.Problems = append(r.Problems, fmt.Sprintf("%d of %d slides hold no text or image", d.Blank, d.Slides))
		}
		if !d.Shown {
			r.Problems = append(r.Problems, fmt.Sprintf("the first slide's heading %q is not on screen", d.Title))
		}
		if want != "" && d.Title != want {
			r.Problems = append(r.Problems, fmt.Sprintf("the first slide's heading is %q, want the notebook's first heading %q", d.Title, want))
		}
	}
	_ = sleep(l.tab, 500*time.Millisecond)
	r.Screenshot = filepath.Join(l.o.OutDir, "live-rise-"+strings.TrimSuffix(l.name, ".ipynb")+".png")
	if err := screenshot(l.tab, r.Screenshot); err != nil {
		return r, err
	}
	r.Problems, r.Notes = l.sortBrowserProblems(r.Problems, r.Notes)
	for _, p := range r.Problems {
		if strings.Contains(p, "fonts.googleapis.com") {
			r.Problems = append(r.Problems, `jupyterlab-rise's default reveal.js theme "simple" loads its fonts from Google; `+
				`theme "white" ships its own: set {"jupyterlab-rise:plugin": {"theme": "white"}} in <sys.prefix>/share/jupyter/lab/settings/overrides.json`)
			break
		}
	}
	return r, nil
}
