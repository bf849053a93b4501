package chart

import (
	"encoding/json"
	"testing"
)

// option is the ECharts option a chart draws, decoded (Bar and Line carry no functions).
func option(t *testing.T, c Chart) map[string]any {
	t.Helper()
	_, ec, err := c.build()
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(optionJSON(ec)), &o); err != nil {
		t.Fatalf("option is not JSON: %v\n%s", err, optionJSON(ec))
	}
	return o
}

func first(o map[string]any, key string) map[string]any {
	switch v := o[key].(type) {
	case []any:
		return v[0].(map[string]any)
	case map[string]any:
		return v
	}
	return map[string]any{}
}

// 06's speedup chart: workers 1 and 2 must not be ticked 1, 1.2, 1.4 …
func TestCountsGetWholeNumberTicks(t *testing.T) {
	counts := Line{Title: "speedup", XName: "workers", X: []float64{1, 2}, Series: []Series{{Name: "Go", Values: []float64{1, 1.8}}}}
	o := option(t, counts)
	if got := first(o, "xAxis")["minInterval"]; got != 1.0 {
		t.Errorf("x axis of worker counts: minInterval %v, want 1", got)
	}
	if got := first(o, "yAxis")["minInterval"]; got != nil {
		t.Errorf("y axis of speedups 1.8: minInterval %v, want none (fractions are real)", got)
	}
	runs := Bar{Title: "runs", Categories: []string{"a", "b"}, Series: []Series{{Name: "runs", Values: []float64{3, 7}}}}
	if got := first(option(t, runs), "yAxis")["minInterval"]; got != 1.0 {
		t.Errorf("bar of counts: minInterval %v, want 1", got)
	}
	ms := Bar{Title: "ms", Categories: []string{"a", "b"}, Series: []Series{{Name: "ms", Values: []float64{0.5, 7}}}}
	if got := first(option(t, ms), "yAxis")["minInterval"]; got != nil {
		t.Errorf("bar of 0.5 and 7 ms: minInterval %v, want none", got)
	}
}

// 01's run-order chart: one order ran almost every time; the others must still say how often.
func TestTinyBarsCarryTheirValue(t *testing.T) {
	b := Bar{Title: "Most frequent run orders", Unit: "runs", Categories: []string{"ABC", "ACB", "BAC"},
		Series: []Series{{Name: "runs", Values: []float64{9970, 25, 5}}}}
	data := first(option(t, b), "series")["data"].([]any)
	for i, want := range []bool{false, true, true} {
		label, _ := data[i].(map[string]any)["label"].(map[string]any)
		shown := label["show"] == true
		if shown != want {
			t.Errorf("bar %s (%v runs): label shown %v, want %v", b.Categories[i], b.Series[0].Values[i], shown, want)
		}
		if want && label["formatter"] != formatNumber(b.Series[0].Values[i]) {
			t.Errorf("bar %s: label %v, want the value %s", b.Categories[i], label["formatter"], formatNumber(b.Series[0].Values[i]))
		}
	}
}

// 09's "goroutine-per-order": the grid holds its labels, and long crowded ones turn.
func TestCategoryLabelsAreNotClipped(t *testing.T) {
	names := []string{"sequential", "goroutine-per-order", "pool", "pipeline", "python-asyncio", "python-threads", "python-sequential"}
	b := Bar{Title: "throughput", Categories: names, Series: []Series{{Name: "orders/s", Values: []float64{1, 2, 3, 4, 5, 6, 7}}}}
	o := option(t, b)
	if first(o, "grid")["containLabel"] != true {
		t.Errorf("grid does not contain its labels: %v", o["grid"])
	}
	label := first(o, "xAxis")["axisLabel"].(map[string]any)
	if label["interval"] != "0" || label["rotate"] == nil {
		t.Errorf("seven long categories: axisLabel %v, want every one shown (interval 0), turned", label)
	}
	if got := categoryTilt([]string{"p50", "p95", "p99"}); got != 0 {
		t.Errorf("three short categories turned %v°, want flat", got)
	}
	for _, c := range []Chart{
		Line{X: []float64{1}, Series: []Series{{Name: "s", Values: []float64{1}}}},
	} {
		if first(option(t, c), "grid")["containLabel"] != true {
			t.Errorf("%T: grid does not contain its labels", c)
		}
	}
}
