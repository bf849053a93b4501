// Package nb is labkit's only door to the GoNB kernel: it displays HTML and Markdown when
// the code runs inside a GoNB cell and degrades to plain text anywhere else.
//
// Its users are [github.com/go-concurrency-lab/lab/labkit/chart], which shows every chart
// through [HTML] with an id from [UniqueID], and notebook cells that run for more than a
// few seconds, which show a [ProgressBar] updated in place, and experiments whose numbers
// the reader should move, which run under [Live] (sliders in JupyterLab, the defaults
// anywhere else). Cells use it instead of
// importing GoNB's gonbui, so the notebooks depend only on this module (whose go.mod pins
// GoNB) and never trigger an automatic `go get` in the kernel. It also owns the one
// setting charts need from the environment: where the browser loads ECharts from
// ([EChartsURL]), and lists the lab's notebooks from their own text sources ([Notebooks]),
// so the map in 00 cannot drift from the notebooks folder.
package nb

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// InNotebook reports whether this process was started by a GoNB kernel cell.
func InNotebook() bool { return gonbui.IsNotebook }

// HTML displays raw HTML in the cell's output. Outside a notebook it does nothing and
// returns false, so callers can fall back to text.
func HTML(html string) bool {
	if f := currentFrame(); f != nil {
		f.addHTML(html)
		return true
	}
	if !InNotebook() {
		return false
	}
	gonbui.DisplayHTML(html)
	// Displays travel over a side pipe that GoNB stops reading when the cell's program
	// exits; waiting for the acknowledgement keeps a chart shown last from being lost.
	gonbui.Sync()
	return true
}

// Markdown displays Markdown in the cell's output; outside a notebook it prints the text.
func Markdown(md string) {
	if !InNotebook() || currentFrame() != nil {
		fmt.Println(md)
		return
	}
	gonbui.DisplayMarkdown(md)
	gonbui.Sync()
}

// DefaultEChartsURL is where charts load ECharts from unless LABKIT_ECHARTS_URL says
// otherwise. The version matches the npm package that `make setup` installs for offline use.
const DefaultEChartsURL = "https://cdn.jsdelivr.net/npm/echarts@5.6.0/dist/echarts.min.js"

// EChartsURL returns the URL of echarts.min.js that charts load: LABKIT_ECHARTS_URL if set
// (a local copy for offline use, relative to the page or absolute), else DefaultEChartsURL.
func EChartsURL() string {
	if u := strings.TrimSpace(os.Getenv("LABKIT_ECHARTS_URL")); u != "" {
		return u
	}
	return DefaultEChartsURL
}

// UniqueID returns a fresh identifier usable as an HTML id: prefix plus 12 hex digits.
func UniqueID(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return prefix + hex.EncodeToString(b[:])
}
