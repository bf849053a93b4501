//go:build linux

package browsertest

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/go-concurrency-lab/lab/labkit/nb"
	"github.com/go-concurrency-lab/lab/labkit/scorecard"
)

// clickPredictions (a JS expression) clicks the first guess of every Predict panel whose
// buttons are still enabled — a real click event on the button — and notes its label in
// window.labkitPicked. The panel disables its buttons on a click, so each is clicked once.
const clickPredictions = `(function () {
  document.querySelectorAll("[data-labkit-predict]").forEach(function (panel) {
    var b = panel.querySelector("button[data-guess]:not([disabled])");
    if (!b) { return; }
    b.click();
    (window.labkitPicked = window.labkitPicked || []).push(b.dataset.guess);
  });
})()`

// checkPredictions compares what was clicked with what the kernel recorded and with the
// progress view's lines for them: each click must be recorded, and measured by its cell.
func (l *liveLab) checkPredictions(problems []string) (lines, _ []string) {
	picked, err := chromedp.Run(l.tab, chromedp.Evaluate[[]string](`window.labkitPicked || []`))
	if err != nil {
		return nil, append(problems, "reading the clicked predictions: "+err.Error())
	}
	// Each Predict cell of the notebook must have offered its buttons, or nothing was tested.
	source, err := os.ReadFile(l.o.Notebook)
	if err != nil {
		return nil, append(problems, err.Error())
	}
	if want := bytes.Count(source, []byte("nb.Predict(")); len(picked) != want {
		problems = append(problems, fmt.Sprintf("%d Predict cells but %d prediction panels clicked (%q)", want, len(picked), picked))
	}
	if len(picked) == 0 {
		return nil, problems
	}
	ps, err := nb.PredictionsIn(l.data)
	if err != nil {
		return nil, append(problems, err.Error())
	}
	var view bytes.Buffer
	scorecard.Write(&view, []scorecard.Notebook{{Stem: strings.TrimSuffix(l.name, ".ipynb"), Predictions: ps}})
	for _, label := range picked {
		want := "You predicted " + label + ", measured "
		if !strings.Contains(view.String(), want) {
			problems = append(problems, fmt.Sprintf("clicked the prediction %q, but the progress view lacks %q:\n%s", label, want, view.String()))
		}
	}
	for line := range strings.Lines(view.String()) {
		if strings.Contains(line, "prediction ") {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	return lines, problems
}
