package chart

import (
	"slices"
	"strings"
	"testing"
)

func TestGoAndPythonKeepTheirColoursAcrossCharts(t *testing.T) {
	in := func(c string, family []string) bool { return slices.Contains(family, c) }
	a := colorsFor([]string{"Go goroutines", "Python threads", "sequential"})
	b := colorsFor([]string{"sequential", "Python threads", "Go goroutines"})
	if a[0] != b[2] || a[1] != b[1] || a[2] != b[0] {
		t.Errorf("a name changed colour between charts: %v vs %v", a, b)
	}
	if !in(a[0], goColors) || !in(a[1], pythonColors) || !in(a[2], goColors) {
		t.Errorf("colours %v: want Go blues for Go and for the unnamed side of a Go-Python chart, a Python orange", a)
	}
	for _, name := range []string{"python-asyncio", "PYTHON threads", "3.14 asyncio task", "py: threading.Lock"} {
		if got := colorsFor([]string{name})[0]; !in(got, pythonColors) {
			t.Errorf("%q is drawn in %s, want a Python orange (a Python word, in any case)", name, got)
		}
	}
	for _, name := range []string{"goroutines", "goroutine-per-order", "Go: panic + recover", "go-pool"} {
		if got := colorsFor([]string{name})[0]; !in(got, goColors) {
			t.Errorf("%q is drawn in %s, want a Go blue", name, got)
		}
	}
	for _, name := range []string{"Gopher", "Pythonic", "pool", "mutex", "ago"} {
		if got := colorsFor([]string{name})[0]; in(got, goColors) || in(got, pythonColors) {
			t.Errorf("%q is drawn in a language colour %s", name, got)
		}
	}
	many := colorsFor([]string{"Go a", "Go b", "Go c", "Go d"})
	seen := map[string]bool{}
	for _, c := range many {
		if seen[c] || !in(c, goColors) {
			t.Errorf("four Go series got %v: want four distinct Go blues", many)
			break
		}
		seen[c] = true
	}
}

// 09's strategies are named by what they do; beside Python's they are Go's, every one.
func TestStrategiesBesidePythonAreGo(t *testing.T) {
	names := []string{"sequential", "goroutine-per-order", "pool", "pipeline", "python-asyncio", "python-threads"}
	got := colorsFor(names)
	for i, c := range got {
		want, family := goColors, "Go"
		if strings.HasPrefix(names[i], "python") {
			want, family = pythonColors, "Python"
		}
		if !slices.Contains(want, c) {
			t.Errorf("%q is drawn in %s, want one of %s's %v", names[i], c, family, want)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
		t.Errorf("six series share colours: %v", got)
	}
}

func TestBarColoursLanguageCategories(t *testing.T) {
	h, err := HTML(Bar{Title: "Memory per parked task (lower is better)", Unit: "bytes",
		Categories: []string{"Go goroutine", "Python thread"}, Series: []Series{{Name: "bytes each", Values: []float64{2e3, 8e6}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := colorsFor([]string{"Go goroutine", "Python thread"})
	for _, want := range c {
		if !strings.Contains(h, `"color":"`+want+`"`) {
			t.Errorf("bar chart lacks its category colour %s:\n%s", want, h)
		}
	}
}
