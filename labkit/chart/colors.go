package chart

import (
	"hash/fnv"
	"strings"
)

// The lab compares Go with Python on many charts, so the two always look the same: a series
// (or, in a bar chart with one series, a bar) whose name starts with the word "Go" is drawn in
// a blue, one starting with "Python" (in any case) in an orange, and every other name in one of the other
// hues. A name keeps its colour from chart to chart: it is picked from its family by a hash of
// the name, moving on to the next free colour only when two names in one chart would share it.
var (
	goColors     = []string{"#1f77b4", "#00add8", "#0b4f8a", "#6baed6"}
	pythonColors = []string{"#ff7f0e", "#d95f02", "#fdae61", "#a6520a"}
	otherColors  = []string{"#2ca02c", "#9467bd", "#e7298a", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#66a61e"}
)

// colorFamily is the list of colours a name is drawn in.
func colorFamily(name string) []string {
	switch {
	case hasWord(name, "Go"):
		return goColors
	case hasWord(name, "Python"):
		return pythonColors
	}
	return otherColors
}

// hasWord reports whether name starts with word as a whole word, in any case ("Go pool" and
// "python-asyncio", not "Goroutines").
func hasWord(name, word string) bool {
	if len(name) < len(word) || !strings.EqualFold(name[:len(word)], word) {
		return false
	}
	rest := name[len(word):]
	return rest == "" || strings.IndexAny(rest[:1], " ,:(-/") == 0
}

// colorsFor returns a colour for each name, distinct within the list as long as a family has
// colours left, and the same for the same name in every chart.
func colorsFor(names []string) []string {
	used := map[string]bool{}
	out := make([]string, len(names))
	for i, name := range names {
		family := colorFamily(name)
		h := fnv.New32a()
		h.Write([]byte(name))
		start := int(h.Sum32() % uint32(len(family)))
		out[i] = family[start]
		for k := range family {
			if c := family[(start+k)%len(family)]; !used[c] {
				out[i] = c
				break
			}
		}
		used[out[i]] = true
	}
	return out
}

// comparesLanguages reports whether any of names starts with "Go" or "Python".
func comparesLanguages(names []string) bool {
	for _, n := range names {
		if hasWord(n, "Go") || hasWord(n, "Python") {
			return true
		}
	}
	return false
}
