// Package browsertest checks the lab's pages in a real headless Chromium: exported slide
// decks (every slide, every chart drawn, no console errors, no failed requests, nothing
// fetched from outside the machine) and the live Jupyter front end (a notebook run through
// the UI). Unit tests cannot see a chart that never draws or a deck that needs a CDN; a
// browser with the network blocked can. It drives Chromium over the DevTools protocol
// (chromedp) and never downloads a browser: it uses the one installed (Debian: chromium).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned by FindChromium and Start when no Chromium is installed.
var ErrNoChromium = errors.New("browsertest: no Chromium found (Debian: apt-get install chromium; or set LAB_CHROMIUM to its path)")

// FindChromium returns the browser to drive: LAB_CHROMIUM if set, else the first of
// chromium, chromium-browser, google-chrome-stable, google-chrome found on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv("LAB_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("browsertest: LAB_CHROMIUM=%q: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Browser is one headless Chromium with a fresh profile. Each check opens its own tab.
type Browser struct {
	// EverySlide makes CheckDeck also save a screenshot of every slide, <name>.sNN.png, for
	// reading a deck as a talk without opening it.
	EverySlide bool

	ctx         context.Context // the browser's chromedp context; tabs derive from it
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
	profile     string
}

// Viewport is the size of every tab, in CSS pixels (a laptop screen, so decks scale as in a talk).
const (
	ViewportWidth  = 1280
	ViewportHeight = 800
)

// Start launches Chromium headless with a fresh profile directory, no sandbox (it runs as
// root in CI containers), no GPU, and no background or component-update traffic. The browser
// lives until Close or until ctx ends.
func Start(ctx context.Context) (*Browser, error) {
	return start(ctx, nil)
}

// start is Start; modify, if not nil, changes the command that starts Chromium (and must do
// what chromedp does without it: see StartBackground).
func start(ctx context.Context, modify func(*exec.Cmd)) (*Browser, error) {
	path, err := FindChromium()
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "labkit-chromium-")
	if err != nil {
		return nil, fmt.Errorf("browsertest: profile dir: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(ViewportWidth, ViewportHeight),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-pings", true),
		// Second line of defence behind the request interception in Watch: no name resolves.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
	)
	if modify != nil {
		opts = append(opts, chromedp.ModifyCmdFunc(modify))
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: bctx, cancel: cancel, allocCancel: allocCancel, profile: profile}
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		b.Close()
		return nil, fmt.Errorf("browsertest: start %s: %w", path, err)
	}
	return b, nil
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() error {
	b.cancel()
	b.allocCancel()
	return os.RemoveAll(b.profile)
}

// newTab opens a tab; cancel closes it.
func (b *Browser) newTab() (context.Context, context.CancelFunc) {
	return chromedp.NewContext(b.ctx)
}

// openWatchedTab opens a tab that closes when ctx is done and records its console and
// network events. closeTab ends the tab and waits for the recorder; defer it.
func (b *Browser) openWatchedTab(ctx context.Context) (tab context.Context, w *watcher, closeTab func(), err error) {
	tab, cancel := b.newTab()
	stop := context.AfterFunc(ctx, cancel)
	w, err = watch(tab)
	if err != nil {
		stop()
		cancel()
		return nil, nil, nil, err
	}
	return tab, w, func() { stop(); cancel(); w.wg.Wait() }, nil
}
