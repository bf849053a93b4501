package chart

import (
	"math"
	"unicode/utf8"
)

// Choices that keep a chart legible at a glance, in a notebook and on a slide alike.

// integral reports whether every value is a whole number: then the axis counts (workers,
// goroutines, runs) and gets ticks at whole numbers only (minInterval 1), never 1.2, 1.4.
func integral(lists ...[]float64) bool {
	for _, l := range lists {
		for _, v := range l {
			if v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}

// minInterval is the axis' minInterval for these values: 1 for counts, else ECharts' choice.
func minInterval(lists ...[]float64) float64 {
	if integral(lists...) {
		return 1
	}
	return 0
}

// tinyShare is how small a bar may be, as a share of the chart's tallest, before its value
// is written on it: below it the bar is a few pixels high or less, a line nobody reads.
const tinyShare = 0.04

// tinyBars reports, for each value of each series, whether its bar is too small to read
// against the tallest bar in the chart.
func tinyBars(series []Series) [][]bool {
	top := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			top = max(top, math.Abs(v))
		}
	}
	out := make([][]bool, len(series))
	for i, s := range series {
		out[i] = make([]bool, len(s.Values))
		for j, v := range s.Values {
			out[i][j] = top > 0 && math.Abs(v) < tinyShare*top
		}
	}
	return out
}

// plotWidth is about how wide the plot area is in a notebook (the chart is at most 960 px
// wide, less the value axis); slides draw it wider, so this errs on the safe side.
const plotWidth = 820

// categoryTilt is how far to turn the category labels so none overlaps its neighbour: flat
// when the longest fits its slot, else 30° or, when even that is crowded, 60°. (The grid
// contains its labels, so a turned label is never clipped at the chart's edge.)
func categoryTilt(categories []string) float64 {
	longest := 0
	for _, c := range categories {
		longest = max(longest, utf8.RuneCountInString(c))
	}
	const charWidth = 7.0 // px, 12px sans-serif
	slot := plotWidth / float64(len(categories))
	switch need := float64(longest)*charWidth + 8; {
	case need <= slot:
		return 0
	case slot >= 28: // a label turned 30° needs about its height (14 px) twice over
		return 30
	}
	return 60
}
