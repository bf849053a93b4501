package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// watcher records, for one tab, everything a clean page must not do: console errors and
// uncaught exceptions, failed requests (network errors and HTTP status >= 400), and any
// request that leaves the machine. It pauses every request and lets through only file:,
// data:, blob: and about: URLs and http(s)/ws(s) to 127.0.0.1 or localhost; the rest fail
// as "blocked by client", so a page that needs the network is caught even where there is one.
type watcher struct {
	mu       sync.Mutex
	problems []string
	urls     map[network.RequestID]string
	requests int
	inflight map[network.RequestID]bool
	last     time.Time // of the last request event or console message
	marks    int       // flush's markers printed, and the last one the console handler saw
	seen     int
	wg       sync.WaitGroup
}

// markPrefix starts the console line flush prints to find where the page's console stands.
const markPrefix = "labkit-browsertest-mark "

// outsidePrefix starts the problem recorded for a request that would leave the machine.
const outsidePrefix = "request outside this machine (blocked): "

// IsLocal reports whether a page may load u with no network: files, inline data, and
// servers on this machine's loopback address.
func IsLocal(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "file", "data", "blob", "about":
		return true
	case "http", "https", "ws", "wss":
		h := p.Hostname()
		return h == "127.0.0.1" || h == "localhost"
	}
	return false
}

// watch starts recording on the tab ctx; the recording stops when ctx ends (wait for it
// with w.wg.Wait after cancelling).
func watch(ctx context.Context) (*watcher, error) {
	w := &watcher{urls: map[network.RequestID]string{}, inflight: map[network.RequestID]bool{}, last: time.Now()}
	if err := chromedp.Listen(ctx, w.onNetwork); err != nil {
		return nil, err
	}
	// Every tab gets the same viewport, so screenshots and reveal.js's scaling do not depend
	// on how this Chromium sizes a headless window.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: ViewportWidth, Height: ViewportHeight, DeviceScaleFactor: 1}); err != nil {
		return nil, fmt.Errorf("browsertest: set viewport: %w", err)
	}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	console := chromedp.Console(ctx)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, fmt.Errorf("browsertest: intercept requests: %w", err)
	}
	w.wg.Add(2)
	go func() {
		defer w.wg.Done()
		for e, err := range paused {
			if err != nil {
				return
			}
			w.intercept(ctx, e)
		}
	}()
	go func() {
		defer w.wg.Done()
		for m, err := range console {
			if err != nil {
				return
			}
			w.onConsole(m)
		}
	}()
	return w, nil
}

// onNetwork keeps count of the requests, which are still loading, and which failed.
func (w *watcher) onNetwork(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		w.mu.Lock()
		w.urls[e.RequestID] = e.Request.URL
		w.requests++
		w.inflight[e.RequestID] = true
		w.last = time.Now()
		w.mu.Unlock()
	case *network.EventLoadingFinished:
		w.mu.Lock()
		delete(w.inflight, e.RequestID)
		w.last = time.Now()
		w.mu.Unlock()
	case *network.EventLoadingFailed:
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.inflight, e.RequestID)
		if e.Canceled { // navigation or the page itself stopped it: not a failure
			return
		}
		w.last = time.Now()
		u := w.urls[e.RequestID]
		if (IsLocal(u) || u == "") && !isFavicon(u) {
			w.problems = append(w.problems, fmt.Sprintf("failed request %s: %s", shorten(u), e.ErrorText))
		} // outside requests are reported once, by the interceptor
	case *network.EventResponseReceived:
		if e.Response != nil && e.Response.Status >= 400 && !isFavicon(e.Response.URL) {
			w.add(fmt.Sprintf("failed request %s: HTTP %d", shorten(e.Response.URL), e.Response.Status))
		}
	}
}

// intercept lets a request to this machine through and fails (and reports) any other.
func (w *watcher) intercept(ctx context.Context, e fetch.EventRequestPaused) {
	if IsLocal(e.Request.URL) {
		_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
		return
	}
	w.add(outsidePrefix + shorten(e.Request.URL))
	_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
}

// onConsole reports the page's console errors and uncaught exceptions.
func (w *watcher) onConsole(m chromedp.ConsoleMessage) {
	if n, ok := strings.CutPrefix(m.Text, markPrefix); ok {
		if i, err := strconv.Atoi(n); err == nil {
			w.mu.Lock()
			w.seen = max(w.seen, i)
			w.mu.Unlock()
		}
		return
	}
	if strings.Contains(m.Text, "net::ERR_BLOCKED_BY_CLIENT") || isFavicon(m.URL) {
		return // the interceptor's own doing, reported above with its URL
	}
	if m.Type == chromedp.ConsoleError || m.IsException() {
		text := m.Text
		if m.URL != "" {
			text += " (" + m.URL + ")"
		}
		w.add("console " + string(m.Type) + ": " + shorten(text))
	}
}

// isFavicon reports the browser's own request for a site icon, which no page asked for.
func isFavicon(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Path == "/favicon.ico"
}

func (w *watcher) add(p string) {
	w.mu.Lock()
	w.problems = append(w.problems, p)
	w.last = time.Now()
	w.mu.Unlock()
}

// settle waits until no request is in flight and nothing was recorded for a moment (at
// most max), so what a slide caused is charged to that slide and not the next one.
func (w *watcher) settle(ctx context.Context, max time.Duration) {
	const quiet = 150 * time.Millisecond
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		done := len(w.inflight) == 0 && time.Since(w.last) >= quiet
		w.mu.Unlock()
		if done || sleep(ctx, 50*time.Millisecond) != nil {
			return
		}
	}
}

// flush waits (at most max) until every console message the page printed before it has
// been handled, so that a slide's errors are charged to that slide: it prints a marker line
// and waits for the handler to see it (the browser delivers console messages in order).
func (w *watcher) flush(ctx context.Context, max time.Duration) {
	w.mu.Lock()
	w.marks++
	n := w.marks
	w.mu.Unlock()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", markPrefix+strconv.Itoa(n)))); err != nil {
		return
	}
	for deadline := time.Now().Add(max); time.Now().Before(deadline); {
		w.mu.Lock()
		done := w.seen >= n
		w.mu.Unlock()
		if done || sleep(ctx, 10*time.Millisecond) != nil {
			return
		}
	}
}

// take returns the problems recorded since the last call.
func (w *watcher) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.problems
	w.problems = nil
	return p
}

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
