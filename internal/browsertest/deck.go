package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// DeckReport is what CheckDeck saw in one slide deck.
type DeckReport struct {
	Name        string   // file name without ".slides.html"
	Slides      int      // slides walked (vertical and horizontal)
	Charts      int      // .labkit-chart containers found
	Drawn       int      // of those, drawn: a canvas or svg with non-zero size and painted pixels
	Requests    int      // requests the page made
	GoComments  int      // `//` comments in code highlighted as comments (see jsGoComments)
	Notes       int      // slides with speaker notes (reveal.js <aside class="notes">)
	TooTall     int      // slides taller than the screen in some fragment state (see jsOverflow); each is also a problem
	Screenshots []string // deck title slide, the slide with the first chart, the first with notes shown on it (if any)
	Problems    []string // each says which slide; empty means the deck passed
}

// Timeouts for one deck; generous, because CI shares two cores with other jobs.
var (
	DeckReadyTimeout = 30 * time.Second // reveal.js initialised
	ChartTimeout     = 15 * time.Second // every chart on a slide drawn after showing it
)

// slideInfo is one slide as the page reports it.
type slideInfo struct {
	H, V   int
	Title  string
	Charts int
	Notes  bool
}

const jsSlides = `Reveal.getSlides().map(function (el) {
  var i = Reveal.getIndices(el), t = el.querySelector("h1,h2,h3,h4,.labkit-kicker");
  return {H: i.h, V: i.v || 0, Title: t ? t.textContent.replace(/\s*¶\s*$/, "").trim() : "",
          Charts: el.querySelectorAll(".labkit-chart").length, Notes: !!el.querySelector("aside.notes")};
})`

// jsShowFirstChart scrolls a tall slide (reveal_scroll makes it scroll inside itself) so its
// first chart is in view. Not scrollIntoView: that also scrolls reveal.js's overflow-hidden
// containers and shifts every slide sideways.
// Distances on screen are scaled by reveal.js (zoom), scrollTop is not: divide by the scale,
// and correct a few times in case the layout moves.
const jsShowFirstChart = `(function () {
  var slide = Reveal.getCurrentSlide(), chart = slide.querySelector(".labkit-chart");
  var k = (Reveal.getScale && Reveal.getScale()) || 1;
  for (var i = 0; i < 4; i++) {
    var d = chart.getBoundingClientRect().top - slide.getBoundingClientRect().top - 40 * k;
    if (Math.abs(d) < 2) { break; }
    var before = slide.scrollTop;
    slide.scrollTop += d / k;
    if (slide.scrollTop === before) { break; }
  }
})()`

// overflow is how tall one slide is, as reveal.js lays it out.
type overflow struct {
	Height   int    // the slide's scrollHeight at its tallest fragment state, in the deck's own pixels
	Limit    int    // the slide height the deck is laid out for (reveal.js scales that to the screen)
	Fragment int    // the fragment state (-1: none shown yet) where it was tallest
	Inner    string // an element inside that scrolls because its content does not fit ("" if none)
}

// jsOverflow measures the current slide with reveal.js's own numbers: reveal.js lays every
// slide out at getComputedSlideSize() (the configured width and height) and scales that box
// to the window, so a slide fits the screen exactly when its scrollHeight is within that
// height; its layout centres a slide by the same comparison. Hidden fragments keep their
// place, but a fragment may also replace content, so each fragment state is measured. An
// element that scrolls inside the slide (a long output box) does not fit either.
const jsOverflow = `(function (h, v) {
  var slide = Reveal.getCurrentSlide();
  var size = Reveal.getComputedSlideSize ? Reveal.getComputedSlideSize() : Reveal.getConfig();
  var limit = Math.round(size.height), last = -1;
  Array.prototype.forEach.call(slide.querySelectorAll(".fragment"), function (f) {
    var i = parseInt(f.getAttribute("data-fragment-index"), 10);
    last = Math.max(last, isNaN(i) ? 0 : i);
  });
  var r = {Height: 0, Limit: limit, Fragment: -1, Inner: ""};
  for (var f = -1; f <= last; f++) {
    if (last >= 0) { Reveal.slide(h, v, f); }
    if (slide.scrollHeight > r.Height) { r.Height = slide.scrollHeight; r.Fragment = f; }
  }
  if (last >= 0) { Reveal.slide(h, v, -1); }
  var all = slide.querySelectorAll("*");
  for (var i = 0; i < all.length && !r.Inner; i++) {
    var el = all[i], oy = getComputedStyle(el).overflowY;
    if ((oy === "auto" || oy === "scroll") && el.clientHeight > 0 && el.scrollHeight > el.clientHeight + 2) {
      r.Inner = el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? "." + String(el.className).trim().split(/\s+/)[0] : "") +
        " scrolls (" + el.scrollHeight + "px of content in " + el.clientHeight + "px)";
    }
  }
  return r;
})(%d, %d)`

// jsShowing is true while reveal.js shows slide (h, v).
const jsShowing = `(function () { var i = Reveal.getIndices(); return i.h === %d && (i.v || 0) === %d; })()`

// jsShowSlide shows slide (h, v) and, if reveal.js shows it at once, measures it (jsOverflow)
// and reads its charts (jsCharts); its verbs take h, v three times, then the charts' root.
const jsShowSlide = `(function () {
  Reveal.slide(%d, %d);
  if (!` + jsShowing + `) { return {Shown: false}; }
  return {Shown: true, Size: ` + jsOverflow + `, Charts: ` + jsCharts + `};
})()`

// shownSlide is what jsShowSlide returns.
type shownSlide struct {
	Shown  bool
	Size   overflow
	Charts []chartState
}

// tooTall says why a measured slide does not fit the screen, or "" if it does.
func (o overflow) tooTall() string {
	if o.Limit <= 0 {
		return ""
	}
	const hint = " — scripts/slide_layout.py splits each section into sub-slides (question, code, output, Explain) " +
		"and continues long ones from height estimates: fix the estimate there, tag plumbing cells slides-hide, or shorten the cell"
	switch {
	case o.Height > o.Limit+1:
		where := ""
		if o.Fragment >= 0 {
			where = fmt.Sprintf(" with fragment %d shown", o.Fragment)
		}
		return fmt.Sprintf("taller than the screen: %dpx of %dpx (%.1f screens)%s%s", o.Height, o.Limit,
			float64(o.Height)/float64(o.Limit), where, hint)
	case o.Inner != "":
		return "does not fit the screen: " + o.Inner + hint
	}
	return ""
}

// chartState is one chart container as the page reports it.
type chartState struct {
	ID      string
	Kind    string // "canvas", "svg" or ""
	Width   int    // intrinsic size of the canvas (or svg box)
	Height  int
	Painted int    // sampled non-transparent pixels (-1: could not read)
	Error   string // the text of labkit's .labkit-chart-error, if the loader gave up
	Series  string // ECharts type of the first series ("bar", "line", "custom" for timelines)
	Title   string
	Wrong   string // a drawn chart whose axes do not fit its data
}

// jsCharts reports the chart containers in an element (the current slide by default). For
// timelines (custom series) it also checks that the x axis reaches the last span's end: an
// axis sized from the wrong values draws every bar off the chart, with pixels painted.
const jsCharts = `(function (root) {
  function painted(cv) {
    try {
      if (!cv.width || !cv.height) { return 0; }
      var d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data, n = 0;
      for (var i = 3; i < d.length; i += 64) { if (d[i]) { n++; } }
      return n;
    } catch (e) { return -1; }
  }
  var ec = window.echarts;
  try { if (!ec && window.requirejs) { ec = window.requirejs("labkit-echarts"); } } catch (e) {}
  return Array.prototype.map.call(root.querySelectorAll(".labkit-chart"), function (el) {
    var err = el.querySelector(".labkit-chart-error"), cv = el.querySelector("canvas"), sv = el.querySelector("svg");
    var s = {ID: el.id, Kind: "", Width: 0, Height: 0, Painted: 0, Error: err ? err.textContent : "",
             Series: "", Title: "", Wrong: ""};
    if (cv) { s.Kind = "canvas"; s.Width = cv.width; s.Height = cv.height; s.Painted = painted(cv); }
    else if (sv) { var r = sv.getBoundingClientRect(); s.Kind = "svg"; s.Width = Math.round(r.width); s.Height = Math.round(r.height);
                   s.Painted = sv.querySelectorAll("path,rect,text").length; }
    try {
      var inst = ec && ec.getInstanceByDom(el);
      if (inst) {
        var o = inst.getOption();
        s.Series = (o.series[0] || {}).type || "";
        s.Title = ((o.title || [])[0] || {}).text || "";
        if (s.Series === "custom") {
          var ext = inst.getModel().getComponent("xAxis").axis.scale.getExtent(), end = 0;
          o.series[0].data.forEach(function (d) { var v = d.value || d; if (v[2] > end) { end = v[2]; } });
          if (ext[1] < end) { s.Wrong = "x axis ends at " + ext[1] + " but the spans end at " + end; }
        }
      }
    } catch (e) { s.Wrong = "could not read the ECharts instance: " + e; }
    return s;
  });
})(%s)`

func drawn(c chartState) bool {
	return c.Error == "" && c.Wrong == "" && c.Kind != "" && c.Width > 0 && c.Height > 0 && c.Painted != 0
}

func (c chartState) why() string {
	switch {
	case c.Error != "":
		return "shows an error: " + shorten(c.Error)
	case c.Wrong != "":
		return "is drawn wrong: " + c.Wrong
	case c.Kind == "":
		return "has no canvas or svg (ECharts never drew into it)"
	case c.Width == 0 || c.Height == 0:
		return fmt.Sprintf("has a %s of size %dx%d", c.Kind, c.Width, c.Height)
	default:
		return "has a blank " + c.Kind + " (nothing painted)"
	}
}

// CheckDeck opens the deck at url (file:// or http://127.0.0.1), waits for reveal.js, shows
// every slide in turn and checks every chart on it, and records console errors and failed or
// outside requests against the slide that was showing. Screenshots go to shotDir as
// <name>.png (title slide) and <name>.first-chart.png. The error is for a browser that could
// not be driven at all; a broken deck is reported in DeckReport.Problems.
func (b *Browser) CheckDeck(ctx context.Context, url, name, shotDir string) (DeckReport, error) {
	tab, w, closeTab, err := b.openWatchedTab(ctx)
	if err != nil {
		return DeckReport{Name: name}, err
	}
	defer closeTab()
	d := &deckCheck{tab: tab, w: w, r: DeckReport{Name: name}, name: name, shotDir: shotDir, everySlide: b.EverySlide}
	started, err := d.open(url)
	if err != nil || !started {
		return d.r, err
	}
	slides, err := chromedp.Run(tab, chromedp.Evaluate[[]slideInfo](jsSlides))
	if err != nil {
		return d.r, fmt.Errorf("browsertest: list slides: %w", err)
	}
	d.r.Slides = len(slides)
	if len(slides) == 0 {
		d.problem("deck", "has no slides")
	}
	for i, s := range slides {
		if err := d.checkSlide(i, len(slides), s); err != nil {
			return d.r, err
		}
	}
	_ = sleep(tab, 300*time.Millisecond) // late errors, e.g. from the last slide's scripts
	d.problem("after the last slide", w.take()...)
	w.mu.Lock()
	d.r.Requests = w.requests
	w.mu.Unlock()
	return d.r, nil
}

// deckCheck is one CheckDeck under way: the tab showing the deck and what it found so far.
type deckCheck struct {
	tab           context.Context
	w             *watcher
	r             DeckReport
	name, shotDir string
	everySlide    bool
	firstChart    bool // whether the first chart has had its screenshot
}

func (d *deckCheck) problem(where string, ps ...string) {
	for _, p := range ps {
		d.r.Problems = append(d.r.Problems, where+": "+p)
	}
}

func (d *deckCheck) screenshot(file string, take func(context.Context, string) error) error {
	path := filepath.Join(d.shotDir, file)
	if err := take(d.tab, path); err != nil {
		return err
	}
	d.r.Screenshots = append(d.r.Screenshots, path)
	return nil
}

// open loads the deck, waits for reveal.js, checks the code highlighting, turns the
// transitions off and takes the title slide's screenshot. It reports whether the deck
// started at all (if not, that is a problem in the report, not an error).
func (d *deckCheck) open(url string) (bool, error) {
	// The window size includes the browser's own bars; an audience sees the whole screen.
	if err := chromedp.Do(d.tab, chromedp.EmulateViewport(ViewportWidth, ViewportHeight), chromedp.Navigate(url)); err != nil {
		return false, fmt.Errorf("browsertest: open %s: %w", url, err)
	}
	if !waitFor(d.tab, `document.body && document.body.getAttribute("data-labkit-deck") === "ready"`, DeckReadyTimeout) {
		d.problem("deck", "reveal.js did not start within "+DeckReadyTimeout.String())
		d.problem("deck", d.w.take()...)
		return false, nil
	}
	d.problem("loading", d.w.take()...)
	comments, wrong, err := goComments(d.tab)
	if err != nil {
		return false, err
	}
	d.r.GoComments = comments
	d.problem("code", wrong...)
	// Screenshots must show slides, not the middle of an animation between two.
	if _, err := chromedp.Run(d.tab, chromedp.Evaluate[chromedp.Void](
		`Reveal.configure && Reveal.configure({transition: "none", backgroundTransition: "none"})`)); err != nil {
		return false, fmt.Errorf("browsertest: turn transitions off: %w", err)
	}
	if err := os.MkdirAll(d.shotDir, 0o755); err != nil {
		return false, err
	}
	return true, d.screenshot(d.name+".png", screenshot)
}

// checkSlide shows slide i of n and checks it fits the screen and draws its charts,
// taking the screenshots of the first chart and of the first speaker notes on the way.
func (d *deckCheck) checkSlide(i, n int, s slideInfo) error {
	where := fmt.Sprintf("slide %d/%d %q", i+1, n, s.Title)
	// One round trip in the usual case: reveal.js shows a slide synchronously, so the slide is
	// measured and its charts read right after it is shown.
	shown, err := chromedp.Run(d.tab, chromedp.Evaluate[shownSlide](fmt.Sprintf(jsShowSlide, s.H, s.V, s.H, s.V, s.H, s.V, "Reveal.getCurrentSlide()")))
	if err != nil {
		return fmt.Errorf("browsertest: %s: %w", where, err)
	}
	if !shown.Shown {
		if !waitFor(d.tab, fmt.Sprintf(jsShowing, s.H, s.V), 5*time.Second) {
			d.problem(where, "reveal.js did not show it")
			return nil
		}
		if shown.Size, err = chromedp.Run(d.tab, chromedp.Evaluate[overflow](fmt.Sprintf(jsOverflow, s.H, s.V))); err != nil {
			return fmt.Errorf("browsertest: %s: measure: %w", where, err)
		}
		shown.Charts = nil
	}
	d.r.Charts += s.Charts
	if why := shown.Size.tooTall(); why != "" {
		d.r.TooTall++
		d.problem(where, fmt.Sprintf("(#/%d/%d) %s", s.H, s.V, why))
	}
	states, err := settleCharts(d.tab, "Reveal.getCurrentSlide()", shown.Charts)
	if err != nil {
		return fmt.Errorf("browsertest: %s: %w", where, err)
	}
	for _, c := range states {
		if drawn(c) {
			d.r.Drawn++
		} else {
			d.problem(where, "chart "+c.ID+" "+c.why())
		}
	}
	if len(states) > 0 && !d.firstChart {
		d.firstChart = true
		if _, err := chromedp.Run(d.tab, chromedp.Evaluate[chromedp.Void](jsShowFirstChart)); err != nil {
			return err
		}
		_ = nextFrames(d.tab) // the scrolled slide on screen before the picture
		if err := d.screenshot(d.name+".first-chart.png", screenshot); err != nil {
			return err
		}
	}
	if s.Notes {
		d.r.Notes++
		if d.r.Notes == 1 {
			// The notes as a presenter reads them, shown on the slide (reveal.js's showNotes).
			if err := d.screenshot(d.name+".notes.png", screenshotWithNotes); err != nil {
				return err
			}
		}
	}
	d.w.settle(d.tab, 5*time.Second)
	d.w.flush(d.tab, 5*time.Second)
	if d.everySlide {
		if err := screenshot(d.tab, filepath.Join(d.shotDir, fmt.Sprintf("%s.s%02d.png", d.name, i+1))); err != nil {
			return err
		}
	}
	d.problem(where, d.w.take()...)
	return nil
}

// jsGoComments finds the `//` comments in the code cells' highlighted input (Pygments spans;
// Markdown cells may quote other languages) and reports those not highlighted as comments. In Go a token starting with //
// is always a comment, so one with another class means the code went through another
// lexer: Python's makes `//` an operator ("o") and the comment's words names ("n").
const jsGoComments = `(function () {
  var r = {Comments: 0, Wrong: []};
  Array.prototype.forEach.call(document.querySelectorAll(".jp-InputArea-editor .highlight pre span"), function (s) {
    if (s.children.length || s.textContent.slice(0, 2) !== "//") { return; }
    if (/^(c|c1|cm|cs|ch)$/.test(s.className)) { r.Comments++; return; }
    var line = "";
    for (var n = s; n && line.indexOf("\n") < 0; n = n.nextSibling) { line += n.textContent; }
    r.Wrong.push("Go comment " + JSON.stringify(line.split("\n")[0].slice(0, 60)) +
      " is highlighted as a " + (s.className ? "\"" + s.className + "\" token" : "plain text") +
      ", not a comment (Go code highlighted with another lexer?)");
  });
  return r;
})()`

// goComments runs jsGoComments in the page: the comments highlighted as such, and a problem
// for each that is not.
func goComments(tab context.Context) (int, []string, error) {
	r, err := chromedp.Run(tab, chromedp.Evaluate[struct {
		Comments int
		Wrong    []string
	}](jsGoComments))
	if err != nil {
		return 0, nil, fmt.Errorf("read code highlighting: %w", err)
	}
	return r.Comments, r.Wrong, nil
}

// poll is the pause between two looks at a condition: short at first (most conditions
// hold within a frame or two), doubling to pollMax for the long waits (a kernel running).
type poll time.Duration

const (
	pollMin = 20 * time.Millisecond
	pollMax = 200 * time.Millisecond
)

// next sleeps the current pause (or until ctx ends) and doubles it, up to pollMax.
func (p *poll) next(ctx context.Context) error {
	d := max(time.Duration(*p), pollMin)
	*p = poll(min(2*d, pollMax))
	return sleep(ctx, d)
}

// waitFor polls a JavaScript condition until it is true or the timeout passes.
func waitFor(tab context.Context, cond string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	var p poll
	for {
		ok, err := chromedp.Run(tab, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) || tab.Err() != nil {
			return false
		}
		if p.next(tab) != nil {
			return false
		}
	}
}

// settledCharts reads the charts under the element that the JavaScript expression root
// names, polling until each is drawn or can no longer change (a loader error, wrong axes),
// or ChartTimeout passes.
func settledCharts(tab context.Context, root string) ([]chartState, error) {
	return settleCharts(tab, root, nil)
}

// settleCharts is settledCharts starting from states already read (nil: none yet).
func settleCharts(tab context.Context, root string, states []chartState) ([]chartState, error) {
	deadline := time.Now().Add(ChartTimeout)
	var p poll
	for {
		if states == nil {
			var err error
			if states, err = chromedp.Run(tab, chromedp.Evaluate[[]chartState](fmt.Sprintf(jsCharts, root))); err != nil {
				return nil, fmt.Errorf("read charts: %w", err)
			}
		}
		if settled(states) || time.Now().After(deadline) {
			return states, nil
		}
		if err := p.next(tab); err != nil {
			return nil, err
		}
		states = nil
	}
}

// settled reports whether every chart is drawn or can no longer change.
func settled(states []chartState) bool {
	for _, c := range states {
		if !drawn(c) && c.Error == "" && c.Wrong == "" {
			return false
		}
	}
	return true
}

// nextFrames waits until the page has drawn two more frames (at most a second: a page that
// is not drawn has none): what a script changed (a scroll, notes shown) is on screen.
func nextFrames(tab context.Context) error {
	_, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](
		`new Promise(function (done) { setTimeout(done, 1000); requestAnimationFrame(function () { requestAnimationFrame(function () { done(); }); }); })`,
		chromedp.EvalAwaitPromise))
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func screenshot(tab context.Context, path string) error {
	png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	return os.WriteFile(path, png, 0o644)
}

// screenshotWithNotes saves the current slide with its speaker notes shown on it.
func screenshotWithNotes(tab context.Context, path string) error {
	if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`Reveal.configure({showNotes: true}); Reveal.layout && Reveal.layout()`)); err != nil {
		return fmt.Errorf("show notes: %w", err)
	}
	_ = nextFrames(tab)
	err := screenshot(tab, path)
	if _, err2 := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`Reveal.configure({showNotes: false}); Reveal.layout && Reveal.layout()`)); err == nil && err2 != nil {
		err = fmt.Errorf("hide notes: %w", err2)
	}
	return err
}

// jsonString quotes s for JavaScript.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// PageReport is what CheckPage saw in one plain HTML export.
type PageReport struct {
	Name       string
	Charts     int
	Drawn      int
	Requests   int
	GoComments int // as in DeckReport
	Screenshot string
	Problems   []string
}

// CheckPage opens a plain HTML export of a notebook (nbconvert --to html), waits for every
// chart on it to be drawn, and records console errors and failed or outside requests, as
// CheckDeck does for slides. The screenshot, <name>.png in shotDir, shows the first chart.
func (b *Browser) CheckPage(ctx context.Context, url, name, shotDir string) (PageReport, error) {
	r := PageReport{Name: name}
	tab, w, closeTab, err := b.openWatchedTab(ctx)
	if err != nil {
		return r, err
	}
	defer closeTab()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return r, fmt.Errorf("browsertest: open %s: %w", url, err)
	}
	states, err := settledCharts(tab, "document")
	if err != nil {
		return r, err
	}
	r.Charts = len(states)
	comments, wrong, err := goComments(tab)
	if err != nil {
		return r, err
	}
	r.GoComments = comments
	r.Problems = append(r.Problems, wrong...)
	for _, c := range states {
		if drawn(c) {
			r.Drawn++
		} else {
			r.Problems = append(r.Problems, "chart "+c.ID+" "+c.why())
		}
	}
	if len(states) > 0 {
		_, _ = chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
			`document.getElementById(%s).scrollIntoView({block: "center"})`, jsonString(states[0].ID))))
	}
	w.settle(tab, 5*time.Second)
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		return r, err
	}
	r.Screenshot = filepath.Join(shotDir, name+".png")
	if err := screenshot(tab, r.Screenshot); err != nil {
		return r, err
	}
	r.Problems = append(r.Problems, w.take()...)
	w.mu.Lock()
	r.Requests = w.requests
	w.mu.Unlock()
	return r, nil
}
