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
	if !in(a[0], goColors) || !in(a[1], pythonColors) || !in(a[2], otherColors) {
		t.Errorf("colours %v: want a Go blue, a Python orange, another hue", a)
	}
	for _, name := range []string{"python-asyncio", "PYTHON threads"} {
		if got := colorsFor([]string{name})[0]; !in(got, pythonColors) {
			t.Errorf("%q is drawn in %s, want a Python orange (the word matches in any case)", name, got)
		}
	}
	for _, name := range []string{"goroutines", "goroutine-per-order", "Gopher", "Pythonic", "pool"} {
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
