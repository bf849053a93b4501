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

// jsRISEOverflow shows each slide of the RISE deck in turn (reveal.js keeps only the slides
// near the current one displayed) and measures its content against the deck's height, in
// screen pixels, then puts every slide back as it was. jupyterlab-rise does not expose
// reveal.js's API to the page, so this works on the DOM alone.
const jsRISEOverflow = `(function () {
  var f = document.querySelector('iframe[src*="/rise/"]'), d = f && f.contentDocument, w = f && f.contentWindow;
  var deck = d && d.querySelector(".reveal.ready"), slides = deck && deck.querySelector(".slides");
  if (!slides) { return null; }
  var limit = Math.min(slides.getBoundingClientRect().height, w.innerHeight), out = [], scrolls = true;
  var leaves = Array.prototype.filter.call(slides.querySelectorAll("section"), function (s) { return !s.querySelector("section"); });
  leaves.forEach(function (s, i) {
    var saved = [s.style.display, s.parentNode.style.display, s.scrollTop];
    if (s.parentNode.tagName === "SECTION") { s.parentNode.style.display = "block"; }
    s.style.display = "block";
    var top = s.getBoundingClientRect().top, bottom = top;
    Array.prototype.forEach.call(s.children, function (c) { bottom = Math.max(bottom, c.getBoundingClientRect().bottom); });
    var tall = Math.round(bottom - top - limit);
    if (tall > 2) {
      var oy = w.getComputedStyle(s).overflowY, h = s.querySelector("h1, h2, h3");
      var what = (h ? h.textContent : s.textContent).replace(/\s*¶\s*/g, " ").replace(/\s+/g, " ").trim().slice(0, 60);
      out.push("slide " + (i + 1) + " \"" + what + "\" is " + tall + " px taller than the screen" + (oy === "auto" || oy === "scroll" ? " (scrolls)" : " (cut off: no scrolling)"));
      scrolls = scrolls && (oy === "auto" || oy === "scroll");
    }
    s.style.display = saved[0]; s.parentNode.style.display = saved[1]; s.scrollTop = saved[2];
  });
  return {Overflowing: out, Scrolls: scrolls};
})()`

// CheckRISE opens the notebook in JupyterLab, presses jupyterlab-rise's toolbar button
// ("Render as Reveal Slideshow", which opens the live deck in a panel beside the
// notebook), and checks that reveal.js starts in that panel with at least one slide, that
// the first slide's heading is on screen and that it is the notebook's first heading, and
// that no slide is blank. It measures every slide against the screen (Overflowing) and
// fails if one taller than the screen cannot scroll. It
// saves a screenshot. Jupyter is shut down at the end as in CheckLive.
func (b *Browser) CheckRISE(ctx context.Context, o LiveOptions) (r SlidesReport, err error) {
	l, err := b.openLabNotebook(ctx, o, true, &r.FrontEnd, &r.Problems)
	if l == nil {
		return r, err
	}
	defer func() { r.Problems = append(r.Problems, l.close()...) }()
	want, err := chromedp.Run(l.tab, chromedp.Evaluate[string](jsLabNotebook+`.content.widgets.map(function (c) {
	  var h = c.model.type === "markdown" && c.model.sharedModel.getSource().match(/^#{1,3} +(.+)$/m); return h ? h[1].trim() : "";
	}).filter(Boolean)[0] || ""`))
	if err != nil {
		return r, fmt.Errorf("browsertest: read the notebook's first heading: %w", err)
	}
	d, err := l.openRISE()
	if err != nil {
		return r, err
	}
	r.judgeDeck(d, want)
	if d != nil && d.Slides > 0 {
		o, err := chromedp.Run(l.tab, chromedp.Evaluate[*riseOverflow](jsRISEOverflow))
		if err != nil {
			return r, fmt.Errorf("browsertest: measure the RISE slides: %w", err)
		}
		if o != nil {
			r.Overflowing, r.Scrolls = o.Overflowing, o.Scrolls
			if !o.Scrolls {
				r.Problems = append(r.Problems, "slides taller than the screen do not scroll (jupyterlab-rise's scroll setting is off; make setup turns it on)")
			}
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

// riseDeck is what jsRISEDeck reads of the deck in jupyterlab-rise's panel.
type riseDeck struct {
	URL    string
	Slides int
	Blank  int
	Title  string
	Shown  bool
}

// riseOverflow is what jsRISEOverflow measures.
type riseOverflow struct {
	Overflowing []string
	Scrolls     bool
}

// openRISE presses jupyterlab-rise's toolbar button and waits until reveal.js shows the
// deck's first slide; it returns the deck as last read (nil if none came).
func (l *liveLab) openRISE() (d *riseDeck, err error) {
	button := jsLabNotebook + `.toolbar.node.querySelector('[data-jp-item-name="RISE-button"]')`
	if err := mouseClick(l.tab, button); err != nil {
		return nil, fmt.Errorf("browsertest: press jupyterlab-rise's toolbar button (is jupyterlab-rise installed?): %w", err)
	}
	for deadline := time.Now().Add(DeckReadyTimeout * 2); d == nil || !d.Shown; {
		if d, err = chromedp.Run(l.tab, chromedp.Evaluate[*riseDeck](jsRISEDeck)); err != nil {
			return nil, fmt.Errorf("browsertest: read the RISE deck: %w", err)
		}
		if time.Now().After(deadline) || sleep(l.tab, 300*time.Millisecond) != nil {
			break
		}
	}
	return d, nil
}

// judgeDeck records the deck d and checks it: slides, none blank, its first heading on
// screen and the notebook's first heading (want).
func (r *SlidesReport) judgeDeck(d *riseDeck, want string) {
	if d == nil {
		r.Problems = append(r.Problems, fmt.Sprintf("no RISE deck with reveal.js ready within %s of pressing the RISE button", DeckReadyTimeout*2))
		return
	}
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
