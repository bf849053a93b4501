package nb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-concurrency-lab/lab/labkit/nb"
)

func TestEChartsURL(t *testing.T) {
	t.Setenv("LABKIT_ECHARTS_URL", "")
	if nb.EChartsURL() != nb.DefaultEChartsURL {
		t.Errorf("unset: got %q", nb.EChartsURL())
	}
	t.Setenv("LABKIT_ECHARTS_URL", "  /files/_assets/echarts.min.js ")
	if got := nb.EChartsURL(); got != "/files/_assets/echarts.min.js" {
		t.Errorf("set: got %q", got)
	}
}

func TestOutsideNotebook(t *testing.T) {
	if nb.InNotebook() {
		t.Skip("running under GoNB")
	}
	if nb.HTML("<b>x</b>") {
		t.Error("HTML claimed to display outside a notebook")
	}
}

func TestUniqueID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := nb.UniqueID("c-")
		if !strings.HasPrefix(id, "c-") || len(id) != 14 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func ExampleMarkdown() {
	nb.Markdown("**bold**") // outside a notebook, the text is printed as is
	// Output: **bold**
}

func ExampleEChartsURL() {
	fmt.Println(strings.HasSuffix(nb.EChartsURL(), "echarts.min.js"))
	// Output: true
}

func ExampleProgressBar() {
	// Outside a notebook, the bar prints a line per tenth of the work and the final state.
	bar := nb.ProgressBar("rounds")
	bar(0, 2)
	bar(1, 2)
	bar(2, 2)
	// Output:
	// rounds: 0/2 (0%)
	// rounds: 1/2 (50%)
	// rounds: 2/2 (100%)
}

func ExampleLive() {
	// In JupyterLab the cell shows a slider and a drop-down and re-runs the function each
	// time one moves; anywhere else it runs once with the defaults.
	knobs := []nb.Knob{nb.Range("workers", 1, 8, 2), nb.Choice("work", "cpu", "cpu", "io")}
	err := nb.Live(context.Background(), knobs, func(ctx context.Context, v nb.Values) error {
		fmt.Printf("%d workers, %s-bound work\n", v.Int("workers"), v.String("work"))
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// 2 workers, cpu-bound work
	//
	// Ran once with workers=2, work=cpu; in JupyterLab, knobs (workers, work) re-run this cell live.
	// error: <nil>
}
