package chart

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// The lab compares Go with Python on many charts, so the two always look the same: Go's
// series (or, in a bar chart with one series, Go's bars) in blues, Python's in oranges, and
// anything else in the other hues. A name keeps its colour from chart to chart: it is picked
// from its family by a hash of the name, moving on to the next free colour only when two
// names in one chart would share it.
var (
	goColors     = []string{"#1f77b4", "#00add8", "#0b4f8a", "#6baed6", "#4a6fa5", "#08306b"}
	pythonColors = []string{"#ff7f0e", "#d95f02", "#fdae61", "#a6520a", "#e6a100", "#f16913"}
	otherColors  = []string{"#2ca02c", "#9467bd", "#e7298a", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#66a61e"}
)

type family int

const (
	noLanguage family = iota
	goLanguage
	pythonLanguage
)

// Words that mark a name as one language's. A name is split into words at anything that is
// not a letter or digit ("python-asyncio", "Go: panic + recover", "3.14 asyncio task").
var (
	goWords     = map[string]bool{"go": true, "golang": true, "goroutine": true, "goroutines": true}
	pythonWords = map[string]bool{"python": true, "python3": true, "py": true, "cpython": true, "pypy": true,
		"asyncio": true, "threading": true, "multiprocessing": true}
)

// languageOf is the family a name's own words put it in.
func languageOf(name string) family {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if pythonWords[w] {
			return pythonLanguage
		}
	}
	for _, w := range words {
		if goWords[w] {
			return goLanguage
		}
	}
	return noLanguage
}

// languages is the family of each name in one chart. The lab's charts compare Go with
// Python, and the Go side is often named by what it does ("pool", "pipeline",
// "goroutine-per-order", as 09's strategies are) rather than by its language: so in a
// chart where some name is Python's, every name that is not Python's is Go's.
func languages(names []string) []family {
	fams := make([]family, len(names))
	python := false
	for i, n := range names {
		fams[i] = languageOf(n)
		python = python || fams[i] == pythonLanguage
	}
	if python {
		for i, f := range fams {
			if f == noLanguage {
				fams[i] = goLanguage
			}
		}
	}
	return fams
}

func (f family) colors() []string {
	switch f {
	case goLanguage:
		return goColors
	case pythonLanguage:
		return pythonColors
	}
	return otherColors
}

// colorsFor returns a colour for each name, distinct within the list as long as a family has
// colours left, and the same for the same name in every chart of the same kind.
func colorsFor(names []string) []string {
	used := map[string]bool{}
	out := make([]string, len(names))
	for i, fam := range languages(names) {
		colors := fam.colors()
		h := fnv.New32a()
		h.Write([]byte(names[i]))
		start := int(h.Sum32() % uint32(len(colors)))
		out[i] = colors[start]
		for k := range colors {
			if c := colors[(start+k)%len(colors)]; !used[c] {
				out[i] = c
				break
			}
		}
		used[out[i]] = true
	}
	return out
}

// comparesLanguages reports whether any of names is Go's or Python's by its own words.
func comparesLanguages(names []string) bool {
	for _, n := range names {
		if languageOf(n) != noLanguage {
			return true
		}
	}
	return false
}
